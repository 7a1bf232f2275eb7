"""`concise`: `path:line:col: CODE message`, clickable in editors and terminals; fixable diagnostics marked `[*]`.

In a notebook the place is `path:cell:line:col`, the line counted within the cell. Each line is made printable
(report.printable): a path or a config.json field cannot move the cursor or start a line of its own.
"""

from __future__ import annotations

from typing import TextIO

from automodel_lint.engine import Report
from automodel_lint.records import Diagnostic
from automodel_lint.report.printable import printable
from automodel_lint.report.style import BOLD, CYAN, paint, severity_colour, shown_diagnostics


def first_line(d: Diagnostic, color: bool = False) -> str:
    """The one line `concise` prints and `full` starts with."""
    mark = " [*]" if d.applicability == "safe" else ""
    # Made printable before painting: the colours are ours, every escape in a path or a message is not.
    path = printable(d.path)
    where = f"{path}:{d.cell}:" if d.cell is not None else f"{path}:"
    place = paint(f"{where}{d.span.line}:{d.span.column}:", BOLD, color=color)
    code = paint(d.code, BOLD, severity_colour(d.severity), color=color)
    return f"{place} {code}{paint(mark, CYAN, color=color)} {printable(d.message)}"


def write(report: Report, out: TextIO, color: bool = False) -> None:
    for d in shown_diagnostics(report):
        out.write(first_line(d, color) + "\n")
