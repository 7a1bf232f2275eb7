"""Call site + model facts + knowledge table -> at most one verdict per call.

    RULES: tuple[Rule, ...]              # in priority order: the first judge with a verdict wins
    RULES_BY_CODE: dict[str, Rule]
    judge(case) -> (Rule, Verdict) | None
    use_rules(options) -> rules           # the rules about later uses of loaded objects that this run runs
    judge_use(case, rules) -> (Rule, Verdict) | [reasons not judged]
    Case, UseCase, Rule                   # what a judge reads; a rule with its documentation and examples

One module per code holds its judge and its documentation (rules/docs.py renders `explain`, `rules`, the
README table and the SARIF help from it). A new rule is one module with a `RULE`, listed below.
"""

from __future__ import annotations

from dataclasses import replace

from automodel_lint.knowledge import KnowledgeTable, version_key
from automodel_lint.records import Verdict
from automodel_lint.rules import (
    chat_template,
    custom_code,
    generate_head,
    mlm_collator,
    model_class,
    newer_transformers,
    peft_task,
    pipeline_task,
    removed_class,
    removed_type,
    right_padding,
    syntax_error,
    unloadable,
    unpinned_code,
    wrong_family,
)
from automodel_lint.rules.case import Case
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import shown
from automodel_lint.rules.use_case import Undecided, UseCase

__all__ = ["Case", "Rule", "RULES", "RULES_BY_CODE", "UseCase", "first_verdict", "judge", "judge_use", "use_rules"]

# A call gets one diagnostic, the one its program meets first: a removed class fails at the import, untrusted
# remote code is refused before a class is chosen, an unrecognised config raises before anything loads; only
# then the loads that go wrong silently; last, a load that works but runs code nobody pinned.
RULES: tuple[Rule, ...] = (
    removed_class.RULE,  # HFA004
    custom_code.RULE,  # HFA003
    unloadable.RULE,  # HFA001
    wrong_family.RULE,  # HFA002
    newer_transformers.RULE,  # HFA007
    removed_type.RULE,  # HFA008
    pipeline_task.RULE,  # HFA005
    model_class.RULE,  # HFA006
    unpinned_code.RULE,  # HFA013
    # Rules about what the code does later with a loaded object (flow/): a use gets the first verdict, and the
    # uses of one object fail in the order the program meets them (training set-up, then inference).
    peft_task.RULE,  # HFA009
    mlm_collator.RULE,  # HFA010
    chat_template.RULE,  # HFA012
    generate_head.RULE,  # HFA014: generate() raises before any padding matters
    right_padding.RULE,  # HFA011
    syntax_error.RULE,  # HFA900
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}
PREVIEW_CODES = tuple(rule.code for rule in RULES if rule.preview)


def judge(case: Case, preview: bool = False) -> tuple[Rule, Verdict] | None:
    """The first rule's verdict on the call (preview rules only with `preview`), with what was judged said when
    the value may differ at run time."""
    guarded = _guarded(case)
    found = first_verdict(guarded, () if preview else PREVIEW_CODES)
    if found is None:
        return None
    rule, verdict = found
    site = case.site
    if guarded is not case:
        said = f"judged with transformers {guarded.table.version}: the code runs this call only where"
        verdict = replace(verdict, message=f"{verdict.message} ({said} {_guard_text(site.guard)})")
    if site.value_note or site.via:
        # Say what was judged, so a reader can tell if it applies.
        said = "; ".join(n for n in (site.value_note, site.via) if n)
        verdict = replace(verdict, message=f"{verdict.message} (judged on {shown(site.model)}, {said})")
    if site.value_note and verdict.fix is not None:
        # The value may differ at run time: a fix chosen for the default may be wrong for the values callers
        # pass, so never a safe one.
        unsafe = "The fix is unsafe: the model may differ at run time, and a class chosen for this value may be wrong."
        detail = f"{verdict.detail} {unsafe}" if verdict.detail else unsafe
        verdict = replace(verdict, fix=replace(verdict.fix, applicability="unsafe"), detail=detail)
    return rule, verdict


def use_rules(preview: bool, wanted=lambda code: True) -> tuple[Rule, ...]:
    """The rules about uses this run runs: preview ones only with `preview`, and only codes `wanted`."""
    return tuple(r for r in RULES if r.judge_use is not None and (preview or not r.preview) and wanted(r.code))


def judge_use(case: UseCase, rules: tuple[Rule, ...]) -> tuple[Rule, Verdict] | list[str]:
    """The first rule's verdict on a use, or the reasons the rules that apply could not decide it (empty: judged,
    nothing wrong). A verdict on an object whose model id is a default callers may override says so, and its fix
    is never safe."""
    reasons: list[str] = []
    for rule in rules:
        if case.site.use not in rule.uses:
            continue
        outcome = rule.judge_use(case)
        if isinstance(outcome, Undecided):
            reasons.append(f"{rule.code}: {outcome.reason}")
        elif outcome is not None:
            notes = [f"{shown(o.model)}, {o.value_note}" for _, o in case.site.origins if o.value_note]
            if notes:
                outcome = replace(outcome, message=f"{outcome.message} (judged on {'; '.join(notes)})")
                if outcome.fix is not None:
                    outcome = replace(outcome, fix=replace(outcome.fix, applicability="unsafe"))
            return rule, outcome
    return reasons


def first_verdict(case: Case, skip: tuple[str, ...] = ()) -> tuple[Rule, Verdict] | None:
    """The first verdict of the rules in priority order, leaving out the codes in `skip`."""
    for rule in RULES:
        if rule.judge is not None and rule.code not in skip:
            verdict = rule.judge(case)
            if verdict is not None:
                return rule, verdict
    return None


def _guarded(case: Case) -> Case:
    """A call in a branch that runs only on some versions (`hasattr(transformers, "X")`, an import in `try` /
    `except ImportError`, a comparison on `transformers.__version__`) is judged with the newest bundled table of
    those versions; the table in use when it is one of them, or when no bundled table is."""
    guard = case.site.guard
    if not guard:
        return case
    kind, _, value = guard.partition(":")
    tables = sorted((case.table, *case.history), key=lambda t: version_key(t.version))
    if kind == "requires":
        fits = [t for t in tables if _knows(t, value)]
    else:
        bound = version_key(value)
        fits = [t for t in tables if (version_key(t.version)[: len(bound)] <= bound if kind == "upto"
                                      else version_key(t.version) < bound)]
    if not fits or case.table in fits:
        return case
    chosen = fits[-1]
    return Case(case.site, case.facts, chosen, tuple(t for t in tables if t is not chosen))


def _knows(table: KnowledgeTable, name: str) -> bool:
    return table.is_auto_class(name) or table.knows_architecture(name)


def _guard_text(guard: str) -> str:
    kind, _, value = guard.partition(":")
    return {"requires": f"transformers has {value}", "below": f"transformers < {value}"}.get(
        kind, f"transformers <= {value}")
