"""`# noqa` tables: each case is a source, the codes reported on its lines, and the ones that must survive."""

import pytest
from hypothesis import given, settings, strategies as st

from automodel_lint.noqa import filter_noqa
from automodel_lint.records import Diagnostic, Span


def diag(code="HFA001", line=1, end_line=None):
    return Diagnostic("x.py", Span(line, 1, end_line or line, 10), code, "error", "message")


def kept(source, diagnostics):
    return [(d.code, d.span.line) for d in filter_noqa(source.splitlines(keepends=True), diagnostics)]


CALL = 'm = AutoModelForSeq2SeqLM.from_pretrained("gpt2")'


@pytest.mark.parametrize(
    "comment, survives",
    [
        pytest.param("", True, id="no-comment"),
        pytest.param("  # noqa", False, id="blanket"),
        pytest.param("  # NOQA", False, id="upper-case"),
        pytest.param("  # NoQa", False, id="mixed-case"),
        pytest.param("  # noqa: HFA001", False, id="own-code"),
        pytest.param("  # noqa:HFA001", False, id="no-space"),
        pytest.param("  # noqa: hfa001", False, id="lower-case-code"),
        pytest.param("  # noqa: HFA002", True, id="other-code"),
        pytest.param("  # noqa: HFA002,HFA001", False, id="list"),
        pytest.param("  # noqa: HFA002, HFA001", False, id="list-with-space"),
        pytest.param("  # noqa: HFA002 HFA001", False, id="space-separated"),
        pytest.param("  # noqa: HFA0", False, id="prefix"),
        pytest.param("  # noqa: E501", True, id="flake8-code-only"),
        pytest.param("  # type: ignore  # noqa: HFA001", False, id="after-another-comment"),
        pytest.param("  # noqa: HFA001 because the checkpoint is patched", False, id="with-reason"),
        # Malformed: exactly what flake8 does with them (the regex falls back to a bare `# noqa`).
        pytest.param("  # noqa:", False, id="colon-nothing"),
        pytest.param("  # noqa : xyz", False, id="space-before-colon"),
        pytest.param("  # noqa:xyz", False, id="not-a-code"),
        pytest.param("  #noqa", True, id="no-space-after-hash-flake8-ignores-it"),
        pytest.param("  # noqa123", False, id="glued"),
    ],
)
def test_inline(comment, survives):
    assert kept(CALL + comment + "\n", [diag()]) == ([("HFA001", 1)] if survives else [])


def test_letters_only_prefix_is_read_like_flake8():
    # flake8's code pattern needs digits, so `# noqa: HFA` is a bare `# noqa` with trailing text.
    assert kept(CALL + "  # noqa: HFA\n", [diag()]) == []


@pytest.mark.parametrize(
    "source, survives",
    [
        pytest.param('m = A.from_pretrained(\n    "gpt2",\n)  # noqa: HFA001\n', False, id="last-line"),
        pytest.param('m = A.from_pretrained(  # noqa: HFA001\n    "gpt2",\n)\n', False, id="first-line"),
        pytest.param('m = A.from_pretrained(\n    "gpt2",  # noqa: HFA001\n)\n', True, id="middle-line-does-not"),
        pytest.param('m = A.from_pretrained(\n    "gpt2",\n)\nx = 1  # noqa\n', True, id="next-statement-does-not"),
    ],
)
def test_multi_line_call(source, survives):
    assert kept(source, [diag(line=1, end_line=3)]) == ([("HFA001", 1)] if survives else [])


@pytest.mark.parametrize(
    "source, codes_left",
    [
        pytest.param("# automodel-lint: noqa\n" + CALL + "\n", [], id="file-level"),
        pytest.param(CALL + "\n\n#   Automodel-Lint :  NOQA  \n", [], id="anywhere-any-case"),
        pytest.param("# automodel-lint: noqa: HFA002\n" + CALL + "\n", ["HFA001"], id="file-level-codes"),
        pytest.param("x = 1  # automodel-lint: noqa\n" + CALL + "\n", ["HFA001", "HFA002"], id="not-on-own-line"),
        pytest.param("# automodel-lint: noqa: ???\n" + CALL + "\n", ["HFA001", "HFA002"], id="malformed-ignored"),
        pytest.param('"""\n# automodel-lint: noqa\n"""\n' + CALL + "\n", ["HFA001", "HFA002"], id="in-a-docstring"),
    ],
)
def test_file_level(source, codes_left):
    line = source.splitlines().index(CALL) + 1
    got = kept(source, [diag("HFA001", line), diag("HFA002", line)])
    assert [code for code, _ in got] == codes_left


@pytest.mark.parametrize(
    "source",
    [
        pytest.param('m = A.from_pretrained("gpt2  # noqa")\n', id="in-a-string"),
        pytest.param('m = A.from_pretrained("""gpt2\n# noqa\n""")\n', id="in-a-multi-line-string"),
        pytest.param('m = A.from_pretrained(f"{x}  # noqa")\n', id="in-an-f-string"),
    ],
)
def test_only_real_comments_count(source):
    assert kept(source, [diag(line=1, end_line=source.count("\n"))]) == [("HFA001", 1)]


@pytest.mark.parametrize(
    "source",
    [
        pytest.param('m = A.from_pretrained("gpt2"  # noqa\n', id="unclosed-bracket"),
        pytest.param('m = A.from_pretrained("gpt2")  # noqa\nx = """never closed\n', id="unterminated-string"),
        pytest.param('m = A.from_pretrained("gpt2")  # noqa\n  y = 1\n z = 2\n', id="bad-dedent"),
        pytest.param('m = A.from_pretrained("gpt2")  # noqa\nx = 1 \0 2\n', id="nul-byte"),
    ],
)
def test_tokenize_errors_keep_the_comments_before_them(source):
    assert kept(source, [diag()]) == []


def test_no_comment_no_tokenizing_needed():
    diagnostics = [diag(line=n) for n in (1, 2)]
    assert filter_noqa(["a\n", "b\n"], diagnostics) == diagnostics


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("#noqa: HFA001,\"'\\\n()x=\t{}fr")), max_size=80))
def test_never_crashes(text):
    filter_noqa(text.splitlines(keepends=True), [diag(line=1, end_line=2)])
