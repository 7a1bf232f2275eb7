"""Every fixed source is checked before it is kept: it must parse (and compile, if the original did), and every
call must load the class planned for it; then the caller re-judges it with the first pass's facts."""

from __future__ import annotations

import ast
import warnings
from typing import Callable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from automodel_lint.finder import find_calls
from automodel_lint.fixer.outcome import FixOutcome, refused
from automodel_lint.fixer.plan import File
from automodel_lint.records import Diagnostic, Span


def recheck_calls(source: bytes, fixed: bytes, file: File, applied: list[Diagnostic]):
    """Why `fixed` must not be written (it does not parse, or a call resolves otherwise than planned), or None."""
    try:
        module = cst.parse_module(fixed)
        after = find_calls(module, "<fix>", lambda _: True)
    except Exception as exc:  # any failure to re-read our own output means the output is wrong
        return f"the fixed source does not parse ({type(exc).__name__}); nothing was changed", ()
    if python_parses(source) and not python_parses(fixed):
        return "the fixed source does not compile; nothing was changed", ()
    planned = {(d.span.line, d.span.column): d.fix.new_class for d in applied if d.fix.new_class}
    if len(after) != len(file.sites):
        return "the fix would change which calls load a transformers class; nothing was changed", ()
    moved: dict[tuple[int, int], Span] = {}
    for before, now in zip(file.sites, after):
        key = (before.span.line, before.span.column)
        if now.called != planned.get(key, before.called):
            return f"the fix would make the call at {key[0]}:{key[1]} load {now.called}; nothing was changed", ()
        moved[key] = now.span
    if any(d.fix.keyword for d in applied):
        for key, span in _calls_moved(file, module).items():
            moved.setdefault(key, span)
    return None, tuple(moved[(d.span.line, d.span.column)] for d in applied)


def _calls_moved(file: File, fixed: cst.Module) -> dict[tuple[int, int], Span]:
    """Where every call of the original sits in the fixed module. Fixes add no call and remove none (a keyword's
    value is a literal, an import line holds no call), so the n-th call before is the n-th call after."""
    after = MetadataWrapper(fixed, unsafe_skip_copy=True).resolve(PositionProvider)
    before_order, after_order = _calls_in_order(file.module), _calls_in_order(fixed)
    moved = {}
    for old, new in zip(before_order, after_order):
        start, end = file.positions[old].start, after[new].end
        now = after[new].start
        # `f(x)(y)` and `f(x)` start at one place: the outer call, visited first, keeps it.
        moved.setdefault((start.line, start.column + 1), Span(now.line, now.column + 1, end.line, end.column + 1))
    return moved


def _calls_in_order(module: cst.Module) -> list[cst.Call]:
    class Calls(cst.CSTVisitor):
        def __init__(self) -> None:
            self.found: list[cst.Call] = []

        def visit_Call(self, node: cst.Call) -> None:
            self.found.append(node)

    calls = Calls()
    module.visit(calls)
    return calls.found


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
