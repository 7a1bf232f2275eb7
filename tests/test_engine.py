"""The pipeline as a whole: one file's failure stays that file's, positions agree with the fixer's, notebook
diagnostics are placed in cells only where they are shown, and the call kinds are defined once."""

import json
import subprocess
import sys

import pytest

from automodel_lint import engine
from automodel_lint.engine import Options, check_paths

WRONG = 'from transformers import AutoModelForSeq2SeqLM\nm = AutoModelForSeq2SeqLM.from_pretrained("gpt2")\n'
NOTEBOOK_CALL = 'from transformers import AutoModelForSeq2SeqLM\nAutoModelForSeq2SeqLM.from_pretrained("gpt2")\n'


def cli(root, *args):
    return subprocess.run([sys.executable, "-m", "automodel_lint", "check", "--offline", *args, "."],
                          capture_output=True, text=True, cwd=root, timeout=120)


def surrogate_notebook() -> str:
    """A notebook whose JSON holds a lone surrogate escape, which no UTF-8 text can hold."""
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": ["from transformers import AutoModel\n", 'x = "@"\n', 'AutoModel.from_pretrained("gpt2")\n']}
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb).replace("@", "\\ud800")


def test_a_notebook_with_a_lone_surrogate_does_not_stop_the_run(tmp_path, monkeypatch):
    (tmp_path / "bad.ipynb").write_text(surrogate_notebook(), encoding="ascii")
    (tmp_path / "wrong.py").write_text(WRONG)
    monkeypatch.chdir(tmp_path)
    report = check_paths(["."], Options(offline=True))
    assert [(d.path, d.code) for d in report.diagnostics] == [("wrong.py", "HFA001")]
    notebook = next(f for f in report.files if f.path.endswith("bad.ipynb"))
    # Either read (once notebooks can hold such text) or named in a skip note; never the run's end.
    assert notebook.skipped is None or notebook.skipped.isprintable()

    checked = cli(tmp_path)
    assert checked.returncode == 1, checked.stderr
    assert "wrong.py:2:5: HFA001" in checked.stdout
    assert "automodel-lint: internal error" not in checked.stderr
    assert all("skipped" in line for line in checked.stderr.splitlines() if "bad.ipynb" in line)

    fixed = cli(tmp_path, "--fix")
    assert fixed.returncode == 1, fixed.stderr
    assert "AutoModelForCausalLM" in (tmp_path / "wrong.py").read_text()


def test_any_unexpected_failure_reading_a_file_is_its_skip_note(tmp_path, monkeypatch):
    import automodel_lint.analysis as analysis

    (tmp_path / "a.py").write_text(WRONG)
    (tmp_path / "b.py").write_text(WRONG)
    monkeypatch.chdir(tmp_path)
    real = analysis.analyse_source

    def flaky(path, data, *rest):
        if path.endswith("a.py"):
            raise ValueError("surprise \x1b]0;title\x07")
        return real(path, data, *rest)

    monkeypatch.setattr(analysis, "analyse_source", flaky)
    report = check_paths(["."], Options(offline=True, result_cache=True))
    assert [(d.path, d.code) for d in report.diagnostics] == [("b.py", "HFA001")]
    (skipped,) = report.skipped
    assert skipped.path.endswith("a.py")
    assert "ValueError: surprise" in skipped.skipped and skipped.skipped.isprintable()
    # The failure is not remembered: once the reading works, the next run judges the file.
    monkeypatch.setattr(analysis, "analyse_source", real)
    again = check_paths(["."], Options(offline=True, result_cache=True))
    assert sorted(d.path for d in again.diagnostics) == ["a.py", "b.py"] and not again.skipped


