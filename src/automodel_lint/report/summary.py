"""The one-line summary and the notes about what was not judged, for stderr or after the text output."""

from __future__ import annotations

from automodel_lint.engine import Report

MAX_LISTED = 10


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(report: Report) -> str:
    diags = report.diagnostics
    files = len(report.files)
    if not diags:
        return f"All checks passed ({_plural(files, 'file')}, {_plural(report.sites, 'call')} checked)."
    errors = sum(d.severity == "error" for d in diags)
    warnings = len(diags) - errors
    fixable = sum(d.fix == "safe" for d in diags)
    unsafe = sum(d.fix == "unsafe" for d in diags)
    parts = [f"Found {_plural(len(diags), 'diagnostic')} ({_plural(errors, 'error')}, {_plural(warnings, 'warning')})"
             f" in {_plural(len({d.path for d in diags}), 'file')}"]
    if fixable:
        parts.append(f"[*] {fixable} fixable with --fix")
    if unsafe:
        parts.append(f"{unsafe} more with --unsafe-fixes")
    return "; ".join(parts) + "."


def notes(report: Report) -> list[str]:
    """What the reader must know was not judged: skipped files, unreadable paths, unresolved models."""
    lines = []
    for result in report.skipped:
        lines.append(f"{result.path}: skipped ({result.skipped})")
    for path, why in report.problems:
        lines.append(f"{path}: {why}")
    if report.unresolved:
        shown = ", ".join(f"{u.model_id!r} ({u.reason})" for u in report.unresolved[:MAX_LISTED])
        more = f", and {len(report.unresolved) - MAX_LISTED} more" if len(report.unresolved) > MAX_LISTED else ""
        n = len(report.unresolved)
        lines.append(f"{_plural(n, 'model id')} could not be resolved and {'was' if n == 1 else 'were'} not judged: {shown}{more}")
    return lines
