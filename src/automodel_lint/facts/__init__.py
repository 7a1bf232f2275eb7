"""Model string -> what its config says (ModelFacts) or its tokenizer files say (TokenizerFacts), or why that cannot
be known (Unresolved).

One small module per source (local folders, the bundled snapshot, ...), and `resolver.Resolver` that asks them in
order. API for the engine:

    from automodel_lint.facts.resolver import Resolver
    resolver = Resolver(table=table, offline=offline)
    answers = resolver.resolve_all(requests)
    tokenizers = resolver.resolve_tokenizers(requests)   # only for the tokenizers a judged call uses

Nothing here imports huggingface_hub until a source that needs it is actually consulted.
"""
