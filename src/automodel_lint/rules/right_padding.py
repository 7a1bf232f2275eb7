"""HFA011: a padded batch on the right given to a decoder-only model's `generate`."""

from __future__ import annotations

from automodel_lint.records import Verdict
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.use_case import Undecided, UseCase


def _unquoted(text: str | None) -> str | None:
    return text[1:-1] if text and len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else None


def padding_side(case: UseCase) -> tuple[str, str] | Undecided:
    """The side the tokenizer pads on at the call, and where that is decided, latest setting first: the call's own
    `padding_side=`, `tok.padding_side = ...`, `from_pretrained(..., padding_side=...)`, the checkpoint's
    tokenizer_config.json, the tokenizer class's default."""
    site = case.site
    origin = site.origin("tokenizer")
    if site.has_argument("padding_side"):
        side = _unquoted(site.argument("padding_side"))
        return (side, "the tokenizer call's padding_side") if side else Undecided("padding_side is not a literal")
    assigned = {value for attr, value in origin.attributes if attr == "padding_side"}
    if assigned:
        sides = {_unquoted(value) for value in assigned}
        if len(sides) != 1 or None in sides:
            return Undecided("the tokenizer's padding_side is set to values not certain statically")
        return sides.pop(), "tokenizer.padding_side set in the code"
    if "padding_side" in dict(origin.keywords):
        side = _unquoted(origin.keyword("padding_side"))
        return (side, "from_pretrained(padding_side=...)") if side else Undecided("padding_side is not a literal")
    facts = case.tokenizer("tokenizer")
    if isinstance(facts, Undecided):
        return facts
    if facts.padding_side:
        return facts.padding_side, "the checkpoint's tokenizer_config.json"
    default = case.table.tokenizer_default(facts.tokenizer_class, "padding_side") if facts.tokenizer_class else None
    if isinstance(default, str):
        return default, f"the default of {facts.tokenizer_class}"
    return Undecided(f"{origin.model!r}: the tokenizer's padding side is not known (class"
                     f" {facts.tokenizer_class or 'unknown'})")


def judge(case: UseCase) -> Verdict | Undecided | None:
    site = case.site
    if site.has_argument("inputs"):
        return Undecided(site.argument("inputs"))
    if site.origin("tokenizer") is None or site.argument("batch") != "yes":
        return None  # no padded input, or one text, which is never padded whatever the side
    kind = case.object_kind("model")
    if kind is None:
        return case.unknown("model")
    if kind != "decoder-only":
        return None
    side = padding_side(case)
    if isinstance(side, Undecided):
        return side
    where, why = side
    if where != "right":
        return None
    if why != "the tokenizer call's padding_side" and case.handed("tokenizer", "padding side"):
        return case.handed("tokenizer", "padding side")
    tokenizer = site.origin("tokenizer")
    return Verdict(
        RULE.code,
        f"generate() of {case.describe('model')} gets a batch padded on the right ({why}); pass padding_side=\"left\""
        " to the tokenizer",
        suggestion='padding_side="left"',
        severity="warning",
        detail=(
            f"The tokenizer (line {tokenizer.line}) pads on the right, so the shorter prompts of the batch end in"
            " padding and a decoder-only model continues after the pad tokens: transformers only warns (\"A"
            " decoder-only architecture is being used, but right-padding was detected!\") and those rows come out"
            f" wrong. Load the tokenizer with padding_side=\"left\" (or set tokenizer.padding_side = \"left\") before"
            " tokenizing for generation. No fix: the tokenizer may also serve training, where right padding is usual."
        ),
    )


RULE = Rule(
    "HFA011",
    "right-padding-in-generation",
    "warning",
    "A batch tokenized with padding on the right is given to a decoder-only model's generate().",
    why=(
        "A decoder-only model continues each row of the batch from its last token; with right padding the shorter"
        " prompts end in pad tokens and their continuations are wrong. transformers only warns (\"right-padding was"
        " detected\"). The side comes from the code (`padding_side=` in the call or at from_pretrained,"
        " `tokenizer.padding_side = ...`), else from the checkpoint's tokenizer_config.json, else from the tokenizer"
        " class's default; a single text, or a side not known, is not judged."
    ),
    fix_safety="none: the suggestion names padding_side=\"left\"; the tokenizer may serve training too",
    wrong=(
        "from transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
        'tokenizer = AutoTokenizer.from_pretrained("facebook/opt-125m")\n'
        'model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")\n'
        'inputs = tokenizer(["Hello", "The capital of France is"], padding=True, return_tensors="pt")\n'
        "outputs = model.generate(**inputs)\n"
    ),
    right=(
        "from transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
        'tokenizer = AutoTokenizer.from_pretrained("facebook/opt-125m", padding_side="left")\n'
        'model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")\n'
        'inputs = tokenizer(["Hello", "The capital of France is"], padding=True, return_tensors="pt")\n'
        "outputs = model.generate(**inputs)\n"
    ),
    fixed=None,
    judge=None,
    preview=True,
    uses=("generate",),
    judge_use=judge,
    tokenizer_facts=True,
)
