"""The command line as users and CI see it: output formats, streams, exit codes, file discovery."""

import json
import os
import subprocess
import sys

import pytest

WRONG = 'from transformers import AutoModelForSeq2SeqLM\n\nm = AutoModelForSeq2SeqLM.from_pretrained("gpt2")\n'
PARTIAL = ('from transformers import AutoModelForCausalLM\n\n'
           'm = AutoModelForCausalLM.from_pretrained("facebook/bart-large-cnn")\n')
CLEAN = 'from transformers import AutoModelForCausalLM\n\nm = AutoModelForCausalLM.from_pretrained("gpt2")\n'
KEYS = {"path", "line", "column", "end_line", "end_column", "code", "severity", "message", "model", "called",
        "suggestion", "fix", "facts_source", "cell", "detail"}  # cell: notebooks only; detail: the teaching text


def run(*args, cwd=None, stdin=None, env=None):
    return subprocess.run([sys.executable, "-m", "automodel_lint", *args], capture_output=True, text=True,
                          cwd=cwd, input=stdin, timeout=120, env=env)


@pytest.fixture
def tree(tmp_path):
    def make(files):
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text if isinstance(text, bytes) else text.encode())
        return tmp_path
    return make


def test_json_contract(tree):
    root = tree({"a.py": WRONG})
    r = run("check", "--offline", "--output-format", "json", str(root))
    assert r.returncode == 1
    data = json.loads(r.stdout)  # stdout holds only the JSON
    assert len(data) == 1
    d = data[0]
    assert set(d) == KEYS
    assert (d["line"], d["column"], d["end_line"], d["end_column"]) == (3, 5, 3, 50)
    assert (d["code"], d["severity"], d["called"], d["suggestion"]) == (
        "HFA001", "error", "AutoModelForSeq2SeqLM", "AutoModelForCausalLM")
    assert d["fix"] == {"applicability": "safe"}
    assert d["facts_source"] == "snapshot"
    assert "Found 1 diagnostic" in r.stderr


def test_text_output_is_clickable_and_summarised(tree):
    root = tree({"a.py": WRONG, "b.py": PARTIAL})
    r = run("check", "--offline", "--output-format", "concise", ".", cwd=root)  # full (the default) adds snippets
    lines = r.stdout.splitlines()
    assert lines[0].startswith("a.py:3:5: HFA001 [*] AutoModelForSeq2SeqLM cannot load \"gpt2\"")
    assert lines[1].startswith("b.py:3:5: HFA002 AutoModelForCausalLM loads")
    assert lines[-1].startswith("Found 2 diagnostics (1 error, 1 warning) in 2 files; [*] 1 fixable with --fix;"
                                " 1 more with --unsafe-fixes. Judged for transformers ")
    assert r.returncode == 1


def test_clean_tree_exits_zero(tree):
    r = run("check", "--offline", str(tree({"a.py": CLEAN})))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed" in r.stdout


def test_exit_zero(tree):
    assert run("check", "--offline", "--exit-zero", str(tree({"a.py": WRONG}))).returncode == 0


@pytest.mark.parametrize("flags, codes", [(["--select", "HFA002"], ["HFA002"]), (["--ignore", "HFA001"], ["HFA002"]),
                                          (["--select", "HFA"], ["HFA001", "HFA002"]), ([], ["HFA001", "HFA002"])])
def test_select_and_ignore(tree, flags, codes):
    root = tree({"a.py": WRONG, "b.py": PARTIAL})
    r = run("check", "--offline", "--output-format", "json", *flags, str(root))
    assert sorted(d["code"] for d in json.loads(r.stdout)) == codes


def test_usage_errors_exit_two(tree):
    root = tree({"a.py": WRONG})
    assert run("check", "--select", "E501", str(root)).returncode == 2
    assert run("check", "--output-format", "xml", str(root)).returncode == 2
    assert run("check", "--max-file-size", "-3", str(root)).returncode == 2
    r = run("check", str(root / "missing.py"))
    assert r.returncode == 2 and "missing.py" in r.stderr and "Traceback" not in r.stderr


def test_config_errors_exit_two(tree):
    root = tree({"a.py": WRONG, "pyproject.toml": '[tool.automodel-lint]\nselekt = ["HFA001"]\n'})
    r = run("check", "--offline", ".", cwd=root)
    assert r.returncode == 2
    assert "unknown key 'selekt'" in r.stderr and "Traceback" not in r.stderr
    (root / "pyproject.toml").write_text('[tool.automodel-lint]\noffline = "yes"\n')
    r = run("check", ".", cwd=root)
    assert r.returncode == 2 and "offline must be true or false" in r.stderr


def test_pyproject_settings_and_flags_winning(tree):
    root = tree({"a.py": WRONG, "b.py": PARTIAL,
                 "pyproject.toml": '[tool.automodel-lint]\nignore = ["HFA002"]\noffline = true\n'})
    r = run("check", "--output-format", "json", ".", cwd=root)
    assert [d["code"] for d in json.loads(r.stdout)] == ["HFA001"]
    r = run("check", "--output-format", "json", "--ignore", "HFA001", ".", cwd=root)
    assert [d["code"] for d in json.loads(r.stdout)] == ["HFA002"]


