"""Diagnostics -> fixed files: choose the fixes, apply them per file, verify, then write or show a diff.

The edit itself is `fixer.fix_source`, the write `files.write_atomic`; this module decides what to ask of
them and what to do with the answers. A fixed file is re-judged with the facts of the first pass (no model is
looked up twice) and written only if the calls it fixed come back clean; otherwise the file is left as it was and
the reason is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from automodel_lint import files, fixer
from automodel_lint.engine import Options, Report, analyse_source, judge_all, use_rules_of
from automodel_lint.records import Diagnostic


@dataclass
class FixSummary:
    applied: int = 0  # fixes applied (or, with --diff, that would be)
    held_back: int = 0  # unsafe fixes not applied because --unsafe-fixes was not given
    changed: list[str] = field(default_factory=list)  # files whose bytes changed (or would)
    failures: list[str] = field(default_factory=list)  # one line each: files left untouched, and why
    diffs: list[str] = field(default_factory=list)  # with `diff` asked
    fixed_sources: dict[str, bytes] = field(default_factory=dict)  # path -> bytes after the fixes


def fix_report(report: Report, options: Options, unsafe: bool, write: bool, diff: bool = False) -> FixSummary:
    """Apply the chosen fixes file by file; the report keeps only the diagnostics that remain. `diff`: keep each
    changed file's unified diff in the summary (only `--diff` shows them: difflib's cost grows faster than the
    file, 5 s for a 10,000-call one)."""
    summary = FixSummary()
    for result in report.files:
        chosen, held = fixer.select_fixes(result.diagnostics, unsafe=unsafe)
        summary.held_back += len(held)
        if not chosen:
            continue
        source = report.sources.get(result.path) or _read(result.path, report, options)
        if source is None:
            summary.failures.append(f"{result.path}: fix not applied: the file can no longer be read")
            continue
        outcome = fixer.verify_fixed(fixer.fix_source(source, chosen), _recheck(result.path, report, options))
        if outcome.error:
            summary.failures.append(f"{result.path}: fix not applied: {outcome.error}")
        else:
            for skipped in outcome.not_applied:  # the file's other fixes went in; say why this one did not
                d = skipped.diagnostic
                summary.failures.append(
                    f"{d.path}:{d.span.line}:{d.span.column}: {d.code} fix not applied: {skipped.reason}")
        if not outcome.changed:
            continue
        before, after = source, outcome.fixed
        if result.path in report.notebooks:
            try:
                before, after = _notebook_bytes(report.notebooks[result.path], outcome.fixed)
            except ValueError as exc:  # NotebookError: a fix that would cross a cell boundary
                summary.failures.append(f"{result.path}: fix not applied: {exc}")
                continue
        if write:
            try:
                files.write_atomic(result.path, after, expected=before)
            except files.WriteError as exc:
                summary.failures.append(str(exc))
                continue
        if diff:
            summary.diffs.append(files.unified_diff(result.path, before, after))
        summary.fixed_sources[result.path] = after
        summary.changed.append(result.path)
        summary.applied += len(outcome.applied)
        applied = {id(d) for d in outcome.applied}
        result.diagnostics = [d for d in result.diagnostics if id(d) not in applied]
    return summary


def _read(path: str, report: Report, options: Options) -> bytes | None:
    """A file judged from the results cache: its bytes were not kept, so read them for the fix (a notebook's cells
    too: only where their lines are was kept)."""
    if path in report.notebooks:
        from automodel_lint.analysis import read_notebook_file
        from automodel_lint.sources import TooLarge, Unreadable

        try:
            report.notebooks[path] = read_notebook_file(path, options.max_file_size)
        except (Unreadable, TooLarge, ValueError, RecursionError):  # ValueError: a NotebookError
            return None
        return report.notebooks[path][1].source.encode("utf-8")
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _notebook_bytes(entry, fixed: bytes) -> tuple[bytes, bytes]:
    """The notebook file before and after: only the changed cells' sources are rewritten."""
    from automodel_lint.notebooks import apply_fixed_source

    raw, nb = entry
    return raw, apply_fixed_source(raw, nb, fixed.decode("utf-8"))


def _recheck(path: str, report: Report, options: Options):
    def recheck(data: bytes) -> list[Diagnostic]:
        results, _ = judge_all([analyse_source(path, data, bool(use_rules_of(options)))], options, report.table,
                               answers=report.answers)
        return [d for r in results for d in r.diagnostics]

    return recheck
