"""HFA001: transformers raises `Unrecognized configuration class ... for this kind of AutoModel`."""

from __future__ import annotations

from automodel_lint import families
from automodel_lint.records import Verdict
from automodel_lint.rules.case import Case
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import Suggestion, shown, suggest


def judge(case: Case) -> Verdict | None:
    site, facts = case.site, case.facts
    model_type = case.model_type
    if facts is None or not model_type or not case.table.is_auto_class(site.called) or case.config_replaced:
        return None
    custom = facts.auto_map_dict()
    if site.called in custom:
        return None  # the repository's own code serves this class: only trusting it, or not, decides the load
    known = case.table.knows_type(model_type)
    if known and case.table.loads(site.called, model_type):
        return None
    if not known and not custom:
        return None  # a newer transformers may know this type: never guess
    if known:
        suggestion = suggest(case, (families.group(site.called),))
        cannot = ""
        if not suggestion.classes:
            cannot = (
                f", and transformers has no {site.called} class for model type {model_type}: the checkpoint does not"
                " fit this task; pick one that does (no fix: no class fits)"
            )
        fix_note = suggestion.withheld()
    else:
        # Custom model: only the classes its `auto_map` names exist for it at all.
        model_classes = sorted(c for c in custom if case.is_auto_class(c))
        offered = tuple(c for c in families.group(site.called) if c in custom) or tuple(model_classes)
        suggestion = Suggestion(offered, certain=False)
        cannot = f"; its own code (auto_map) provides only {', '.join(model_classes) or 'no model class'}"
        fix_note = " (no fix: the other class runs the repository's own code)"
    return Verdict(
        RULE.code,
        f"{site.called} cannot load {shown(site.model)}: {case.describe()}{cannot}{suggestion.advice()}"
        f"{fix_note if suggestion.classes else ''}",
        suggestion.best,
        suggestion.fix() if known else None,
    )


RULE = Rule(
    "HFA001",
    "unloadable-checkpoint",
    "error",
    "The Auto class cannot load this model type: transformers raises `Unrecognized configuration class`.",
    why=(
        "Each Auto class accepts only the model types that transformers maps to it. Loading a checkpoint of any"
        " other type raises `ValueError: Unrecognized configuration class ... for this kind of AutoModel` when"
        " the program runs, not before. The checkpoint's own `architectures` (its config.json) name the class"
        " it was trained as; the suggested Auto class is the one that loads that architecture, from the same family"
        " where one exists (text generation: CausalLM, Seq2SeqLM, ImageTextToText, SpeechSeq2Seq, MultimodalLM)."
        " When no class of the family loads the checkpoint (distilbert has no seq2seq head), the checkpoint is the"
        " problem and nothing is suggested."
    ),
    fix_safety=(
        "safe when exactly one class of the same family loads the checkpoint's architecture, else unsafe or none"
    ),
    wrong='from transformers import AutoModelForSeq2SeqLM\n\nmodel = AutoModelForSeq2SeqLM.from_pretrained("gpt2")\n',
    right='from transformers import AutoModelForCausalLM\n\nmodel = AutoModelForCausalLM.from_pretrained("gpt2")\n',
    fixed='from transformers import AutoModelForCausalLM\n\nmodel = AutoModelForCausalLM.from_pretrained("gpt2")\n',
    judge=judge,
)
