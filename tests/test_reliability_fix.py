"""`--fix` under faults: whatever fails, the file is byte for byte what it was (or, removed, stays removed).

Hypothesis generates modules (import styles, wrong and right calls, noise, encodings, line endings, broken code) and
picks a fault to inject at a point of the fix pipeline: the write (creating the temporary file, writing it, fsync,
fchmod, os.replace), the file changing or vanishing between the check and the fix, a read-only file, the transform,
or the re-check. The fix runs in-process through `autofix.fix_report`, exactly as `check --fix` calls it.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from hypothesis import example, given, settings, strategies as st

from automodel_lint import autofix, engine, fixer
from automodel_lint.options import Options

IMPORTS = [
    "from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM\n",
    "from transformers import AutoModelForCausalLM\n",
    "from transformers import (\n    AutoModelForCausalLM,  # the model\n    AutoTokenizer,\n)\n",
    "import transformers\nfrom transformers import AutoModelForCausalLM as ALM\n",
    "try:\n    from transformers import AutoModelForCausalLM\nexcept ImportError:\n    AutoModelForCausalLM = None\n",
]
CALLS = [
    'm = AutoModelForCausalLM.from_pretrained("t5-small")\n',
    'm = transformers.AutoModelForCausalLM.from_pretrained("t5-small")\n',
    "m = AutoModelForCausalLM.from_pretrained(\n    't5-small',  # why\n    revision='main',\n)\n",
    'def load():\n\treturn AutoModelForCausalLM.from_pretrained("t5-small")\n',
    'ok = AutoModelForCausalLM.from_pretrained("gpt2")\n',
    'x = ALM.from_pretrained("t5-small") if True else None\n',
]
NOISE = [
    "# from_pretrained in a comment\n", "s = 'AutoModelForCausalLM'\n", 'doc = """\nfrom_pretrained\n"""\n',
    "x = 1; y = 2\n", "z = (1 +\n     2)\n", "u = 'é ü 模型'\n", "if x:\n    pass\n", "w = \\\n    3\n",
    "def f(:\n", "x = '''\n", "\x00\n", "lambda: (yield)\n",
]
FAULTS = [None, "create", "write", "fsync", "chmod", "replace", "changed", "vanished", "readonly", "transform",
          "recheck"]


@st.composite
def modules(draw):
    parts = [draw(st.sampled_from(IMPORTS)), draw(st.sampled_from(CALLS[:4]))]
    parts += draw(st.lists(st.sampled_from(CALLS + NOISE), max_size=5))
    parts = draw(st.permutations(parts)) if draw(st.integers(0, 3)) == 0 else parts
    text = "".join(parts)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"# -*- coding: latin-1 -*-\n"]))
    if prefix.startswith(b"# -*- coding: latin-1"):
        data = prefix + text.encode("latin-1", errors="replace")
    else:
        data = prefix + data
    return data


def inject(fault, monkeypatch, path: Path):
    """Arrange for `fault` to happen during the fix; the fix must then leave the file as it was."""
    def fail(*a, **k):
        raise OSError(28, "No space left on device")

    if fault == "create":
        real_open = os.open

        def no_new_file(path, flags, *a, **k):
            if flags & os.O_EXCL:
                fail()
            return real_open(path, flags, *a, **k)

        monkeypatch.setattr(os, "open", no_new_file)
    elif fault == "write":
        real_write = os.write

        def short(fd, data):
            real_write(fd, bytes(data[: len(data) // 2]))
            fail()

        monkeypatch.setattr(os, "write", short)
    elif fault == "fsync":
        monkeypatch.setattr(os, "fsync", fail)
    elif fault == "chmod":
        monkeypatch.setattr(os, "fchmod", fail)
    elif fault == "replace":
        monkeypatch.setattr(os, "replace", fail)
    elif fault == "changed":
        path.write_bytes(path.read_bytes() + b"# edited meanwhile\n")
    elif fault == "vanished":
        path.unlink()
    elif fault == "readonly":
        path.chmod(0o444)
    elif fault == "transform":
        def broken(*a, **k):
            raise RuntimeError("injected")

        monkeypatch.setattr(fixer, "transformer", broken)


def _each_fault(test):
    """One explicit example per fault, on a module with a safe fix due. Hypothesis's draws are skewed (chmod came
    up 2 times in 160 in one run), and the coverage check failed by chance once in six runs without these."""
    module = (IMPORTS[1] + CALLS[0]).encode()
    for fault in FAULTS:
        test = example(data=module, fault=fault)(test)
    return test


def test_fix_never_damages_a_file_whatever_fault_hits_it(monkeypatch, tmp_path_factory):
    """The property below, and then its coverage: every fault was drawn, and at least 20 of them hit a due fix."""
    seen: dict = {}
    hit: dict = {}  # examples where a safe fix was due and the fault hit it

    @settings(max_examples=160, deadline=None)
    @given(data=modules(), fault=st.sampled_from(FAULTS))
    @_each_fault
    def fix_under_fault(data, fault):
        fixable = _fix_under_fault(data, fault, monkeypatch, tmp_path_factory.mktemp("fuzz"))
        seen[fault] = seen.get(fault, 0) + 1
        if fixable and fault is not None:
            hit[fault] = hit.get(fault, 0) + 1

    fix_under_fault()
    assert set(seen) == set(FAULTS), seen
    assert sum(hit.values()) >= 20, hit
    print(f"\n--fix fuzz: {sum(seen.values())} generated modules, faults {seen}, of which a due fix was hit: {hit}")


def _fix_under_fault(data: bytes, fault, monkeypatch, folder: Path) -> bool:
    """Checks `data` as a file, fixes it with `fault` injected, asserts the file's fate; whether a fix was due."""
    path = folder / "m.py"
    path.write_bytes(data)
    options = Options(offline=True, use_cache=False, cache_dir=str(folder / "cache"))
    report = engine.check_paths([str(path)], options)
    fixable = [d for f in report.files for d in f.diagnostics if d.applicability == "safe"]
    expected_now = path.read_bytes() if path.exists() else None
    with monkeypatch.context() as m:
        inject(fault, m, path)
        if fault == "recheck":  # the re-check says the fixed code does not compile
            m.setattr(fixer.verify, "python_parses", lambda d, _orig=data: d == _orig)
        after_fault = path.read_bytes() if path.exists() else None
        summary = autofix.fix_report(report, options, unsafe=False, write=True)
    try:
        leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
        assert not leftovers, leftovers
        if fault is None:
            if summary.changed:
                fixed = path.read_bytes()
                assert fixed != data and fixable
                if _parses(data):
                    assert _parses(fixed)
                again = engine.check_paths([str(path)], options)
                assert not [d for f in again.files for d in f.diagnostics if d.applicability == "safe"]
            else:
                assert path.read_bytes() == data
        elif fault == "vanished":
            assert not path.exists()  # never brought back
        else:
            now = path.read_bytes()
            if fault == "changed":
                assert now == after_fault  # the concurrent edit is kept
            elif fault == "readonly" and os.geteuid() == 0:
                pass  # root writes read-only files... but write_atomic refuses them by their mode
            else:
                assert now == expected_now == data, fault
            if fixable and fault not in ("recheck",):
                assert not summary.changed
    finally:
        if path.exists():
            path.chmod(0o644)
    return bool(fixable)


