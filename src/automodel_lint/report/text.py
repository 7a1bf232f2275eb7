"""`path:line:col: CODE message`, clickable in editors and terminals; fixable diagnostics marked `[*]`.

In a notebook the place is `path:cell:line:col`, the line counted within the cell.
"""

from __future__ import annotations

from typing import TextIO

from automodel_lint.engine import Report


def write(report: Report, out: TextIO) -> None:
    for d in report.diagnostics:
        mark = " [*]" if d.applicability == "safe" else ""
        where = f"{d.path}:{d.cell}:" if d.cell is not None else f"{d.path}:"
        out.write(f"{where}{d.span.line}:{d.span.column}: {d.code}{mark} {d.message}\n")
