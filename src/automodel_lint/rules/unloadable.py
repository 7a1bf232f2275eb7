"""HFA001: transformers raises `Unrecognized configuration class ... for this kind of AutoModel`."""

from __future__ import annotations

from automodel_lint import families
from automodel_lint.records import Verdict
from automodel_lint.rules.case import Case
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import shown, suggest


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
    head = f"{site.called} cannot load {shown(site.model)} ({case.kind_words()})"
    if not known:
        return _custom(case, head, custom)
    config = case.table.config_class(model_type) or model_type
    raises = (
        f"transformers raises `ValueError: Unrecognized configuration class {config} for this kind of AutoModel:"
        f" {site.called}`: {site.called} accepts no {model_type} checkpoint. {shown(site.model)} is"
        f" {case.describe()}."
    )
    suggestion = suggest(case, (families.group(site.called),))
    if suggestion.classes:
        others = f" (or {', '.join(suggestion.classes[1:])})" if len(suggestion.classes) > 1 else ""
        return Verdict(
            RULE.code,
            f"{head}: use {suggestion.best}{others}",
            suggestion.best,
            suggestion.fix(),
            detail=f"{raises} {suggestion.best} loads it as it was trained. {suggestion.safety()}",
        )
    # No class of the called one's family loads it: the checkpoint does not fit the task. Still name the class that
    # loads it as it was trained, with no fix, since that class does another task.
    trained = as_trained(case)
    generates = site.called in families.TEXT_GENERATION and trained not in families.TEXT_GENERATION
    cannot = "it cannot generate; " if generates else ""
    then = f"{cannot}{trained} loads it as trained" if trained else "no class of this task fits it"
    return Verdict(
        RULE.code,
        f"{head}: {then}",
        trained,
        detail=(
            f"{raises} No class of {site.called}'s family loads model type {model_type}"
            f"{': this checkpoint cannot generate text' if generates else ''}."
            f"{f' {trained} loads it as it was trained.' if trained else ''} No fix: another class does another"
            " task; choose a checkpoint that fits this task, or the class for the task this checkpoint does."
        ),
    )


def as_trained(case: Case) -> str | None:
    """The class that loads the checkpoint as it was trained: an Auto class of its own architecture (a language-model
    class first), else its type's language-model class, else its architecture itself."""
    own = [c for c in case.own_loaders if c not in families.NEVER_SUGGESTED]
    found = next((c for c in families.CHECKPOINT_KIND if c in own), None) or next(iter(own), None)
    if found:
        return found
    by_type = families.type_language_model(case.table, case.model_type) if case.model_type else None
    return by_type[0] if by_type else case.own_architecture


def _custom(case: Case, head: str, custom: dict[str, str]) -> Verdict:
    """A custom model: only the classes its `auto_map` names exist for it at all, trusted or not."""
    site = case.site
    model_classes = sorted(c for c in custom if case.is_auto_class(c))
    offered = tuple(c for c in families.group(site.called) if c in custom) or tuple(model_classes)
    provided = ", ".join(model_classes) or "no model class"
    others = f" (or {', '.join(offered[1:])})" if len(offered) > 1 else ""
    use = f": use {offered[0]}{others}" if offered else ""
    return Verdict(
        RULE.code,
        f"{head}; its own code (auto_map) provides only {provided}{use}",
        offered[0] if offered else None,
        detail=(
            f"transformers does not know model type {case.model_type}: only the classes the checkpoint's auto_map"
            f" names ({provided}) exist for it, and {site.called} is not one of them, so transformers raises even"
            " with trust_remote_code=True. No fix: the other class runs the repository's own code."
        ),
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
