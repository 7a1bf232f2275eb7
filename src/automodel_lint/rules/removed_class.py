"""HFA004: a class that transformers 5 removed: an Auto class, or a TensorFlow or Flax model class.

The replacement is the removed class's own counterpart for the same task (a TF/Flax class's PyTorch twin, the new
name of a renamed class, for AutoModelWithLMHead the class that builds what it built for the checkpoint), and that
counterpart is then judged like any other call.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from automodel_lint import families
from automodel_lint.knowledge import KnowledgeTable, version_key
from automodel_lint.records import Fix, Verdict
from automodel_lint.rules.case import Case
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import shown

# Classes transformers 5 renamed rather than dropped (its migration guide): the new name is the counterpart.
RENAMED = {"AutoModelForVision2Seq": "AutoModelForImageTextToText"}

FRAMEWORKS = {"tf": "TensorFlow", "flax": "Flax"}

# Why a TF/Flax -> PyTorch fix is never safe, said in every such verdict's detail.
FRAMEWORK_CHANGE = (
    "The fix is unsafe: it changes the framework, so the code around the call (compile/fit, return_tensors=\"tf\","
    " TensorFlow or JAX operations on the outputs) must be ported by hand; or keep transformers < 5."
)


@dataclass(frozen=True)
class Removed:
    """What the newest older table knew of the called class."""

    old: KnowledgeTable
    framework: str  # "pt", "tf" or "flax"
    auto: bool  # an Auto class, else a concrete model class
    gone_types: tuple[str, ...] = ()  # a concrete PyTorch class: the removed model types it was built for


def removed(case: Case) -> Removed | None:
    """The called class, when an older bundled table knows it and transformers 5 no longer has it. A concrete class
    counts when it is TensorFlow or Flax (5.x dropped both), or when every model type it was built for is gone: a
    PyTorch class that no Auto class maps any more may still exist."""
    called, table = case.site.called, case.table
    if table.major < 5 or table.is_auto_class(called) or table.knows_architecture(called):
        return None
    current = version_key(table.version)
    older = sorted((t for t in case.history if version_key(t.version) < current), key=lambda t: version_key(t.version))
    for old in reversed(older):
        if old.is_auto_class(called):
            return Removed(old, old.framework(called), auto=True)
        loaders = old.auto_classes_for_architecture(called)
        if not loaders:
            continue
        frameworks = {old.framework(a) for a in loaders} - {"pt"}
        if frameworks:
            return Removed(old, min(frameworks), auto=False)
        types = tuple(sorted(old.model_types_of_class(called)))
        if types and not any(table.knows_type(t) for t in types):
            return Removed(old, "pt", auto=False, gone_types=types)
    return None


def twin(name: str) -> str | None:
    """`TFBertModel` -> `BertModel`, `FlaxAutoModelForSeq2SeqLM` -> `AutoModelForSeq2SeqLM`."""
    for prefix in ("TF", "Flax"):
        if name.startswith(prefix) and name[len(prefix):][:1].isupper():
            return name[len(prefix):]
    return None


def _built_before(case: Case, found: Removed) -> str | None:
    """The class the removed class built for this checkpoint, by the older table."""
    if not found.auto:
        return case.site.called
    model_type = case.model_type or (case.facts.model_type if case.facts else None)
    if not model_type:
        return None
    return found.old.loaded_class(case.site.called, model_type, case.facts.architectures if case.facts else ())


def counterpart(case: Case, found: Removed) -> str | None:
    """The class of transformers 5 that does the removed class's job, or None when none is known."""
    called, table = case.site.called, case.table
    if found.framework != "pt":
        name = twin(called)
        exists = table.is_auto_class(name) if found.auto else table.knows_architecture(name)
        return name if name and exists else None
    if called in RENAMED:
        return RENAMED[called]
    built = _built_before(case, found) if found.auto else None
    if built:
        # AutoModelWithLMHead: the language-model class that builds what it built, in CHECKPOINT_KIND's order.
        loaders = table.auto_classes_for_architecture(built)
        return next((c for c in families.CHECKPOINT_KIND if c in loaders), None)
    return None


def _same_head(case: Case, found: Removed, new: str) -> bool:
    """The counterpart builds, for this checkpoint, the class the removed one built (its twin for TF/Flax): same
    task head, same weights. For a renamed class without facts: it builds the same class for every type the old
    one loaded."""
    if not found.auto:
        return True  # a concrete class's twin is that same class
    old_table, table = found.old, case.table
    if case.facts is None:
        entry = old_table.auto_classes[case.site.called]["loads"]
        return bool(entry) and all(table.loads(new, t) == classes for t, classes in entry.items())
    built = _built_before(case, found)
    model_type = case.model_type or case.facts.model_type
    now = table.loaded_class(new, model_type, case.facts.architectures) if model_type else None
    return built is not None and now is not None and (twin(built) or built) == now


