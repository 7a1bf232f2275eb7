"""ruff's flags on the real command line (`python -m automodel_lint check ...`): what each prints and exits with."""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

BAD = ('from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, pipeline\n'
       'a = AutoModelForCausalLM.from_pretrained("google/flan-t5-base")\n'
       'b = AutoModelForSeq2SeqLM.from_pretrained("gpt2")\n'
       'c = pipeline("summarization", model="facebook/bart-large-cnn")\n')


def run(*args, cwd, env=None):
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    e.update(HF_HUB_OFFLINE="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "automodel_lint", "check", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120, env=e)


@pytest.fixture
def project(tmp_path):
    # The project targets 5.24 whatever transformers this suite runs beside: BAD's pipeline task was removed there.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.automodel-lint]\nexclude = ["legacy/*"]\ntarget-transformers = "5.24"\n')
    for name in ("src/train.py", "legacy/old.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(BAD)
    return tmp_path


def test_statistics_counts_per_code_instead_of_listing(project):
    r = run("--statistics", "src", cwd=project)
    assert r.returncode == 1
    assert r.stdout.splitlines()[:2] == ["2\tHFA001\t[*] unloadable-checkpoint",
                                         "1\tHFA005\t[ ] pipeline-task-mismatch"]
    assert "train.py:" not in r.stdout
    rows = json.loads(run("--statistics", "--output-format", "json", "src", cwd=project).stdout)
    assert rows[0] == {"code": "HFA001", "name": "unloadable-checkpoint", "count": 2, "fixable": True}


def test_show_fixes_lists_what_fix_would_apply_and_what_it_applied(project):
    r = run("--show-fixes", "src", cwd=project)
    assert "Would fix 2 errors:\n- src/train.py:\n    2 × HFA001 (unloadable-checkpoint)" in r.stdout
    r = run("--show-fixes", "--fix", "src", cwd=project)
    assert "Fixed 2 errors:\n- src/train.py:\n    2 × HFA001 (unloadable-checkpoint)" in r.stdout
    assert r.returncode == 1


def test_quiet_drops_the_summary_and_silent_prints_nothing(project):
    quiet = run("-q", "src", cwd=project)
    assert quiet.returncode == 1 and "src/train.py:2:5: HFA001" in quiet.stdout
    assert "Found" not in quiet.stdout + quiet.stderr
    silent = run("--silent", "src", cwd=project)
    assert silent.returncode == 1 and silent.stdout == ""


@pytest.mark.parametrize("flag, env, coloured", [
    ("always", {}, True), ("never", {"FORCE_COLOR": "1"}, False), ("auto", {}, False),
    ("auto", {"FORCE_COLOR": "1"}, True), ("always", {"NO_COLOR": "1"}, True),
])
def test_colour_follows_the_flag_then_force_color_then_the_terminal(project, flag, env, coloured):
    r = run("--color", flag, "src", cwd=project, env=env)  # stdout is a pipe: auto means no colour
    assert ("\x1b[" in r.stdout) is coloured and r.returncode == 1


def test_extend_select_and_extend_ignore_add_to_the_chosen_codes(project):
    r = run("--select", "HFA001", "--extend-select", "HFA005", "--output-format", "json", "src", cwd=project)
    assert sorted({d["code"] for d in json.loads(r.stdout)}) == ["HFA001", "HFA005"]
    r = run("--ignore", "HFA001", "--extend-ignore", "HFA005", "--output-format", "json", "src", cwd=project)
    assert json.loads(r.stdout) == [] and r.returncode == 0


@pytest.mark.parametrize("flag", ["--select", "--ignore", "--extend-select", "--extend-ignore"])
def test_an_unknown_code_is_an_error_naming_it_and_the_known_ones(project, flag):
    r = run(flag, "HFA999", "src", cwd=project)
    assert r.returncode == 2 and "HFA999" in r.stderr and "HFA001" in r.stderr and r.stdout == ""
    assert run(flag, "HFA0", "src", cwd=project).returncode in (0, 1)  # a prefix of known codes is fine


def test_an_unknown_code_in_the_config_is_an_error(project):
    (project / "pyproject.toml").write_text('[tool.automodel-lint]\nextend-ignore = ["HFA7"]\ntarget-transformers = "5.24"\n')
    r = run("src", cwd=project)
    assert r.returncode == 2 and "HFA7" in r.stderr and "extend-ignore" in r.stderr


def test_a_missing_path_is_an_error_without_a_summary(project):
    r = run("src", "does/not/exist.py", cwd=project)
    assert r.returncode == 2 and "does/not/exist.py: No such file or directory" in r.stderr
    assert "All checks passed" not in r.stdout + r.stderr and "Found" not in r.stdout


def test_force_exclude_applies_the_config_exclude_to_named_files(project):
    assert "legacy/old.py:2:5" in run("legacy/old.py", cwd=project).stdout  # named: checked, as before
    r = run("--force-exclude", "legacy/old.py", "src/train.py", cwd=project)
    assert "old.py" not in r.stdout and "src/train.py:2:5" in r.stdout


def test_paths_are_relative_to_the_current_folder_in_every_format(project):
    src = project / "src"
    run("train.py", cwd=project)  # warm the results cache from another folder first
    assert run("train.py", cwd=src).stdout.startswith("train.py:2:5: HFA001")
    assert run(str(src / "train.py"), cwd=src).stdout.startswith("train.py:2:5: HFA001")  # absolute under cwd
    assert run("../src/train.py", cwd=src).stdout.startswith("../src/train.py:2:5:")  # outside: as given
    assert json.loads(run("--output-format", "json", str(src), cwd=project).stdout)[0]["path"] == "src/train.py"
    assert "file=src/train.py," in run("--output-format", "github", str(src), cwd=project).stdout


def test_show_settings_says_where_each_value_came_from(project):
    r = run("--show-settings", "--ignore", "HFA002", "src", cwd=project, env={"AUTOMODEL_LINT_CACHE_DIR": "/x"})
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert f"exclude = legacy/*  ({project / 'pyproject.toml'})" in lines
    assert "ignore = HFA002  (flag)" in lines and "cache-dir = /x  (environment)" in lines
    assert "select = all rules  (default)" in lines


def test_full_is_the_default_and_shows_the_source_line_with_a_marker(project):
    r = run("src", cwd=project)
    out = r.stdout.splitlines()
    i = out.index('3 | b = AutoModelForSeq2SeqLM.from_pretrained("gpt2")')
    assert out[i - 2].startswith("src/train.py:3:5: HFA001 [*] ") and out[i - 1] == "  |"
    assert out[i + 1] == "  |     " + "^" * len('AutoModelForSeq2SeqLM.from_pretrained("gpt2")') + " HFA001"
    assert "  = help: automodel-lint explain HFA001" in out


def test_concise_and_text_are_one_line_each(project):
    for fmt in ("concise", "text"):
        r = run("--output-format", fmt, "src", cwd=project)
        assert [x.split(":")[0:3] for x in r.stdout.splitlines()[:3]] == [
            ["src/train.py", "2", "5"], ["src/train.py", "3", "5"], ["src/train.py", "4", "5"]]


def test_json_lines_gitlab_and_junit(project):
    lines = run("--output-format", "json-lines", "src", cwd=project).stdout.splitlines()
    objects = [json.loads(x) for x in lines]
    assert [o["line"] for o in objects] == [2, 3, 4] and all("detail" in o for o in objects)
    gitlab = json.loads(run("--output-format", "gitlab", "src", cwd=project).stdout)
    assert [i["check_name"] for i in gitlab] == ["HFA001", "HFA001", "HFA005"]
    assert len({i["fingerprint"] for i in gitlab}) == 3 and gitlab[0]["location"]["path"] == "src/train.py"
    suite = ET.fromstring(run("--output-format", "junit", "src", cwd=project).stdout)
    cases = suite.findall("./testsuite/testcase")
    assert suite.get("failures") == "3" and [c.get("line") for c in cases] == ["2", "3", "4"]


def test_add_noqa_silences_each_reported_line_and_nothing_else(project):
    target = project / "src" / "train.py"
    text = BAD.replace('"gpt2")\n', '"gpt2")  # noqa: E501\n').replace("import (", "import (")
    text += 'd = AutoModelForCausalLM.from_pretrained(\n    """google/flan-t5-base""",\n)\n'
    target.write_bytes(text.replace("\n", "\r\n").encode())
    r = run("--add-noqa", "src", cwd=project)
    assert r.returncode == 0 and "Added 4 noqa directives." in r.stderr
    after = target.read_bytes().decode()
    assert '"gpt2")  # noqa: E501, HFA001\r\n' in after
    assert 'from_pretrained("google/flan-t5-base")  # noqa: HFA001\r\n' in after
    assert "d = AutoModelForCausalLM.from_pretrained(  # noqa: HFA001\r\n" in after
    assert re.sub(r"  # noqa: HFA\d+|, HFA001", "", after) == text.replace("\n", "\r\n")
    assert run("src", cwd=project).returncode == 0


def test_add_noqa_uses_the_last_line_when_the_first_ends_with_a_continuation(project):
    target = project / "src" / "train.py"
    target.write_text('from transformers import AutoModelForCausalLM\n'
                      'a = AutoModelForCausalLM \\\n    .from_pretrained("google/flan-t5-base")\n')
    assert run("--add-noqa", "src", cwd=project).returncode == 0
    assert target.read_text().endswith(' \\\n    .from_pretrained("google/flan-t5-base")  # noqa: HFA001\n')
    assert run("src", cwd=project).returncode == 0


def test_add_noqa_edits_a_notebooks_cells_and_keeps_the_rest_of_its_json(project):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3"}},
          "cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Demo é\n"]},
                    {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [], "id": "a",
                     "source": ["%pip install transformers\n",
                                "from transformers import AutoModelForCausalLM\n",
                                "m = AutoModelForCausalLM.from_pretrained(\"google/flan-t5-base\")  # first"]},
                    {"cell_type": "code", "metadata": {}, "execution_count": 2, "outputs": [], "id": "b",
                     "source": ["ok = AutoModelForCausalLM.from_pretrained(\"gpt2\")\n"]}]}
    target = project / "src" / "demo.ipynb"
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    target.write_text(text, encoding="utf-8")
    r = run("--add-noqa", "src", cwd=project)
    assert r.returncode == 0 and "Added 4 noqa directives." in r.stderr, r.stderr  # 3 in src/train.py
    after = json.loads(target.read_text(encoding="utf-8"))
    assert after["cells"][1]["source"] == nb["cells"][1]["source"][:2] + [
        'm = AutoModelForCausalLM.from_pretrained("google/flan-t5-base")  # first  # noqa: HFA001']
    after["cells"][1]["source"] = nb["cells"][1]["source"]
    assert after == nb  # nothing else in the notebook changed
    assert "%pip install" in target.read_text(encoding="utf-8") and "Demo é" in target.read_text(encoding="utf-8")
    assert run("src", cwd=project).returncode == 0
