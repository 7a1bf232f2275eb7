"""A hostile network: a Hub that dribbles bytes, credentials in HF_ENDPOINT, huggingface_hub's own telemetry.

Each test replays the attack through the real command in a subprocess, against tests/fakehub_facts.py on 127.0.0.1;
every server stops by itself (a dribble lasts at most DRIBBLE_FOR seconds) and every run has a subprocess timeout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fakehub_facts import FakeHub

from automodel_lint.facts.hub import without_credentials

SRC = str(Path(__file__).resolve().parent.parent / "src")
LLAMA = {"model_type": "llama", "architectures": ["LlamaForCausalLM"]}
DRIBBLE_FOR = 30.0  # longer than any run may take, so a run that waits for the server is caught
BUDGET = 10.0  # the resolver's network budget (facts.resolver.DEFAULT_BUDGET)
MARGIN = 4.0  # interpreter start-up and imports on a loaded machine
CALL = b'from transformers import AutoModelForCausalLM\nm = AutoModelForCausalLM.from_pretrained("lab/m")\n'


def run(args: list[str], cwd: Path, endpoint: str, *, module: str = "automodel_lint", telemetry: bool = False):
    """(CompletedProcess, seconds) of `python -m module args` in `cwd`, with its caches in `cwd` and no token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "AUTOMODEL_LINT_"))}
    env.pop("DO_NOT_TRACK", None)
    env.pop("DISABLE_TELEMETRY", None)
    env.update({"PYTHONPATH": SRC, "HF_HOME": str(cwd / ".hf-home"), "HF_ENDPOINT": endpoint,
                "AUTOMODEL_LINT_CACHE_DIR": str(cwd / ".lint-cache")})
    if not telemetry:
        env["HF_HUB_DISABLE_TELEMETRY"] = "1"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=BUDGET + DRIBBLE_FOR)
    return done, time.perf_counter() - start


def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "a.py").write_bytes(CALL)
    return tmp_path


COMMANDS = {
    "check": ("automodel_lint", ["check", "a.py", "--network-timeout", "1"]),
    "resolve": ("automodel_lint", ["resolve", "lab/m", "--network-timeout", "1"]),
    "lock": ("automodel_lint", ["lock", ".", "--network-timeout", "1"]),
    "flake8": ("flake8", ["--select=HFA", "--automodel-network-timeout", "1", "a.py"]),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_hub_dribbling_bytes_cannot_keep_a_run_alive(tmp_path, command):
    module, args = COMMANDS[command]
    with FakeHub({"lab/m": dict(LLAMA, fault="dribble")}, slow=DRIBBLE_FOR, interval=0.2) as hub:
        done, took = run(args, project(tmp_path), hub.url, module=module, telemetry=True)
        assert hub.log, "the run never asked the Hub"
    assert took < BUDGET + MARGIN, (took, done.stderr[-600:])
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    if command != "flake8":  # flake8 shows diagnostics only; the others name what they could not resolve
        assert "lab/m" in done.stderr and "did not answer within 1.0 s" in done.stderr, done.stderr[-600:]


def test_huggingface_hub_never_asks_for_agent_harnesses_nor_writes_hf_home(tmp_path):
    with FakeHub({"lab/m": LLAMA}) as hub:
        done, _ = run(["check", "a.py"], project(tmp_path), hub.url, telemetry=True)
    assert done.stdout.startswith("All checks passed") and "could not be resolved" not in done.stderr, done.stderr
    asked = [path for _, path in hub.log]
    assert any(path.startswith("/api/models/lab/m") for path in asked), asked
    assert not [path for path in asked if "agent-harnesses" in path]
    written = [p for p in (tmp_path / ".hf-home").rglob("*")] if (tmp_path / ".hf-home").exists() else []
    assert written == []


@pytest.mark.parametrize("reachable", [True, False], ids=["answering", "unreachable"])
def test_endpoint_credentials_are_never_shown_nor_stored(tmp_path, reachable):
    with FakeHub({"lab/m": LLAMA}) as hub:
        port = hub.url.rsplit(":", 1)[1]
        if not reachable:
            hub.__exit__(None, None, None)
        endpoint = f"http://user:secret@127.0.0.1:{port}"
        outputs = []
        for args in (["resolve", "lab/m"], ["resolve", "lab/m", "--output-format", "json"], ["check", "a.py"],
                     ["lock", "."]):
            done, _ = run(args, project(tmp_path), endpoint)
            assert "Traceback" not in done.stderr, done.stderr[-2000:]
            outputs.append(done.stdout + done.stderr)
    shown = "\n".join(outputs)
    assert f"127.0.0.1:{port}" in shown  # the endpoint is named (the provenance, or why it failed) ...
    assert "secret" not in shown  # ... without its password
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(".lint-cache" in p.parts for p in stored)
    assert [p for p in stored if b"secret" in p.read_bytes()] == []


@pytest.mark.parametrize("url, shown", [
    ("http://user:secret@host:8080/path", "http://host:8080/path"),
    ("https://token@hub.example", "https://hub.example"),
    ("http://a:b@c@host", "http://host"),
    ("https://huggingface.co", "https://huggingface.co"),
    ("http://[::1", "(an endpoint that is not a valid URL)"),
])
def test_without_credentials(url, shown):
    assert without_credentials(url) == shown
