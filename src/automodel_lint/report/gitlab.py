"""GitLab Code Quality report: a JSON array GitLab shows in merge requests (`artifacts: reports: codequality`).

Each issue needs a `fingerprint` that stays the same while the finding does: a hash of the path, the code, the
message and how many identical findings came before it in the file (so two same calls differ), not of the line.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import TextIO

from automodel_lint.engine import Report
from automodel_lint.report.style import shown_diagnostics

SEVERITIES = {"error": "major", "warning": "minor"}


def write(report: Report, out: TextIO) -> None:
    seen: Counter = Counter()
    issues = []
    for d in shown_diagnostics(report):
        key = (d.path, d.code, d.message)
        seen[key] += 1
        fingerprint = hashlib.sha256(json.dumps([*key, seen[key]]).encode("utf-8")).hexdigest()[:32]
        issues.append({
            "description": f"{d.code} {d.message}",
            "check_name": d.code,
            "fingerprint": fingerprint,
            "severity": SEVERITIES.get(d.severity, "minor"),
            "location": {
                "path": d.path.replace("\\", "/"),
                "positions": {"begin": {"line": d.span.line, "column": d.span.column},
                              "end": {"line": d.span.end_line, "column": d.span.end_column}},
            },
        })
    json.dump(issues, out, indent=2, ensure_ascii=False)
    out.write("\n")
