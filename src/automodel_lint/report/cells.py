"""Notebook diagnostics placed for the reader: the joined source's lines become (cell, line in the cell).

The pipeline and the fixer work on the code cells joined into one source (see notebooks.py); only what
is shown is placed, so no stage has to remember when to convert.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from automodel_lint.records import Diagnostic, Span

if TYPE_CHECKING:
    from automodel_lint.notebooks import NotebookSource


def in_cells(diagnostics: list[Diagnostic], notebook: "NotebookSource") -> list[Diagnostic]:
    """`diagnostics` of a notebook's joined source, at their cells (numbered from 1) and lines in the cell."""
    placed = []
    for d in diagnostics:
        start, end = notebook.position(d.span.line), notebook.position(d.span.end_line)
        span = Span(start.line, d.span.column + start.shift, end.line, d.span.end_column + end.shift)
        placed.append(dataclasses.replace(d, span=span, cell=start.cell + 1))
    return placed
