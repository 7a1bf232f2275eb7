"""The real pre-commit, installing this repository's hooks from its committed HEAD into its own environment.

pre-commit builds that environment with pip from the package registry, once per commit of this
repository (the environments live in one PRE_COMMIT_HOME for the whole test session). The hooks run
as a user's would, on a temporary git repository, with the Hub unreachable: the answers come from the
bundled snapshot, and nothing may wait for the network.
"""

import os
import shutil
import subprocess
import sys
import textwrap
import time

import json

import pytest
import yaml

from conftest import ROOT

WRONG = textwrap.dedent(
    """\
    from transformers import AutoModelForSeq2SeqLM

    model = AutoModelForSeq2SeqLM.from_pretrained("gpt2")
    """
)
CLEAN = 'from transformers import AutoModelForCausalLM\n\nmodel = AutoModelForCausalLM.from_pretrained("gpt2")\n'


def git(*args, cwd, check=True):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check)


def head():
    if shutil.which("git") is None or git("rev-parse", "--git-dir", cwd=ROOT, check=False).returncode != 0:
        pytest.skip("the project is not a git checkout: pre-commit installs hooks from a git repository")
    return git("rev-parse", "HEAD", cwd=ROOT).stdout.strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def env(pre_commit_home):
    e = dict(os.environ)
    e.pop("HF_HUB_OFFLINE", None)  # no offline flag: the Hub is merely unreachable (conftest's closed port)
    e.update(
        PRE_COMMIT_HOME=str(pre_commit_home),
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_NOSYSTEM="1",
    )
    e.pop("GIT_DIR", None)
    e.pop("GIT_INDEX_FILE", None)
    return e


@pytest.fixture
def repo(tmp_path, env):
    git("init", "-q", "-b", "main", ".", cwd=tmp_path)
    (tmp_path / "wrong.py").write_text(WRONG)
    (tmp_path / "clean.py").write_text(CLEAN)
    return tmp_path


def pre_commit(*args, cwd, env):
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
    )
    print(f"pre-commit {' '.join(args)}: exit {result.returncode} in {time.perf_counter() - started:.1f} s")
    print(result.stdout[-3000:], result.stderr[-3000:])
    return result


def test_the_hooks_file_names_both_hooks():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["automodel-lint"]["entry"] == "automodel-lint check --force-exclude"
    assert hooks["automodel-lint-fix"]["entry"] == "automodel-lint check --force-exclude --fix"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types_or"] == ["python", "jupyter"]


def test_try_repo_check_hook_reports_and_fails(repo, env):
    git("add", ".", cwd=repo)
    result = pre_commit("try-repo", str(ROOT), "automodel-lint", "--ref", head(), "--all-files", cwd=repo, env=env)
    assert result.returncode == 1
    assert "wrong.py:3:9: HFA001" in result.stdout
    assert "clean.py:" not in result.stdout
    assert (repo / "wrong.py").read_text() == WRONG  # the check hook never writes


def test_try_repo_check_hook_checks_notebooks(repo, env):
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": ["!pip install transformers\n", "from transformers import AutoModelForSeq2SeqLM\n",
                       'm = AutoModelForSeq2SeqLM.from_pretrained("gpt2")\n']}
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (repo / "wrong.py").unlink()
    (repo / "demo.ipynb").write_text(json.dumps(nb, indent=1) + "\n")
    git("add", ".", cwd=repo)
    result = pre_commit("try-repo", str(ROOT), "automodel-lint", "--ref", head(), "--all-files", cwd=repo, env=env)
    assert result.returncode == 1
    assert "demo.ipynb:1:3:5: HFA001" in result.stdout


def test_fix_hook_rewrites_and_pre_commit_fails_the_commit(repo, env):
    config = {"repos": [{"repo": str(ROOT), "rev": head(), "hooks": [{"id": "automodel-lint-fix"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    assert pre_commit("install", cwd=repo, env=env).returncode == 0
    git("add", ".", cwd=repo)

    first = git("commit", "-m", "wrong class", cwd=repo, check=False)
    print(first.stdout, first.stderr)
    assert first.returncode != 0, "a hook that rewrote a file must fail the commit"
    assert "files were modified by this hook" in first.stdout + first.stderr
    assert (repo / "wrong.py").read_text() == WRONG.replace("AutoModelForSeq2SeqLM", "AutoModelForCausalLM")
    assert git("rev-parse", "--verify", "HEAD", cwd=repo, check=False).returncode != 0, "nothing was committed"

    git("add", ".", cwd=repo)
    second = git("commit", "-m", "fixed", cwd=repo, check=False)
    print(second.stdout, second.stderr)
    assert second.returncode == 0


TF_ERA = 'from transformers import TFAutoModel\n\nm = TFAutoModel.from_pretrained("google-bert/bert-base-uncased")\n'


@pytest.mark.parametrize("declared, reported", [("transformers>=4.40,<5", False), ("transformers>=5", True)])
def test_the_isolated_hook_judges_for_the_projects_declared_transformers(repo, env, declared, reported):
    """pre-commit's environment has no transformers: the project's own requirement decides (TFAutoModel: 4.x only)."""
    (repo / "wrong.py").unlink()
    (repo / "tf_era.py").write_text(TF_ERA)
    (repo / "pyproject.toml").write_text(f'[project]\nname = "p"\nversion = "1"\ndependencies = ["{declared}"]\n')
    git("add", ".", cwd=repo)
    result = pre_commit("try-repo", str(ROOT), "automodel-lint", "--ref", head(), "--all-files", "--verbose",
                        cwd=repo, env=env)  # --verbose: a hook's output is shown even when it passes
    assert ("tf_era.py:3:5: HFA004" in result.stdout) == reported
    assert result.returncode == (1 if reported else 0)
    assert "Judged for transformers " + ("5.24.0" if reported else "4.57.6") in result.stdout