def test_syntax_error_is_reported_and_the_run_goes_on(tree):
    root = tree({"a.py": WRONG,
                 "broken.py": "from transformers import AutoModel\nx = AutoModel.from_pretrained('gpt2'\n",
                 "latin.py": b"s = '\xff\xfe'  # from_pretrained\n"})
    r = run("check", "--offline", "--output-format", "json", str(root))
    by_file = {os.path.basename(d["path"]): d for d in json.loads(r.stdout)}
    assert by_file["a.py"]["code"] == "HFA001"
    assert by_file["broken.py"]["code"] == "HFA900"
    assert by_file["broken.py"]["line"] == 2
    assert by_file["latin.py"]["code"] == "HFA900"
    assert "Traceback" not in r.stderr


def test_size_cap_skips_without_parsing(tree):
    root = tree({"big.py": WRONG + "x = 1\n" * 1000})
    r = run("check", "--offline", "--max-file-size", "1000", str(root))
    assert r.returncode == 0
    assert "big.py: skipped" in r.stderr and "above the 1,000-byte cap" in r.stderr


def test_discovery_skips_ignored_venv_and_build_folders(tree):
    root = tree({"src/a.py": WRONG, ".venv/lib/x.py": WRONG, "env2/pyvenv.cfg": "", "env2/lib/y.py": WRONG,
                 "build/lib/z.py": WRONG, "generated/g.py": WRONG, ".gitignore": "generated/\n", "notes.txt": WRONG})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    r = run("check", "--offline", "--output-format", "json", ".", cwd=root)
    assert [d["path"] for d in json.loads(r.stdout)] == [os.path.join("src", "a.py")]
    # A file named explicitly is checked even if git ignores it.
    r = run("check", "--offline", "--output-format", "json", "generated/g.py", cwd=root)
    assert len(json.loads(r.stdout)) == 1


def test_rules_lists_every_code():
    r = run("rules")
    assert r.returncode == 0
    for code in ("HFA001", "HFA002", "HFA003", "HFA004", "HFA900"):
        assert code in r.stdout


def test_unresolved_ids_are_listed_not_judged(tree):
    root = tree({"a.py": 'from transformers import AutoModelForSeq2SeqLM\n'
                         'm = AutoModelForSeq2SeqLM.from_pretrained("acme/nothing-known")\n'})
    r = run("check", "--offline", str(root))
    assert r.returncode == 0
    assert "1 model id could not be resolved" in r.stderr and "'acme/nothing-known'" in r.stderr


def test_hostile_model_id_is_not_echoed_raw(tree):
    root = tree({"a.py": 'from transformers import AutoModel\nm = AutoModel.from_pretrained("a\\x1b[31mb")\n'})
    r = run("check", "--offline", str(root))
    assert "\x1b" not in r.stdout + r.stderr


def test_a_fix_that_cannot_be_made_says_why_and_the_others_still_apply(tree):
    source = (
        "from transformers import AutoModelForSeq2SeqLM\n"
        "from transformers.models.t5.modeling_t5 import T5ForConditionalGeneration\n\n"
        'a = AutoModelForSeq2SeqLM.from_pretrained("gpt2")\n'
        'b = T5ForConditionalGeneration.from_pretrained("google/mt5-small")\n'
    )
    root = tree({"m.py": source})
    r = run("check", "--offline", "--fix", "--unsafe-fixes", "m.py", cwd=root)
    assert r.returncode == 1
    assert ("m.py:5:5: HFA006 fix not applied: MT5ForConditionalGeneration cannot be imported from"
            " transformers.models.t5.modeling_t5") in r.stderr
    fixed = (root / "m.py").read_text()
    assert 'a = AutoModelForCausalLM.from_pretrained("gpt2")' in fixed
    assert 'b = T5ForConditionalGeneration.from_pretrained("google/mt5-small")' in fixed


def test_a_class_named_through_an_assignment_is_judged_without_a_fix(tree):
    source = ('from transformers import AutoModelForCausalLM\nModel = AutoModelForCausalLM\n'
              'm = Model.from_pretrained("t5-small")\n')
    root = tree({"m.py": source})
    r = run("check", "--offline", "--output-format", "json", "m.py", cwd=root)
    (d,) = json.loads(r.stdout)
    assert (d["code"], d["suggestion"], d["fix"]) == ("HFA001", "AutoModelForSeq2SeqLM", None)
    r = run("check", "--offline", "--fix", "m.py", cwd=root)
    assert r.returncode == 1 and (root / "m.py").read_text() == source


