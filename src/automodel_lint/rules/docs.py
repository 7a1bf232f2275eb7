"""Rule documentation, rendered from the `Rule` objects alone.

    explain(code) -> str            # what `automodel-lint explain CODE` prints; KeyError for an unknown code
    listing() -> str                # what `automodel-lint rules` prints
    readme_table() -> str           # the table under README.md's `## Rules` (a test keeps the two equal)
    full_description(rule) -> str   # SARIF: the summary and why it is bad
    help_text(rule) -> str          # SARIF: what to do, with the wrong and the right example
    help_markdown(rule) -> str      # the same, for viewers that render markdown (GitHub code scanning)
"""

from __future__ import annotations

import textwrap

from automodel_lint.rules import RULES, RULES_BY_CODE, Rule


def _indented(code: str) -> str:
    return textwrap.indent(code.rstrip("\n"), "    ")


def level(rule: Rule) -> str:
    """`error`, or `error, preview` for a rule that runs only with --preview."""
    return f"{rule.severity}, preview" if rule.preview else rule.severity


PREVIEW_NOTE = ("Preview: runs only with `--preview` (or `preview = true`) until a real-code run shows no false"
                " positive.")


def full_description(rule: Rule) -> str:
    return f"{rule.summary} {rule.why}"


def help_text(rule: Rule) -> str:
    return (
        f"{rule.code} ({rule.name}): {rule.summary}\n\n"
        f"Wrong:\n{_indented(rule.wrong)}\n\nRight:\n{_indented(rule.right)}\n\n"
        f"Fix: {rule.fix_safety}. Silence one call with `# noqa: {rule.code}`."
    )


def help_markdown(rule: Rule) -> str:
    return (
        f"**{rule.code}** ({rule.name}): {rule.summary}\n\n{rule.why}\n\n"
        f"Wrong:\n\n```python\n{rule.wrong}\n```\n\nRight:\n\n```python\n{rule.right}\n```\n\n"
        f"Fix: {rule.fix_safety}. Silence one call with `# noqa: {rule.code}`."
    )


def explain(code: str) -> str:
    rule = RULES_BY_CODE[code.strip().upper()]
    lines = [
        f"{rule.code}: {rule.name} ({level(rule)})",
        "",
        rule.summary,
        "",
        rule.why,
        "",
        *([PREVIEW_NOTE, ""] if rule.preview else []),
        "Wrong:",
        _indented(rule.wrong),
        "",
        "Right:",
        _indented(rule.right),
        "",
        f"Fix: {rule.fix_safety}.",
        f"Silence one call with `# noqa: {rule.code}` on its first or last line; a whole file with a line"
        f" `# automodel-lint: noqa`.",
    ]
    return "\n".join(lines) + "\n"


def listing() -> str:
    lines = []
    for rule in sorted(RULES, key=lambda r: r.code):
        lines.append(f"{rule.code}  {rule.severity:<7}  {rule.name:<24}  {'(preview) ' * rule.preview}{rule.summary}")
        lines.append(f"{'':8}  fix: {rule.fix_safety}")
    return "\n".join(lines) + "\n"


def readme_table() -> str:
    rows = [
        "| Code | Name | Severity | What | Wrong | Right | Fix |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in sorted(RULES, key=lambda r: r.code):
        on = f" on transformers {rule.example_table}" if rule.example_table else ""
        cells = (
            rule.code, rule.name, level(rule), rule.summary,
            f"`{_call(rule.wrong, rule.right)}`{on}", f"`{_call(rule.right, rule.wrong)}`{on}", rule.fix_safety,
        )
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def _call(example: str, other: str) -> str:
    """The example's last statement that the other example does not hold (else its last), without the name it is
    bound to: the call the rule is about, or, for a rule about a later use, the line that makes the difference."""
    statements = [line for line in example.splitlines() if line.strip() and not line.startswith("#")]
    differing = [line for line in statements if line not in other.splitlines()]
    last = (differing or statements)[-1]
    target, equals, value = last.partition(" = ")
    return value if equals and target.isidentifier() else last
