"""HFA002: the Auto class loads the checkpoint, but as another kind of language model, and nothing is raised."""

from __future__ import annotations

from automodel_lint import families
from automodel_lint.records import Fix, Verdict
from automodel_lint.rules.case import Case
from automodel_lint.rules.partial_load import partial_load
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import shown


def judge(case: Case) -> Verdict | None:
    site = case.site
    if case.kind != "auto" or case.config_replaced:
        return None
    found = partial_load(case, site.called)
    if found is None:
        return None
    suggestion = found.suggestion
    measured = families.MEASURED_EFFECT.get((site.called, case.model_type))
    use = f" ({found.use})" if found.use else ""
    return Verdict(
        RULE.code,
        f"{site.called} loads {shown(site.model)} ({case.kind_words()}) as {found.loaded}: {found.effect}"
        f"{'; use ' + suggestion.best if suggestion.best else ''}",
        suggestion.best,
        # Never safe: the program runs today, and another class changes what it does.
        Fix("unsafe", suggestion.best) if suggestion.classes else None,
        detail=(
            f"Nothing is raised: {site.called} accepts model type {case.model_type} and builds {found.loaded},"
            f" but {shown(site.model)} is {case.describe()}; this {found.effect}{f'; {measured}' if measured else ''}"
            f"{use}.{_others(suggestion.classes)} The fix is unsafe: the program runs today, and another class"
            " changes what it does."
        ),
    )


def _others(classes: tuple[str, ...]) -> str:
    return f" Other classes that fit: {', '.join(classes[1:])}." if len(classes) > 1 else ""


RULE = Rule(
    "HFA002",
    "wrong-model-family",
    "warning",
    "The class loads the checkpoint as another kind of language model (e.g. only the decoder of an encoder-decoder).",
    why=(
        "The Auto class accepts the model type and builds its own head for it, so nothing is raised: on a BART"
        " checkpoint AutoModelForCausalLM builds BartForCausalLM, keeps the decoder, drops every encoder"
        " tensor and initialises lm_head and the decoder's embeddings at random (measured with transformers"
        " 5.24 on tiny checkpoints); on BERT it builds BertLMHeadModel, a bidirectional encoder asked to generate"
        " left to right. What the checkpoint was trained as comes from its config's architectures; for a base"
        " model (BartModel, BertModel, which only AutoModel loads) from its model type, and then only where the"
        " effect was measured and the type's own language-model class builds another class than the one called"
        " (BART's fill-mask class is its whole encoder-decoder, so AutoModelForMaskedLM on bart-base is fine)."
        " A checkpoint of a task head (a classifier) is not judged by its type. Loading the text part of a"
        " multimodal checkpoint, which transformers does on purpose, is never reported."
    ),
    fix_safety="unsafe: it changes what a working program loads",
    wrong=(
        "from transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("facebook/bart-large-cnn")\n'
    ),
    right=(
        "from transformers import AutoModelForSeq2SeqLM\n\n"
        'model = AutoModelForSeq2SeqLM.from_pretrained("facebook/bart-large-cnn")\n'
    ),
    fixed=(
        "from transformers import AutoModelForSeq2SeqLM\n\n"
        'model = AutoModelForSeq2SeqLM.from_pretrained("facebook/bart-large-cnn")\n'
    ),
    judge=judge,
)
