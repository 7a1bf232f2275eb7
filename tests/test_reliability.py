"""Reliability: hostile sources, hostile config.json and model ids, a faulty Hub, and --fix under faults.

The battery of docs/reliability.md. Where the exit code and "no traceback" matter, the real command runs in a
subprocess (`python -m automodel_lint`); elsewhere the engine is called in-process. Every test counts what it
tried in COUNTS, which the module's `counts` fixture prints after its last test (pytest -s).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from automodel_lint import sources
from automodel_lint.sources import TooLarge, Unreadable, discover, parse_hazard, read_source

SRC = str(Path(__file__).resolve().parent.parent / "src")
HEAD = b"from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM\n"
OK = HEAD + b'ok = AutoModelForSeq2SeqLM.from_pretrained("t5-small")\n'
WRONG = b'bad = AutoModelForCausalLM.from_pretrained("t5-small")\n'  # HFA001, safe fix -> AutoModelForSeq2SeqLM


COUNTS = {"inputs": 0, "faults": 0, "fix_runs": 0}


@pytest.fixture(autouse=True, scope="module")
def counts():
    """After this module's last test, whatever order they ran in: how many inputs, faults and --fix runs were tried."""
    yield COUNTS
    print(f"\nreliability counts (this module): {COUNTS}")


