"""Each rule's documented examples are tests, as Fixit's VALID/INVALID cases are: the wrong example gives exactly
its rule's code, the right one nothing, and `--fix --unsafe-fixes` turns the wrong one into the fixed text."""

import pytest

from automodel_lint.fixer import fix_source, select_fixes
from automodel_lint.rules import RULES

from conftest import judged


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_wrong_example_gives_exactly_its_code(rule):
    assert [d.code for d in judged(rule.wrong, rule.example_table)] == [rule.code]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_right_example_is_clean(rule):
    assert judged(rule.right, rule.example_table) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_fix_of_the_wrong_example_is_the_fixed_text(rule):
    diagnostics = judged(rule.wrong, rule.example_table)
    chosen, _ = select_fixes(diagnostics, unsafe=True)
    if rule.fixed is None:
        assert chosen == [] and all(d.fix is None for d in diagnostics)
        return
    outcome = fix_source(rule.wrong.encode(), chosen)
    assert outcome.error is None and not outcome.not_applied
    assert outcome.fixed.decode() == rule.fixed
    assert judged(rule.fixed, rule.example_table) == []  # what the fix made is clean

