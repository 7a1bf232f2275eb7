"""Each rule's documented examples are tests: the wrong one gives exactly its code, the right one nothing."""

import pytest

from automodel_lint.rules import RULES

from conftest import judged


def diagnose(source: str, version: str | None = None):
    """The codes the example gives, judged with the table of `version` (a rule about versions names one)."""
    return [d.code for d in judged(source, version)]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_wrong_example_gives_exactly_its_code(rule):
    assert diagnose(rule.wrong, rule.example_table) == [rule.code]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_right_example_is_clean(rule):
    assert diagnose(rule.right, rule.example_table) == []


def test_codes_are_unique_and_documented():
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    for rule in RULES:
        assert rule.severity in ("error", "warning")
        assert rule.summary and rule.fix and rule.name
