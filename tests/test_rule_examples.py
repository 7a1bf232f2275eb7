"""Each rule's documented examples are tests, as Fixit's VALID/INVALID cases are: the wrong example gives exactly
its rule's code, the right one nothing, and `--fix --unsafe-fixes` turns the wrong one into the fixed text."""

import pytest

from automodel_lint.facts.resolver import Resolver
from automodel_lint.fixer import fix_source, select_fixes
from automodel_lint.records import TokenizerFacts, Unresolved
from automodel_lint.rules import RULES

from conftest import judged

# The tokenizer facts the examples are judged with, as the checkpoints' tokenizer_config.json files say them
# (facebook/opt-125m: GPT2Tokenizer, no padding side, no chat template; Qwen2.5 Instruct: a chat template).
EXAMPLE_TOKENIZERS = {
    "facebook/opt-125m": TokenizerFacts("facebook/opt-125m", "GPT2Tokenizer", None, False, False),
    "Qwen/Qwen2.5-0.5B-Instruct": TokenizerFacts("Qwen/Qwen2.5-0.5B-Instruct", "Qwen2Tokenizer", None, True, False),
}


@pytest.fixture(autouse=True)
def example_tokenizer_facts(monkeypatch):
    def resolve_tokenizers(self, requests):
        return {r: EXAMPLE_TOKENIZERS.get(r.model) or Unresolved(r.model, "not an example's") for r in requests}

    monkeypatch.setattr(Resolver, "resolve_tokenizers", resolve_tokenizers)


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

