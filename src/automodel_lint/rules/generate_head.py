"""HFA014: `generate()` on a model object whose class cannot generate, called directly or by a pipeline."""

from __future__ import annotations

from automodel_lint import families
from automodel_lint.records import Verdict
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.use_case import Undecided, UseCase

# What `model.generate` does on a class that cannot generate, by the table's `generation.raises`.
FAILURES = {
    "TypeError": "generate() raises TypeError (\"The current model class ({cls}) is not compatible with"
                 " `.generate()`, as it doesn't have a language model head\")",
    "AttributeError": "the class has no generate() (it neither inherits GenerationMixin nor defines one, and"
                      " PreTrainedModel no longer inherits GenerationMixin since transformers 4.52), so"
                      " `model.generate` raises AttributeError",
}


def pipeline_raises(table, task: dict, built: str) -> str | None:
    """What happens when a pipeline of `task` (`KnowledgeTable.pipeline_task`'s info) runs a model built as `built`
    that cannot generate, in words; None when the task does not generate or the class can (or is not known)."""
    if not task.get("generates") or table.generate_failure(built) not in FAILURES:
        return None
    return f"every call of the pipeline calls model.generate(), which {built} cannot do, so the first call raises"


def judge(case: UseCase) -> Verdict | Undecided | None:
    task = None
    if case.table is None:
        return case.unknown("model")
    if case.site.use == "pipeline":
        status, task = case.table.pipeline_task(case.site.argument("task") or "")
        if status != "ok" or not task.get("generates"):
            return None  # a task that never generates, or one pipeline() refuses (HFA005's business for ids)
    loaded = case.loaded_class("model")
    followed = case.site.argument("followed") == "yes"
    if loaded is None:
        return None if followed else case.unknown("model")
    unknown = case.table.generation_unknown()
    failure = None if unknown else case.table.generate_failure(loaded)
    if followed and (unknown or failure == "unread"):
        return None  # HFA005 judged the call: it is not listed as not judged
    if unknown:
        return Undecided(f"transformers {case.table.version}: which classes generate is not known ({unknown})")
    if failure == "unread":
        return Undecided(f"{loaded}: its base classes could not be read from transformers' source")
    if failure is None:
        return None
    facts = case.facts("model")
    model_type = facts.model_type if facts else None
    archs = facts.architectures if facts else ()
    if followed and not (model_type and any(case.table.loaded_class(c, model_type, archs) == loaded
                                             for c in task["pt"])):
        return None  # a class the task's classes do not build: HFA005 reports the call, the raise included
    kind = families.type_kind(case.table, model_type) if model_type else None
    candidates = task["pt"] if task else [found[0]] if model_type and (
        found := families.type_language_model(case.table, model_type)) and found[0] in families.TEXT_GENERATION else []
    use = next((auto for auto in candidates if model_type
                and (built := case.table.loaded_class(auto, model_type, archs))
                and case.table.generate_failure(built) is None), None)
    origin = case.site.origin("model")
    what = f"{loaded} ({origin.called} of {case.describe('model')})"
    advice = f"; load it with {use}" if use else "; the checkpoint is not a generator"
    raises = FAILURES[failure].format(cls=loaded)
    if task:
        message = f"pipeline({task['task']!r}) given {what}: {pipeline_raises(case.table, task, loaded)}{advice}"
        how = (f"The {task['task']} pipeline ({task['impl']}) calls `self.model.generate()` on every call; on {loaded}"
               f" {raises}, or the pipeline fails before that on the generation settings such a model lacks.")
    else:
        message = f"generate() on {what}, which cannot generate: transformers raises {failure}{advice}"
        how = f"On {loaded}, {raises}."
    return Verdict(
        RULE.code,
        message,
        suggestion=use,
        detail=(
            f"The model (line {origin.line}) is built as {loaded}, a class without a language-model head that"
            f" transformers {case.table.version} cannot generate with. {how} "
            + (f"Load the checkpoint with {use} to generate." if use else f"The checkpoint is {kind or 'no'}"
               f" {'model' if kind else 'generator'}, trained for another task than generation: use a generating"
               " checkpoint.")
            + " No fix: the rest of the code may use the head it loaded."
        ),
    )


RULE = Rule(
    "HFA014",
    "generate-without-lm-head",
    "error",
    "model.generate(), or a generating pipeline (text-generation, ...) given a model object, on a class that cannot"
    " generate: a base model or a task head (classifier, masked LM).",
    why=(
        "Which classes can generate is read from each transformers release's source by the knowledge build: from"
        " 4.52 on only classes that inherit GenerationMixin (or define generate) have `generate()`, and on any other"
        " `model.generate` raises AttributeError; from 4.23 to 4.51 every model inherits it, and `generate()` raises"
        " TypeError on a class whose `can_generate()` is False (no GenerationMixin base, no own `generate` or"
        " `prepare_inputs_for_generation`). Before 4.23 `generate()` checks no class, and such calls are not judged."
        " A pipeline whose every call reaches `self.model.generate()` (text-generation, and in 4.x"
        " text2text-generation, summarization, translation, image-to-text; read per release) fails the same way when"
        " handed such a model object; its `check_model_type` only logs. Trainer is not judged: its check"
        " `model.__class__.__name__ in MODEL_MAPPING_NAMES` (4.21 to 5.24) compares a class name with the mapping's"
        " keys, which are model types, so it never raises."
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
    uses=("generate", "pipeline"),
    judge_use=judge,
)
