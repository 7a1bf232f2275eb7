"""HFA009: a PEFT config's task type of the other kind of language model than the model it wraps."""

from __future__ import annotations

from automodel_lint.records import Verdict
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.use_case import Undecided, UseCase

# The task type that fits each kind of language model object, and what the other one makes peft do.
TASK_OF_KIND = {"decoder-only": "CAUSAL_LM", "encoder-decoder": "SEQ_2_SEQ_LM"}
EFFECT = {
    "SEQ_2_SEQ_LM": (
        "peft wraps it in PeftModelForSeq2SeqLM, whose forward passes `decoder_input_ids` and"
        " `decoder_attention_mask` to a model that has no decoder inputs: training fails with \"forward() got an"
        " unexpected keyword argument 'decoder_input_ids'\" (peft issue 1596), or a model that swallows extra"
        " keywords is trained through the wrong wrapper"
    ),
    "CAUSAL_LM": (
        "peft wraps it in PeftModelForCausalLM, which handles its inputs as a decoder-only model's: the encoder-decoder"
        " handling of PeftModelForSeq2SeqLM (decoder inputs, prompt learning on the decoder, generation with an"
        " encoder) is lost, and prompt-learning methods fail"
    ),
}


def judge(case: UseCase) -> Verdict | Undecided | None:
    task = case.site.argument("task_type")
    if task not in EFFECT:
        return None  # classification, feature extraction, ...: not a language model's task type
    kind = case.object_kind("model")
    if kind is None:
        return case.unknown("model")
    right = TASK_OF_KIND.get(kind)
    if right is None or right == task:
        return None
    origin = case.site.origin("model")
    config = case.site.argument("config") or "the config"
    return Verdict(
        RULE.code,
        f"get_peft_model() is given {case.describe('model')}, loaded with {origin.called}, but {config} says"
        f" task_type={task}; use TaskType.{right}",
        suggestion=f"task_type=TaskType.{right}",
        severity="error" if task == "SEQ_2_SEQ_LM" else "warning",
        detail=(
            f"The model (line {origin.line}) is {kind}; with task_type={task} {EFFECT[task]}. Set"
            f" task_type=TaskType.{right} where {config} is built. No fix: the config is often built far from this"
            " call, and shared by other calls."
        ),
    )


RULE = Rule(
    "HFA009",
    "peft-task-type-mismatch",
    "error",
    "get_peft_model() wraps a decoder-only model with task_type SEQ_2_SEQ_LM, or an encoder-decoder one with"
    " CAUSAL_LM.",
    why=(
        "peft picks its wrapper class from the config's `task_type`: SEQ_2_SEQ_LM builds PeftModelForSeq2SeqLM, which"
        " feeds the model decoder inputs, and CAUSAL_LM builds PeftModelForCausalLM. Given the other kind of model,"
        " training fails with an unexpected keyword argument 'decoder_input_ids' (peft issue 1596), or runs through"
        " the wrong wrapper. The kind is the one of the class transformers builds from the checkpoint; a model whose"
        " class comes from the repository's own code is not judged."
    ),
    fix_safety="none: the suggestion names the task type; the config is set where it is built",
    wrong=(
        "from peft import LoraConfig, TaskType, get_peft_model\n"
        "from transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")\n'
        "model = get_peft_model(model, LoraConfig(r=8, task_type=TaskType.SEQ_2_SEQ_LM))\n"
    ),
    right=(
        "from peft import LoraConfig, TaskType, get_peft_model\n"
        "from transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")\n'
        "model = get_peft_model(model, LoraConfig(r=8, task_type=TaskType.CAUSAL_LM))\n"
    ),
    fixed=None,
    judge=None,
    preview=True,
    uses=("get_peft_model",),
    judge_use=judge,
)
