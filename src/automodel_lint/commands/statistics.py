"""`check --statistics`: how many diagnostics of each code, instead of the diagnostics (as ruff prints it).

    2	HFA001	[*] unloadable-checkpoint
    1	HFA005	[ ] pipeline-task-mismatch

`[*]` when every one of them has a safe fix. With a JSON output format: an array of
`{"code", "name", "count", "fixable"}`.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TextIO


def rows(report) -> list[dict]:
    from automodel_lint.rules import RULES_BY_CODE

    diagnostics = report.diagnostics
    counts = Counter(d.code for d in diagnostics)
    safe = Counter(d.code for d in diagnostics if d.applicability == "safe")
    return [{"code": code, "name": RULES_BY_CODE[code].name if code in RULES_BY_CODE else code, "count": n,
             "fixable": safe[code] == n}
            for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def write_statistics(report, out: TextIO, json_format: bool = False) -> None:
    table = rows(report)
    if json_format:
        json.dump(table, out, indent=2)
        out.write("\n")
        return
    width = max((len(str(r["count"])) for r in table), default=1)
    for r in table:
        out.write(f"{r['count']:>{width}}\t{r['code']}\t{'[*]' if r['fixable'] else '[ ]'} {r['name']}\n")
