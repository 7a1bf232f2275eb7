"""HFA010: the masked-LM collator (its default) for the tokenizer of a generator."""

from __future__ import annotations

from automodel_lint.records import Fix, Verdict
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import article
from automodel_lint.rules.use_case import Undecided, UseCase

GENERATORS = ("decoder-only", "encoder-decoder")


def _adds_mask_token(case: UseCase) -> bool:
    """The code gives the tokenizer a mask token (`tok.mask_token = ...`, `add_special_tokens({"mask_token": ..})`):
    a masked objective may then be meant."""
    origin = case.site.origin("tokenizer")
    if "mask_token" in dict(origin.keywords):
        return True  # `from_pretrained(..., mask_token="<mask>")`
    return any(attr == "mask_token" for attr, _ in origin.attributes) or any(
        "mask" in argument for method, argument in origin.methods if method.startswith("add_"))


def judge(case: UseCase) -> Verdict | Undecided | None:
    site = case.site
    origin = site.origin("tokenizer")
    if site.has_argument("mlm") or origin.role != "tokenizer" or _adds_mask_token(case):
        return None
    kind = case.checkpoint_kind("tokenizer")
    if kind is None:
        return case.unknown("tokenizer")
    if kind not in GENERATORS:
        return None
    # A decoder-only checkpoint is never trained with a masked objective: mlm=False is what the code means. An
    # encoder-decoder one may have a mask token, and then the change of objective is the user's to make.
    certain = kind == "decoder-only" and not origin.value_note
    fix = Fix("safe" if certain else "unsafe", keyword=("mlm", "False"))
    return Verdict(
        RULE.code,
        f"DataCollatorForLanguageModeling is given the tokenizer of {case.describe('tokenizer')} and leaves mlm=True:"
        " a masked-LM objective for a generator; pass mlm=False",
        suggestion="mlm=False",
        fix=fix,
        detail=(
            f"The tokenizer (line {origin.line}) belongs to {article(kind)} {kind} checkpoint. `mlm` defaults to True,"
            " which masks random tokens for a masked language model; for a tokenizer without a mask token"
            ' transformers raises "This tokenizer does not have a mask token which is necessary for masked language'
            ' modeling", and otherwise the model is trained on the wrong objective. mlm=False makes the labels the'
            " inputs, shifted inside the model: causal language modeling."
            + ("" if fix.applicability == "safe" else
               " The fix is unsafe: it changes the training objective of a checkpoint that may have a mask token.")
        ),
    )


RULE = Rule(
    "HFA010",
    "mlm-collator-for-generator",
    "error",
    "DataCollatorForLanguageModeling(tokenizer) keeps mlm=True for a decoder-only or encoder-decoder checkpoint's"
    " tokenizer.",
    why=(
        "`DataCollatorForLanguageModeling` defaults to `mlm=True`: it masks tokens for a masked language model (BERT)."
        " With the tokenizer of a generator (GPT-2, Llama, T5) that is the wrong objective, and for tokenizers without"
        " a mask token transformers raises at construction. Causal language modeling needs `mlm=False`. A tokenizer"
        " the code gives a mask token is not judged."
    ),
    fix_safety="safe for a decoder-only checkpoint's tokenizer when `mlm` is simply missing (adds mlm=False);"
    " unsafe for an encoder-decoder one",
    wrong=(
        "from transformers import AutoTokenizer, DataCollatorForLanguageModeling\n\n"
        'tokenizer = AutoTokenizer.from_pretrained("openai-community/gpt2")\n'
        "collator = DataCollatorForLanguageModeling(tokenizer)\n"
    ),
    right=(
        "from transformers import AutoTokenizer, DataCollatorForLanguageModeling\n\n"
        'tokenizer = AutoTokenizer.from_pretrained("openai-community/gpt2")\n'
        "collator = DataCollatorForLanguageModeling(tokenizer, mlm=False)\n"
    ),
    fixed=(
        "from transformers import AutoTokenizer, DataCollatorForLanguageModeling\n\n"
        'tokenizer = AutoTokenizer.from_pretrained("openai-community/gpt2")\n'
        "collator = DataCollatorForLanguageModeling(tokenizer, mlm=False)\n"
    ),
    judge=None,
    preview=True,
    uses=("DataCollatorForLanguageModeling",),
    judge_use=judge,
)
