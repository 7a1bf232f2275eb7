"""The JSON contract: an array of diagnostics with fixed keys (see records.Diagnostic.to_json), plus `detail`
(the teaching text behind `message`, or null). Paths are shown relative to the current folder (report/style.py)."""

from __future__ import annotations

import json
from typing import TextIO

from automodel_lint.engine import Report
from automodel_lint.records import Diagnostic
from automodel_lint.report.style import shown_diagnostics


def record(d: Diagnostic) -> dict:
    return {**d.to_json(), "detail": d.detail}


def records(report: Report) -> list[dict]:
    return [record(d) for d in shown_diagnostics(report)]


def write(report: Report, out: TextIO) -> None:
    json.dump(records(report), out, indent=2, ensure_ascii=False)
    out.write("\n")
