"""Fixes of a call's arguments (`Fix.keyword`): one keyword added or set, laid out like its neighbours, and
refused where the value or the call makes the edit uncertain."""

import pytest

from automodel_lint.fixer import fix_source
from automodel_lint.records import Diagnostic, Fix, Span


def _span_of(source: str, text: str) -> Span:
    """The span of the call `text` in `source` (1-based columns, end exclusive), found by hand."""
    start = source.index(text)
    line = source.count("\n", 0, start) + 1
    column = start - (source.rfind("\n", 0, start) + 1) + 1
    end = start + len(text)
    end_line = source.count("\n", 0, end) + 1
    end_column = end - (source.rfind("\n", 0, end) + 1) + 1
    return Span(line, column, end_line, end_column)


def _fix(source: str, call: str, keyword=("mlm", "False"), applicability="safe"):
    diag = Diagnostic("t.py", _span_of(source, call), "HFA010", "warning", "m",
                      fix=Fix(applicability, keyword=keyword))
    return fix_source(source.encode(), [diag])


HEAD = "from transformers import DataCollatorForLanguageModeling\n"


@pytest.mark.parametrize("call, fixed", [
    ("DataCollatorForLanguageModeling(tok)", "DataCollatorForLanguageModeling(tok, mlm=False)"),
    ("DataCollatorForLanguageModeling(tok, mlm=True)", "DataCollatorForLanguageModeling(tok, mlm=False)"),
    ("DataCollatorForLanguageModeling(\n    tokenizer=tok,\n    pad_to_multiple_of=8,\n)",
     "DataCollatorForLanguageModeling(\n    tokenizer=tok,\n    pad_to_multiple_of=8,\n    mlm=False,\n)"),
    ("DataCollatorForLanguageModeling(\n    tok\n)", "DataCollatorForLanguageModeling(\n    tok,\n    mlm=False\n)"),
])
def test_keyword_added_or_set(call, fixed):
    source = HEAD + f"collator = {call}  # kept\nother = DataCollatorForLanguageModeling(tok)\n"
    outcome = _fix(source, call)
    assert outcome.error is None and len(outcome.applied) == 1, outcome.not_applied
    rest = "  # kept\nother = DataCollatorForLanguageModeling(tok)\n"
    assert outcome.fixed.decode() == HEAD + f"collator = {fixed}{rest}"
    # Where the fixed call now sits, for the re-check: it starts where it started.
    assert (outcome.moved[0].line, outcome.moved[0].column) == (2, 12)


def test_a_pin_on_a_from_pretrained_call_keeps_its_class():
    source = ('from transformers import AutoModel\n'
              'm = AutoModel.from_pretrained("org/x", trust_remote_code=True)\n')
    outcome = _fix(source, 'AutoModel.from_pretrained("org/x", trust_remote_code=True)',
                   keyword=("revision", '"' + "a" * 40 + '"'), applicability="unsafe")
    assert outcome.fixed.decode() == source.replace("True)", 'True, revision="' + "a" * 40 + '")')


@pytest.mark.parametrize("keyword, call, reason", [
    (("mlm", "print('x')"), "DataCollatorForLanguageModeling(tok)", "not a literal value"),
    (("mlm", "flag"), "DataCollatorForLanguageModeling(tok)", "not a literal value"),
    (("class", "False"), "DataCollatorForLanguageModeling(tok)", "not a keyword argument name"),
    (("mlm", "False"), "DataCollatorForLanguageModeling(tok, **options)", "may already hold mlm"),
])
def test_refused(keyword, call, reason):
    source = HEAD + f"collator = {call}\n"
    outcome = _fix(source, call, keyword=keyword)
    assert outcome.fixed == source.encode()
    assert [reason in n.reason for n in outcome.not_applied] == [True]


def test_no_call_at_the_span_is_refused():
    source = HEAD + "collator = DataCollatorForLanguageModeling(tok)\n"
    diag = Diagnostic("t.py", Span(2, 1, 2, 9), "HFA010", "warning", "m", fix=Fix("safe", keyword=("mlm", "False")))
    outcome = fix_source(source.encode(), [diag])
    assert outcome.fixed == source.encode() and "no call at this position" in outcome.not_applied[0].reason


def test_a_rename_and_a_keyword_in_one_file():
    source = ('from transformers import AutoModelForCausalLM, DataCollatorForLanguageModeling\n'
              'c = DataCollatorForLanguageModeling(tok); m = AutoModelForCausalLM.from_pretrained("t5-small")\n')
    call = 'AutoModelForCausalLM.from_pretrained("t5-small")'
    rename = Diagnostic("t.py", _span_of(source, call), "HFA001", "error", "m", called="AutoModelForCausalLM",
                        fix=Fix("safe", "AutoModelForSeq2SeqLM"))
    keyword = Diagnostic("t.py", _span_of(source, "DataCollatorForLanguageModeling(tok)"), "HFA010", "warning",
                         "m", fix=Fix("safe", keyword=("mlm", "False")))
    outcome = fix_source(source.encode(), [rename, keyword])
    fixed = outcome.fixed.decode()
    assert 'DataCollatorForLanguageModeling(tok, mlm=False); m = AutoModelForSeq2SeqLM.from_pretrained' in fixed
    # The renamed call moved right by the added keyword; the re-check looks for it there.
    line = fixed.splitlines()[1]
    assert outcome.moved[0].column == line.index("AutoModelForSeq2SeqLM") + 1
