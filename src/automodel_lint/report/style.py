"""What every reporter shows the same way: paths relative to the current folder, printable text, colour.

Paths are shown as ruff and flake8 show them: relative to where the user stands (an absolute path under the
current folder loses its prefix; `./a.py` reads `a.py`); a path outside it stays as it was given.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

from automodel_lint.report.printable import printable as _printable

if TYPE_CHECKING:
    from automodel_lint.engine import Report
    from automodel_lint.records import Diagnostic

# ANSI SGR codes, used only when colour is on (see commands/check.py's --color).
BOLD, RED, YELLOW, CYAN, BLUE, RESET = "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[34m", "\x1b[0m"


def shown_path(path: str) -> str:
    if path == "-" or not path:
        return path
    if os.path.isabs(path):
        cwd = os.path.join(os.getcwd(), "")
        return os.path.relpath(path) if path.startswith(cwd) else path
    return os.path.normpath(path)


def shown_diagnostics(report: "Report") -> list["Diagnostic"]:
    """The report's diagnostics as shown (notebooks at their cells), with paths as `shown_path` gives them."""
    return [dataclasses.replace(d, path=shown_path(d.path)) for d in report.diagnostics]


def printable(text: str) -> str:
    """`text` as report.printable shows it, with tabs as four spaces: a source line keeps its indentation."""
    return _printable(text.replace("\t", "    "))


def paint(text: str, *codes: str, color: bool) -> str:
    return f"{''.join(codes)}{text}{RESET}" if color and codes and text else text


def severity_colour(severity: str) -> str:
    return RED if severity == "error" else YELLOW
