"""Output injection: strings from a hostile repository never reach the terminal or the CI log raw.

The attack: a config.json whose model_type, architectures and auto_map hold an escape sequence that retitles the
terminal (`ESC ] 0 ; pwned BEL`) and a newline followed by a GitHub Actions workflow command; a file whose name does
the same. Replayed through `python -m automodel_lint check` in every output format.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from automodel_lint.report.printable import printable

SRC = str(Path(__file__).resolve().parent.parent / "src")
TITLE = "\x1b]0;pwned\x07"
FORGED = "\n::warning file=x::forged"
BIDI = "\u202e"
HEAD = "from transformers import AutoModel, AutoModelForCausalLM, AutoModelForSeq2SeqLM\n"
HOSTILE_NAME = f"x{TITLE}{FORGED}{BIDI}.py"


def hostile_tree(root: Path) -> Path:
    """Three local checkpoints whose config.json fields carry the attack, a file calling them, a hostile file name."""
    configs = {
        "by-type": {"model_type": TITLE + FORGED, "architectures": [TITLE + "Llama" + FORGED],
                    "auto_map": {"AutoModel": "m" + TITLE + FORGED + ".X"}},
        "by-arch": {"model_type": "llama", "architectures": ["LlamaForCausalLM" + TITLE + FORGED]},
        "by-auto-map": {"model_type": "t5", "architectures": ["T5ForConditionalGeneration"],
                        "auto_map": {"AutoModelForCausalLM": "m" + TITLE + FORGED + ".Y"}},
    }
    source = HEAD
    for i, (name, config) in enumerate(configs.items()):
        (root / name).mkdir()
        (root / name / "config.json").write_text(json.dumps(config))
        source += (f'a{i} = AutoModelForSeq2SeqLM.from_pretrained("./{name}")\n'
                   f'b{i} = AutoModelForCausalLM.from_pretrained("./{name}")\n')
    (root / "calls.py").write_text(source)
    (root / HOSTILE_NAME).write_text(HEAD + 'm = AutoModelForCausalLM.from_pretrained("t5-small")\n')
    return root


def test_full_output_shows_the_hostile_details_escaped(tmp_path):
    """`full` adds the source line and the teaching text, where the hostile architecture and auto_map entry are."""
    done = check(hostile_tree(tmp_path), "full")
    out = done.stdout + done.stderr
    assert done.returncode == 1 and b"\x1b" not in out and b"\x07" not in out and BIDI.encode() not in out
    text = out.decode()
    assert not [line for line in text.splitlines() if line.lstrip().startswith("::warning")]
    assert "LlamaForCausalLM\\x1b]0;pwned\\x07\\n" in text and "m\\x1b]0;pwned\\x07\\n" in text


def check(root: Path, output_format: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "AUTOMODEL_LINT_"))}
    env.update({"PYTHONPATH": SRC, "HF_HUB_OFFLINE": "1", "HF_HOME": str(root / ".hf-home"),
                "AUTOMODEL_LINT_CACHE_DIR": str(root / ".lint-cache")})
    return subprocess.run([sys.executable, "-m", "automodel_lint", "check", ".", "--output-format", output_format],
                          cwd=root, env=env, capture_output=True, timeout=120)


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_hostile_config_and_file_name_stay_on_their_line(tmp_path, output_format):
    done = check(hostile_tree(tmp_path), output_format)
    assert done.returncode == 1, done.stderr.decode(errors="replace")
    out = done.stdout + done.stderr
    assert b"\x1b" not in out and b"\x07" not in out and BIDI.encode() not in out
    lines = out.decode().splitlines()
    assert not [line for line in lines if line.startswith("::warning")]  # no forged workflow command
    diagnostics = [line for line in lines if "HFA0" in line]
    assert len(diagnostics) == 5, lines  # each diagnostic is one line: four in calls.py, one in the hostile file
    # ... and still says what is there, readably: the escapes, in the order the bytes are stored. The first line
    # names the model type and the file; a hostile architecture or auto_map entry is in the detail (`full`, below).
    shown = "\\x1b]0;pwned\\x07\\n"
    assert sum(shown in line for line in diagnostics) == 3
    assert [line for line in diagnostics if ("x" + shown) in line and "\\u202e.py" in line and "t5-small" in line]


def test_sarif_escapes_by_itself_and_keeps_the_text_exact(tmp_path):
    done = check(hostile_tree(tmp_path), "sarif")
    assert done.returncode == 1, done.stderr.decode(errors="replace")
    assert b"\x1b" not in done.stdout + done.stderr and b"\x07" not in done.stdout
    results = json.loads(done.stdout)["runs"][0]["results"]
    assert len(results) == 5
    # JSON's own escapes carry the text exactly; the viewer decides how to show it.
    assert sum(TITLE + FORGED in r["message"]["text"] for r in results) == 4


@pytest.mark.parametrize("text, shown", [
    ("org/model", "org/model"),
    ("C:\\models\\t5", "C:\\models\\t5"),
    ("caf\u00e9 \u4e2d\u6587 \U0001f600", "caf\u00e9 \u4e2d\u6587 \U0001f600"),
    (TITLE + FORGED, "\\x1b]0;pwned\\x07\\n::warning file=x::forged"),
    ("a\r\nb\tc\x00d\x7fe\x85f", "a\\r\\nb\\tc\\x00d\\x7fe\\x85f"),
    ("abc\u202edcba\u2066x\u2069\u200b", "abc\\u202edcba\\u2066x\\u2069\\u200b"),
    ("one\u2028two\u2029three", "one\\u2028two\\u2029three"),
    ("lone\udcffsurrogate", "lone\\udcffsurrogate"),
    ("tag\U000e0041", "tag\\U000e0041"),
])
def test_printable(text, shown):
    assert printable(text) == shown
    assert printable(shown) == shown  # already printable: unchanged


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path, output_format):
    (tmp_path / os.fsdecode(b"\xff.py")).write_text(HEAD + 'm = AutoModelForCausalLM.from_pretrained("t5-small")\n')
    done = check(tmp_path, output_format)
    assert done.returncode == 1, done.stderr.decode(errors="replace")
    assert b"\xff" not in done.stdout and "\\udcff.py" in done.stdout.decode()


def test_sarif_of_a_file_name_that_is_not_utf8_names_its_bytes(tmp_path):
    """SARIF's URI holds the name's real byte (%FF), where `quote` used to raise on the surrogate (exit 2)."""
    (tmp_path / os.fsdecode(b"\xff.py")).write_text(HEAD + 'm = AutoModelForCausalLM.from_pretrained("t5-small")\n')
    done = check(tmp_path, "sarif")
    assert done.returncode == 1, done.stderr.decode(errors="replace")
    results = json.loads(done.stdout)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results] == ["%FF.py"]


def test_resolve_shows_a_hostile_local_config_on_one_line(tmp_path):
    """`resolve` prints config.json's fields as the check command does: escapes visible, nothing that moves a cursor."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(
        {"model_type": "llama\x1b]0;pwned\x07", "architectures": ["LlamaForCausalLM\n::warning file=x::forged"]}))
    r = subprocess.run([sys.executable, "-m", "automodel_lint", "resolve", "--offline", str(folder)],
                       capture_output=True, text=True, cwd=tmp_path)
    out = r.stdout + r.stderr
    assert "\x1b" not in out and "\x07" not in out
    assert not any(line.startswith("::warning") for line in out.splitlines())
    assert "\\x1b]0;pwned\\x07" in out
