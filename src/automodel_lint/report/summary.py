"""The one-line summary and the notes about what was not judged, for stderr or after the text output.

Notes name paths, model ids and reasons that came from outside: each is made printable (report.printable).
"""

from __future__ import annotations

from automodel_lint.engine import Report
from automodel_lint.report.printable import printable
from automodel_lint.report.style import shown_path
from automodel_lint.unjudged import UNRESOLVED_ADVICE

MAX_LISTED = 10


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word}es" if word.endswith("x") else f"{n} {word}s"


def summary_line(report: Report, fixes=None, diff: bool = False) -> str:
    diags = report.diagnostics
    files = len(report.files)
    fixed = ""
    if fixes is not None and fixes.applied:
        verb = "would be applied" if diff else "applied"
        fixed = f"{_plural(fixes.applied, 'fix')} {verb} in {_plural(len(fixes.changed), 'file')}"
    held = f"{_plural(fixes.held_back, 'unsafe fix')} held back (--unsafe-fixes)" if fixes and fixes.held_back else ""
    open_calls = len(report.unjudged)
    counts = (f"{_plural(report.sites, 'call')} found, {report.sites - open_calls} judged, {open_calls} not judged"
              " (--show-unjudged lists them)")
    if not diags:
        # "All checks passed" only when every call found was judged and every path read: what was not checked
        # has not passed.
        unchecked = len(report.problems) + len(report.skipped)
        if open_calls or unchecked:
            gaps = [counts] if open_calls else [f"{_plural(report.sites, 'call')} checked"]
            if unchecked:
                gaps.append(f"{_plural(unchecked, 'path')} not checked (named above)")
            head = f"No diagnostics in {_plural(files, 'file')}; {'; '.join(gaps)}."
        else:
            head = f"All checks passed ({_plural(files, 'file')}, {_plural(report.sites, 'call')} checked)."
        tail = "; ".join(p for p in (fixed, held) if p)
        return f"{head} {tail}." if tail else head
    errors = sum(d.severity == "error" for d in diags)
    warnings = len(diags) - errors
    parts = [f"Found {_plural(len(diags), 'diagnostic')} ({_plural(errors, 'error')}, {_plural(warnings, 'warning')})"
             f" in {_plural(len({d.path for d in diags}), 'file')}"]
    if open_calls:
        parts.append(counts)
    if fixes is None:
        safe = sum(d.applicability == "safe" for d in diags)
        unsafe = sum(d.applicability == "unsafe" for d in diags)
        if safe:
            parts.append(f"[*] {safe} fixable with --fix")
        if unsafe:
            parts.append(f"{unsafe} more with --unsafe-fixes")
    else:
        parts += [p for p in (fixed and f"{fixed}, shown above" if diff else fixed, held) if p]
    return "; ".join(parts) + "."


def notes(report: Report) -> list[str]:
    """What the reader must know was not judged: skipped files, unreadable paths, unresolved models."""
    lines = []
    for result in report.skipped:
        lines.append(f"{shown_path(result.path)}: skipped ({result.skipped})")
    for path, why in report.problems:
        lines.append(f"{shown_path(path)}: {why}")
    if report.unresolved:
        shown = ", ".join(f"{u.model_id!r} ({u.reason})" for u in report.unresolved[:MAX_LISTED])
        more = f", and {len(report.unresolved) - MAX_LISTED} more" if len(report.unresolved) > MAX_LISTED else ""
        n = len(report.unresolved)
        lines.append(f"{_plural(n, 'model id')} could not be resolved and {'was' if n == 1 else 'were'} not judged:"
                     f" {shown}{more}; {UNRESOLVED_ADVICE}")
    return [printable(line) for line in lines]


def unjudged_lines(report: Report) -> list[str]:
    """`path:line:col: not judged: reason` for every call found but not judged (`check --show-unjudged`)."""
    return [printable(f"{shown_path(u.path)}:{'' if u.cell is None else f'{u.cell}:'}{u.span.line}:{u.span.column}:"
                      f" not judged: {u.reason}") for u in report.unjudged]
