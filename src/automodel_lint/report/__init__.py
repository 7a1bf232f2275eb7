"""Reporters: a Report in, text on a stream out. One module per output format, imported when used.

`concise` is one line per diagnostic; `full` (the default, as in ruff) adds the source line with a marker under
the call and the teaching text; `text` is the old name of `concise`, still accepted. Only the two text formats
take colour.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable, TextIO

if TYPE_CHECKING:
    from automodel_lint.engine import Report

_MODULES = {
    "concise": "text", "text": "text", "full": "full", "json": "json_format", "json-lines": "json_lines",
    "sarif": "sarif", "github": "github", "gitlab": "gitlab", "junit": "junit",
}
COLOURED = frozenset({"concise", "text", "full"})
DEFAULT_FORMAT = "full"


def _writer(name: str) -> Callable[..., None]:
    def write(report: "Report", out: TextIO, color: bool = False) -> None:
        module = importlib.import_module(f"automodel_lint.report.{_MODULES[name]}")
        if name in COLOURED:
            module.write(report, out, color=color)
        else:
            module.write(report, out)

    return write


FORMATS: dict[str, Callable[..., None]] = {name: _writer(name) for name in _MODULES}
