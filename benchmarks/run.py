#!/usr/bin/env python3
"""Speed and memory of automodel-lint, each figure printed next to its target and to anchors measured
in the same run on the same tree (ruff, flake8, fixit). Medians of several runs, with min and max.

    python benchmarks/run.py                 # peft 0.21.2 + trl 1.16.0 source distributions from PyPI
    python benchmarks/run.py --corpus DIR    # any tree
    python benchmarks/run.py --quick         # fewer repetitions, no fixit, smaller synthetic trees

Three trees: the sdists' Python files; a notebook tree made from them (each file cut into cells at its top-level
statements: whole, first half, second half, as the acceptance check builds it); and one changed file, what
pre-commit hands a hook (new bytes every run, on a line LibCST reads, so never from the results cache; the cache
folder holds the other trees' results, as a project's would), and the same file edited only in a function the
pre-pass drops (its call sites reused from the results cache, no LibCST). Then synthetic trees of growing size, and one huge module
(benchmarks/hugefile.py) at two sizes, checked and fixed, whose time per call must not grow with the file.
Peak memory is each command's own (its process tree's maximum RSS, which on Linux starts from this script's own,
about 20 MB).

The linter is run as `python -m automodel_lint` with the interpreter running this script (install the
project into it first: `pip install .`). ruff, flake8 and fixit are installed into a separate venv under
/tmp the first time. Model facts come from the bundled snapshot (offline), so only the linter's own
work is measured; "cold" means no results cache (model facts cached), "warm" nothing changed since the
last run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

TOOLS = Path(tempfile.gettempdir()) / "automodel-lint-bench-tools"
CORPUS = Path(tempfile.gettempdir()) / "automodel-lint-bench-corpus"
# The acceptance checks download the same sdists there: reused rather than fetched twice.
ACCEPTANCE_CORPUS = Path(tempfile.gettempdir()) / "acceptance-corpus"
SDISTS = ["peft==0.21.2", "trl==1.16.0"]
CHANGED = ('# edit {n}\nfrom transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM\n'
           'a = AutoModelForCausalLM.from_pretrained("google/flan-t5-base")\n'
           'b = AutoModelForSeq2SeqLM.from_pretrained("gpt2")\nc = AutoModelForCausalLM.from_pretrained("gpt2")\n')

LOOP = '\n\ndef train(model, batches):\n    for batch in batches:\n        model(**batch).loss.backward()  # step {n}\n'


def sh(cmd, cwd=None, env=None):
    """(seconds, peak RSS in MB of the command's own process tree, completed process)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)  # this child's rusage alone, not every child's maximum so far
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        # Only the ends are read: a whole tree's diagnostics would grow this process, and Linux carries a parent's
        # peak RSS into every command started after (each would then report this script's peak as its own).
        result = subprocess.CompletedProcess(cmd, child.returncode, _tail(out), _tail(err))
    return elapsed, usage.ru_maxrss / 1024, result


def _tail(handle, size: int = 65536) -> str:
    end = handle.seek(0, os.SEEK_END)
    handle.seek(max(0, end - size))
    return handle.read().decode(errors="replace")


def ensure_tools(fixit: bool) -> None:
    if not (TOOLS / "bin" / "ruff").exists():
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS)], check=True)
        subprocess.run([str(TOOLS / "bin" / "pip"), "install", "-q", "ruff", "flake8"], check=True)
    if fixit and not (TOOLS / "bin" / "fixit").exists():
        subprocess.run([str(TOOLS / "bin" / "pip"), "install", "-q", "fixit"], check=True)


def ensure_corpus() -> Path:
    if (ACCEPTANCE_CORPUS / ".done").exists():
        return ACCEPTANCE_CORPUS / "src"
    src = CORPUS / "src"
    if not (CORPUS / ".done").exists():
        shutil.rmtree(CORPUS, ignore_errors=True)
        CORPUS.mkdir(parents=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "-d",
                        str(CORPUS / "dl"), *SDISTS], check=True)
        for archive in (CORPUS / "dl").glob("*.tar.gz"):
            with tarfile.open(archive) as tar:
                tar.extractall(src, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(src)
        (CORPUS / ".done").touch()
    return src


def notebook_tree(src: Path, dest: Path) -> Path:
    """Notebooks from real code: each Python file of `src` cut into code cells at its top-level statements, as
    three notebooks (all cells, the first half, the second half), written under `dest`."""
    import ast
    import json

    for path in sorted(src.rglob("*.py")):
        text = path.read_text(errors="replace")
        try:
            body = ast.parse(text).body
        except SyntaxError:
            continue
        lines = text.splitlines(keepends=True)
        starts = [s.lineno - 1 - len(getattr(s, "decorator_list", [])) for s in body] + [len(lines)]
        cells = [c for c in ("".join(lines[a:b]) for a, b in zip(starts, starts[1:])) if c.strip()]
        half = max(1, len(cells) // 2)
        for k, part in enumerate((cells, cells[:half], cells[half:])):
            if not part:
                continue
            nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"language_info": {"name": "python"}},
                  "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "id": f"c{i}",
                             "source": c.splitlines(keepends=True)} for i, c in enumerate(part)]}
            out = dest / path.parent.relative_to(src) / f"{path.stem}_{k}.ipynb"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(nb, indent=1))
    return dest


