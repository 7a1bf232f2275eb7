"""The results cache: a warm run says exactly what a cold one says, and anything that changes the answer
(the file, the options, the project's declared models) is judged afresh."""

import json
import os
import subprocess
import sys

WRONG = 'from transformers import AutoModelForSeq2SeqLM\n\nm = AutoModelForSeq2SeqLM.from_pretrained("gpt2")\n'
PRIVATE = 'from transformers import AutoModelForSeq2SeqLM\n\nm = AutoModelForSeq2SeqLM.from_pretrained("acme/private-llm")\n'


def run(root, *args):
    r = subprocess.run([sys.executable, "-m", "automodel_lint", "check", "--offline", "--output-format", "json", *args, "."],
                       capture_output=True, text=True, cwd=root, timeout=120)
    return [(d["path"], d["line"], d["code"]) for d in json.loads(r.stdout)], r.stderr


def test_warm_run_repeats_the_cold_one_and_changes_are_seen(tmp_path):
    (tmp_path / "a.py").write_text(WRONG)
    (tmp_path / "b.py").write_text(PRIVATE)
    (tmp_path / "c.py").write_text("x = 1\n")
    cold = run(tmp_path)
    assert cold[0] == [("a.py", 3, "HFA001")]
    assert "'acme/private-llm'" in cold[1]
    warm = run(tmp_path)
    assert warm == cold
    assert list((tmp_path / os.environ["AUTOMODEL_LINT_CACHE_DIR"] / "results-v2").glob("files-*.json"))

    # The file changes: judged afresh.
    (tmp_path / "a.py").write_text(WRONG.replace('"gpt2"', '"t5-small"'))
    assert run(tmp_path)[0] == []
    # Touched but the same bytes: the entry still serves (and says the same).
    os.utime(tmp_path / "a.py", ns=(1, 1))
    assert run(tmp_path)[0] == []

    # The project declares a model: the facts changed although no source did.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.automodel-lint.models]\n"acme/private-llm" = { model_type = "llama", architectures = ["LlamaForCausalLM"] }\n')
    assert run(tmp_path)[0] == [("b.py", 3, "HFA001")]
    # The options change: the verdicts follow them.
    assert run(tmp_path, "--ignore", "HFA001")[0] == []
    assert run(tmp_path)[0] == [("b.py", 3, "HFA001")]


def test_no_cache_neither_reads_nor_writes(tmp_path):
    (tmp_path / "a.py").write_text(WRONG)
    run(tmp_path, "--no-cache")
    assert not (tmp_path / os.environ["AUTOMODEL_LINT_CACHE_DIR"] / "results-v2").exists()


def test_a_corrupt_store_is_ignored(tmp_path):
    (tmp_path / "a.py").write_text(WRONG)
    store = tmp_path / os.environ["AUTOMODEL_LINT_CACHE_DIR"] / "results-v2"
    run(tmp_path)
    for part in store.iterdir():
        part.write_text('{"key": "x", "files": [')
    assert run(tmp_path)[0] == [("a.py", 3, "HFA001")]
    assert [json.loads(p.read_text())["files"] for p in store.glob("files-*.json")]


def test_an_id_the_network_failed_on_is_asked_again(tmp_path, monkeypatch):
    # Online (no --offline), with a Hub that refuses connections: the id stays unresolved, and the next run
    # must try again rather than reuse a verdict made without its facts.
    from automodel_lint.engine import check_paths
    from automodel_lint.options import Options

    (tmp_path / "b.py").write_text(PRIVATE)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.chdir(tmp_path)
    options = Options(result_cache=True, network_timeout=0.5)
    first = check_paths(["."], options)
    assert [u.model_id for u in first.unresolved] == ["acme/private-llm"]
    asked = []
    import automodel_lint.engine as engine

    real = engine.make_resolver
    monkeypatch.setattr(engine, "make_resolver", lambda *a: asked.append(1) or real(*a))
    check_paths(["."], options)
    assert asked, "the unresolved id was not asked for again"


def _notebook(*cells):
    return json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# title\n"]}] + [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c} for c in cells],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


NOTEBOOK = _notebook(["!pip install transformers\n", "from transformers import AutoModelForSeq2SeqLM\n"],
                     ["x = 1\n", "\n", 'm = AutoModelForSeq2SeqLM.from_pretrained("gpt2")\n'])


def _parsed(monkeypatch):
    """The paths the next runs parse (instead of taking from the results cache)."""
    import automodel_lint.pool as pool

    parsed = []
    real = pool.parse_all
    monkeypatch.setattr(pool, "parse_all", lambda paths, *a: parsed.extend(paths) or real(paths, *a))
    return parsed


