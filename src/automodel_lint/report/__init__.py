"""Reporters: a Report in, text on a stream out. One module per output format, imported when used."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable, TextIO

if TYPE_CHECKING:
    from automodel_lint.engine import Report

_MODULES = {"text": "text", "json": "json_format", "sarif": "sarif", "github": "github"}


def _writer(name: str) -> Callable[["Report", TextIO], None]:
    def write(report: "Report", out: TextIO) -> None:
        importlib.import_module(f"automodel_lint.report.{_MODULES[name]}").write(report, out)

    return write


FORMATS: dict[str, Callable[["Report", TextIO], None]] = {name: _writer(name) for name in _MODULES}
