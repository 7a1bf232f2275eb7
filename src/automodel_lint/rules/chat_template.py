"""HFA012: `apply_chat_template` on a tokenizer whose checkpoint ships no chat template."""

from __future__ import annotations

from automodel_lint.records import Verdict
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import article
from automodel_lint.rules.use_case import Undecided, UseCase


def judge(case: UseCase) -> Verdict | Undecided | None:
    site = case.site
    origin = site.origin("tokenizer")
    given = site.has_argument("chat_template") or "chat_template" in dict(origin.keywords)
    if given or any(attr == "chat_template" for attr, _ in origin.attributes):
        return None  # a template of the code's own
    facts = case.tokenizer("tokenizer")
    if isinstance(facts, Undecided):
        return facts
    if facts.has_chat_template is None:
        return Undecided(f"{origin.model!r}: whether the checkpoint has a chat template is not known")
    if facts.has_chat_template:
        return None
    if case.handed("tokenizer", "chat template"):
        return case.handed("tokenizer", "chat template")
    kind = case.checkpoint_kind("tokenizer")
    what = f"{article(kind)} {kind} base checkpoint" if kind else "a checkpoint"
    return Verdict(
        RULE.code,
        f"apply_chat_template() on the tokenizer of {case.describe('tokenizer')}, which ships no chat template:"
        " transformers raises; use a chat (-Instruct) checkpoint or pass chat_template=",
        detail=(
            f"The tokenizer (line {origin.line}) comes from {what} whose tokenizer_config.json has no `chat_template`"
            " and whose repository has no chat template file, so transformers raises \"Cannot use chat template"
            " functions because tokenizer.chat_template is not set and no template argument was passed!\". The"
            " checkpoint is not a chat model: load its chat or -Instruct variant, or pass the template the model was"
            " trained with as `chat_template=`. No fix: which template is right is not known here."
        ),
    )


RULE = Rule(
    "HFA012",
    "no-chat-template",
    "error",
    "tokenizer.apply_chat_template() on a checkpoint that ships no chat template, with no chat_template= given.",
    why=(
        "Since transformers 4.43 there are no default chat templates: a tokenizer whose checkpoint has no"
        " `chat_template` (in tokenizer_config.json or a chat template file) raises when asked to apply one. Base"
        " models and encoder-decoder models usually have none; their chat (-Instruct) variants do. Judged from the"
        " checkpoint's tokenizer facts; a template set in the code, or facts not known, is not judged."
    ),
    fix_safety="none: which checkpoint or template is right is the user's choice",
    wrong=(
        "from transformers import AutoTokenizer\n\n"
        'tokenizer = AutoTokenizer.from_pretrained("facebook/opt-125m")\n'
        'text = tokenizer.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)\n'
    ),
    right=(
        "from transformers import AutoTokenizer\n\n"
        'tokenizer = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")\n'
        'text = tokenizer.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)\n'
    ),
    fixed=None,
    judge=None,
    preview=True,
    uses=("apply_chat_template",),
    judge_use=judge,
    tokenizer_facts=True,
)
