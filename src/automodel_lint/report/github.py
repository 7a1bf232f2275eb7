"""GitHub Actions workflow commands: each diagnostic becomes an annotation on the pull request's diff.

    ::error file=src/a.py,line=3,col=5,endLine=3,endColumn=52,title=HFA001::AutoModelForSeq2SeqLM cannot load ...

Warning-severity rules print `::warning`. Escaping follows GitHub's runner (actions/toolkit's
`command.ts`): `%`, CR and LF in the message; additionally `:` and `,` in property values. Before that, the path
and the message are made printable (report.printable), so no escape sequence reaches the log either.
"""

from __future__ import annotations

import os
from typing import TextIO

from automodel_lint.engine import Report
from automodel_lint.records import Diagnostic
from automodel_lint.report.printable import printable
from automodel_lint.report.style import shown_diagnostics

COMMANDS = {"error": "error", "warning": "warning"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _path(path: str) -> str:
    # Annotations are matched against repository paths, which use forward slashes on every runner.
    return path.replace(os.sep, "/") if os.sep != "/" else path


def line(d: Diagnostic) -> str:
    properties: list[tuple[str, object]] = [("file", printable(_path(d.path)))]
    if d.cell is not None:
        # A notebook's lines count within a cell, and GitHub would place them at that line of the .ipynb JSON:
        # the annotation goes on the file, and its title and message name the cell and the line in it.
        properties.append(("title", f"{d.code} (cell {d.cell}, line {d.span.line})"))
        message = f"{d.code} (cell {d.cell}, line {d.span.line}, column {d.span.column}) {d.message}"
    else:
        properties.append(("line", d.span.line))
        # GitHub's checks API takes columns only when an annotation starts and ends on the same line.
        if d.span.end_line == d.span.line:
            properties += [("col", d.span.column), ("endLine", d.span.end_line), ("endColumn", d.span.end_column)]
        else:
            properties += [("endLine", d.span.end_line)]
        properties.append(("title", d.code))
        message = f"{d.code} {d.message}"
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{COMMANDS.get(d.severity, 'warning')} {props}::{escape_data(printable(message))}"


def write(report: Report, out: TextIO) -> None:
    for d in shown_diagnostics(report):
        out.write(line(d) + "\n")
