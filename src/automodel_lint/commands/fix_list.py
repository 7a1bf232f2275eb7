"""`check --show-fixes`: the fixes applied per file and code (with `--fix`), or those `--fix` would apply."""

from __future__ import annotations

from collections import Counter


def fix_list(before: dict[str, list], after: dict[str, list], applied: bool) -> str:
    """`before`/`after`: per file, the diagnostics carrying a fix before and after fixing. Without `applied`
    (no --fix, or --diff) it lists the safe fixes `--fix` would make."""
    from automodel_lint.report.style import shown_path
    from automodel_lint.rules import RULES_BY_CODE

    per_file: dict[str, Counter] = {}
    for path, found in before.items():
        if applied:
            left = {id(d) for d in after.get(path, [])}
            done = [d for d in found if id(d) not in left]
        else:
            done = [d for d in found if d.applicability == "safe"]
        if done:
            per_file[shown_path(path)] = Counter(d.code for d in done)
    total = sum(sum(c.values()) for c in per_file.values())
    if not total:
        return "No errors fixed." if applied else "No errors would be fixed by --fix."
    lines = [f"{'Fixed' if applied else 'Would fix'} {total} error{'s' if total != 1 else ''}:"]
    for path, counts in per_file.items():
        lines.append(f"- {path}:")
        for code, n in sorted(counts.items()):
            name = RULES_BY_CODE[code].name if code in RULES_BY_CODE else code
            lines.append(f"    {n} × {code} ({name})")
    return "\n".join(lines)