def compile_bytecode() -> None:
    """Measure a checkout as pip installs a package: with its bytecode compiled. A development tree may hold
    stale .pyc files, and under PYTHONDONTWRITEBYTECODE=1 every short run would pay for compiling them again
    (about 35 ms of a 0.2 s warm run, measured)."""
    import compileall

    import automodel_lint

    compileall.compile_dir(str(Path(automodel_lint.__file__).parent), quiet=1)


def lint(*args):
    return [sys.executable, "-m", "automodel_lint", *args]


def series(cmd, runs, cwd, env, before=None):
    times, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        t, peak, r = sh(cmd, cwd, env)
        if r.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(map(str, cmd))} failed ({r.returncode}): {r.stderr[-400:]}")
        times.append(t)
        peaks.append(peak)
    return times, max(peaks)


def fmt(times):
    return f"{statistics.median(times):7.3f} s (min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"


def row(name, value, target, ok):
    print(f"  {name:<44} {value:<46} target {target:<22} {'ok' if ok else 'MISSED'}")


def synthetic_tree(root: Path, files: int) -> None:
    """A tree shaped like real code: 1 file in 8 loads a model, the rest does not mention one."""
    loader = ('from transformers import AutoModelForCausalLM, AutoTokenizer\n\nNAME = "gpt2"\n\n\n'
              'def load():\n    tok = AutoTokenizer.from_pretrained(NAME)\n'
              '    return tok, AutoModelForCausalLM.from_pretrained(NAME)\n' + "\n\ndef helper_{i}(x):\n    return x * {i}\n" * 40)
    plain = "import os\n\n\n" + "def helper_{i}(x):\n    y = os.path.join(str(x), 'a')\n    return y\n\n\n" * 40
    for i in range(files):
        folder = root / f"pkg{i // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"m{i}.py").write_text((loader if i % 8 == 0 else plain).replace("{i}", str(i)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="a tree to measure instead of the peft + trl sdists")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-fixit", action="store_true", help="skip fixit (about two minutes on the sdists)")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else args.runs
    fixit = not (args.quick or args.no_fixit)
    ensure_tools(fixit)
    compile_bytecode()
    tree = args.corpus or ensure_corpus()
    work = Path(tempfile.mkdtemp(prefix="automodel-lint-bench-"))
    env = dict(os.environ, HF_HUB_OFFLINE="1", AUTOMODEL_LINT_CACHE_DIR=str(work / "cache"))
    jobs = str(args.jobs)
    py_files = sum(1 for _ in tree.rglob("*.py"))
    print(f"tree: {tree} ({py_files} Python files); {os.cpu_count()} cores; -j {jobs}; medians of {runs} runs\n")

    # Warm the model facts and the page cache once: "cold" below means no results cache, facts cached.
    sh(lint("check", "--exit-zero", "."), tree, env)
    cold, cold_peak = series(lint("check", "--exit-zero", "--no-cache", "--jobs", jobs, "."), runs, tree, env)
    sh(lint("check", "--exit-zero", "--jobs", jobs, "."), tree, env)
    warm, warm_peak = series(lint("check", "--exit-zero", "--jobs", jobs, "."), runs, tree, env)
    ruff_cmd = [str(TOOLS / "bin" / "ruff"), "check", "--isolated", "--no-cache", "--select", "F", "--exit-zero", "."]
    ruff, _ = series(ruff_cmd, runs, tree, env)
    flake8, _ = series([str(TOOLS / "bin" / "flake8"), "--select", "F", "-j", jobs, "--exit-zero", "."], max(2, runs // 2), tree, env)
    candidate = next((p for p in sorted(tree.rglob("*.py")) if b"AutoModelForCausalLM.from_pretrained" in p.read_bytes()), None)
    one = candidate or next(tree.rglob("*.py"))
    # Unchanged since the tree's run, so from the results cache (the measure of earlier issues; the `before` that meant
    # to clear the cache removed nothing, a folder call on a file): the changed file is measured below.
    single, _ = series(lint("check", "--exit-zero", str(one)), runs, tree, env)
    m = statistics.median
    print("whole tree")
    row("cold (no results cache)", fmt(cold), f"<= 0.5x flake8 -j{jobs}", m(cold) <= 0.5 * m(flake8))
    print(f"  {'':44} = {m(cold) / m(flake8):.2f}x flake8 --select F -j{jobs} ({fmt(flake8)})")
    if fixit:
        t, _, _ = sh([str(TOOLS / "bin" / "fixit"), "lint", "."], tree, env)
        row("  vs fixit lint (one run)", f"{t:.1f} s = {t / m(cold):.0f}x slower", ">= 20x", t >= 20 * m(cold))
    else:
        print("  fixit not measured (--quick/--no-fixit); the issue's anchor: 213 s on the peft + trl repositories")
    row("warm (nothing changed)", fmt(warm), "<= 1.5x ruff --no-cache", m(warm) <= 1.5 * m(ruff))
    print(f"  {'':44} = {m(warm) / m(ruff):.2f}x ruff check --no-cache --select F ({fmt(ruff)})")
    row("peak memory, cold / warm", f"{cold_peak:.0f} / {warm_peak:.0f} MB", "<= 300 MB", cold_peak <= 300)
    print("one file of the tree, unchanged (interpreter start included)")
    row(one.name, fmt(single), "<= 0.35 s", m(single) <= 0.35)

    # Built in a child process: parsing the tree grows this process, and a command it starts later would report
    # that growth as its own peak (Linux carries the parent's peak RSS across fork and exec).
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1) as builder:
        nbs = builder.submit(notebook_tree, tree, work / "notebooks").result()
    count = sum(1 for _ in nbs.rglob("*.ipynb"))
    sh(lint("check", "--exit-zero", "--no-cache", "--jobs", jobs, "."), nbs, env)  # the page cache
    nb_cold, nb_cold_peak = series(lint("check", "--exit-zero", "--no-cache", "--jobs", jobs, "."), max(2, runs // 2), nbs,
                                   env)
    sh(lint("check", "--exit-zero", "--jobs", jobs, "."), nbs, env)
    nb_warm, nb_warm_peak = series(lint("check", "--exit-zero", "--jobs", jobs, "."), runs, nbs, env)
    nb_ruff, nb_ruff_peak = series(ruff_cmd, runs, nbs, env)
    print(f"notebook tree ({count} notebooks made from the tree's files; ruff checks .ipynb too)")
    row("cold (no results cache)", fmt(nb_cold), "", True)
    row("warm (nothing changed)", fmt(nb_warm), "<= 1x ruff --no-cache", m(nb_warm) <= m(nb_ruff))
    print(f"  {'':44} = {m(nb_warm) / m(nb_ruff):.2f}x ruff check --no-cache --select F ({fmt(nb_ruff)})")
    row("peak memory, cold / warm", f"{nb_cold_peak:.0f} / {nb_warm_peak:.0f} MB (ruff {nb_ruff_peak:.0f} MB)",
        "<= 300 MB", nb_cold_peak <= 300)

    scratch = work / "changed"
    scratch.mkdir()
    changed = scratch / "changed.py"
    edits = iter(range(10**6))
    edit = lambda: changed.write_text(CHANGED.format(n=next(edits)))  # noqa: E731
    edit()
    sh(lint("check", "--exit-zero", str(changed)), scratch, env)
    pre, pre_peak = series(lint("check", "--exit-zero", str(changed)), runs, scratch, env, before=edit)
    f8_one, f8_peak = series([str(TOOLS / "bin" / "flake8"), "--select", "F", "--exit-zero", str(changed)], runs, scratch,
                             env)
    ruff_one, ruff_peak = series([*ruff_cmd[:-1], str(changed)], runs, scratch, env)
    print("one changed file, as pre-commit hands it (new bytes each run: never in the results cache)")
    row("changed.py (3 calls)", fmt(pre), "<= 0.45 s", m(pre) <= 0.45)
    row("  vs flake8 on the same file", f"{m(pre) / m(f8_one):.2f}x ({fmt(f8_one)})", "<= 2x", m(pre) <= 2 * m(f8_one))
    print(f"  {'':44} = {m(pre) / m(ruff_one):.2f}x ruff check --no-cache --select F ({fmt(ruff_one)})")
    row("peak memory", f"{pre_peak:.0f} MB (flake8 {f8_peak:.0f} MB, ruff {ruff_peak:.0f} MB)", "", True)
    # The edit above is on a line LibCST reads (the pre-pass keeps the comment before the import), so each run parses.
    # An edit only in lines the pre-pass drops (a training loop) reuses the call sites from the results cache.
    loop = scratch / "loop.py"
    loop_edit = lambda: loop.write_text(CHANGED.format(n=0) + LOOP.format(n=next(edits)))  # noqa: E731
    loop_edit()
    sh(lint("check", "--exit-zero", str(loop)), scratch, env)
    reused, _ = series(lint("check", "--exit-zero", str(loop)), runs, scratch, env, before=loop_edit)
    row("  the same, edited only in a dropped function", fmt(reused), "<= 0.45 s", m(reused) <= 0.45)

    # The table's load: finding the installed version, reading and decoding the JSON (the module's own
    # import, shared with everything else the CLI imports, is not counted).
    probe = ("import time, sys; from automodel_lint import knowledge; t = time.perf_counter(); "
             "knowledge.current_table(); print((time.perf_counter() - t) * 1000)")
    loads = [float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env).stdout) for _ in range(runs)]
    row("knowledge table load", f"{m(loads):.1f} ms (min {min(loads):.1f}, max {max(loads):.1f})", "<= 20 ms", m(loads) <= 20)
    probe = ("import sys; from automodel_lint.cli import main; main(['check', '--exit-zero', '--no-cache', sys.argv[1]]); "
             "print('IMPORTED', sorted(m for m in ('transformers', 'torch') if m in sys.modules), file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", probe, str(one)], capture_output=True, text=True, env=env, cwd=tree)
    imported = r.stderr.rsplit("IMPORTED", 1)[-1].strip()
    row("transformers / torch imported at lint time", imported, "[]", imported == "[]")

    flake8_env = dict(env)
    plain, _ = series([sys.executable, "-m", "flake8", "--select", "F", "-j", jobs, "--exit-zero", "."], 2, tree, flake8_env)
    plugin, _ = series([sys.executable, "-m", "flake8", "--select", "F,HFA", "-j", jobs, "--exit-zero", "."], 2, tree, flake8_env)
    row("flake8 with the plugin", f"{m(plugin):.2f} s vs {m(plain):.2f} s = {(m(plugin) / m(plain) - 1) * 100:+.0f}%",
        "<= +20%", m(plugin) <= 1.2 * m(plain))

    print("scaling (synthetic trees, 1 file in 8 loads a model; cold, -j" + jobs + ")")
    sizes = (156, 625, 2500) if args.quick else (625, 2500, 10000)
    per_file = []
    for n in sizes:
        root = work / f"synthetic-{n}"
        synthetic_tree(root, n)
        times, peak = series(lint("check", "--exit-zero", "--no-cache", "--jobs", jobs, "."), 2, root, env)
        per_file.append(m(times) / n)
        print(f"  {n:>6} files  {fmt(times)}  {m(times) / n * 1000:.2f} ms/file  peak {peak:.0f} MB")
    row("time per file, largest / smallest tree", f"{per_file[-1] / per_file[0]:.2f}", "about 1 (linear)", per_file[-1] / per_file[0] <= 1.5)
    huge_file(work / "huge", (1_000, 10_000) if args.quick else (3_000, 30_000), env)
    shutil.rmtree(work, ignore_errors=True)
    return 0


