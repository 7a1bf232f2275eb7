"""Diagnostics -> a fixed source: the callee's class replaced, the file's imports kept right, nothing else.

A fix replaces one node, the class name in `X.from_pretrained(...)` or `X.from_config(...)` (or, for a
fix of arguments, sets one keyword argument of the call at its span to a literal). Import
bookkeeping follows once for the whole file, in the same transform: for a name imported with
`from ... import X [as Y]`, the new class is added to that same statement (so an import inside a function
or a `try:` guard stays there), and the old name leaves it when no reference is left, by LibCST's scope
analysis. A removed class's import is dropped when unused, because on transformers 5 the import line alone
fails.

The work is split along its seams: `plan` decides which node edits each diagnostic needs (LibCST's scope
analysis decides "still used": ScopeProvider references, `__all__` exports, names in string annotations),
`imports` makes them, import statements included, and `verify` checks the result. Writing the fixed file and
showing its diff are `automodel_lint.files`'.

Every result is re-parsed and the file's calls are resolved again; if any call would now resolve to a
class other than the one intended, the whole file is left as it was.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import libcst as cst

from automodel_lint.fixer import verify
from automodel_lint.fixer.imports import transformer
from automodel_lint.fixer.outcome import FixOutcome, NotApplied, refused
from automodel_lint.fixer.plan import File, Plan, plan_one, unused_imports
from automodel_lint.fixer.verify import verify_fixed
from automodel_lint.records import Diagnostic

__all__ = ["FixOutcome", "NotApplied", "fix_source", "select_fixes", "verify_fixed"]


def select_fixes(diagnostics: Iterable[Diagnostic], unsafe: bool) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(the diagnostics to fix, the unsafe ones held back): `--fix` takes safe fixes, `--unsafe-fixes` all."""
    chosen, held = [], []
    for d in diagnostics:
        if d.applicability == "safe" or (d.applicability == "unsafe" and unsafe):
            chosen.append(d)
        elif d.applicability == "unsafe":
            held.append(d)
    return chosen, held


def fix_source(source: bytes, fixes: Sequence[Diagnostic]) -> FixOutcome:
    """`source` with every applicable fix in `fixes` made, in one pass; unchanged when none applies.

    The caller has chosen the fixes (safe, or unsafe too). A fix is skipped, with its reason, when its
    call is not at the stated position or does not call the stated class, or when the edit could change
    anything beyond that call's class; the whole file is left as it was when it does not parse, or when
    the result would not parse or would resolve any call differently than planned.
    """
    if not fixes:
        return FixOutcome(source, source)
    try:
        module = cst.parse_module(source)
        file = File(module)
    except (cst.ParserSyntaxError, SyntaxError, UnicodeDecodeError, LookupError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return refused(source, fixes, f"the file does not parse: {first}")
    except RecursionError:
        return refused(source, fixes, "the file is nested too deeply for the parser")

    plan = Plan()
    applied: list[Diagnostic] = []
    skipped: list[NotApplied] = []
    try:
        for diag in fixes:
            reason = plan_one(file, diag, plan)
            if reason is None:
                applied.append(diag)
            else:
                skipped.append(NotApplied(diag, reason))
        if not applied:
            return FixOutcome(source, source, (), tuple(skipped))
        fixed = module.visit(transformer(plan, unused_imports(file, plan))).bytes
        if source.endswith(b"\r"):  # LibCST drops a last lone "\r" (its tokenizer ends the file there): put it back
            fixed += source[len(module.bytes):]
    except UnicodeEncodeError as exc:
        return refused(source, fixes, f"the fix cannot be written in the file's encoding: {exc}", skipped)
    except Exception as exc:  # a fixer bug must cost this file its fixes, never the run or the file
        reason = f"internal error in the fixer ({type(exc).__name__}: {exc}); nothing was changed"
        return refused(source, fixes, reason, skipped)
    failure, moved = verify.recheck_calls(source, fixed, file, applied)
    if failure is not None:
        return refused(source, fixes, failure, skipped)
    return FixOutcome(source, fixed, tuple(applied), tuple(skipped), moved=moved)