def cli(args, cwd, env=None, timeout=120, umask=None):
    """Run the command line as a user would; (CompletedProcess, seconds)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "AUTOMODEL_LINT_"))}
    e.update({"PYTHONPATH": SRC, "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HOME": str(Path(cwd) / ".hf-home"),
              "AUTOMODEL_LINT_CACHE_DIR": str(Path(cwd) / ".lint-cache"), "HF_ENDPOINT": "http://127.0.0.1:9"})
    e.update(env or {})
    e = {k: v for k, v in e.items() if v is not None}
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "automodel_lint", *args], cwd=cwd, env=e, capture_output=True,
                       text=True, timeout=timeout, preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
    return r, time.perf_counter() - t


def no_crash(r):
    assert r.returncode in (0, 1), (r.returncode, r.stderr[-800:])
    assert "Traceback" not in r.stdout + r.stderr, r.stderr[-2000:]
    assert "internal error" not in r.stderr, r.stderr[-800:]


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink() and ".lint-cache" not in p.parts
            and ".hf-home" not in p.parts and p.suffix in (".py", ".pyi", ".ipynb", ".json")}


# -- hostile sources, end to end ---------------------------------------------------------------------------------------

HOSTILE = {
    "syntax.py": OK + b"def f(:\n",
    "nul.py": OK + b"x = 1\x00\n",
    "not_utf8.py": OK + b"s = '\xff\xfe'\n",
    "bad_cookie.py": b"# -*- coding: no-such-codec -*-\n" + OK,
    "deep500.py": OK + b"x = " + b"(" * 500 + b"1" + b")" * 500 + b"\n",
    "deep5000.py": OK + b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n",
    "attr20000.py": OK + b"x = a" + b".b" * 20_000 + b"\n",
    "unary20000.py": OK + b"x = " + b"-" * 20_000 + b"1\n",
    "boolop20000.py": OK + b"x = " + b"a and " * 20_000 + b"b\n",
    "binop_in_call.py": HEAD + b'm = AutoModelForSeq2SeqLM.from_pretrained("t5-small", x=' + b"1 + " * 20_000 + b"1)\n",
    "elif1000.py": OK + b"if a:\n    pass\n" + b"elif b:\n    pass\n" * 1000,
    "bigstr.py": OK + b"s = '" + b"a" * 100_000 + b"'\n",
    "concat.py": OK + b"s = (\n" + b"    'ab'\n" * 20_000 + b")\n",
    "indent.py": OK + b"".join(b" " * i + b"if x:\n" for i in range(120)) + b" " * 120 + b"pass\n",
    "empty.py": b"",
    "only_bom.py": b"\xef\xbb\xbf",
    "unterminated.py": OK + b"s = '''never closed\n" * 3,
}
# Files that must still be checked (the wrong call found) and fixed with their bytes kept around the edit.
FIXABLE = {
    "latin1.py": b"# -*- coding: latin-1 -*-\n" + HEAD + b"s = '\xe9t\xe9'\n" + WRONG,
    "bom.py": b"\xef\xbb\xbf" + HEAD + WRONG,
    "crlf.py": (HEAD + WRONG).replace(b"\n", b"\r\n"),
    "mixed.py": HEAD.replace(b"\n", b"\r\n") + WRONG + b"x = 1\r\ny = 2\n",
    "dir with space/modèle ü.py": HEAD + WRONG,
}


def build_tree(root: Path) -> None:
    for name, data in {**HOSTILE, **FIXABLE}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "huge.py").write_bytes(OK + b"x = 1\n" * 800_000)  # 4.8 MB, above the 2 MB cap
    os.symlink(root / "loop_a.py", root / "loop_b.py")
    os.symlink(root / "loop_b.py", root / "loop_a.py")
    os.symlink(root / "nowhere.py", root / "dangling.py")
    os.mkfifo(root / "fifo.py")
    (root / "subdir_loop").mkdir()
    os.symlink(root, root / "subdir_loop" / "back")


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    build_tree(root)
    return root


def test_hostile_tree_check_ends_in_time_without_a_crash(hostile_tree):
    r, took = cli(["check", "--offline", "--output-format", "json", "."], hostile_tree, {"HF_HUB_OFFLINE": "1"})
    no_crash(r)
    assert took < 45, took
    by_file: dict[str, list] = {}
    for d in json.loads(r.stdout):
        by_file.setdefault(d["path"], []).append(d["code"])
    for name in ("syntax.py", "nul.py", "not_utf8.py", "bad_cookie.py", "unterminated.py"):
        assert by_file.get(name) == ["HFA900"], (name, by_file.get(name))
    for name in FIXABLE:
        assert by_file.get(name) == ["HFA001"], (name, by_file)
    for name in ("bigstr.py", "concat.py", "empty.py", "only_bom.py"):
        assert name not in by_file, (name, by_file[name])
    for name in ("deep5000.py", "attr20000.py", "unary20000.py", "boolop20000.py", "binop_in_call.py", "elif1000.py"):
        assert f"{name}: skipped (" in r.stderr and "not parsed" in r.stderr, name
    assert "huge.py: skipped (4,800," in r.stderr
    for name in ("loop_a.py", "loop_b.py", "dangling.py"):
        assert f"{name}: skipped (cannot read:" in r.stderr, name
    COUNTS["inputs"] += len(HOSTILE) + len(FIXABLE) + 6


def test_hostile_tree_fix_damages_nothing(hostile_tree, tmp_path):
    import shutil

    root = tmp_path / "copy"
    root.mkdir()
    build_tree(root)
    before = digest(root)
    r, took = cli(["check", "--offline", "--fix", "."], root, {"HF_HUB_OFFLINE": "1"})
    no_crash(r)
    after = digest(root)
    changed = {n for n in before if after.get(n) != before[n]}
    assert changed == set(FIXABLE), changed
    for name, data in FIXABLE.items():
        fixed = (root / name).read_bytes()
        # Only the class names changed: the cookie, the BOM, the line endings and the Latin-1 bytes are kept.
        expect = data.replace(b"AutoModelForCausalLM, AutoModelForSeq2SeqLM", b"AutoModelForSeq2SeqLM")
        expect = expect.replace(b"bad = AutoModelForCausalLM", b"bad = AutoModelForSeq2SeqLM")
        assert fixed == expect, (name, fixed)
    r2, _ = cli(["check", "--offline", "--fix", "."], root, {"HF_HUB_OFFLINE": "1"})
    no_crash(r2)
    assert digest(root) == after  # a second --fix changes nothing
    shutil.rmtree(root / "subdir_loop")
    COUNTS["fix_runs"] += 2


def test_fifo_and_device_on_the_command_line_are_never_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    r, took = cli(["check", "--offline", "pipe.py", "/dev/zero"], tmp_path, {"HF_HUB_OFFLINE": "1"}, timeout=30)
    assert "Traceback" not in r.stderr and took < 20
    assert "pipe.py: skipped (cannot read: not a regular file)" in r.stderr
    COUNTS["inputs"] += 2


# -- the parser's limits, in-process ------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, hazard", [
    (OK + b"x = " + b"(" * 200 + b"1" + b")" * 200 + b"\n", False),
    (OK + b"x = " + b"(" * 201 + b"1" + b")" * 201 + b"\n", True),
    (OK + b"x = " + b"1 + " * 300 + b"1\n", False),
    (OK + b"x = " + b"1 + " * 600 + b"1\n", True),
    (OK + b"x = (\n" + b"    1 +\n" * 600 + b"    1)\n", True),
    (OK + b"x = " + b"a and " * 300 + b"b\n", False),
    (OK + b"x = " + b"a and " * 600 + b"b\n", True),
    (OK + b"x = " + b"2 ** " * 3000 + b"1\n", True),
    (OK + b"x = " + b"lambda: " * 3000 + b"1\n", True),
    (OK + b"x = " + b"not " * 100_000 + b"a\n", True),
    (OK + b"x = {" + b"".join(b"'k%d': %d, " % (i, i) for i in range(20_000)) + b"}\n", False),  # flat data
    (OK + b"def f(:\n" + b"x = " + b"(" * 300 + b")" * 300 + b"\n", True),  # no stdlib AST: brackets counted
    (OK + b"x = 1\x00\n", False),  # NUL: the parser reports it
])
def test_parse_hazard(data, hazard):
    assert (parse_hazard(data) is not None) == hazard
    COUNTS["inputs"] += 1


def test_the_engine_refuses_what_the_parser_cannot_survive(tmp_path):
    from automodel_lint import engine

    deep = OK + b"x = a" + b".b" * 20_000 + b"\n"
    # Whatever the source came from (a file, stdin, a notebook cell): LibCST never sees it.
    assert "not parsed" in engine.analyse_source("a.py", deep).result.skipped
    path = tmp_path / "a.py"
    path.write_bytes(deep)
    assert "not parsed" in engine.analyse_file(str(path), 2_000_000).result.skipped
    # No candidate call: never parsed, so nothing to refuse.
    assert engine.analyse_source("b.py", b"x = a" + b".b" * 20_000 + b"\n").result.skipped is None
    COUNTS["inputs"] += 3


def test_deep_code_on_stdin_is_skipped_not_crashed():
    import subprocess
    import sys

    deep = OK + b"x = a" + b".b" * 20_000 + b"\n"
    r = subprocess.run([sys.executable, "-m", "automodel_lint", "check", "--offline", "-", "--stdin-filename", "deep.py"],
                       input=deep, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr[-300:]
    assert b"not parsed" in r.stderr and b"Traceback" not in r.stderr
    COUNTS["inputs"] += 1


def test_a_file_above_the_cap_is_never_parsed(tmp_path, monkeypatch):
    import ast

    import libcst

    from automodel_lint import engine

    path = tmp_path / "huge.py"
    path.write_bytes(OK + b"x = 1\n" * 800_000)

    def boom(*a, **k):
        raise AssertionError("parsed")

    monkeypatch.setattr(libcst, "parse_module", boom)
    monkeypatch.setattr(ast, "parse", boom)
    with pytest.raises(TooLarge):
        read_source(str(path), 2 * 1024 * 1024)
    analysis = engine.analyse_file(str(path), 2 * 1024 * 1024)
    assert "above the" in analysis.result.skipped and not analysis.sites
    COUNTS["inputs"] += 1


def test_parse_hazard_in_a_child_process_for_python_3_10(monkeypatch):
    """The 3.10 path: a large file's stdlib parse is tried in a child first; a crash there is a hazard, not a crash."""
    monkeypatch.setattr(sources, "_INPROCESS_LIMIT", 1000)
    sources._memo.clear()
    assert parse_hazard(OK + b"x = " + b"1 + " * 100_000 + b"1\n") is not None
    assert parse_hazard(OK + b"x = 1\n" * 500) is None
    monkeypatch.setattr(sources, "_CHILD", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    sources._memo.clear()
    assert "nested too deeply" in parse_hazard(OK + b"y = 2\n" * 500)
    sources._memo.clear()
    COUNTS["faults"] += 1


def test_vanished_and_unreadable_files_are_skipped_not_fatal(tmp_path):
    from automodel_lint import engine

    (tmp_path / "gone.py").write_bytes(OK)
    walk = discover([str(tmp_path)])
    (tmp_path / "gone.py").unlink()  # vanishes between listing and reading
    analysis = engine.analyse_file(walk.files[0].path, 2_000_000)
    assert analysis.result.skipped.startswith("cannot read") and not walk.problems
    with pytest.raises(Unreadable):
        read_source(str(tmp_path / "gone.py"), 100)
    (tmp_path / "locked.py").write_bytes(OK)
    (tmp_path / "locked.py").chmod(0)
    try:
        if os.geteuid() != 0:  # root reads anything
            with pytest.raises(Unreadable):
                read_source(str(tmp_path / "locked.py"), 2_000_000)
    finally:
        (tmp_path / "locked.py").chmod(0o644)
    COUNTS["faults"] += 2


def test_symlink_loops_while_walking(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_bytes(OK)
    os.symlink(tmp_path, tmp_path / "pkg" / "up")  # a folder loop
    os.symlink(tmp_path / "x.py", tmp_path / "y.py")
    os.symlink(tmp_path / "y.py", tmp_path / "x.py")  # a file loop
    walk = discover([str(tmp_path)])
    names = sorted(os.path.basename(f.path) for f in walk.files)
    assert names == ["a.py", "x.py", "y.py"] and walk.problems == []
    COUNTS["inputs"] += 2


# -- config.json and model ids -----------------------------------------------------------------------------------------

CONFIGS = {
    "cfg_list": "[]",
    "cfg_str": '"config"',
    "cfg_types": '{"model_type": 5, "architectures": "LlamaForCausalLM"}',
    "cfg_arch_items": '{"model_type": "llama", "architectures": [1, null, {"a": 1}]}',
    "cfg_nullarch": '{"model_type": "t5", "architectures": null}',
    "cfg_unknown": '{"model_type": "no-such-type", "architectures": ["NoSuchModelForCausalLM"]}',
    "cfg_deep": "[" * 100_000 + "]" * 100_000,
    "cfg_deep_obj": '{"a":' * 50_000 + "1" + "}" * 50_000,
    "cfg_huge": '{"model_type": "llama", "pad": "' + "x" * 1_100_000 + '"}',
    "cfg_not_json": "{'model_type': 'llama'}",
    "cfg_bad_utf8": b'{"model_type": "\xff"}',
    "cfg_automap": '{"model_type": "llama", "auto_map": {"AutoModel": 5, "AutoTokenizer": ["a", null]}}',
}
IDS = ["../../etc/passwd", "/dev/zero", "/dev/stdin", "https://evil.example/x", "file:///etc/passwd", "a\x1b[31mb",
       "a\nb", "x" * 10_000, "", "   ", "fifo_model", "org/" + "n" * 200, "a--b", "C:\\Windows\\x", "~/x", "$HOME/x",
       "org/name/../../x", "\u202eevil"]


def test_hostile_configs_and_ids_give_no_verdict_and_no_crash(tmp_path):
    for name, body in CONFIGS.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_bytes(body if isinstance(body, bytes) else body.encode())
    (tmp_path / "fifo_model").mkdir()
    os.mkfifo(tmp_path / "fifo_model" / "config.json")
    models = list(CONFIGS) + IDS
    lines = "".join(f"m{i} = AutoModelForCausalLM.from_pretrained({m!r})\n" for i, m in enumerate(models))
    (tmp_path / "ids.py").write_text(HEAD.decode() + lines)
    r, took = cli(["check", "--offline", "--output-format", "json", "ids.py"], tmp_path, {"HF_HUB_OFFLINE": "1"},
                  timeout=60)
    no_crash(r)
    assert took < 30
    found = json.loads(r.stdout)
    # Only facts give a verdict: a field of the wrong type counts as absent, so the t5 config with
    # `architectures: null` is still a t5 checkpoint (transformers itself crashes on it), and the llama config with
    # a malformed auto_map a llama one (which AutoModelForCausalLM loads); nothing else is judged.
    assert {d["model"] for d in found} == {"cfg_nullarch"}, found
    assert "\x1b" not in r.stdout + r.stderr  # a control character in an id is never printed raw
    COUNTS["inputs"] += len(models)


def test_ids_are_validated_before_any_disk_or_network_access(tmp_path, monkeypatch):
    from fakehub_facts import FakeHub

    from automodel_lint.facts.resolver import Resolver
    from automodel_lint.records import ModelRequest, Unresolved

    monkeypatch.delenv("HF_HUB_OFFLINE")
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    opened: list[str] = []
    real_open, real_os_open = open, os.open

    def spy_open(file, *a, **k):
        opened.append(str(file))
        return real_open(file, *a, **k)

    def spy_os_open(path, *a, **k):
        opened.append(str(path))
        return real_os_open(path, *a, **k)

    bad = ["https://evil.example/x", "a\x1b[31mb", "x" * 10_000, "", "a\x00b", "/dev/zero", "/dev/stdin"]
    with FakeHub({}) as hub:
        monkeypatch.setattr("builtins.open", spy_open)
        monkeypatch.setattr(os, "open", spy_os_open)
        answers = Resolver(endpoint=hub.url, cache_dir=tmp_path / "c", use_cache=False,
                           progress=lambda d, t: None).resolve_all([ModelRequest(m) for m in bad])
        monkeypatch.undo()
    assert all(isinstance(a, Unresolved) for a in answers.values())
    assert hub.log == []  # none reached the network
    assert not [p for p in opened if p.startswith("/dev/")], opened  # devices are stat'ed, never opened
    COUNTS["inputs"] += len(bad)


# -- the network, end to end -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["slow", "reset", "500", "429-always", "garbage", "huge"])
def test_hub_faults_end_in_time_and_do_not_change_the_exit_code(tmp_path, mode):
    from fakehub_facts import FakeHub

    ids = [f"lab/m{i}" for i in range(12)]
    (tmp_path / "a.py").write_text(HEAD.decode() + "".join(
        f"m{i} = AutoModelForCausalLM.from_pretrained({m!r})\n" for i, m in enumerate(ids)) + WRONG.decode())
    offline, _ = cli(["check", "--offline", "a.py"], tmp_path, {"HF_HUB_OFFLINE": "1"})
    with FakeHub({m: {"model_type": "t5", "architectures": ["T5ForConditionalGeneration"]} for m in ids},
                 mode=mode, slow=5) as hub:
        r, took = cli(["check", "--network-timeout", "1", "a.py"], tmp_path,
                      {"HF_ENDPOINT": hub.url, "HF_HUB_OFFLINE": None})
    no_crash(r)
    assert took < 10 + 5, took  # the default budget is 10 s; start-up and the slow server's last answer on top
    assert r.returncode == offline.returncode == 1  # the wrong t5-small call; unresolved ids change nothing
    assert "could not be resolved" in r.stderr
    assert hub.log and {m for m, _ in hub.log} <= {"GET", "HEAD"}
    COUNTS["faults"] += 1


# -- security ---------------------------------------------------------------------------------------------------------

MARKER_CODE = "import pathlib; pathlib.Path({marker!r}).write_text('imported')\n"


def test_no_code_from_a_checkpoint_or_the_project_is_ever_run(tmp_path):
    marker = tmp_path / "MARKER"
    code = MARKER_CODE.format(marker=str(marker))
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({
        "model_type": "evil", "architectures": ["EvilForCausalLM"],
        "auto_map": {"AutoModelForCausalLM": "modeling_evil.EvilForCausalLM", "AutoConfig": "configuration_evil.C"}}))
    for name in ("modeling_evil.py", "configuration_evil.py", "__init__.py"):
        (ckpt / name).write_text(code)
    # The project plants modules that shadow what a careless linter would import from the working directory.
    for name in ("transformers.py", "huggingface_hub.py", "libcst.py", "sitecustomize.py", "conftest.py", "setup.py"):
        (tmp_path / name).write_text(code)
    (tmp_path / "transformers-99.0.dist-info").mkdir()
    (tmp_path / "a.py").write_text(
        HEAD.decode() + "m = AutoModelForSeq2SeqLM.from_pretrained('./ckpt', trust_remote_code=True)\n"
        + "exec(open('modeling_evil.py').read())\n" + WRONG.decode())
    for args in (["check", "--offline", "a.py"], ["check", "--offline", "--fix", "a.py"],
                 ["resolve", "./ckpt"], ["lock", "a.py"]):
        r, _ = cli(args, tmp_path, {"HF_HUB_OFFLINE": "1"})
        assert "Traceback" not in r.stderr, (args, r.stderr[-1500:])
        assert not marker.exists(), args
    COUNTS["inputs"] += 4


def test_the_token_is_never_printed_even_with_debug_logging(tmp_path):
    from fakehub_facts import FakeHub

    token = "hf_SECRETtokenVALUE0123456789abcdef"
    (tmp_path / "a.py").write_text(HEAD.decode() + "".join(
        f"m{i} = AutoModelForCausalLM.from_pretrained({m!r})\n" for i, m in
        enumerate(["lab/ok", "lab/gated", "lab/err", "lab/missing", "lab/reset"])))
    facts = {"lab/ok": {"model_type": "t5", "architectures": ["T5ForConditionalGeneration"]},
             "lab/gated": {"fault": "401"}, "lab/err": {"fault": "500"}, "lab/reset": {"fault": "reset"}}
    with FakeHub(facts) as hub:
        env = {"HF_ENDPOINT": hub.url, "HF_HUB_OFFLINE": None, "HF_TOKEN": token, "HF_HUB_VERBOSITY": "debug",
               "AUTOMODEL_LINT_DEBUG": "1", "HTTPX_LOG_LEVEL": "trace", "PYTHONWARNINGS": "always"}
        outputs = []
        for fmt in ("text", "json", "sarif", "github"):
            r, _ = cli(["check", "--output-format", fmt, "--no-cache", "a.py"], tmp_path, env)
            no_crash(r)
            outputs.append(r.stdout + r.stderr)
        r, _ = cli(["resolve", "lab/gated"], tmp_path, env)
        outputs.append(r.stdout + r.stderr)
        r, _ = cli(["check", "a.py"], tmp_path, env)  # with the cache this time
        outputs.append(r.stdout + r.stderr)
    assert any(a == f"Bearer {token}" for a in hub.auth)  # it was used...
    for out in outputs:
        assert token not in out and token[3:15] not in out  # ...and never shown
    for path in (tmp_path / ".lint-cache").rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes()
    assert {m for m, _ in hub.log} <= {"GET", "HEAD"}
    COUNTS["faults"] += 3


def test_cache_files_are_not_world_writable_even_with_umask_0(tmp_path):
    from fakehub_facts import FakeHub

    (tmp_path / "a.py").write_text(HEAD.decode() + "m = AutoModelForCausalLM.from_pretrained('lab/ok')\n")
    with FakeHub({"lab/ok": {"model_type": "t5", "architectures": ["T5ForConditionalGeneration"]}}) as hub:
        r, _ = cli(["check", "a.py"], tmp_path, {"HF_ENDPOINT": hub.url, "HF_HUB_OFFLINE": None}, umask=0)
    no_crash(r)
    cache = tmp_path / ".lint-cache"
    files = [p for p in cache.rglob("*")]
    assert any(p.name == "hub-facts.json" for p in files), files
    loose = [(p.name, oct(p.stat().st_mode)) for p in [cache, *files] if p.stat().st_mode & 0o002]
    assert not loose, loose


def test_read_only_cache_folder_works_with_one_warning(tmp_path):
    from fakehub_facts import FakeHub

    (tmp_path / "a.py").write_text(HEAD.decode() + "m = AutoModelForCausalLM.from_pretrained('lab/ok')\n" + WRONG.decode())
    (tmp_path / "ro").mkdir()
    (tmp_path / "blocker").write_text("")
    # As root a chmod does not stop writes; a cache folder below a file cannot be created by anyone.
    cache = tmp_path / "ro" if os.geteuid() != 0 else tmp_path / "blocker" / "cache"
    (tmp_path / "ro").chmod(0o555)
    try:
        with FakeHub({"lab/ok": {"model_type": "t5", "architectures": ["T5ForConditionalGeneration"]}}) as hub:
            r, _ = cli(["check", "a.py"], tmp_path,
                       {"HF_ENDPOINT": hub.url, "HF_HUB_OFFLINE": None, "AUTOMODEL_LINT_CACHE_DIR": str(cache)})
    finally:
        (tmp_path / "ro").chmod(0o755)
    no_crash(r)
    assert r.returncode == 1 and "HFA001" in r.stdout
    assert r.stderr.count("warning") == 1, r.stderr
    COUNTS["faults"] += 1

