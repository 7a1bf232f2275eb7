"""The rules' documentation: complete for every rule, and the same text wherever it is shown."""

import re

from automodel_lint.rules import RULES, RULES_BY_CODE, docs

from conftest import ROOT


def test_codes_are_unique_and_documented():
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes)) == len(RULES_BY_CODE)
    for rule in RULES:
        assert rule.severity in ("error", "warning")
        assert rule.summary and rule.why and rule.fix_safety and rule.name
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)


def test_a_rule_without_a_judge_has_no_fix():
    """HFA900 is reported by the engine; a rule the engine reports cannot promise a fix."""
    for rule in RULES:
        if rule.judge is None and rule.judge_use is None:
            assert rule.fixed is None and rule.fix_safety == "none"


def test_readme_rules_table_is_the_rendered_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Rules\n", 1)[1].split("\n## ", 1)[0]
    table = "".join(line + "\n" for line in section.splitlines() if line.startswith("|"))
    assert table == docs.readme_table()


def test_readme_table_shows_each_rule_with_its_examples_call():
    table = docs.readme_table().splitlines()
    assert len(table) == 2 + len(RULES)
    for row, rule in zip(table[2:], sorted(RULES, key=lambda r: r.code)):
        assert row.startswith(f"| {rule.code} | {rule.name} | {docs.level(rule)} | {rule.summary} |")
        assert row.endswith(f"| {rule.fix_safety} |")
    hfa001 = next(row for row in table if row.startswith("| HFA001 "))
    wrong, right = '`AutoModelForSeq2SeqLM.from_pretrained("gpt2")`', '`AutoModelForCausalLM.from_pretrained("gpt2")`'
    assert f"| {wrong} | {right} |" in hfa001
    hfa007 = next(row for row in table if row.startswith("| HFA007 "))
    assert '`AutoModelForCausalLM.from_pretrained("deepseek-ai/DeepSeek-V3.2-Exp")` on transformers 4.57.6' in hfa007


def test_explain_shows_summary_why_examples_and_fix():
    for rule in RULES:
        text = docs.explain(rule.code.lower())
        preview = f"{docs.PREVIEW_NOTE}\n\n" if rule.preview else ""
        head = f"{rule.code}: {rule.name} ({docs.level(rule)})\n\n{rule.summary}\n\n{rule.why}\n\n{preview}Wrong:\n"
        assert text.startswith(head)
        for line in (rule.wrong + rule.right).splitlines():
            assert (f"    {line}" if line else "") + "\n" in text
        assert f"\nFix: {rule.fix_safety}.\n" in text and f"`# noqa: {rule.code}`" in text


def test_listing_names_every_rule_in_code_order():
    lines = docs.listing().splitlines()
    assert [line.split()[0] for line in lines[::2]] == sorted(RULES_BY_CODE)
    for line in lines[1::2]:
        assert line.startswith(" " * 10 + "fix: ")


def test_sarif_help_renders_the_rule():
    rule = RULES_BY_CODE["HFA002"]
    assert docs.full_description(rule) == f"{rule.summary} {rule.why}"
    assert f"```python\n{rule.wrong}\n```" in docs.help_markdown(rule)
    assert "    model = AutoModelForSeq2SeqLM.from_pretrained" in docs.help_text(rule)