def judge(case: Case) -> Verdict | None:
    found = removed(case)
    if found is None:
        return None
    called = case.site.called
    framework = FRAMEWORKS.get(found.framework)
    gone = f"{called} was removed in transformers 5"
    why = (
        f"transformers 5 removed {framework} support, so importing {called} raises ImportError."
        if framework else f"transformers 5 removed {called}: importing it raises ImportError."
    )
    what = f'; {shown(case.site.model)} ({case.kind_words()})' if case.facts else ""
    if found.gone_types:
        types = ", ".join(found.gone_types)
        return Verdict(
            RULE.code,
            f"{gone} with model type {types}{what}: nothing in transformers 5 loads it; needs transformers < 5",
            detail=(
                f"{why} transformers {found.old.version} has it; transformers 5 removed the model type {types} and"
                " every class of it. No fix: keep transformers < 5 for this code, or choose another checkpoint."
            ),
        )
    new = counterpart(case, found)
    named = f"its PyTorch twin {new}" if framework and new else new
    if new is None and case.facts is not None:
        from automodel_lint.rules import first_verdict  # the rules list holds this module: imported when judging

        other = first_verdict(case, ("HFA004",))
        if other is not None and other[1].fix is None:
            return Verdict(
                RULE.code,
                f"{gone}, and {other[1].message}",
                detail=f"{why} {other[1].detail or ''}".rstrip(),
            )
    if new is None:
        need = "the language-model class for the checkpoint's kind" if case.facts is None else "another class"
        return Verdict(
            RULE.code,
            f"{gone}{what}; no counterpart is known: use {need}",
            detail=f"{why} No fix: which class replaces it depends on the checkpoint, which is not known here.",
        )
    if case.facts is not None and case.model_type:
        from automodel_lint.rules import first_verdict  # the rules list holds this module: imported when judging

        other = first_verdict(Case(replace(case.site, called=new), case.facts, case.table, case.history), ("HFA004",))
        if other is not None:
            return _counterpart_fails(case, found, new, named, other[1], why)
    if framework:
        applicability, reason = "unsafe", FRAMEWORK_CHANGE
    elif _same_head(case, found, new):
        applicability, reason = "safe", f"{new} builds the same class with the same weights."
    else:
        applicability = "unsafe"
        reason = (
            f"The fix is unsafe: {new} does not build, for every checkpoint, the class {called} built."
            if case.facts is None else f"The fix is unsafe: {new} builds another class for it than {called} did."
        )
    loads = f" {new} loads {shown(case.site.model)}, {case.describe()}." if case.facts else ""
    return Verdict(
        RULE.code,
        f"{gone}{what}: use {named}",
        new,
        Fix(applicability, new, old_class_removed=True),
        detail=f"{why}{loads} {reason}",
    )


def _counterpart_fails(case: Case, found: Removed, new: str, named: str, other: Verdict, why: str) -> Verdict:
    """The counterpart would not load the checkpoint as it was trained either: what the other rule says of it."""
    use = other.suggestion
    fix = None
    if other.fix is not None:
        moved = found.framework != "pt"
        fix = Fix("unsafe" if moved else other.fix.applicability, other.fix.new_class, old_class_removed=True)
    framework = f" {FRAMEWORK_CHANGE}" if fix is not None and found.framework != "pt" else ""
    return Verdict(
        RULE.code,
        f"{case.site.called} was removed in transformers 5, and {named} does not fit {shown(case.site.model)}"
        f" ({case.kind_words()}) either{f': use {use}' if use else ''}",
        use,
        fix,
        detail=f"{why} Its counterpart {new} would be {other.code}: {other.message}. {other.detail or ''}{framework}",
    )


RULE = Rule(
    "HFA004",
    "removed-class",
    "error",
    "A class that transformers 5 removed: AutoModelWithLMHead, AutoModelForVision2Seq, or a TensorFlow or Flax"
    " class (TFAutoModel*, FlaxAutoModel*, TFBertModel, ...).",
    why=(
        "transformers 5 removed AutoModelWithLMHead, AutoModelForVision2Seq and all TensorFlow and Flax classes"
        " (TFAutoModel*, FlaxAutoModel* and every concrete TF*/Flax* model class); importing one raises ImportError."
        " The replacement is the removed class's own counterpart for the same task, then judged like any other"
        " call: a TF or Flax class's PyTorch twin (TFAutoModelForSequenceClassification ->"
        " AutoModelForSequenceClassification, TFBertModel -> BertModel), AutoModelForVision2Seq's new name"
        " AutoModelForImageTextToText, and for AutoModelWithLMHead the class that builds what it built (on t5"
        " AutoModelForSeq2SeqLM, on gpt2 AutoModelForCausalLM, on bert AutoModelForMaskedLM). When the counterpart"
        " cannot load the checkpoint as it was trained either, the message says what does. A concrete PyTorch class"
        " of a model type that transformers 5 removed (TransfoXLLMHeadModel) has no counterpart: the code needs"
        " transformers < 5."
    ),
    fix_safety=(
        "safe when the counterpart builds the same class with the same weights; TensorFlow or Flax to PyTorch is"
        " always unsafe (the framework changes)"
    ),
    wrong='from transformers import AutoModelWithLMHead\n\nmodel = AutoModelWithLMHead.from_pretrained("gpt2")\n',
    right='from transformers import AutoModelForCausalLM\n\nmodel = AutoModelForCausalLM.from_pretrained("gpt2")\n',
    fixed='from transformers import AutoModelForCausalLM\n\nmodel = AutoModelForCausalLM.from_pretrained("gpt2")\n',
    judge=judge,
)
