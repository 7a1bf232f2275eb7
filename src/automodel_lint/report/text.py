"""`path:line:col: CODE message`, clickable in editors and terminals; fixable diagnostics marked `[*]`."""

from __future__ import annotations

from typing import TextIO

from automodel_lint.engine import Report


def write(report: Report, out: TextIO) -> None:
    for d in report.diagnostics:
        mark = " [*]" if d.fix == "safe" else ""
        out.write(f"{d.path}:{d.span.line}:{d.span.column}: {d.code}{mark} {d.message}\n")
