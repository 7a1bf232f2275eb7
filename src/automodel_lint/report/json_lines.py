"""`json-lines`: the JSON format's objects, one a line (no array), for streaming consumers."""

from __future__ import annotations

import json
from typing import TextIO

from automodel_lint.engine import Report
from automodel_lint.report.json_format import records


def write(report: Report, out: TextIO) -> None:
    for item in records(report):
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