def test_a_warm_notebook_tree_parses_nothing_and_says_the_same(tmp_path, monkeypatch):
    from automodel_lint.engine import check_paths
    from automodel_lint.options import Options

    (tmp_path / "demo.ipynb").write_text(NOTEBOOK)
    (tmp_path / "plain.ipynb").write_text(_notebook(["print('no model here')\n"]))
    (tmp_path / "broken.ipynb").write_text("{not json from_pretrained")
    monkeypatch.chdir(tmp_path)
    parsed = _parsed(monkeypatch)
    options = Options(result_cache=True, offline=True)
    cold = check_paths(["."], options)
    assert sorted(parsed) == ["broken.ipynb", "demo.ipynb"]
    # Shown at the cell (numbered from 1, the markdown cell counts) and the line in it.
    assert [(d.cell, d.span.line, d.code) for d in cold.diagnostics] == [(3, 3, "HFA001")]
    parsed.clear()
    warm = check_paths(["."], options)
    assert parsed == []
    assert warm.diagnostics == cold.diagnostics
    assert [f.skipped for f in warm.files] == [f.skipped for f in cold.files]

    # Shards by folder: a run over one file reads its folder's shard, not the others.
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.py").write_text(WRONG)
    check_paths(["."], options)
    import automodel_lint.results_cache as results_cache

    cache = results_cache.ResultsCache(options, "5.24.0")
    assert cache.recall("sub/one.py") is not None and len(cache.shards) == 1
    parsed.clear()

    # A changed notebook is read again, the others still come from the cache; changed only in a line the pre-pass
    # drops, it keeps its call sites, moved with their line, and LibCST does not parse it.
    import libcst

    parses = []
    real_parse = libcst.parse_module
    monkeypatch.setattr(libcst, "parse_module", lambda *a, **k: parses.append(1) or real_parse(*a, **k))
    (tmp_path / "demo.ipynb").write_text(NOTEBOOK.replace('"x = 1\\n",\n', ""))
    shown = check_paths(["."], options).diagnostics
    assert [(d.cell, d.span.line) for d in shown if d.path == "demo.ipynb"] == [(3, 2)]
    assert parsed == ["demo.ipynb"] and parses == []
    # A change to the load itself is parsed.
    parsed.clear()
    (tmp_path / "demo.ipynb").write_text(NOTEBOOK.replace("gpt2", "t5-small"))
    assert [d for d in check_paths(["."], options).diagnostics if d.path == "demo.ipynb"] == []
    assert parsed == ["demo.ipynb"] and parses


