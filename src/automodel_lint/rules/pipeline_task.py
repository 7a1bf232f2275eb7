"""HFA005: a pipeline task that transformers removed, or whose model classes do not fit the checkpoint.

No verdict here carries a suggestion or a fix: what it would replace is the task, and `pipeline(...)` is not a
class call the fixer can rename.
"""

from __future__ import annotations

from automodel_lint import families
from automodel_lint.records import Verdict
from automodel_lint.rules.case import Case
from automodel_lint.rules.generate_head import pipeline_raises
from automodel_lint.rules.partial_load import partial_load
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import Suggestion, callee, shown, suggest


def judge(case: Case) -> Verdict | None:
    if case.kind != "pipeline":
        return None
    status, info = case.pipeline
    if status == "removed":
        return _removed_task(case, info)
    if status != "ok" or case.facts is None or case.config_replaced:
        return None  # an unknown task may be a custom or registered pipeline; an inferred one is the Hub's
    model_type = case.model_type
    task, classes = info["task"], tuple(info["pt"])
    called = callee(case.site)
    if model_type and not case.table.knows_type(model_type):
        return _custom_does_not_fit(case, called, task, classes)
    if not model_type:
        return None
    if case.site.model_class:
        return _object_does_not_fit(case, called, task, classes, model_type)
    first = next((c for c in classes if case.table.loads(c, model_type)), None)
    if first is None:
        return _task_does_not_fit(case, called, task, classes, model_type)
    partial = partial_load(case, first)
    if partial is None:
        return None
    better = _tasks_for(case, task, partial.suggestion.best)
    return Verdict(
        RULE.code,
        f"{called} loads {shown(case.site.model)} ({case.kind_words()}) as {partial.loaded}: {partial.effect}"
        f"{_short_advice(better, partial.suggestion)}",
        detail=(
            f"{called} loads {shown(case.site.model)} with {first} as {partial.loaded}, but it is {case.describe()}:"
            f" this {partial.effect}{'; ' + partial.use if partial.use else ''}"
            f"{_task_advice(better, partial.suggestion)}."
        ),
    )


def _object_does_not_fit(
    case: Case, called: str, task: str, classes: tuple[str, ...], model_type: str
) -> Verdict | None:
    """`pipeline(task, model=model)` with a model object: nothing is loaded; the class the object was built as must be
    one the task's classes build for this checkpoint."""
    archs = case.facts.architectures
    built = case.table.loaded_class(case.site.model_class, model_type, archs)
    if built is None or any(case.table.loaded_class(c, model_type, archs) == built for c in classes):
        return None
    # The pipeline only logs that the model is not supported, unless every call generates and the class cannot.
    effect = pipeline_raises(case.table, case.pipeline[1], built) or (
        "the pipeline logs that the model is not supported for the task and runs it anyway")
    return Verdict(
        RULE.code,
        f"{called} is given a model built with {case.site.model_class} ({built}) from {shown(case.site.model)}, which"
        f" is {case.describe()}; the {task} pipeline's classes ({', '.join(classes)}) do not build {built}: {effect}",
    )


def _custom_does_not_fit(case: Case, called: str, task: str, classes: tuple[str, ...]) -> Verdict | None:
    """A model type transformers does not know: only its auto_map can serve the task's classes. Without an
    auto_map this transformers cannot load it at all, which is not the task's fault."""
    custom = case.facts.auto_map_dict()
    if not custom or any(c in custom for c in classes):
        return None
    provided = sorted(c for c in custom if case.is_auto_class(c))
    return Verdict(
        RULE.code,
        f"{called} cannot use {shown(case.site.model)} ({case.kind_words()}): its own code has no {task} class",
        detail=(
            f"{shown(case.site.model)} is {case.describe()}; its own code (auto_map) provides only"
            f" {', '.join(provided) or 'no model class'}, none of the {task} pipeline's classes ({', '.join(classes)}),"
            " and transformers has no class of its own for it."
        ),
    )


def _removed_task(case: Case, info: dict) -> Verdict:
    task = info["task"]
    old = next((t for t in case.history if t.pipeline_task(task)[0] == "ok"), None)
    old_classes = tuple(c for c in (old.pipeline_task(task)[1]["pt"] if old else ()) if case.table.is_auto_class(c))
    what = ""
    if case.facts is not None and case.model_type:
        suggestion = suggest(case, (old_classes, families.TEXT_GENERATION, families.LM_CLASSES))
        what = f"; {shown(case.site.model)} is {case.describe()}"
    else:
        suggestion = Suggestion(old_classes, certain=False)
    instead = f"; load the model with {suggestion.best} and {_then(suggestion.best)}" if suggestion.best else ""
    short = f"; use {suggestion.best} and {_then(suggestion.best)}" if suggestion.best else ""
    return Verdict(
        RULE.code,
        f'the "{task}" pipeline was removed in transformers {case.table.version}{short}',
        detail=f'transformers removed the "{task}" pipeline, so the call raises KeyError'
               f' ({info["advice"].rstrip(".")}){what}{instead}.',
    )


