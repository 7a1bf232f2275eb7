"""Writing files: what every writer promises (atomic, mode, owner, group and links kept, no temporary left), and the
attacks of a hostile repository replayed against each writer (planted links at the target, at the temporary name the
writers used to predict, and at the cache folder), on real files."""

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from automodel_lint import autofix, engine, knowledge
from automodel_lint.facts.cache import FactsCache
from automodel_lint.facts.lockfile import write_lock
from automodel_lint.files import LinkRefused, WriteError, source_encoding, unified_diff, write_atomic
from automodel_lint.options import Options
from automodel_lint.records import ModelFacts, ModelRequest
from automodel_lint.results_cache import ResultsCache

FIXABLE = b"from transformers import AutoModelForCausalLM\nm = AutoModelForCausalLM.from_pretrained('t5-small')\n"
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def snapshot(folder: Path) -> dict:
    """Every entry below `folder` with its bytes (links by their target): what an attack must leave as it was."""
    found = {}
    for p in sorted(folder.rglob("*")):
        if p.is_symlink():
            found[str(p)] = ("link", os.readlink(p))
        elif p.is_file():
            found[str(p)] = ("file", p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        else:
            found[str(p)] = ("dir",)
    return found


def temporaries(folder: Path) -> list:
    return [p.name for p in folder.rglob("*.tmp")]


@pytest.fixture
def outside(tmp_path):
    """A folder outside the repository, holding a file the attacks aim at."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "victim.py").write_bytes(FIXABLE)
    (folder / "victim.txt").write_bytes(b"precious\n")
    (folder / "victim.json").write_text('{"schema_version": 1, "entries": {}}')  # reads as a valid facts cache
    return folder


# What every write keeps


def test_write_atomic_keeps_mode_and_skips_equal_bytes(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")
    os.chmod(path, 0o751)
    assert write_atomic(path, b"new\n") is True
    assert path.read_bytes() == b"new\n" and stat.S_IMODE(os.stat(path).st_mode) == 0o751
    mtime = os.stat(path).st_mtime_ns
    assert write_atomic(path, b"new\n") is False and os.stat(path).st_mtime_ns == mtime
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]


def test_write_atomic_refuses_a_symlink_and_leaves_its_target_alone(tmp_path):
    (tmp_path / "real.py").write_bytes(b"old\n")
    (tmp_path / "link.py").symlink_to("real.py")
    with pytest.raises(LinkRefused, match="symbolic link"):
        write_atomic(tmp_path / "link.py", b"new\n", expected=b"old\n")
    assert os.path.islink(tmp_path / "link.py") and (tmp_path / "real.py").read_bytes() == b"old\n"
    assert not temporaries(tmp_path)


def test_write_atomic_refuses_a_folder_that_is_a_symlink(tmp_path, outside):
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "pkg").symlink_to(outside)
    with pytest.raises(LinkRefused, match="folder"):
        write_atomic(tmp_path / "repo" / "pkg" / "victim.txt", b"owned\n")
    assert (outside / "victim.txt").read_bytes() == b"precious\n" and not temporaries(outside)


def test_write_atomic_refuses_a_read_only_file(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")
    os.chmod(path, 0o444)
    with pytest.raises(WriteError, match="read-only"):
        write_atomic(path, b"new\n")
    assert path.read_bytes() == b"old\n"


@pytest.mark.skipif(sys.platform == "win32" or ROOT, reason="root writes into read-only folders")
def test_write_atomic_reports_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "m.py"
    path.write_bytes(b"old\n")
    os.chmod(folder, 0o555)
    try:
        with pytest.raises(WriteError, match="cannot"):
            write_atomic(path, b"new\n")
    finally:
        os.chmod(folder, 0o755)
    assert path.read_bytes() == b"old\n"


def test_a_hard_linked_file_keeps_its_inode_and_its_links(tmp_path):
    path, other = tmp_path / "m.py", tmp_path / "same.py"
    path.write_bytes(b"old\n")
    os.link(path, other)
    inode = os.stat(path).st_ino
    assert write_atomic(path, b"new text\n", expected=b"old\n") is True
    assert os.stat(path).st_ino == inode and os.stat(path).st_nlink == 2
    assert other.read_bytes() == path.read_bytes() == b"new text\n" and not temporaries(tmp_path)


def test_a_failed_in_place_rewrite_puts_the_old_bytes_back(tmp_path, monkeypatch):
    path, other = tmp_path / "m.py", tmp_path / "same.py"
    path.write_bytes(b"old and longer\n")
    os.link(path, other)

    real_ftruncate, calls = os.ftruncate, []

    def full_once(fd, length):  # the new bytes do not fit; the old ones, written back, do
        calls.append(length)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        real_ftruncate(fd, length)

    monkeypatch.setattr(os, "ftruncate", full_once)
    with pytest.raises(WriteError, match="No space"):
        write_atomic(path, b"new\n", expected=b"old and longer\n")
    monkeypatch.undo()
    assert other.read_bytes() == path.read_bytes() == b"old and longer\n" and not temporaries(tmp_path)


@pytest.mark.skipif(not ROOT, reason="giving a file to another user needs root")
def test_a_rewritten_file_keeps_mode_owner_and_group_even_as_root(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(FIXABLE)
    os.chown(path, 4321, 8765)
    os.chmod(path, 0o640)
    options = Options(offline=True, use_cache=False)
    summary = autofix.fix_report(engine.check_paths([str(path)], options), options, unsafe=False, write=True)
    st = os.stat(path)
    assert summary.changed and b"AutoModelForSeq2SeqLM" in path.read_bytes()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4321, 8765, 0o640)


def test_a_save_just_before_the_replace_is_kept(tmp_path, monkeypatch):
    """The file is compared again after the temporary is written, right before it replaces the file."""
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")
    real_fsync = os.fsync

    def save_meanwhile(fd):
        real_fsync(fd)
        path.write_bytes(b"old\n# saved by a person\n")

    monkeypatch.setattr(os, "fsync", save_meanwhile)
    with pytest.raises(WriteError, match="changed while it was being checked"):
        write_atomic(path, b"new\n", expected=b"old\n")
    assert path.read_bytes() == b"old\n# saved by a person\n" and not temporaries(tmp_path)


def test_sigint_during_a_write_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")
    real_fsync = os.fsync

    def interrupted(fd):
        # To this thread, as Ctrl-C reaches the main thread (hub workers block it): os.kill would let the kernel
        # pick a thread another test left running, and Python would see the signal only later.
        signal.raise_signal(signal.SIGINT)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", interrupted)
    # Python's own Ctrl-C handler, whatever an earlier test or library left installed (flake8's multiprocessing
    # set-up ignores SIGINT; the hold then rightly puts SIG_IGN back and raises nothing).
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            write_atomic(path, b"new\n", expected=b"old\n")
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler before the write is back
    finally:
        signal.signal(signal.SIGINT, inherited)
    assert path.read_bytes() == b"new\n" and not temporaries(tmp_path)


def test_sigterm_during_a_write_leaves_no_temporary(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")
    script = (
        "import os, signal, sys\nfrom automodel_lint.files import write_atomic\nreal = os.fsync\n"
        "def term(fd):\n    os.kill(os.getpid(), signal.SIGTERM)\n    real(fd)\n"
        "os.fsync = term\nwrite_atomic(sys.argv[1], b'new\\n', expected=b'old\\n')\nprint('not reached')\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, timeout=60)
    assert done.returncode == -signal.SIGTERM and b"not reached" not in done.stdout
    assert path.read_bytes() == b"new\n" and not temporaries(tmp_path)


# Attacks of a hostile repository


def test_a_link_planted_at_the_old_predictable_temporary_name_is_not_followed(tmp_path, outside):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "m.py").write_bytes(b"old\n")
    (repo / f".m.py.{os.getpid()}.tmp").symlink_to(outside / "victim.txt")
    cache = repo / "cache"
    cache.mkdir()
    (cache / f".hub-facts.json.{os.getpid()}.tmp").symlink_to(outside / "victim.txt")
    before = snapshot(outside)
    write_atomic(repo / "m.py", b"new\n", expected=b"old\n")
    facts = FactsCache(cache)
    facts.put(ModelRequest("t5-small"), ModelFacts("t5-small", "t5", ("T5ForConditionalGeneration",), (), "hub"))
    assert facts.flush()
    assert snapshot(outside) == before and (repo / "m.py").read_bytes() == b"new\n"
    assert json.loads((cache / "hub-facts.json").read_bytes())["entries"]


def test_cache_and_lock_targets_planted_as_links_are_skipped_with_a_warning(tmp_path, outside):
    cache = tmp_path / "repo" / ".lint-cache"
    cache.mkdir(parents=True)
    (outside / "dir").mkdir()
    (cache / "hub-facts.json").symlink_to(outside / "victim.json")
    (cache / "results-v2").symlink_to(outside / "dir")
    (cache / "knowledge").symlink_to(outside / "dir")
    (tmp_path / "repo" / "automodel-lint.lock").symlink_to(outside / "victim.txt")
    before = snapshot(outside)
    warnings = []
    facts = FactsCache(cache, warn=warnings.append)
    facts.put(ModelRequest("t5-small"), ModelFacts("t5-small", "t5", ("T5ForConditionalGeneration",), (), "hub"))
    # The link is not read (it is set aside, renamed in the cache folder) and nothing is written through it.
    facts.flush()
    assert warnings and any("symbolic link" in w for w in warnings), warnings
    results = ResultsCache(Options(cache_dir=str(cache)), "5.24.0")
    results.dirty = {"facts.json"}
    results.save()
    knowledge._write_cache(knowledge.cache_path("99.0", cache), "{}")
    with pytest.raises(LinkRefused):
        write_lock(tmp_path / "repo" / "automodel-lint.lock", {})
    assert snapshot(outside) == before and not temporaries(tmp_path)


def test_a_repository_cache_dir_with_planted_links_writes_nothing_outside(tmp_path, outside):
    """`cache-dir` inside the repository itself, every name the caches use planted as a link out of it."""
    repo = tmp_path / "repo"
    cache = repo / ".lint-cache"
    cache.mkdir(parents=True)
    (repo / "pyproject.toml").write_text('[tool.automodel-lint]\ncache-dir = ".lint-cache"\n')
    (repo / "m.py").write_bytes(FIXABLE)
    (outside / "dir").mkdir()
    for name in ("hub-facts.json", "results-v2", "hub-facts.json.lock"):
        (cache / name).symlink_to(outside / "victim.txt")
    (cache / "knowledge").symlink_to(outside / "dir")
    before = snapshot(outside)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "automodel_lint", "check", "--fix", "."], cwd=repo, env=env,
                          capture_output=True, timeout=120)
    assert b"Traceback" not in done.stderr and done.returncode in (0, 1), done.stderr
    assert snapshot(outside) == before and not temporaries(tmp_path)
    assert b"AutoModelForSeq2SeqLM" in (repo / "m.py").read_bytes()


def test_a_repository_cache_dir_that_is_a_link_out_of_it_is_refused(tmp_path, outside):
    """`cache-dir = ".lint-cache"` where the repository made `.lint-cache` a link to a folder outside it: the
    settings are refused (exit 2, named), and nothing is written through the link."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (outside / "dir").mkdir()
    (repo / ".lint-cache").symlink_to(outside / "dir")
    (repo / "pyproject.toml").write_text('[tool.automodel-lint]\ncache-dir = ".lint-cache/sub"\n')
    (repo / "m.py").write_bytes(FIXABLE)
    before = snapshot(outside)
    env = {k: v for k, v in os.environ.items() if k != "AUTOMODEL_LINT_CACHE_DIR"}
    done = subprocess.run([sys.executable, "-m", "automodel_lint", "check", "--fix", "."], cwd=repo,
                          env={**env, "HF_HUB_OFFLINE": "1"}, capture_output=True, timeout=120)
    assert done.returncode == 2 and b"symbolic link" in done.stderr and b"Traceback" not in done.stderr
    assert snapshot(outside) == before and not list((outside / "dir").iterdir())


def test_fix_never_writes_through_a_link_out_of_the_tree(tmp_path, outside):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "link.py").symlink_to(Path("..") / "outside" / "victim.py")
    (repo / "own.py").write_bytes(FIXABLE)
    before = snapshot(outside)
    options = Options(offline=True, use_cache=False)
    report = engine.check_paths([str(repo)], options)
    summary = autofix.fix_report(report, options, unsafe=False, write=True)
    assert snapshot(outside) == before
    assert summary.changed == [str(repo / "own.py")]


