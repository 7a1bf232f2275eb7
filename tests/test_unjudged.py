"""Calls found but not judged: counted, listed with their reason, never reported as passed; and the output a tool
relies on (stable order, notebook cells placed, unresolved ids with what to do)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "unjudged"
ADVICE = "declare it in [tool.automodel-lint.models]"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "automodel_lint", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


@pytest.fixture
def project(tmp_path):
    for name in ("finetune.py", "explore.ipynb"):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def test_unjudged_calls_are_not_all_checks_passed(project):
    r = run("check", "--offline", "--no-cache", "finetune.py", cwd=project)
    assert r.returncode == 0, r.stderr  # an unjudged call is not a diagnostic
    assert "All checks passed" not in r.stdout + r.stderr
    assert "No diagnostics in 1 file; 3 calls found, 0 judged, 3 not judged (--show-unjudged lists them)." in r.stdout


def test_show_unjudged_lists_each_call_with_its_reason(project):
    r = run("check", "--offline", "--no-cache", "--show-unjudged", "finetune.py", cwd=project)
    listed = [line for line in r.stdout.splitlines() if ": not judged: " in line]
    assert [line.split(": not judged: ")[0] for line in listed] == [
        "finetune.py:13:13", "finetune.py:16:14", "finetune.py:17:13"]
    qwen, reward, task = (line.split(": not judged: ")[1] for line in listed)
    assert qwen.startswith('"Qwen/Qwen-7B-Chat": facts incomplete') and "no model type and no auto_map" in qwen
    assert reward.startswith('"our-lab/reward-model-v3": not in the bundled snapshot (offline)') and ADVICE in reward
    assert task == "the pipeline's task is not certain statically"


def test_machine_formats_keep_their_shape_and_sarif_notes_the_unjudged(project):
    r = run("check", "--offline", "--no-cache", "--output-format", "json", "finetune.py", cwd=project)
    assert json.loads(r.stdout) == []
    assert "3 not judged" in r.stderr
    r = run("check", "--offline", "--no-cache", "--output-format", "sarif", "finetune.py", cwd=project)
    run_ = json.loads(r.stdout)["runs"][0]
    assert run_["results"] == []
    notes = [n for n in run_["invocations"][0]["toolExecutionNotifications"] if n["level"] == "note"]
    assert [n["locations"][0]["physicalLocation"]["region"]["startLine"] for n in notes] == [13, 16, 17]
    assert all(n["message"]["text"].startswith("not judged: ") for n in notes)


def test_locked_names_missing_ids_with_advice_that_is_not_circular(project):
    r = run("check", "--locked", "--no-cache", "finetune.py", cwd=project)
    assert r.returncode == 2
    error = next(line for line in r.stderr.splitlines() if "missing from the lock file" in line)
    assert "'our-lab/reward-model-v3'" in error and ADVICE in error and "with network access" in error


def test_lock_that_leaves_ids_unresolved_says_so_and_fails(project):
    r = run("lock", "--offline", str(project), cwd=project)
    assert r.returncode == 1
    assert "our-lab/reward-model-v3" in r.stderr and ADVICE in r.stderr


def test_notebook_broken_cell_is_reported_in_place_and_the_rest_is_checked(project):
    r = run("check", "--offline", "--no-cache", "--output-format", "json", "explore.ipynb", cwd=project)
    found = [(d["cell"], d["line"], d["code"]) for d in json.loads(r.stdout)]
    # Cell 4's def and cell 6's pasted output do not parse; the IPython lines of cell 2 and the `>>> ` prompts of
    # cell 7 are IPython's own syntax; cell 5 is still judged.
    assert found == [(4, 1, "HFA900"), (5, 1, "HFA001"), (6, 3, "HFA900")]
    text = run("check", "--offline", "--no-cache", "explore.ipynb", cwd=project).stdout
    assert "explore.ipynb:4:1:" in text and "cell does not parse" in text
    github = run("check", "--offline", "--no-cache", "--output-format", "github", "explore.ipynb", cwd=project).stdout
    first = github.splitlines()[0]
    assert first.startswith("::error file=explore.ipynb,title=HFA900 (cell 4%2C line 1)::") and ",line=" not in first
    sarif = json.loads(run("check", "--offline", "--no-cache", "--output-format", "sarif", "explore.ipynb",
                           cwd=project).stdout)
    assert [r["properties"]["cell"] for r in sarif["runs"][0]["results"]] == [4, 5, 6]


def test_output_is_identical_cold_warm_and_with_any_jobs(project, tmp_path_factory):
    for i in range(6):  # enough files that the pool and the cache interleave them
        (project / f"m{i}.py").write_text(
            "from transformers import AutoModelForSeq2SeqLM\n"
            f'm = AutoModelForSeq2SeqLM.from_pretrained("openai-community/gpt2")  # {i}\n')
    outputs = set()
    for args in (["--jobs", "1"], ["--jobs", "2"], ["--jobs", "2"], ["--jobs", "1"]):  # cold, warm, warm, warm
        r = run("check", "--offline", "--output-format", "json", *args, ".", cwd=project)
        outputs.add(r.stdout)
        (project / "m3.py").touch()  # one file parsed again, the others reused from the cache
    assert len(outputs) == 1
    data = json.loads(outputs.pop())
    places = [(d["path"], d["cell"] or 0, d["line"], d["column"], d["code"]) for d in data]
    assert places == sorted(places) and len(data) == 9  # 6 files, and the notebook's 3


TOKENIZER_LOADS = """\
from transformers import AutoModelForCausalLM, AutoTokenizer, DataCollatorForLanguageModeling

tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
model = AutoModelForCausalLM.from_pretrained("openai-community/gpt2")
batch = tok(["a", "bc"], padding=True, return_tensors="pt")
out = model.generate(**batch)
"""


@pytest.mark.parametrize("cache", ["--no-cache", "cold", "warm"])
def test_a_tokenizer_load_whose_facts_are_unknown_is_counted_and_listed(tmp_path, cache):
    """Under --preview the rules judge generate() through the tokenizer's facts (its padding side): the load is a
    call found, and with its facts unknown (offline, no lock) it is not judged, listed at its own place; the same
    from the results cache."""
    (tmp_path / "gen.py").write_text(TOKENIZER_LOADS)
    flags = ["--no-cache"] if cache == "--no-cache" else []
    if cache == "warm":
        run("check", "--offline", "--preview", "gen.py", cwd=tmp_path)
    r = run("check", "--offline", "--preview", "--show-unjudged", *flags, "gen.py", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "No diagnostics in 1 file; 3 calls found, 1 judged, 2 not judged (--show-unjudged lists them)." in r.stdout
    listed = [line for line in r.stdout.splitlines() if ": not judged: " in line]
    assert listed == [
        'gen.py:3:7: not judged: AutoTokenizer.from_pretrained("openai-community/gpt2"): tokenizer facts unknown:'
        " not in the lock file or a cache (offline), and the bundled snapshot holds none",
        'gen.py:6:7: not judged: generate(): HFA011: "openai-community/gpt2": tokenizer facts unknown: not in the'
        " lock file or a cache (offline), and the bundled snapshot holds none",
    ]
    # Without --preview no rule reads a tokenizer: neither the load nor the use is a call found.
    quiet = run("check", "--offline", *flags, "gen.py", cwd=tmp_path)
    assert "All checks passed (1 file, 1 call checked)." in quiet.stdout


def test_a_tokenizer_load_its_uses_were_decided_without_is_judged(tmp_path):
    """padding_side="left" at the load decides generate() whatever the tokenizer's files say: every call found was
    judged, the load too, and only then "All checks passed"."""
    (tmp_path / "gen.py").write_text(TOKENIZER_LOADS.replace('gpt2")\nmodel', 'gpt2", padding_side="left")\nmodel'))
    r = run("check", "--offline", "--preview", "--no-cache", "gen.py", cwd=tmp_path)
    assert "All checks passed (1 file, 3 calls checked)." in r.stdout, r.stdout
    # A collator reads no tokenizer facts (HFA010 decides from the checkpoint's kind): its load is not counted.
    (tmp_path / "collate.py").write_text(
        'from transformers import AutoTokenizer, DataCollatorForLanguageModeling\n\n'
        'tok = AutoTokenizer.from_pretrained("google-bert/bert-base-uncased")\n'
        'collator = DataCollatorForLanguageModeling(tok)\n'
    )
    r = run("check", "--offline", "--preview", "--no-cache", "collate.py", cwd=tmp_path)
    assert "All checks passed (1 file, 1 call checked)." in r.stdout, r.stdout
