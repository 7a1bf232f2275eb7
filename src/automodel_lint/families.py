"""Language-model families of the Auto classes, and the words that describe them to a reader.

This is the knowledge that transformers' tables do not state: which Auto classes build a language model
of which kind, which of them stand in for one another when a user picked the wrong one, and what
loading a checkpoint of one kind with a class of another does. Everything else comes from the tables.
"""

from __future__ import annotations

# Classes that build a language model. A checkpoint trained as one of these, loaded by another, is
# HFA002's business; task heads (classification, QA, ...) are fine-tuning and never are.
LM_CLASSES = (
    "AutoModelForSpeechSeq2Seq",
    "AutoModelForSeq2SeqLM",
    "AutoModelForImageTextToText",
    "AutoModelForMultimodalLM",
    "AutoModelForCausalLM",
    "AutoModelForMaskedLM",
)

# The classes people swap for one another because all of them expose `.generate()`; a suggestion for
# one of them is looked for here first, in this order.
TEXT_GENERATION = (
    "AutoModelForCausalLM",
    "AutoModelForSeq2SeqLM",
    "AutoModelForImageTextToText",
    "AutoModelForSpeechSeq2Seq",
    "AutoModelForMultimodalLM",
)

# Never suggested: they load every kind of checkpoint and so say nothing about the right head.
NEVER_SUGGESTED = frozenset({"AutoModel", "AutoModelForPreTraining"})

# What a checkpoint is, by the first of these classes that loads its own architecture.
CHECKPOINT_KIND = {
    "AutoModelForSpeechSeq2Seq": "speech encoder-decoder",
    "AutoModelForSeq2SeqLM": "encoder-decoder",
    "AutoModelForImageTextToText": "image-text-to-text",
    "AutoModelForMultimodalLM": "multimodal",
    "AutoModelForCausalLM": "decoder-only",
    "AutoModelForMaskedLM": "masked-LM encoder",
}

# What loading a checkpoint of one kind with the class of another does, as the classes are built: the class of
# the called kind for the checkpoint's type keeps only the parts it has. Keyed by (called class, checkpoint kind).
PARTIAL_LOAD_EFFECT = {
    ("AutoModelForCausalLM", "encoder-decoder"): "keeps only the decoder and drops the whole encoder",
    ("AutoModelForCausalLM", "speech encoder-decoder"): "keeps only the text decoder and drops the audio encoder",
    ("AutoModelForCausalLM", "masked-LM encoder"): "runs a bidirectional encoder as a left-to-right generator",
    ("AutoModelForMaskedLM", "encoder-decoder"): "keeps the encoder side for fill-mask and drops generation",
}

# What more was measured, with transformers 5.24 on real tiny checkpoints (issue "Core", HFA002), for one model type.
# Keyed by (called class, model type); said only for that type.
MEASURED_EFFECT = {
    ("AutoModelForCausalLM", "bart"): "measured with transformers 5.24 on a tiny BART checkpoint, it also newly"
    " initialises the decoder's embeddings and output layer: a random generator",
}

# Partial loads that some programs want on purpose; the message names the use so a reader can tell.
LEGITIMATE_PARTIAL_USE = {
    ("AutoModelForCausalLM", "whisper"): "fine only for a Whisper decoder used as the assistant model of assisted"
    " generation (`generate(..., assistant_model=...)`)",
}


# Checkpoint kinds of text models, whose weights other kinds cannot use: a concrete class of one kind given a
# checkpoint of another is garbage whatever the two types are (HFA006 says so).
TEXT_KINDS = frozenset({"encoder-decoder", "decoder-only", "masked-LM encoder"})

# The Auto classes whose model types are text models. HFA006 judges a type mismatch when the class or the
# checkpoint is one: between two vision or audio types transformers itself loads checkpoints that share a subset
# of an architecture ("loading a `sam2_video` checkpoint into `Sam2Model`", in its own warning), which the tables
# cannot tell from a mistake.
TEXT_LM_CLASSES = ("AutoModelForSeq2SeqLM", "AutoModelForMaskedLM", "AutoModelForCausalLM")

