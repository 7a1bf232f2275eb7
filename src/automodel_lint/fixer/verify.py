"""Every fixed source is checked before it is kept: it must parse (and compile, if the original did), and every
call must load the class planned for it; then the caller re-judges it with the first pass's facts."""

from __future__ import annotations

import ast
import warnings
from typing import Callable

import libcst as cst

from automodel_lint.finder import find_calls
from automodel_lint.fixer.outcome import FixOutcome, refused
from automodel_lint.records import CallSite, Diagnostic, Span
from automodel_lint.relevance import Reduced


def recheck_calls(source: bytes, fixed: bytes, sites: list[CallSite], applied: list[Diagnostic]):
    """Why `fixed` must not be written (it does not parse, or a call resolves otherwise than planned), or None.
    `sites`: the calls found in `source`, as the fix planned from them."""
    try:
        module = cst.parse_module(fixed)
        # The stdlib's call positions spare LibCST's position pass over the whole file; None when the stdlib
        # cannot parse it or would place a call otherwise (the finder then asks LibCST).
        spans = Reduced(fixed, None, module.encoding).call_spans()
        after = find_calls(module, "<fix>", lambda _: True, call_spans=spans)
    except Exception as exc:  # any failure to re-read our own output means the output is wrong
        return f"the fixed source does not parse ({type(exc).__name__}); nothing was changed", ()
    if not python_parses(fixed) and python_parses(source):  # the fixed source first: it mostly parses
        return "the fixed source does not compile; nothing was changed", ()
    planned = {(d.span.line, d.span.column): d.fix.new_class for d in applied if d.fix.new_class}
    if len(after) != len(sites):
        return "the fix would change which calls load a transformers class; nothing was changed", ()
    moved: dict[tuple[int, int], Span] = {}
    for before, now in zip(sites, after):
        key = (before.span.line, before.span.column)
        if now.called != planned.get(key, before.called):
            return f"the fix would make the call at {key[0]}:{key[1]} load {now.called}; nothing was changed", ()
        moved[key] = now.span
    if any(d.fix.keyword for d in applied):
        # Fixes add no call and remove none (a keyword's value is a literal, an import line holds no call), so the
        # n-th call of the source is the n-th of the fixed source.
        before = Reduced(source, None, module.encoding).call_spans()
        if before is None or spans is None or len(before) != len(spans):
            return "cannot tell where the fixed calls are in the fixed source; nothing was changed", ()
        for old, new in zip(before, spans):
            moved.setdefault((old.line, old.column), new)  # `f(x)(y)` and `f(x)` share a start: the outer first
    return None, tuple(moved[(d.span.line, d.span.column)] for d in applied)


def python_parses(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def verify_fixed(outcome: FixOutcome, recheck: Callable[[bytes], list[Diagnostic]]) -> FixOutcome:
    """`outcome` if no fixed call reports a diagnostic when `fixed` is checked again, else the file unchanged.

    `recheck` runs the same checks on the fixed bytes (same facts, same table) and returns their
    diagnostics; a fixed call that still reports anything means the fix did not do what it promised.
    """
    if not outcome.changed:
        return outcome
    fixed_at = {(s.line, s.column) for s in outcome.moved}
    still = [d for d in recheck(outcome.fixed) if (d.span.line, d.span.column) in fixed_at]
    if not still:
        return outcome
    first = still[0]
    reason = (f"after the fix, {first.span.line}:{first.span.column} still reports {first.code}: {first.message}; "
              "nothing was changed")
    fixes = [*outcome.applied, *(n.diagnostic for n in outcome.not_applied)]
    return refused(outcome.source, fixes, reason, outcome.not_applied)
