"""Notebooks: code cells as one Python source, positions back to cells, and byte-exact rewriting."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from automodel_lint.analysis import _analyse_notebook
from automodel_lint.engine import analyse_source
from automodel_lint.notebooks import (
    NotebookError,
    Position,
    apply_fixed_source,
    read_notebook,
    replace_cell_sources,
    split_source,
)

SRC = str(Path(__file__).resolve().parent.parent / "src")


def code(source, **extra):
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source, **extra}


def markdown(source):
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def notebook(*cells, metadata=None):
    return {"cells": list(cells), "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}


def jupyter_bytes(nb):
    """As Jupyter writes it (nbformat.writes): sorted keys, one-space indent, UTF-8, final newline."""
    return (json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode()


DEMO = notebook(
    markdown(["# demo"]),
    code(["!pip install transformers\n", "from transformers import AutoModelForCausalLM\n",
          'm = AutoModelForCausalLM.from_pretrained("t5-small")\n']),
    code("%%bash\necho from_pretrained\n"),
    code(["for i in range(2):\n", "    %time f(i)\n", 'n = AutoModelForCausalLM.from_pretrained("t5-small")']),
)

# The writers a notebook may come from: Jupyter, plain json.dumps (ASCII escapes, insertion order),
# two-space indent (Colab, VS Code), and compact.
STYLES = {
    "jupyter": jupyter_bytes,
    "ascii-escaped": lambda nb: json.dumps(nb, indent=1).encode(),
    "two-spaces": lambda nb: (json.dumps(nb, indent=2, ensure_ascii=False) + "\n").encode(),
    "compact": lambda nb: json.dumps(nb, separators=(",", ":")).encode(),
    "crlf": lambda nb: json.dumps(nb, indent=1).replace("\n", "\r\n").encode() + b"\r\n",
    "bom": lambda nb: b"\xef\xbb\xbf" + jupyter_bytes(nb),
}


# Reading


def test_code_cells_become_one_source_with_escapes_neutralised():
    nb = read_notebook(jupyter_bytes(DEMO))
    assert nb.source == (
        "pass  # automodel-lint: ipython escape\n"
        "from transformers import AutoModelForCausalLM\n"
        'm = AutoModelForCausalLM.from_pretrained("t5-small")\n'
        "# automodel-lint: cell 4\n"
        "for i in range(2):\n"
        "    pass  # automodel-lint: ipython escape\n"
        'n = AutoModelForCausalLM.from_pretrained("t5-small")\n'
    )
    assert [nb.position(n) for n in (1, 3, 5, 7)] == [Position(1, 1), Position(1, 3), Position(3, 1), Position(3, 3)]


def test_the_engine_finds_calls_at_notebook_positions():
    nb = read_notebook(jupyter_bytes(DEMO))
    analysis = analyse_source("demo.ipynb", nb.source.encode())
    found = [(nb.position(s.span.line), s.span.column) for s in analysis.sites]
    assert found == [(Position(1, 3), 5), (Position(3, 3), 5)]


@pytest.mark.parametrize(
    "lines, python",
    [
        pytest.param(["!ls\n"], ["pass  # automodel-lint: ipython escape\n"], id="shell"),
        pytest.param(["!!ls\n"], ["pass  # automodel-lint: ipython escape\n"], id="shell-capture"),
        pytest.param(["%matplotlib inline\n"], ["pass  # automodel-lint: ipython escape\n"], id="line-magic"),
        pytest.param(["?len\n"], ["pass  # automodel-lint: ipython escape\n"], id="help-before"),
        pytest.param(["len??\n"], ["pass  # automodel-lint: ipython escape\n"], id="help-after"),
        pytest.param(["/print 1\n"], ["pass  # automodel-lint: ipython escape\n"], id="autocall"),
        pytest.param(["files = !ls\n"], ["files = ...  # automodel-lint: ipython escape\n"], id="assign-shell"),
        pytest.param(["a, b = %sx ls\n"], ["a, b = ...  # automodel-lint: ipython escape\n"], id="assign-magic"),
        pytest.param(["if x:\n", "  !ls\n"], ["if x:\n", "  pass  # automodel-lint: ipython escape\n"], id="in-a-block"),
        pytest.param(
            ["!echo a \\\n", "  b\n", "x = 1\n"],
            ["pass  # automodel-lint: ipython escape\n", "  # automodel-lint: ipython escape\n", "x = 1\n"],
            id="continued",
        ),
        # Not escapes: inside a string, a bracket, or a continued line, and ordinary Python.
        pytest.param(['s = """\n', "!not\n", '"""\n'], ['s = """\n', "!not\n", '"""\n'], id="in-a-string"),
        # These two are no escapes, so the cell does not parse: it is left out (its lines become comments).
        pytest.param(["f(a,\n", "  !b)\n"], ["# automodel-lint: ipython escape\n"] * 2, id="in-brackets"),
        pytest.param(["x = 1 + \\\n", "%2\n"], ["# automodel-lint: ipython escape\n"] * 2, id="after-backslash"),
        pytest.param(["x = a % b\n", "y = a != b  # why?\n"], ["x = a % b\n", "y = a != b  # why?\n"], id="python"),
        pytest.param(["s = 'what?'\n"], ["s = 'what?'\n"], id="question-in-string"),
    ],
)
def test_escapes(lines, python):
    nb = read_notebook(json.dumps(notebook(code(lines))).encode())
    assert nb.source.splitlines(keepends=True) == python


def test_cell_magic_cells_and_other_cells_are_left_out():
    nb = read_notebook(json.dumps(notebook(
        code("%%writefile a.py\nx = 1\n"), code("\n\n%%bash\nls\n"), markdown("x = 1"),
        {"cell_type": "raw", "source": "y"}, code("z = 2"),
    )).encode())
    assert nb.source == "z = 2\n"
    assert nb.position(1) == Position(4, 1)


def test_cell_magics_whose_body_is_python_are_read():
    nb = read_notebook(json.dumps(notebook(code("%%time\nx = 1\n"), code("%%capture out\ny = 2\n"))).encode())
    assert nb.source.splitlines()[1] == "x = 1" and "y = 2" in nb.source.splitlines()
    assert nb.position(2) == Position(0, 2)


def test_a_notebook_of_another_language_has_no_python():
    nb = notebook(code("x <- 1"), metadata={"kernelspec": {"language": "R", "name": "ir"}})
    assert read_notebook(json.dumps(nb).encode()).source == ""
    python = notebook(code("x = 1"), metadata={"kernelspec": {"language": "python", "name": "python3"}})
    assert read_notebook(json.dumps(python).encode()).source == "x = 1\n"


def test_positions_of_separators_and_beyond_the_end():
    nb = read_notebook(json.dumps(notebook(code("a = (\n"), code("b = 1\n"))).encode())
    # A parser reports the unclosed bracket at the separator: the line after cell 1's end.
    assert nb.source.splitlines()[1] == "# automodel-lint: cell 2"
    assert nb.position(2) == Position(0, 2)
    assert nb.position(4) == Position(1, 2)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"{not json", id="not-json"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(b"[]", id="not-an-object"),
        pytest.param(b'{"worksheets": []}', id="nbformat-3"),
        pytest.param(b'{"cells": [{"cell_type": "code", "source": [1, 2]}]}', id="bad-source"),
    ],
)
def test_not_a_notebook(data):
    with pytest.raises(NotebookError):
        read_notebook(data)


# Writing


@pytest.mark.parametrize("style", STYLES)
def test_unchanged_source_gives_identical_bytes(style):
    data = STYLES[style](DEMO)
    nb = read_notebook(data)
    assert split_source(nb, nb.source) == {}
    assert apply_fixed_source(data, nb, nb.source) is data


@pytest.mark.parametrize("style", STYLES)
def test_a_fix_changes_only_that_cells_source(style):
    data = STYLES[style](DEMO)
    nb = read_notebook(data)
    fixed = nb.source.replace('m = AutoModelForCausalLM', 'm = AutoModelForSeq2SeqLM')
    assert split_source(nb, fixed) == {
        1: '!pip install transformers\nfrom transformers import AutoModelForCausalLM\n'
           'm = AutoModelForSeq2SeqLM.from_pretrained("t5-small")\n'
    }
    new = apply_fixed_source(data, nb, fixed)
    expected = json.loads(data.decode("utf-8-sig"))
    expected["cells"][1]["source"][2] = 'm = AutoModelForSeq2SeqLM.from_pretrained("t5-small")\n'
    assert json.loads(new.decode("utf-8-sig")) == expected
    # Byte for byte, only the changed line's JSON string differs.
    old_line = json.dumps('m = AutoModelForCausalLM.from_pretrained("t5-small")\n').encode()
    new_line = json.dumps('m = AutoModelForSeq2SeqLM.from_pretrained("t5-small")\n').encode()
    assert new == data.replace(old_line, new_line)


def test_a_fix_that_adds_lines_keeps_escapes_and_the_missing_final_newline():
    data = jupyter_bytes(DEMO)
    nb = read_notebook(data)
    fixed = nb.source.replace(
        "for i in range(2):\n", "from transformers import AutoModelForSeq2SeqLM\nfor i in range(2):\n"
    ).replace("n = AutoModelForCausalLM", "n = AutoModelForSeq2SeqLM")
    changes = split_source(nb, fixed)
    assert changes == {
        3: "from transformers import AutoModelForSeq2SeqLM\nfor i in range(2):\n    %time f(i)\n"
           'n = AutoModelForSeq2SeqLM.from_pretrained("t5-small")'
    }
    new = json.loads(replace_cell_sources(data, changes))
    assert new["cells"][3]["source"] == [
        "from transformers import AutoModelForSeq2SeqLM\n", "for i in range(2):\n", "    %time f(i)\n",
        'n = AutoModelForSeq2SeqLM.from_pretrained("t5-small")',
    ]
    assert new["cells"][:3] == json.loads(data)["cells"][:3]


def test_string_sources_stay_strings():
    data = jupyter_bytes(notebook(code("x = 1\ny = 2\n"), code("z = 3")))
    nb = read_notebook(data)
    new = apply_fixed_source(data, nb, nb.source.replace("y = 2", "y = 20"))
    assert new == data.replace(b'"x = 1\\ny = 2\\n"', b'"x = 1\\ny = 20\\n"')


def test_non_ascii_is_written_as_the_file_did():
    nb_json = notebook(code(["s = 'café'\n", "x = 1\n"]))
    for ensure_ascii in (True, False):
        data = json.dumps(nb_json, indent=1, ensure_ascii=ensure_ascii).encode()
        nb = read_notebook(data)
        new = apply_fixed_source(data, nb, nb.source.replace("x = 1", "x = 2"))
        assert new == data.replace(b'"x = 1\\n"', b'"x = 2\\n"')


def test_an_empty_source_list_gets_the_documents_indentation():
    data = jupyter_bytes(notebook(code([]), code(["x = 1"])))
    new = replace_cell_sources(data, {0: "a = 1\nb = 2"})
    assert json.loads(new)["cells"][0]["source"] == ["a = 1\n", "b = 2"]
    assert b'   "source": [\n    "a = 1\\n",\n    "b = 2"\n   ]' in new


def test_a_lost_cell_boundary_is_refused():
    nb = read_notebook(jupyter_bytes(DEMO))
    with pytest.raises(NotebookError):
        split_source(nb, nb.source.replace("# automodel-lint: cell 4\n", ""))
    with pytest.raises(NotebookError):
        split_source(nb, nb.source.replace("    pass  # automodel-lint: ipython escape\n", ""))


def test_everything_but_the_source_is_kept():
    cell = code(["x = 1\n"], execution_count=3, outputs=[{"output_type": "stream", "name": "stdout", "text": ["1\n"]}])
    cell["metadata"] = {"tags": ["a"], "source": "not this one"}
    data = jupyter_bytes(notebook(cell, metadata={"source": "nor this"}))
    new = replace_cell_sources(data, {0: "x = 2\n"})
    expected = json.loads(data)
    expected["cells"][0]["source"] = ["x = 2\n"]
    assert json.loads(new) == expected
    assert new == data.replace(b'"x = 1\\n"', b'"x = 2\\n"')


# Hostile text: line separators other than Jupyter's, and lone surrogates


def jupyter_lines(text):
    """A source list as Jupyter writes it: one item per line, lines ending at \\n, \\r\\n or \\r only."""
    return [part for part in re.split(r"(?<=\n)|(?<=\r)(?!\n)", text) if part]


@pytest.mark.parametrize("ensure_ascii", [False, True], ids=["raw", "escaped"])
def test_a_line_separator_inside_a_line_stays_one_item(ensure_ascii):
    lines = ["x = 'a\u2028b\u2029c\x0cd\x1ce\x85f'\n", "y = 1\n"]
    data = json.dumps(notebook(code(lines)), indent=1, ensure_ascii=ensure_ascii).encode()
    nb = read_notebook(data)
    assert nb.positions == (Position(0, 1), Position(0, 2))
    new = apply_fixed_source(data, nb, nb.source.replace("y = 1", "y = 2"))
    assert new == data.replace(b'"y = 1\\n"', b'"y = 2\\n"')
    changed = apply_fixed_source(data, nb, nb.source.replace("a\u2028b", "A\u2028B"))
    assert json.loads(changed)["cells"][0]["source"] == ["x = 'A\u2028B\u2029c\x0cd\x1ce\x85f'\n", "y = 1\n"]


LONE = '"s = \'\\ud800\'\\n"'  # the JSON text of a source line holding a lone surrogate


def with_lone_surrogate(*lines):
    """Jupyter-style bytes of one code cell whose first line holds `\\ud800` (JSON allows it, UTF-8 cannot)."""
    return jupyter_bytes(notebook(code(["s = 'LONE'\n", *lines]))).replace(b"LONE", b"\\ud800")


def test_a_lone_surrogate_is_read_and_kept_byte_for_byte():
    data = with_lone_surrogate('m = AutoModelForCausalLM.from_pretrained("t5-small")\n')
    assert LONE.encode() in data
    nb = read_notebook(data)
    assert nb.source.startswith("s = '\ufffd'\n")  # one character for one: columns stay
    nb.source.encode("utf-8")
    new = apply_fixed_source(data, nb, nb.source.replace("AutoModelForCausalLM", "AutoModelForSeq2SeqLM"))
    assert new == data.replace(b"AutoModelForCausalLM", b"AutoModelForSeq2SeqLM")
    string_cell = jupyter_bytes(notebook(code("s = 'LONE'\nm = AutoModelForCausalLM.from_pretrained('t5')\n")))
    string_cell = string_cell.replace(b"LONE", b"\\ud800")
    nb = read_notebook(string_cell)
    new = apply_fixed_source(string_cell, nb, nb.source.replace("AutoModelForCausalLM", "AutoModelForSeq2SeqLM"))
    assert new == string_cell.replace(b"AutoModelForCausalLM", b"AutoModelForSeq2SeqLM")


def test_a_fix_of_the_line_holding_a_lone_surrogate_is_refused_for_that_notebook():
    data = jupyter_bytes(notebook(code(['m = AutoModelForCausalLM.from_pretrained("t5-small")  # LONE\n'])))
    nb = read_notebook(data.replace(b"LONE", b"\\udfff"))
    with pytest.raises(NotebookError, match="lone surrogate"):
        split_source(nb, nb.source.replace("AutoModelForCausalLM", "AutoModelForSeq2SeqLM"))


def test_lone_surrogates_end_to_end_only_their_line_is_refused(tmp_path):
    head = "from transformers import AutoModelForCausalLM\n"
    call = 'm = AutoModelForCausalLM.from_pretrained("t5-small")\n'
    files = {
        "readable.ipynb": with_lone_surrogate(head, call),
        "refused.ipynb": jupyter_bytes(notebook(code([head, call.replace("\n", "  # LONE\n")]))).replace(
            b"LONE", b"\\ud800"),
        "plain.py": (head + call).encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "AUTOMODEL_LINT_"))}
    env.update({"PYTHONPATH": SRC, "HF_HUB_OFFLINE": "1", "AUTOMODEL_LINT_CACHE_DIR": str(tmp_path / ".cache")})
    done = subprocess.run([sys.executable, "-m", "automodel_lint", "check", ".", "--fix"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "internal error" not in done.stderr, done.stderr
    fixed = {name: (tmp_path / name).read_bytes() for name in files}
    seq2seq = {name: data.replace(b"AutoModelForCausalLM", b"AutoModelForSeq2SeqLM") for name, data in files.items()}
    assert fixed == {"readable.ipynb": seq2seq["readable.ipynb"], "plain.py": seq2seq["plain.py"],
                     "refused.ipynb": files["refused.ipynb"]}
    assert "refused.ipynb: fix not applied: cell 1: a fix changed a line holding a lone surrogate" in done.stderr


from hypothesis import given, settings, strategies as st  # noqa: E402

SOURCE_TEXT = st.text(alphabet=st.sampled_from(list("ab =%!?#'\"\\()\n\r\t\u00e9\u2028")), max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    sources=st.lists(SOURCE_TEXT, min_size=1, max_size=4),
    as_lists=st.lists(st.booleans(), min_size=4, max_size=4),
    style=st.sampled_from(sorted(STYLES)),
    new=SOURCE_TEXT,
)
def test_any_notebook_round_trips(sources, as_lists, style, new):
    cells = [code(s.splitlines(keepends=True) if as_list else s) for s, as_list in zip(sources, as_lists)]
    data = STYLES[style](notebook(*cells))
    nb = read_notebook(data)
    assert split_source(nb, nb.source) == {}
    expected = json.loads(data.decode("utf-8-sig"))
    expected["cells"][0]["source"] = jupyter_lines(new) if as_lists[0] else new
    assert json.loads(replace_cell_sources(data, {0: new}).decode("utf-8-sig")) == expected


def test_a_doctest_prompt_cell_reports_the_column_the_cell_shows(tmp_path):
    """IPython takes `>>> ` off the lines of a cell pasted from a docstring; the column shown counts it back."""
    path = tmp_path / "pasted.ipynb"
    path.write_bytes(jupyter_bytes(notebook(code([
        ">>> from transformers import AutoModelForCausalLM\n",
        '>>> m = AutoModelForCausalLM.from_pretrained("google/flan-t5-base")\n',
        '... n = 1\n',
    ]))))
    r = subprocess.run([sys.executable, "-m", "automodel_lint", "check", "--offline", "--no-cache",
                        "--output-format", "json", str(path)], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=SRC))
    (found,) = json.loads(r.stdout)
    cell_line = '>>> m = AutoModelForCausalLM.from_pretrained("google/flan-t5-base")'
    assert (found["cell"], found["line"], found["column"]) == (1, 2, cell_line.index("AutoModel") + 1)
    assert found["end_column"] == len(cell_line) + 1


@pytest.mark.parametrize("lines", [
    ["config = BitsAndBytesConfig(\n", "    load_in_8bit=True,\n", ")\n"],  # llama-recipes' quickstart notebook
    ["def make_question(obj):\n", "    system = 'You are an analyst.\\n'\n", "    system += (\n",
     "        'Write a query.\\n'\n", "    )\n", "    return system\n"],
    ["ls, rest = 1, 2\n"],
])
def test_a_magic_name_followed_by_an_operator_is_python(lines):
    """`config`, `system`, `ls` are automagics only when no operator follows them (IPython's AssignmentChecker and
    PythonOpsChecker): read as Python, the cell parses and its call is judged."""
    nb = notebook(code(["from transformers import AutoModelForCausalLM\n", *lines,
                        'm = AutoModelForCausalLM.from_pretrained("t5-small")\n']))
    analysis = _analyse_notebook("n.ipynb", jupyter_bytes(nb))
    assert not analysis.result.diagnostics  # no HFA900: the cell parses
    assert [site.model for site in analysis.sites] == ["t5-small"]
    assert read_notebook(jupyter_bytes(nb)).source.count("config = BitsAndBytesConfig(") == lines[0].count("config")


def test_a_bare_automagic_line_is_still_a_magic():
    nb = notebook(code(["pip install transformers\n", "from transformers import AutoModelForCausalLM\n",
                        'm = AutoModelForCausalLM.from_pretrained("t5-small")\n']))
    analysis = _analyse_notebook("n.ipynb", jupyter_bytes(nb))
    assert not analysis.result.diagnostics and [site.model for site in analysis.sites] == ["t5-small"]
    assert "pip install" not in read_notebook(jupyter_bytes(nb)).source