# What a model type is, for a class known only by its type (`BertModel`, `BertGenerationEncoder`): the first of
# these classes that accepts the type. Unlike CHECKPOINT_KIND, masked LM comes before causal LM, as most encoders
# also have a causal-LM head (BertLMHeadModel) without being decoders.
TYPE_KIND = {
    "AutoModelForSpeechSeq2Seq": "speech encoder-decoder",
    "AutoModelForSeq2SeqLM": "encoder-decoder",
    "AutoModelForImageTextToText": "image-text-to-text",
    "AutoModelForMultimodalLM": "multimodal",
    "AutoModelForMaskedLM": "masked-LM encoder",
    "AutoModelForCausalLM": "decoder-only",
}

# (class kind, checkpoint kind) pairs that are a documented warm start, not a mistake: a decoder initialised from
# an encoder checkpoint (`BertGenerationDecoder.from_pretrained("bert-large-uncased", is_decoder=True)`,
# `XLMRobertaForCausalLM.from_pretrained("roberta-base", config=...)` in transformers' own docs). Only classes
# of an encoder's own model type (its causal-LM head) or of WARM_START_TYPES count: GPT-2 on BERT is garbage.
WARM_STARTS = frozenset({("decoder-only", "masked-LM encoder")})

# Model types made to be warm-started from another type's encoder checkpoint, as transformers documents them.
WARM_START_TYPES = frozenset({"bert-generation"})

# Model types whose config holds other models' configs without declaring their classes (RagConfig keeps
# `question_encoder` and `generator` as plain dicts): `PreTrainedConfig.from_pretrained` picks the sub-dict whose
# model type matches the class's, so a class of one of the parts may load its part. Composites that declare
# `sub_configs` are replayed from the table instead.
COMPOSITE_TYPES = frozenset({"encoder-decoder", "vision-encoder-decoder", "speech-encoder-decoder", "rag"})


def group(called: str) -> tuple[str, ...]:
    """The classes that can stand in for `called`, best first.

    Only the text-generation classes stand in for one another: a user who asked for a masked LM or a
    classification head on a checkpoint that has none needs another checkpoint, not another class.
    """
    return TEXT_GENERATION if called in TEXT_GENERATION else (called,)


def widened(called: str) -> tuple[str, ...]:
    """`group(called)`, then the other LM classes: where a checkpoint trained as another LM kind belongs."""
    own = group(called)
    return own + tuple(c for c in LM_CLASSES if c not in own)


def checkpoint_kind(loaders: list[str]) -> str | None:
    for cls in CHECKPOINT_KIND:
        if cls in loaders:
            return CHECKPOINT_KIND[cls]
    return None


def type_language_model(table, model_type: str) -> tuple[str, str] | None:
    """The language-model Auto class a `KnowledgeTable` loads a model type with, and its kind.

    Derived from the table for every type: the type's pretraining class (what its checkpoints are trained as,
    `AutoModelForPreTraining`) decides when a language-model class builds that same class (BART's
    BartForConditionalGeneration: encoder-decoder; GPT-2's GPT2LMHeadModel: decoder-only; XLM's
    XLMWithLMHeadModel, built by both LM classes: masked LM, in TYPE_KIND's order); otherwise, as for
    BertForPreTraining or a type with no pretraining class (marian), the first of TYPE_KIND's classes that
    accepts the type.
    """
    pretraining = table.loads("AutoModelForPreTraining", model_type) or ()
    for cls in pretraining:
        loaders = table.auto_classes_for_architecture(cls)
        found = next((auto for auto in TYPE_KIND if auto in loaders and table.loads(auto, model_type)), None)
        if found:
            return found, TYPE_KIND[found]
    return next(((auto, kind) for auto, kind in TYPE_KIND.items() if table.loads(auto, model_type)), None)


def type_kind(table, model_type: str) -> str | None:
    """What a model type is ("encoder-decoder", ...), for a class or checkpoint known only by its type."""
    found = type_language_model(table, model_type)
    return found[1] if found else None


def own_class(table, model_type: str, architectures: tuple[str, ...] = ()) -> str | None:
    """The class a checkpoint of this type loads as it was trained: its first architecture the table knows, else
    what its type's language-model class builds. None when neither is known."""
    known = next((a for a in architectures if table.knows_architecture(a)), None)
    if known:
        return known
    found = type_language_model(table, model_type)
    return table.loaded_class(found[0], model_type, architectures) if found else None