def test_a_link_walked_or_named_is_checked_but_its_fix_is_not_applied(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "real.py").write_bytes(FIXABLE)
    (repo / "link.py").symlink_to("real.py")
    options = Options(offline=True, use_cache=False)
    report = engine.check_paths([str(repo / "link.py")], options)
    assert [d.code for f in report.files for d in f.diagnostics]
    summary = autofix.fix_report(report, options, unsafe=False, write=True)
    assert (repo / "real.py").read_bytes() == FIXABLE and os.path.islink(repo / "link.py")
    assert not summary.changed and "symbolic link" in summary.failures[0]


# Encodings and diffs


def test_unified_diff_decodes_with_the_file_encoding_and_marks_a_missing_newline():
    before = "# coding: latin-1\n# café\nx = 1".encode("latin-1")
    after = "# coding: latin-1\n# café\nx = 2".encode("latin-1")
    assert source_encoding(before) == "iso-8859-1"
    text = unified_diff("./m.py", before, after)
    assert text.startswith("--- a/m.py\n+++ b/m.py\n") and "# café" in text
    assert text.endswith("-x = 1\n\\ No newline at end of file\n+x = 2\n\\ No newline at end of file\n")


def test_a_link_leaving_the_walked_tree_is_named_as_skipped(tmp_path, outside):
    """The walk does not follow it, and the run says so instead of dropping it silently."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (outside / "victim.py").write_bytes(FIXABLE)
    (repo / "link.py").symlink_to(Path("..") / "outside" / "victim.py")
    done = subprocess.run([sys.executable, "-m", "automodel_lint", "check", "--offline", "--output-format",
                           "concise", "."], cwd=repo, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "link.py: skipped (a symbolic link to" in done.stderr and "not followed" in done.stderr
    assert "All checks passed" not in done.stdout + done.stderr


def test_cache_files_planted_as_links_are_not_read(tmp_path, outside):
    """A cache folder inside a repository holding links to files of the repository's choosing: the caches read
    nothing through them (as they write nothing through them), so planted answers cannot reach a verdict."""
    good = tmp_path / "good"
    honest = FactsCache(good)
    honest.put(ModelRequest("t5-small"), ModelFacts("t5-small", "llama", ("LlamaForCausalLM",), (), "hub"))
    assert honest.flush()
    (outside / "poisoned.json").write_bytes((good / "hub-facts.json").read_bytes())
    cache = tmp_path / "repo" / ".lint-cache"
    cache.mkdir(parents=True)
    (cache / "hub-facts.json").symlink_to(outside / "poisoned.json")
    warnings = []
    assert FactsCache(cache, warn=warnings.append).answer(ModelRequest("t5-small")) is None
    assert FactsCache(good).answer(ModelRequest("t5-small")).model_type == "llama"  # the same bytes, not linked
    os.mkfifo(cache / "fifo.json")
    with pytest.raises(OSError):
        __import__("automodel_lint.files", fromlist=["read_regular"]).read_regular(cache / "fifo.json")


def test_hub_workers_leave_ctrl_c_to_the_main_thread():
    """A process-directed SIGINT must land in the main thread, where write_atomic holds it: hub workers block it."""
    import threading

    from automodel_lint.facts.hub import _signals_to_the_main_thread

    seen = []

    def worker():
        _signals_to_the_main_thread()
        seen.append(signal.pthread_sigmask(signal.SIG_BLOCK, []))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert {signal.SIGINT, signal.SIGTERM} <= set(seen[0])
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])  # the main thread's mask is untouched
