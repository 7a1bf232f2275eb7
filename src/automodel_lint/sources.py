"""Finding the files to check and reading their bytes.

Directories are walked the way ruff and flake8 users expect: version-control folders, virtualenvs,
build output and caches are skipped, and so is what git ignores. A file named on the command line is
always checked. Reading never follows a FIFO or a device, and a file above the size cap is not read.
"""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", "__pycache__", ".tox", ".nox", ".venv", "venv", ".mypy_cache",
        ".pytest_cache", ".ruff_cache", ".hypothesis", "node_modules", "build", "dist", "site-packages",
        ".eggs", ".ipynb_checkpoints",
    }
)
SUFFIXES = (".py", ".pyi", ".ipynb")
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    path: str  # as shown in output: the argument joined with the path below it


@dataclass
class Walk:
    files: list[SourceFile]
    problems: list[tuple[str, str]]  # (path, why it could not be listed)


def _is_skipped_dir(entry: os.DirEntry) -> bool:
    name = entry.name
    if name in SKIPPED_DIRS or name.endswith(".egg-info"):
        return True
    # A virtualenv of any name is marked by its pyvenv.cfg.
    return os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))


def discover(paths: list[str], exclude: tuple[str, ...] = ()) -> Walk:
    walk = Walk([], [])
    seen: set[str] = set()
    for arg in paths:
        try:
            st = os.stat(arg)
        except OSError as exc:
            walk.problems.append((arg, exc.strerror or str(exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            found = _walk_dir(arg, walk, exclude)
            for path in _not_ignored(arg, found):
                # `./a.py` reads as `a.py`, as ruff prints it.
                _add(walk, seen, os.path.normpath(path))
        else:
            _add(walk, seen, arg)
    return walk


def _add(walk: Walk, seen: set[str], path: str) -> None:
    key = os.path.realpath(path)
    if key not in seen:
        seen.add(key)
        walk.files.append(SourceFile(path))


def _walk_dir(root: str, walk: Walk, exclude: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    stack = [root]
    visited: set[tuple[int, int]] = set()
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in visited:
                continue  # a symlink loop, or a second way into the same folder
            visited.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            walk.problems.append((folder, exc.strerror or str(exc)))
            continue
        subdirs = []
        for entry in entries:
            if _excluded(entry.path, exclude):
                continue
            try:
                if entry.is_dir():
                    if not _is_skipped_dir(entry):
                        subdirs.append(entry.path)
                elif entry.name.endswith(SUFFIXES) and entry.is_file():
                    found.append(entry.path)
            except OSError as exc:
                walk.problems.append((entry.path, exc.strerror or str(exc)))
        stack.extend(reversed(subdirs))
    return found


def _excluded(path: str, exclude: tuple[str, ...]) -> bool:
    if not exclude:
        return False
    p = Path(path)
    return any(p.match(pattern) or p.name == pattern for pattern in exclude)


def _not_ignored(root: str, files: list[str]) -> list[str]:
    """`files` less those git ignores, when `root` is inside a git work tree (else all of them)."""
    if not files:
        return files
    try:
        result = subprocess.run(
            ["git", "-C", root, "check-ignore", "--stdin", "-z"],
            input="\0".join(os.path.relpath(f, root) for f in files).encode("utf-8", "surrogateescape"),
            capture_output=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return files
    if result.returncode not in (0, 1):  # 128: not a git repository, or git failed: ignore nothing
        return files
    ignored = {os.path.join(root, p.decode("utf-8", "surrogateescape")) for p in result.stdout.split(b"\0") if p}
    return [f for f in files if f not in ignored]


class Unreadable(Exception):
    """A file that cannot be read as a source file; the message says why."""


class TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def read_source(path: str, max_size: int) -> bytes:
    """The file's bytes, if it is a regular file of at most `max_size` bytes."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise Unreadable("not a regular file")
    if st.st_size > max_size:
        raise TooLarge(st.st_size)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_size + 1)
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None
    if len(data) > max_size:
        raise TooLarge(len(data))
    return data
