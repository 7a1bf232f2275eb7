"""The JSON contract: an array of diagnostics with fixed keys (see records.Diagnostic.to_json)."""

from __future__ import annotations

import json
from typing import TextIO

from automodel_lint.engine import Report


def write(report: Report, out: TextIO) -> None:
    json.dump([d.to_json() for d in report.diagnostics], out, indent=2, ensure_ascii=False)
    out.write("\n")