def _parses(data: bytes) -> bool:
    try:
        ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    return True


def test_readonly_file_is_reported_not_written(tmp_path):
    path = tmp_path / "m.py"
    data = IMPORTS[0].encode() + CALLS[0].encode()
    path.write_bytes(data)
    path.chmod(0o444)
    options = Options(offline=True, use_cache=False)
    report = engine.check_paths([str(path)], options)
    summary = autofix.fix_report(report, options, unsafe=False, write=True)
    assert path.read_bytes() == data and summary.failures and "read-only" in summary.failures[0]


def test_a_file_edited_or_removed_mid_run_is_not_overwritten_or_recreated(tmp_path):
    path = tmp_path / "m.py"
    data = IMPORTS[0].encode() + CALLS[0].encode()
    options = Options(offline=True, use_cache=False)
    path.write_bytes(data)
    report = engine.check_paths([str(path)], options)
    path.write_bytes(data + b"print('edited in the editor meanwhile')\n")
    summary = autofix.fix_report(report, options, unsafe=False, write=True)
    assert path.read_bytes().endswith(b"meanwhile')\n") and b"AutoModelForCausalLM.from" in path.read_bytes()
    assert "changed while it was being checked" in summary.failures[0]
    path.write_bytes(data)
    report = engine.check_paths([str(path)], options)
    path.unlink()
    summary = autofix.fix_report(report, options, unsafe=False, write=True)
    assert not path.exists() and "removed" in summary.failures[0]
