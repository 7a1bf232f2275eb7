"""Model string -> what its config says (ModelFacts), or why that cannot be known (Unresolved).

One small module per source (local folders, the bundled snapshot, ...), and `resolver.Resolver` that asks them in
order. API for the engine:

    from automodel_lint.facts.resolver import Resolver
    answers = Resolver(table=table, offline=offline).resolve_all(requests)

Nothing here imports huggingface_hub until a source that needs it is actually consulted.
"""
