"""action.yml's step, run the way the runner runs it: its script with the inputs in INPUT_* variables, from a
workspace, installing automodel-lint from the action's own checkout into a fresh venv."""

import os
import subprocess

import pytest
import yaml

from conftest import ROOT

WRONG = 'from transformers import AutoModelForSeq2SeqLM\n\nmodel = AutoModelForSeq2SeqLM.from_pretrained("gpt2")\n'


def step_env(inputs: dict) -> dict:
    """The step's env as the runner builds it: each `${{ inputs.X }}` replaced by the input or its default."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    (step,) = action["runs"]["steps"]
    env = {}
    for name, expression in step["env"].items():
        key = expression.strip("${} ").removeprefix("inputs.")
        env[name] = inputs.get(key, action["inputs"][key]["default"])
    return step, env


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory):
    return tmp_path_factory.mktemp("runner-temp")  # one venv for the module, as one job reuses it


def run_step(workspace, runner_temp, **inputs):
    step, env = step_env(inputs)
    assert step["shell"] == "bash"
    full = {**os.environ, **env, "GITHUB_ACTION_PATH": str(ROOT), "RUNNER_TEMP": str(runner_temp),
            "HF_HUB_OFFLINE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run(["bash", "-c", step["run"]], cwd=workspace, env=full, capture_output=True, text=True,
                          timeout=900)


def test_the_default_inputs_annotate_the_pull_request(tmp_path, runner_temp):
    (tmp_path / "wrong.py").write_text(WRONG)
    r = run_step(tmp_path, runner_temp)
    assert r.returncode == 1, r.stderr[-2000:]
    assert r.stdout.startswith("::error file=wrong.py,line=3,col=9,")


def test_sarif_to_a_file_with_exit_zero(tmp_path, runner_temp):
    (tmp_path / "wrong.py").write_text(WRONG)
    r = run_step(tmp_path, runner_temp, **{"output-format": "sarif", "output-file": "out.sarif", "args": "--exit-zero"})
    assert r.returncode == 0, r.stderr[-2000:]
    assert '"ruleId": "HFA001"' in (tmp_path / "out.sarif").read_text()


def test_the_lock_file_input_checks_locked_and_names_a_missing_id(tmp_path, runner_temp):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "wrong.py").write_text(WRONG)
    missing = run_step(tmp_path, runner_temp, **{"lock-file": "automodel-lint.lock"})
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    lock = subprocess.run([str(runner_temp / "automodel-lint-venv" / "bin" / "automodel-lint"), "lock"],
                          cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert lock.returncode == 0, lock.stderr
    r = run_step(tmp_path, runner_temp, **{"lock-file": "automodel-lint.lock"})
    assert r.returncode == 1 and "file=wrong.py" in r.stdout, r.stderr[-2000:]
