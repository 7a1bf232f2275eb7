"""`--fix` under faults: whatever fails, the file is byte for byte what it was (or, removed, stays removed).

Hypothesis generates modules (import styles, wrong and right calls, noise, encodings, line endings, broken code) and
picks a fault to inject at a point of the fix pipeline: the write (mkstemp, write, fsync, chmod, os.replace), the
file changing or vanishing between the check and the fix, a read-only file, the transform, or the re-check. The
fix runs in-process through `autofix.fix_report`, exactly as `check --fix` calls it.
"""

from __future__ import annotations

import ast
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from automodel_lint import autofix, engine, fixer

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
FAULTS = [None, "mkstemp", "write", "fsync", "chmod", "replace", "changed", "vanished", "readonly", "transform",
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

    if fault == "mkstemp":
        monkeypatch.setattr(tempfile, "mkstemp", fail)
    elif fault == "write":
        real = os.fdopen

        def short(fd, *a, **k):
            handle = real(fd, *a, **k)

            class Half:
                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    handle.close()

                def write(self, data):
                    handle.write(data[: len(data) // 2])
                    raise OSError(28, "No space left on device")

                def __getattr__(self, name):
                    return getattr(handle, name)

            return Half()

        monkeypatch.setattr(os, "fdopen", short)
    elif fault == "fsync":
        monkeypatch.setattr(os, "fsync", fail)
    elif fault == "chmod":
        monkeypatch.setattr(os, "chmod", fail)
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

        monkeypatch.setattr(fixer, "_transformer", broken)


FAULTS_SEEN: dict = {}
FIXABLE_UNDER_FAULT: dict = {}  # examples where a safe fix was due and the fault hit it


def _each_fault(test):
    """One explicit example per fault, on a module with a safe fix due. Hypothesis's draws are skewed (chmod came
    up 2 times in 160 in one run), and test_zz_fault_coverage failed by chance once in six runs without these."""
    module = (IMPORTS[1] + CALLS[0]).encode()
    for fault in FAULTS:
        test = example(data=module, fault=fault)(test)
    return test


@settings(max_examples=160, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=modules(), fault=st.sampled_from(FAULTS))
@_each_fault
def test_fix_never_damages_a_file(data, fault, monkeypatch, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "m.py"
    path.write_bytes(data)
    options = engine.Options(offline=True, use_cache=False, cache_dir=str(folder / "cache"))
    report = engine.check_paths([str(path)], options)
    fixable = [d for f in report.files for d in f.diagnostics if d.applicability == "safe"]
    expected_now = path.read_bytes() if path.exists() else None
    with monkeypatch.context() as m:
        inject(fault, m, path)
        if fault == "recheck":  # the re-check says the fixed code does not compile
            m.setattr(fixer, "_python_parses", lambda d, _orig=data: d == _orig)
        after_fault = path.read_bytes() if path.exists() else None
        summary = autofix.fix_report(report, options, unsafe=False, write=True)
    try:
        leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
        assert not leftovers, leftovers
        FAULTS_SEEN[fault] = FAULTS_SEEN.get(fault, 0) + 1
        if fixable and fault is not None:
            FIXABLE_UNDER_FAULT[fault] = FIXABLE_UNDER_FAULT.get(fault, 0) + 1
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
    options = engine.Options(offline=True, use_cache=False)
    report = engine.check_paths([str(path)], options)
    summary = autofix.fix_report(report, options, unsafe=False, write=True)
    assert path.read_bytes() == data and summary.failures and "read-only" in summary.failures[0]


def test_a_file_edited_or_removed_mid_run_is_not_overwritten_or_recreated(tmp_path):
    path = tmp_path / "m.py"
    data = IMPORTS[0].encode() + CALLS[0].encode()
    options = engine.Options(offline=True, use_cache=False)
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


def test_zz_fault_coverage():
    """Every fault was drawn at least once by the property test above (it runs first, in file order)."""
    if not FAULTS_SEEN:
        pytest.skip("run with the property test")
    assert set(FAULTS_SEEN) == set(FAULTS), FAULTS_SEEN
    assert sum(FIXABLE_UNDER_FAULT.values()) >= 20, FIXABLE_UNDER_FAULT
    print(f"\n--fix fuzz: {sum(FAULTS_SEEN.values())} generated modules, faults {FAULTS_SEEN}, "
          f"of which a due fix was hit: {FIXABLE_UNDER_FAULT}")
