"""`path:line:col: CODE message`, clickable in editors and terminals; fixable diagnostics marked `[*]`.

In a notebook the place is `path:cell:line:col`, the line counted within the cell. Each line is made printable
(report.printable): a path or a config.json field cannot move the cursor or start a line of its own.
"""

from __future__ import annotations

from typing import TextIO

from automodel_lint.engine import Report
from automodel_lint.report.printable import printable


def write(report: Report, out: TextIO) -> None:
    for d in report.diagnostics:
        mark = " [*]" if d.applicability == "safe" else ""
        where = f"{d.path}:{d.cell}:" if d.cell is not None else f"{d.path}:"
        out.write(printable(f"{where}{d.span.line}:{d.span.column}: {d.code}{mark} {d.message}") + "\n")
