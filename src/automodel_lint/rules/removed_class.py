"""HFA004: an Auto class that transformers 5 removed."""

from __future__ import annotations

from automodel_lint import families
from automodel_lint.records import Verdict
from automodel_lint.rules.case import Case
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import Suggestion, shown, suggest

# Classes transformers 5 renamed rather than dropped: the new name is the suggestion for every checkpoint
# the old class loaded.
RENAMED = {"AutoModelForVision2Seq": "AutoModelForImageTextToText"}


def judge(case: Case) -> Verdict | None:
    called = case.site.called
    if case.table.major < 5 or case.table.is_auto_class(called):
        return None
    old = next((t for t in case.history if t.is_auto_class(called)), None)
    if old is None:
        return None
    twin = RENAMED.get(called) or _pytorch_twin(called)
    twin_tier = (twin,) if twin and case.table.is_auto_class(twin) else ()
    if case.facts is None:
        # Whatever the checkpoint, a TF/Flax class's PyTorch twin is what the code meant.
        suggestion = Suggestion(twin_tier, certain=bool(twin_tier))
    else:
        suggestion = suggest(case, (twin_tier, families.TEXT_GENERATION, families.LM_CLASSES))
    what = f"; {shown(case.site.model)} is {case.describe()}" if case.facts else ""
    return Verdict(
        RULE.code,
        f"{called} was removed in transformers 5 (the table in use is {case.table.version}){what}"
        f"{suggestion.advice()}{suggestion.withheld()}",
        suggestion.best,
        suggestion.fix(old_class_removed=True),
    )


def _pytorch_twin(name: str) -> str | None:
    for prefix in ("TF", "Flax"):
        if name.startswith(prefix) and name[len(prefix) :][:1].isupper():
            return name[len(prefix) :]
    return None


RULE = Rule(
    "HFA004",
    "removed-auto-class",
    "error",
    "An Auto class that transformers 5 removed (AutoModelWithLMHead, AutoModelForVision2Seq, TF/Flax classes).",
    why=(
        "transformers 5 removed AutoModelWithLMHead, AutoModelForVision2Seq and every TFAutoModel*/FlaxAutoModel*"
        " class; the import alone fails on 5.x. The replacement depends on the checkpoint: AutoModelWithLMHead on t5"
        " becomes AutoModelForSeq2SeqLM, on gpt2 AutoModelForCausalLM, on bert AutoModelForMaskedLM;"
        " AutoModelForVision2Seq becomes AutoModelForImageTextToText; a TF or Flax class becomes its PyTorch twin."
    ),
    fix_safety="safe when exactly one class fits, else unsafe",
    wrong='from transformers import AutoModelWithLMHead\n\nmodel = AutoModelWithLMHead.from_pretrained("gpt2")\n',
    right='from transformers import AutoModelForCausalLM\n\nmodel = AutoModelForCausalLM.from_pretrained("gpt2")\n',
    fixed='from transformers import AutoModelForCausalLM\n\nmodel = AutoModelForCausalLM.from_pretrained("gpt2")\n',
    judge=judge,
)
