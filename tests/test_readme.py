"""The README's commands, run as a new user would: from a fresh clone, with the real pip, pre-commit and flake8.
The README's test command (`python -m pytest` after installing `.[test]`) is what CI runs (`.ci/run`)."""

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
WRONG = 'from transformers import AutoModelForSeq2SeqLM\n\nmodel = AutoModelForSeq2SeqLM.from_pretrained("gpt2")\n'


def blocks(lang: str, after: str) -> list[str]:
    """The fenced `lang` blocks of the README section whose heading is `after`."""
    section = README.split(f"\n## {after}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{lang}\n(.*?)```", section, re.S)


def clone(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    return target


def head() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def test_the_fresh_machine_install_command_works_in_a_fresh_clone(tmp_path):
    command = blocks("sh", "On a fresh machine")[0].strip()
    venv = tmp_path / "aml"
    command = command.replace("/tmp/aml", str(venv))
    r = subprocess.run(["bash", "-c", command], cwd=clone(tmp_path), capture_output=True, text=True, timeout=900,
                       env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert r.returncode == 1, r.stderr[-2000:]  # the example holds three mistakes
    assert "fixtures/demo_summarize.py:18:12: HFA001" in r.stdout and "Found 3 diagnostics" in r.stdout


def test_the_readme_test_command_is_the_one_ci_runs():
    assert "/tmp/aml-test/bin/python -m pytest" in blocks("sh", "On a fresh machine")[1]
    assert '"$venv/bin/python" -m pytest' in (ROOT / ".ci" / "run").read_text()


def test_no_command_installs_a_release_that_does_not_exist():
    assert "pip install automodel-lint" not in README and "rev: v" not in README


def test_the_pre_commit_snippet_runs_with_the_real_pre_commit(tmp_path):
    snippet = blocks("yaml", "pre-commit")[0]
    config = snippet.replace("/path/to/automodel-lint", str(ROOT)).replace("COMMIT", head())
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc"), "GIT_CONFIG_NOSYSTEM": "1"}
    env.pop("HF_HUB_OFFLINE", None)
    subprocess.run(["git", "init", "-q", "."], cwd=repo, check=True)
    (repo / ".pre-commit-config.yaml").write_text(config)
    (repo / "pyproject.toml").write_text('[tool.automodel-lint]\nexclude = ["legacy/*"]\n')
    (repo / "wrong.py").write_text(WRONG)
    (repo / "legacy").mkdir()
    (repo / "legacy" / "old.py").write_text(WRONG)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    r = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=repo, env=env,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 1, r.stdout[-2000:] + r.stderr[-2000:]
    assert "wrong.py:3:9: HFA001" in r.stdout and "old.py" not in r.stdout  # --force-exclude at work


def test_the_local_pre_commit_snippet_runs_where_automodel_lint_is_installed(tmp_path):
    snippet = blocks("yaml", "pre-commit")[1]
    repo = tmp_path / "repo"
    repo.mkdir()
    bindir = os.path.dirname(sys.executable)  # this venv has automodel-lint installed, as the README asks
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc"), "PATH": bindir + os.pathsep + os.environ["PATH"]}
    subprocess.run(["git", "init", "-q", "."], cwd=repo, check=True)
    (repo / ".pre-commit-config.yaml").write_text(snippet)
    (repo / "wrong.py").write_text(WRONG)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    r = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=repo, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "wrong.py:3:9: HFA001" in r.stdout, r.stdout[-2000:]


def test_the_actions_snippet_uses_the_action_with_its_real_inputs():
    steps = yaml.safe_load(blocks("yaml", "GitHub Actions")[0])
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    for step in steps:
        if step["uses"].startswith("./"):
            assert set(step.get("with", {})) <= set(action["inputs"]), step


def test_the_flake8_line_reports_through_the_plugin(tmp_path):
    line = blocks("sh", "flake8")[0].strip()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "wrong.py").write_text(WRONG)
    bindir = os.path.dirname(sys.executable)
    r = subprocess.run(["bash", "-c", line], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PATH": bindir + os.pathsep + os.environ["PATH"]})
    assert r.returncode == 1 and "src/wrong.py:3:9: HFA001" in r.stdout, r.stdout + r.stderr