def _task_does_not_fit(case: Case, called: str, task: str, classes: tuple[str, ...], model_type: str) -> Verdict:
    own = case.own_architecture
    if own:
        # `load_model` then tries the config's own architectures: the load works, the task does not.
        raises = pipeline_raises(case.table, case.pipeline[1], own)
        after = (
            f"; the pipeline falls back to the checkpoint's own {own}, which the {task} pipeline does not support"
            f" ({'it logs an error; ' + raises if raises else 'it logs an error and runs it anyway'})"
        )
    else:
        after = "; the pipeline cannot load it"
    suggestion = suggest(case, (families.TEXT_GENERATION, families.LM_CLASSES, tuple(case.own_loaders)))
    better = _tasks_for(case, task, suggestion.best)
    return Verdict(
        RULE.code,
        f"{called} cannot use {shown(case.site.model)} ({case.kind_words()}): its classes do not accept"
        f" {model_type}{_short_advice(better, suggestion)}",
        detail=(
            f"{shown(case.site.model)} is {case.describe()}; the {task} pipeline's model classes ({', '.join(classes)})"
            f" do not accept model type {model_type}{after}{_task_advice(better, suggestion)}."
        ),
    )


def _tasks_for(case: Case, exclude: str, auto_class: str | None) -> list[str]:
    """Tasks of the table in use that load the checkpoint with `auto_class`, the class suggested for it (BART's
    architecture is also a fill-mask model; a summariser wants the generation task, not that one)."""
    if not case.own_architecture or not auto_class or auto_class not in case.own_loaders:
        return []
    tasks = case.table.pipelines.get("tasks", {})
    return [t for t, info in sorted(tasks.items()) if t != exclude and auto_class in info["pt"]]


def _task_advice(tasks: list[str], suggestion: Suggestion) -> str:
    if tasks:
        return "; use " + " or ".join(f'pipeline("{t}")' for t in tasks[:3])
    if suggestion.best:
        return (
            f"; no pipeline task of this transformers fits it: load it with {suggestion.best}"
            f" and {_then(suggestion.best)}"
        )
    return ""


def _short_advice(tasks: list[str], suggestion: Suggestion) -> str:
    """`_task_advice` for a first line: the tasks, or the class to load the model with."""
    if tasks:
        return "; use " + " or ".join(f'pipeline("{t}")' for t in tasks[:2])
    return f"; load it with {suggestion.best}" if suggestion.best else ""


def _then(auto_class: str) -> str:
    """What to do with the model a class loads, in place of the pipeline."""
    return "call generate()" if auto_class in families.TEXT_GENERATION else "decode its outputs yourself"


RULE = Rule(
    "HFA005",
    "pipeline-task-mismatch",
    "error",
    "A pipeline task that transformers removed, or whose model classes cannot load the checkpoint as it was trained.",
    why=(
        "`pipeline(task, model=...)` loads the model with the task's Auto classes in order, then with the classes"
        " named in the checkpoint's `architectures`; a checkpoint none of the task's classes accepts is loaded as"
        " its own architecture, and the pipeline logs \"The model ... is not supported for <task>\" and runs it"
        " anyway. transformers 5 removed the summarization, translation, text2text-generation, question-answering,"
        " visual-question-answering and image-to-image pipelines (`KeyError`); load the model with the Auto class"
        " that fits it and call generate(). Tasks are read from the transformers source in use, aliases included;"
        " a task name transformers does not know may be a custom pipeline and is not judged, nor is"
        " `pipeline(model=...)` alone, whose task transformers asks the Hub for."
    ),
    fix_safety="none: the right change is another task or loading the model yourself",
    wrong=(
        "from transformers import AutoTokenizer, pipeline\n\n"
        'tokenizer = AutoTokenizer.from_pretrained("facebook/bart-large-cnn")\n'
        'summarizer = pipeline("summarization", model="facebook/bart-large-cnn", tokenizer=tokenizer)\n'
    ),
    right=(
        "from transformers import AutoModelForSeq2SeqLM, AutoTokenizer\n\n"
        'tokenizer = AutoTokenizer.from_pretrained("facebook/bart-large-cnn")\n'
        'model = AutoModelForSeq2SeqLM.from_pretrained("facebook/bart-large-cnn")\n'
        '# summary = tokenizer.decode(model.generate(**tokenizer(text, return_tensors="pt"))[0])\n'
    ),
    fixed=None,
    judge=judge,
)
