"""Reporters: a Report in, text on a stream out. One module per output format."""

from __future__ import annotations

from typing import Callable, TextIO

from automodel_lint.engine import Report
from automodel_lint.report import github, json_format, sarif, text

FORMATS: dict[str, Callable[[Report, TextIO], None]] = {
    "text": text.write,
    "json": json_format.write,
    "sarif": sarif.write,
    "github": github.write,
}