@pytest.mark.parametrize("variables, offline", [
    ({"TRANSFORMERS_OFFLINE": "1"}, True),
    ({"HF_HUB_OFFLINE": "yes"}, True),
    ({"HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "1"}, False),  # huggingface_hub reads HF_HUB_OFFLINE first
    ({}, False),
])
def test_check_and_resolve_read_offline_mode_as_huggingface_hub_does(tree, variables, offline):
    from fakehub_facts import FakeHub

    root = tree({"a.py": 'from transformers import AutoModelForSeq2SeqLM\n'
                         'm = AutoModelForSeq2SeqLM.from_pretrained("lab/llm")\n'})
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    with FakeHub({"lab/llm": {"model_type": "llama", "architectures": ["LlamaForCausalLM"]}}) as hub:
        env.update(variables, HF_ENDPOINT=hub.url)
        checked = run("check", "--no-cache", "--output-format", "json", ".", cwd=root, env=env)
        resolved = run("resolve", "lab/llm", cwd=root, env=env)
    assert (hub.log == []) == offline
    if offline:
        assert (checked.returncode, json.loads(checked.stdout)) == (0, [])
        assert "'lab/llm'" in checked.stderr and "(offline)" in checked.stderr
        assert resolved.returncode == 1 and "(offline)" in resolved.stderr
    else:
        assert [d["code"] for d in json.loads(checked.stdout)] == ["HFA001"]
        assert resolved.returncode == 0 and "AutoModelForCausalLM" in resolved.stdout


def test_an_unusable_lock_file_under_locked_is_a_one_line_error(tree):
    root = tree({"a.py": WRONG, "pyproject.toml": "[project]\nname = 'x'\n", "automodel-lint.lock": "not json"})
    r = run("check", "--locked", ".", cwd=root)
    assert r.returncode == 2 and "internal error" not in r.stderr
    assert r.stderr.startswith("automodel-lint: error: ") and "automodel-lint.lock" in r.stderr


def test_resolve_lists_the_auto_classes_of_the_target_release(tmp_path):
    """`resolve` answers for the release `check` would judge for: TF classes exist in a 4.x target, not in 5.x."""
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    old = run("resolve", "t5-small", "--target-transformers", "4.40", "--output-format", "json", cwd=tmp_path, env=env)
    assert old.returncode == 0, old.stderr
    answer = json.loads(old.stdout)
    assert answer["transformers_version"] == "4.40.2"
    assert answer["transformers_target"] == "--target-transformers 4.40"
    assert "TFAutoModelForSeq2SeqLM" in [c["class"] for c in answer["auto_classes"]]
    (tmp_path / "pyproject.toml").write_text('[tool.automodel-lint]\ntarget-transformers = "5.0"\n')
    new = run("resolve", "t5-small", cwd=tmp_path, env=env)
    assert new.returncode == 0 and "TFAutoModel" not in new.stdout and "AutoModelForSeq2SeqLM" in new.stdout
    assert "transformers 5.0.0: target-transformers" in new.stdout
    unknown = run("resolve", "t5-small", "--target-transformers", "9.9", cwd=tmp_path, env=env)
    assert unknown.returncode == 2 and "9.9 is not a release" in unknown.stderr and not unknown.stdout


def test_full_format_shows_each_diagnostics_own_source_line_whatever_the_order_of_the_paths(tmp_path):
    """Output is sorted by path; the files are judged in the order given: each snippet must come from its file."""
    (tmp_path / "b.py").write_text('from transformers import AutoModelForCausalLM\n\n'
                                   'b = AutoModelForCausalLM.from_pretrained("t5-small")  # in b\n')
    (tmp_path / "a.py").write_text('from transformers import AutoModelForSeq2SeqLM\n# a line\n'
                                   'a = AutoModelForSeq2SeqLM.from_pretrained("gpt2")  # in a\n')
    r = run("check", "--offline", "--no-cache", "b.py", "a.py", cwd=tmp_path)
    blocks = [block for block in r.stdout.split("\n\n") if "HFA001" in block]
    assert [block.splitlines()[0][:4] for block in blocks] == ["a.py", "b.py"]
    for block in blocks:
        name = block[0]
        assert f"# in {name}" in block and f"# in {'b' if name == 'a' else 'a'}" not in block


def test_the_process_ends_with_all_its_output_flushed(tree):
    """The console script leaves without tearing the interpreter down (os._exit): whatever is still buffered must
    be written first, past a pipe's 64 KB."""
    root = tree({f"m{i}.py": WRONG for i in range(400)})
    r = run("check", "--offline", "--output-format", "json", str(root))
    assert r.returncode == 1
    assert len(r.stdout) > 65536
    assert len(json.loads(r.stdout)) == 400


def test_a_reader_that_goes_away_is_exit_2_without_a_traceback(tree):
    root = tree({f"m{i}.py": WRONG for i in range(400)})
    proc = subprocess.Popen([sys.executable, "-m", "automodel_lint", "check", "--offline", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    stderr = proc.stderr.read()
    assert proc.wait(timeout=120) == 2
    assert stderr == b""
