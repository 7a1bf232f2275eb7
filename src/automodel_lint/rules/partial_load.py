"""A class that loads a checkpoint, but as another kind of language model than it was trained as.

Read by the judges of Auto classes and of pipelines alike: a pipeline loads with its task's first class that
accepts the checkpoint, and can load it as wrongly as a direct call.
"""

from __future__ import annotations

from dataclasses import dataclass

from automodel_lint import families
from automodel_lint.rules.case import Case
from automodel_lint.rules.suggestion import Suggestion, suggest


@dataclass(frozen=True)
class PartialLoad:
    loaded: str  # the class transformers builds, e.g. BartForCausalLM
    effect: str  # what that does to the checkpoint, as measured
    use: str | None  # a program that wants this on purpose, when one is known
    suggestion: Suggestion


def partial_load(case: Case, called: str) -> PartialLoad | None:
    """What `called` loads the checkpoint as, when that is another LM kind than it was trained as; else None.

    A checkpoint whose facts name no architecture at all (only its model type) is judged by its type, as a base
    model is: the type's own language-model class says what it was trained as."""
    model_type = case.model_type
    if called not in families.LM_CLASSES or not model_type or case.facts is None:
        return None
    intent = case.site.intent
    if (intent and intent != "assistant_model=") or case.site.method == "from_config":
        return None  # asked for on purpose (`is_decoder=True`), or random weights: nothing is dropped
    architectures = case.facts.architectures
    if not case.own_architecture and architectures:
        return None  # an architecture transformers does not know: its type says nothing sure about it
    loaded = case.table.loaded_class(called, model_type, architectures)
    if loaded is None or called in case.own_loaders:
        return None
    if model_type in case.table.text_config_types(called):
        return None  # transformers loads the text part of a multimodal checkpoint on purpose
    use = families.LEGITIMATE_PARTIAL_USE.get((called, model_type))
    if use and intent == "assistant_model=":
        return None  # the model is passed as `assistant_model=`: the one use that wants this part alone
    if any(c in families.LM_CLASSES for c in case.own_loaders):
        suggestion = suggest(case, (families.group(called), families.widened(called)))
        kind = families.checkpoint_kind(case.own_loaders)
        effect = families.PARTIAL_LOAD_EFFECT.get((called, kind), f"not the {case.own_architecture} it was trained as")
        return PartialLoad(loaded, effect, use, suggestion)
    if case.own_architecture and "AutoModel" not in case.own_loaders:
        return None  # a task head (a classifier): what it was trained as is not a language model
    # A base model (BartModel, BertModel) or a checkpoint known only by its type: the type says what kind of language
    # model it is. Reported only for the kinds whose effect is known and where the type's own LM class builds another
    # class than the one called.
    own = families.type_language_model(case.table, model_type)
    if own is None or (called, own[1]) not in families.PARTIAL_LOAD_EFFECT:
        return None
    if case.table.loaded_class(own[0], model_type, architectures) == loaded:
        return None
    effect = families.PARTIAL_LOAD_EFFECT[(called, own[1])]
    return PartialLoad(loaded, effect, use, Suggestion((own[0],), certain=False))
