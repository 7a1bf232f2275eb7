"""HFA006: a concrete model class given a checkpoint of another model type (the rule's `why` says what happens)."""

from __future__ import annotations

from automodel_lint import families
from automodel_lint.records import Fix, Verdict
from automodel_lint.rules.case import Case
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import article, shown, suggest


def judge(case: Case) -> Verdict | None:
    """Left alone, because the runtime does not warn or the load is meant: types that share a config class;
    composite checkpoints whose sub-config the class's config picks out (replayed from the table's config links);
    composites whose parts may be of any type; a decoder warm-started from an encoder checkpoint; pairs where
    neither type is a text model."""
    site, facts, table = case.site, case.facts, case.table
    if case.kind != "class" or facts is None or case.config_replaced:
        return None
    model_type = case.model_type
    class_types = table.model_types_of_class(site.called)
    if not model_type or not class_types or not table.knows_type(model_type) or model_type in class_types:
        return None
    class_config = table.class_config(site.called)
    class_type = table.config_model_type(class_config) if class_config else None
    if not class_type or table.config_class(model_type) == class_config or model_type in families.COMPOSITE_TYPES:
        return None
    if table.type_seen_by(class_config, model_type) in (None, class_type):
        return None
    text = [any(table.loads(a, t) for a in families.TEXT_LM_CLASSES) for t in (class_type, model_type)]
    if not any(text):
        return None
    class_type_kind = families.type_kind(table, class_type)
    class_kind = families.checkpoint_kind(table.auto_classes_for_architecture(site.called)) or class_type_kind
    own_kind = families.checkpoint_kind(case.own_loaders) or families.type_kind(table, model_type)
    if (class_kind, own_kind) in families.WARM_STARTS and (
        class_type in families.WARM_START_TYPES or class_type_kind == "masked-LM encoder"
    ):
        return None
    use = (
        _same_head(case)
        or case.own_architecture
        or suggest(case, (families.TEXT_GENERATION, families.LM_CLASSES)).best
    )
    tick = "`" if table.major >= 5 else ""  # the warning's own words, which 5.x put in backquotes
    warned = (
        f"transformers only warns (\"You are using a model of type {tick}{model_type}{tick} to instantiate a model of"
        f" type {tick}{class_type}{tick}\")"
    )
    # Certain garbage: language models of different kinds, or a text model and one that is not.
    certain = text[0] != text[1] or (
        class_kind != own_kind and class_kind in families.TEXT_KINDS and own_kind in families.TEXT_KINDS
    )
    if certain:
        words = " ".join(w for w in (class_kind, class_type) if w)
        what = f"{article(words)} {words} class"
        effect = " and initialises the weights it cannot match at random"
    else:
        what = f"{article(class_type)} {class_type} class"
        effect = (
            f", reads the config as {article(class_type)} {class_type} config (dropping the settings {class_type}"
            f" does not have) and initialises at random every weight whose name differs; a weight whose shape"
            f" differs makes the load raise unless ignore_mismatched_sizes=True"
        )
    return Verdict(
        RULE.code,
        f"{site.called} is {what} and cannot use {shown(site.model)} ({case.kind_words()})"
        f"{': use ' + use if use else ''}",
        use,
        # Never safe: the load works today (transformers only warns), and the class is the tables' best guess.
        Fix("unsafe", use) if use else None,
        # Two models of one kind may be one network under two names (T5 classes on mT5): transformers' warning,
        # passed on, is as far as the tables can see.
        None if certain else "warning",
        detail=(
            f"{shown(site.model)} is {case.describe()}; {warned}{effect}. The fix is unsafe: the load works today"
            " (transformers only warns), and the class is the tables' best guess."
        ),
    )


def _same_head(case: Case) -> str | None:
    """The class with the called class's head for the checkpoint's type: what an Auto class that builds the called
    class builds for the checkpoint (BartForConditionalGeneration on Pegasus: PegasusForConditionalGeneration)."""
    architectures = case.facts.architectures if case.facts else ()
    autos = case.table.auto_classes_for_architecture(case.site.called)
    # AutoModel and AutoModelForPreTraining build many heads; the task classes say which head was meant.
    for auto in sorted(autos, key=lambda a: a in families.NEVER_SUGGESTED):
        found = case.table.loaded_class(auto, case.model_type or "", architectures)
        if found:
            return found
    return None


RULE = Rule(
    "HFA006",
    "model-class-type-mismatch",
    "error",
    "A concrete model class given a checkpoint of another model type.",
    why=(
        "A concrete class reads the checkpoint's config.json with its own config class; when the model types"
        " differ transformers only warns (\"You are using a model of type pegasus to instantiate a model of type"
        " bart. This is not supported for all configurations of models and can yield errors.\" in 4.x; 5.x"
        " quotes the types in backquotes and adds that this may be expected for a checkpoint that shares a subset"
        " of the architecture), builds the class from settings written for another model and initialises at"
        " random every weight whose name differs (a weight whose shape differs raises RuntimeError unless"
        " ignore_mismatched_sizes=True, in 4.57 and 5.24 alike). Between language models of different kinds"
        " (T5ForConditionalGeneration on gpt2), or a text model and one that is not (ViTModel on BERT), the"
        " result is garbage: an error. Otherwise it is reported as a"
        " warning, as transformers does: at best the same network under another name (T5 classes on mT5), often"
        " a broken one (BART classes on Pegasus raise on the shape of the position embeddings; BertForMaskedLM"
        " on RoBERTa initialises every weight at random, as RoBERTa's are all named roberta.*). Measured on tiny"
        " random checkpoints: LlamaForCausalLM on Mistral and T5 classes on mT5 miss no weight."
        " Not reported, because the runtime does not warn or the load is meant: model types that share a config"
        " class or that transformers itself loads with the class (exaone with LlamaForCausalLM); composite"
        " checkpoints whose sub-config the class's config picks out (CLIPTextModel on a CLIP checkpoint, through"
        " `base_config_key` or a sub-config of the class's own type, replayed from the table's config links);"
        " composites whose parts may be of any type (llava, encoder-decoder, rag); a decoder warm-started from an"
        " encoder checkpoint (BertGenerationEncoder on bert); pairs where neither type is a text model, since"
        " vision and audio models share parts of architectures on purpose (a sam2_video checkpoint in"
        " Sam2Model, the runtime's own example)."
    ),
    fix_safety="unsafe: the class with the same head for the checkpoint's type, else its own architecture",
    wrong=(
        "from transformers import BartForConditionalGeneration\n\n"
        'model = BartForConditionalGeneration.from_pretrained("google/pegasus-large")\n'
    ),
    right=(
        "from transformers import PegasusForConditionalGeneration\n\n"
        'model = PegasusForConditionalGeneration.from_pretrained("google/pegasus-large")\n'
    ),
    fixed=(
        "from transformers import PegasusForConditionalGeneration\n\n"
        'model = PegasusForConditionalGeneration.from_pretrained("google/pegasus-large")\n'
    ),
    judge=judge,
)
