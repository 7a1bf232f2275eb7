"""`full`, the default as in ruff: each diagnostic's first line, the source line with a marker under the call, and
the teaching text (`Diagnostic.detail`), then where its rule's documentation is.

    src/train.py:3:5: HFA001 [*] AutoModelForSeq2SeqLM cannot load "gpt2": ...; use AutoModelForCausalLM
      |
    3 | b = AutoModelForSeq2SeqLM.from_pretrained("gpt2")
      |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ HFA001
      |
      = why: <the teaching text, when the rule gave one>
      = help: automodel-lint explain HFA001
"""

from __future__ import annotations

import dataclasses

import textwrap
from typing import TextIO

from automodel_lint.engine import Report
from automodel_lint.files import source_encoding
from automodel_lint.records import Diagnostic
from automodel_lint.report.style import BLUE, BOLD, paint, printable, severity_colour, shown_path
from automodel_lint.report.text import first_line

WIDTH = 100


def _lines(path: str, data: bytes | None) -> list[str]:
    """The lines judged: the bytes the report kept, else (a file judged from the results cache) the file's."""
    if data is None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return []
    encoding = source_encoding(data)
    return data.decode(encoding, errors="replace").splitlines()


def snippet(d: Diagnostic, source_line: str | None, color: bool = False) -> list[str]:
    """The gutter, the line and the marker under the call (to the line's end when the call goes on below)."""
    if source_line is None:
        return []
    number = str(d.span.line)
    pad = " " * len(number)
    start = max(d.span.column - 1, 0)
    end = d.span.end_column - 1 if d.span.end_line == d.span.line else len(source_line)
    before, under = printable(source_line[:start]), printable(source_line[start:max(end, start + 1)])
    bar = paint("|", BLUE, color=color)
    marker = paint("^" * max(len(under), 1) + " " + d.code, BOLD, severity_colour(d.severity), color=color)
    return [f"{pad} {bar}", f"{paint(number, BLUE, color=color)} {bar} {printable(source_line)}",
            f"{pad} {bar} {' ' * len(before)}{marker}", f"{pad} {bar}"]


def explanation(d: Diagnostic, pad: str, color: bool = False) -> list[str]:
    eq = paint("=", BLUE, color=color)
    lines = []
    if d.detail:
        wrapped = textwrap.wrap(printable(d.detail), WIDTH, break_long_words=False, break_on_hyphens=False)
        lines.append(f"{pad} {eq} why: {wrapped[0]}")
        lines += [f"{pad}        {rest}" for rest in wrapped[1:]]
    lines.append(f"{pad} {eq} help: automodel-lint explain {d.code}")
    return lines


def write(report: Report, out: TextIO, color: bool = False) -> None:
    # A notebook's diagnostics are shown at their cells, but their source lines are those of the joined
    # cells the pipeline judged: each shown diagnostic comes paired with the one judged.
    texts: dict[str, list[str]] = {}
    for original, placed in report.placed_diagnostics():
        path, d = original.path, dataclasses.replace(placed, path=shown_path(placed.path))
        if path not in texts:
            texts[path] = _lines(path, report.sources.get(path))
        lines = texts[path]
        line = lines[original.span.line - 1] if 0 < original.span.line <= len(lines) else None
        out.write(first_line(d, color) + "\n")
        body = snippet(d, line, color)
        pad = " " * len(str(d.span.line))
        out.write("\n".join(body + explanation(d, pad, color)) + "\n\n")
