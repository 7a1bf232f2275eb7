"""HFA014: `generate()` on a model loaded without a language-model head, which transformers refuses."""

from __future__ import annotations

from automodel_lint import families
from automodel_lint.records import Verdict
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.use_case import Undecided, UseCase

# Task heads whose classes never generate. Checked against transformers 5.24's source (no class loaded only by
# these inherits GenerationMixin); AutoModelForPreTraining is left out (FlaubertWithLMHeadModel generates).
TASK_HEADS = frozenset({
    "AutoModelForSequenceClassification", "AutoModelForTokenClassification", "AutoModelForQuestionAnswering",
    "AutoModelForMaskedLM", "AutoModelForMultipleChoice",
})
# A base model (AutoModel) of these kinds never generates; some speech and multimodal base classes do.
BASE_KINDS = ("decoder-only", "masked-LM encoder")


def judge(case: UseCase) -> Verdict | Undecided | None:
    loaded = case.loaded_class("model")
    if loaded is None:
        return case.unknown("model")
    loaders = set(case.table.auto_classes_for_architecture(loaded))
    facts = case.facts("model")
    kind = families.type_kind(case.table, facts.model_type) if facts and facts.model_type else None
    base = loaders == {"AutoModel"} and kind in BASE_KINDS
    if not (loaders and loaders <= TASK_HEADS) and not base:
        return None
    origin = case.site.origin("model")
    own = families.type_language_model(case.table, facts.model_type) if facts and facts.model_type else None
    if own is not None and own[0] not in families.TEXT_GENERATION:
        own = None  # a masked-LM encoder has no class that generates
    use = f"; load it with {own[0]}" if own else "; the checkpoint is not a generator"
    return Verdict(
        RULE.code,
        f"generate() on {loaded} ({origin.called} of {case.describe('model')}), which has no language-model head:"
        f" transformers raises{use}",
        suggestion=own[0] if own else None,
        detail=(
            f"The model (line {origin.line}) is built as {loaded}, a class without a language-model head, so"
            f" `generate()` raises \"The current model class ({loaded}) is not compatible with `.generate()`, as it"
            " doesn't have a language model head\". "
            + (f"Load the checkpoint with {own[0]} to generate." if own else f"The checkpoint is {kind or 'no'}"
               f" {'model' if kind else 'generator'}, trained for another task than generation: use a generating"
               " checkpoint.")
            + " No fix: the rest of the code may use the head it loaded."
        ),
    )


RULE = Rule(
    "HFA014",
    "generate-without-lm-head",
    "error",
    "model.generate() on a model loaded as a base model or a task head (classifier, masked LM), which cannot"
    " generate.",
    why=(
        "Since transformers 4.50 only classes with a language-model head inherit GenerationMixin; `generate()` on a"
        " base model (GPT2Model from AutoModel) or a task head (a sequence classifier, BertForMaskedLM) raises a"
        " TypeError. The class is the one transformers builds from the checkpoint; base models of speech and"
        " multimodal types, some of which generate, are not judged."
    ),
    fix_safety="none: the suggestion names the generating class; the code may need the head it loaded",
    wrong=(
        "from transformers import AutoModel, AutoTokenizer\n\n"
        'tokenizer = AutoTokenizer.from_pretrained("openai-community/gpt2")\n'
        'model = AutoModel.from_pretrained("openai-community/gpt2")\n'
        'output = model.generate(**tokenizer("Hello", return_tensors="pt"))\n'
    ),
    right=(
        "from transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
        'tokenizer = AutoTokenizer.from_pretrained("openai-community/gpt2")\n'
        'model = AutoModelForCausalLM.from_pretrained("openai-community/gpt2")\n'
        'output = model.generate(**tokenizer("Hello", return_tensors="pt"))\n'
    ),
    fixed=None,
    judge=None,
    preview=True,
    uses=("generate",),
    judge_use=judge,
)