def huge_file(folder: Path, sizes: tuple[int, int], env: dict) -> None:
    """One module holding thousands of calls (benchmarks/hugefile.py), checked and fixed: the cost per call must
    not grow with the file (issue 17: 30,000 calls took 30 s and 660 MB to check, 231 s and 1.2 GB to fix)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from hugefile import huge_source

    folder.mkdir()
    print("one huge file (benchmarks/hugefile.py: helpers loading models, 1 call in 3 wrong;"
          " one run each, start-up included)")
    per_call: dict[str, list[float]] = {"check": [], "--fix": []}
    for calls in sizes:
        original = huge_source(calls).encode()
        path = folder / f"huge{calls}.py"
        path.write_bytes(original)
        flags = ["--exit-zero", "--no-cache", "--max-file-size", str(len(original) + 1)]
        t, peak, _ = sh(lint("check", *flags, str(path)), folder, env)
        per_call["check"].append(t / calls)
        print(f"  {calls:>6,} calls, {len(original) / 1e6:.1f} MB  check  {t:7.2f} s  {t / calls * 1000:.3f} ms/call"
              f"  peak {peak:.0f} MB")
        t, peak, _ = sh(lint("check", *flags, "--fix", str(path)), folder, env)
        per_call["--fix"].append(t / calls)
        fixed = path.read_bytes()
        print(f"  {'':>6}  {'':>8}  --fix  {t:7.2f} s  {t / calls * 1000:.3f} ms/call  peak {peak:.0f} MB"
              f"  ({'fixed' if fixed != original else 'UNCHANGED'})")
    for kind, costs in per_call.items():
        ratio = costs[-1] / costs[0]
        row(f"{kind}: time per call, {sizes[-1]:,} / {sizes[0]:,} calls", f"{ratio:.2f}", "about 1 (linear)",
            ratio <= 1.5)


if __name__ == "__main__":
    sys.exit(main())