def test_an_unexpected_failure_judging_a_file_is_its_skip_note(tmp_path, monkeypatch):
    (tmp_path / "a.py").write_text(WRONG)
    (tmp_path / "b.py").write_text(WRONG)
    monkeypatch.chdir(tmp_path)
    real = engine.diagnose

    def flaky(site, facts, table, preview=False):
        if site.path.endswith("a.py"):
            raise RuntimeError("rule crashed")
        return real(site, facts, table, preview)

    monkeypatch.setattr(engine, "diagnose", flaky)
    report = check_paths(["."], Options(offline=True, result_cache=True))
    assert [(d.path, d.code) for d in report.diagnostics] == [("b.py", "HFA001")]
    assert [(f.path, "RuntimeError: rule crashed" in f.skipped) for f in report.skipped] == [("a.py", True)]
    # Its verdicts were not kept: a warm run judges it again rather than calling it clean.
    monkeypatch.setattr(engine, "diagnose", real)
    again = check_paths(["."], Options(offline=True, result_cache=True))
    assert sorted(d.path for d in again.diagnostics) == ["a.py", "b.py"] and not again.skipped


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_an_interrupt_still_stops_the_run(tmp_path, monkeypatch, stop):
    import automodel_lint.analysis as analysis

    (tmp_path / "a.py").write_text(WRONG)
    monkeypatch.chdir(tmp_path)

    def interrupted(path, data, *rest):
        raise stop()

    monkeypatch.setattr(analysis, "analyse_source", interrupted)
    with pytest.raises(stop):
        check_paths(["."], Options(offline=True))


def test_a_wrong_encoding_cookie_is_reported_at_line_and_column_one():
    source = b"# -*- coding: nonexistent -*-\nfrom transformers import AutoModel\nAutoModel.from_pretrained('x')\n"
    (d,) = engine.analyse_source("t.py", source).result.diagnostics
    assert d.code == "HFA900" and "nonexistent" in d.message
    assert (d.span.line, d.span.column, d.span.end_line, d.span.end_column) == (1, 1, 1, 1)


@pytest.mark.parametrize("char", ["\f", "\u2028", "\x1c"], ids=["form-feed", "line-separator", "file-separator"])
def test_characters_the_parsers_count_differently_do_not_lose_the_fix(tmp_path, char):
    # The character in a comment line and in a string just before the call, on the call's line.
    source = (f"from transformers import AutoModelForSeq2SeqLM\n# note {char} here\n"
              f"s = 'é{char}'; m = AutoModelForSeq2SeqLM.from_pretrained('gpt2')\n")
    path = tmp_path / "a.py"
    path.write_text(source, encoding="utf-8")
    checked = cli(tmp_path, "--no-cache")
    # LibCST's column, the one the fixer looks the call up by.
    assert "a.py:3:15: HFA001 [*]" in checked.stdout, checked.stdout
    fixed = cli(tmp_path, "--no-cache", "--fix")
    assert "fix not applied" not in fixed.stderr, fixed.stderr
    assert path.read_text(encoding="utf-8") == source.replace("AutoModelForSeq2SeqLM", "AutoModelForCausalLM")


def test_notebook_diagnostics_are_in_cells_when_shown_and_in_the_joined_source_for_fixing(tmp_path, monkeypatch):
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": text}
             for text in ("import os\n", NOTEBOOK_CALL)]
    (tmp_path / "demo.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                                     "nbformat_minor": 5}))
    monkeypatch.chdir(tmp_path)
    report = check_paths(["."], Options(offline=True))
    (shown,) = report.diagnostics
    assert (shown.cell, shown.span.line, shown.span.column) == (2, 2, 1)
    (joined,) = report.files[0].diagnostics
    assert joined.cell is None and joined.span.line > shown.span.line
    assert "demo.ipynb:2:2:1: HFA001" in cli(tmp_path, "--no-cache").stdout
    assert cli(tmp_path, "--no-cache", "--fix").returncode == 1
    fixed = json.loads((tmp_path / "demo.ipynb").read_text())
    assert "".join(fixed["cells"][1]["source"]) == NOTEBOOK_CALL.replace("Seq2SeqLM", "CausalLM")


def test_the_call_kinds_are_one_table():
    from automodel_lint import calls, relevance

    assert calls.CALL_NAMES == {"from_pretrained", "from_config", "pipeline"}
    assert calls.CLASS_METHODS == {"from_pretrained", "from_config"}
    assert relevance.CALL_NAMES is calls.CALL_NAMES
    assert all(calls.may_hold_calls(b"x." + name.encode() + b"(") for name in calls.CALL_NAMES)
    assert not calls.may_hold_calls(b"from_pretrain(x)")