def test_fix_of_a_notebook_judged_from_the_cache(tmp_path):
    (tmp_path / "demo.ipynb").write_text(NOTEBOOK)
    assert run(tmp_path)[0] == [("demo.ipynb", 3, "HFA001")]
    assert run(tmp_path)[0] == [("demo.ipynb", 3, "HFA001")]  # from the cache
    r = subprocess.run([sys.executable, "-m", "automodel_lint", "check", "--offline", "--fix", "."],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert "fix not applied" not in r.stderr, r.stderr
    fixed = json.loads((tmp_path / "demo.ipynb").read_text())
    assert fixed["cells"][1]["source"] == ["!pip install transformers\n",
                                           "from transformers import AutoModelForCausalLM\n"]
    assert fixed["cells"][2]["source"][2] == 'm = AutoModelForCausalLM.from_pretrained("gpt2")\n'
    assert run(tmp_path)[0] == []


TRAIN = '''"""Fine-tune a model."""
from transformers import AutoModelForCausalLM, AutoTokenizer


def train(model, data):
    lr = 1e-4
    for step, batch in enumerate(data):
        loss = model(**batch).loss
        loss.backward()
    return lr


model = AutoModelForCausalLM.from_pretrained("google/flan-t5-base")
tok = AutoTokenizer.from_pretrained("gpt2")
'''
WATCH = ("import json, sys\nfrom automodel_lint.cli import main\n"
         "main(['check', '--offline', '--output-format', 'json', '--exit-zero', *sys.argv[1:], '.'])\n"
         "print(json.dumps('libcst' in sys.modules), file=sys.stderr)\n")


def run_watched(root, *args):
    """(diagnostics as (line, column, code), whether LibCST was imported)."""
    r = subprocess.run([sys.executable, "-c", WATCH, *args], capture_output=True, text=True, cwd=root, timeout=120)
    return [(d["line"], d["column"], d["code"]) for d in json.loads(r.stdout)], json.loads(r.stderr.splitlines()[-1])


def test_a_change_only_in_lines_the_pre_pass_drops_reuses_the_call_sites_without_libcst(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    assert run_watched(tmp_path) == ([(13, 9, "HFA001")], True)
    # An edit in the training loop that also adds two lines above the call: the same reduced text, moved.
    (tmp_path / "train.py").write_text(TRAIN.replace("    lr = 1e-4\n", "    lr = 3e-4\n    warmup = 10\n    decay = 0.1\n"))
    assert run_watched(tmp_path) == ([(15, 9, "HFA001")], False)
    assert run_watched(tmp_path, "--no-cache") == ([(15, 9, "HFA001")], True)  # what a fresh parse says
    # An edit to a line LibCST reads: parsed again.
    (tmp_path / "train.py").write_text(TRAIN.replace('"google/flan-t5-base"', '"gpt2"'))
    assert run_watched(tmp_path) == ([], True)
    # A preview run looks for uses in another reduction: parsed again (the flow needs the whole file).
    (tmp_path / "train.py").write_text(TRAIN)
    run_watched(tmp_path)
    (tmp_path / "train.py").write_text(TRAIN.replace("lr = 1e-4", "lr = 2e-4"))
    assert run_watched(tmp_path, "--preview")[1] is True


def test_a_reused_file_is_fixed_and_bytes_that_no_longer_decode_are_reported(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    run_watched(tmp_path)
    (tmp_path / "train.py").write_text(TRAIN.replace("lr = 1e-4", "lr = 5e-4"))
    subprocess.run([sys.executable, "-m", "automodel_lint", "check", "--offline", "--fix", "."], cwd=tmp_path,
                   capture_output=True, timeout=120)
    assert 'AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-base")' in (tmp_path / "train.py").read_text()
    assert "lr = 5e-4" in (tmp_path / "train.py").read_text()

    (tmp_path / "train.py").write_text(TRAIN)
    run_watched(tmp_path)
    (tmp_path / "train.py").write_bytes(TRAIN.encode().replace(b"lr = 1e-4", b"lr = '\xff'"))  # not UTF-8
    assert [code for _, _, code in run_watched(tmp_path)[0]] == ["HFA900"]


def notebook(cells) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {"language_info": {"name": "python"}},
                       "cells": cells})


def code(source: str, count=None, outputs=()) -> dict:
    return {"cell_type": "code", "metadata": {}, "execution_count": count, "outputs": list(outputs),
            "source": source.splitlines(keepends=True)}


def test_a_notebook_run_again_or_edited_outside_its_loads_reuses_its_call_sites_without_libcst(tmp_path):
    load = code('from transformers import AutoModelForCausalLM\n'
                'model = AutoModelForCausalLM.from_pretrained("google/flan-t5-base")\n')
    loop = "def train(batches):\n    for b in batches:\n        model(**b).loss.backward()  # lr {n}\n"
    path = tmp_path / "demo.ipynb"
    path.write_text(notebook([code("import torch\n"), load, code(loop.format(n=1))]))
    assert run_watched(tmp_path) == ([(2, 9, "HFA001")], True)
    # Run again: new outputs and execution counts; a markdown cell added at the top; the loop cell edited.
    out = {"output_type": "stream", "name": "stdout", "text": ["loaded\n"]}
    md = {"cell_type": "markdown", "metadata": {}, "source": ["# Demo\n"]}
    path.write_text(notebook([md, code("import torch\n", 1), code("".join(load["source"]), 2, [out]),
                              code(loop.format(n=2), 3)]))
    assert run_watched(tmp_path) == ([(2, 9, "HFA001")], False)
    diagnostics = json.loads(subprocess.run(
        [sys.executable, "-m", "automodel_lint", "check", "--offline", "--output-format", "json", "."],
        capture_output=True, text=True, cwd=tmp_path, timeout=120).stdout)
    assert [(d["cell"], d["line"]) for d in diagnostics] == [(3, 2)]  # the load's cell, counted as Jupyter does
    assert run_watched(tmp_path, "--no-cache") == ([(2, 9, "HFA001")], True)
    # A code cell added above adds a cell separator to the code LibCST reads: read afresh, placed in its new cell.
    path.write_text(notebook([md, code("x = 1\ny = 2\n"), code("import torch\n"),
                              code("".join(load["source"])), code(loop.format(n=3))]))
    assert run_watched(tmp_path) == ([(2, 9, "HFA001")], True)
    diagnostics = json.loads(subprocess.run(
        [sys.executable, "-m", "automodel_lint", "check", "--offline", "--output-format", "json", "."],
        capture_output=True, text=True, cwd=tmp_path, timeout=120).stdout)
    assert [(d["cell"], d["line"]) for d in diagnostics] == [(4, 2)]
