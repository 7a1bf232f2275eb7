"""Finding the files to check and reading their bytes.

Directories are walked the way ruff and flake8 users expect: version-control folders, virtualenvs,
build output and caches are skipped, and so is what git ignores. A file named on the command line is
checked unless `--force-exclude` applies the excludes to it too (`force_excluded`). Reading never
follows a FIFO or a device, and a file above the size cap is not read.
An entry that cannot even be stat'ed while walking (a symlink loop, a dangling link) is listed if its
name is a source file's, so that reading it reports why; it is not a problem of the run.

Symbolic links met while walking a folder are never followed out of it: a link (to a file or a folder) whose
real path is outside the folder named on the command line is left out and named in `Walk.skipped`; a link
that stays inside is checked like the file it points to. A file named on the command line is checked even if
it is a link. Either way `--fix` never writes through a link (`files.write_atomic` refuses it, with the reason).

`parse_hazard` says what the parser cannot survive; the engine asks it (through `relevance`, which has
the file's stdlib syntax tree already) before any source reaches LibCST, whatever it came from. LibCST's native parser
recurses once per nesting level on the C stack: an expression nested a few thousand levels deep (`a.b.b...`,
`-----1`, `a and a and ...`, 1,300 parentheses) kills the process with SIGSEGV instead of raising, and
a few hundred levels already end in RecursionError after seconds of work (LibCST #980, #619, #1000).
The stdlib parser is checked first: it refuses such code with an exception (Python 3.11 and later;
Python 3.10's own parser overflows on one-line expressions of about 200,000 terms, so there large files
are checked in a child process).
"""

from __future__ import annotations

import ast
import os
import re
import stat
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
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
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why it was left out): links leaving the tree


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
    inside = os.path.join(os.path.realpath(root), "")
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
            if entry.is_symlink():
                real = os.path.realpath(entry.path)
                if not os.path.join(real, "").startswith(inside):
                    walk.skipped.append((entry.path, f"a symbolic link to {real}, outside {root}: not followed"))
                    continue
            try:
                if entry.is_dir():
                    if not _is_skipped_dir(entry):
                        subdirs.append(entry.path)
                elif entry.name.endswith(SUFFIXES) and (entry.is_file() or entry.is_symlink()):
                    # A dangling or looping link is listed too: reading it says why it was skipped.
                    found.append(entry.path)
            except OSError:
                if entry.name.endswith(SUFFIXES):
                    found.append(entry.path)
        stack.extend(reversed(subdirs))
    return found


def _excluded(path: str, exclude: tuple[str, ...]) -> bool:
    if not exclude:
        return False
    p = Path(path)
    return any(p.match(pattern) or p.name == pattern for pattern in exclude)


def force_excluded(path: str, exclude: tuple[str, ...]) -> bool:
    """`--force-exclude`: whether a path named on the command line matches `exclude`, itself or through a folder
    it is in (`legacy/old.py` under `legacy/*` or `legacy`), as ruff decides it. pre-commit names every file it
    checks, so without this a configured `exclude` would never apply to a hook."""
    parts = Path(os.path.normpath(path)).parts
    return any(_excluded(os.path.join(*parts[:n]), exclude) for n in range(len(parts), 0, -1))


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


# Deeper than this, LibCST and the finder end in RecursionError anyway (at about 320 levels with Python's
# default recursion limit), after seconds of work; a few thousand levels crash the process.
MAX_NESTING = 500
# CPython refuses more than 200 nested brackets; LibCST's parser crashes at about 1,300.
MAX_BRACKETS = 200
TOO_MANY_BRACKETS = (f"not parsed: more than {MAX_BRACKETS} nested brackets, which Python refuses and LibCST's"
                     " parser may crash on")
# Python 3.10's ast.parse itself overflows the C stack on one-line chains of about 200,000 terms (about
# 300 KB); smaller files cannot hold one, larger ones are checked in a child process there.
_INPROCESS_LIMIT = None if sys.version_info >= (3, 11) else 100_000
_HAZARD_TIMEOUT = 30.0
_memo: dict[bytes, str | None] = {}


def parse_hazard(data: bytes, tree: ast.AST | None = None) -> str | None:
    """Why `data` must not be handed to LibCST's parser, or None. Never raises; `tree`: its stdlib AST, if parsed.

    The stdlib parser answers first (it refuses extreme nesting with an exception); then the AST's depth is
    measured, counting each operand of `a and b and ...` as a level, since LibCST nests those pairwise.
    Code the stdlib cannot parse for other reasons (a syntax error, a newer Python's syntax) is measured by its
    brackets only, and LibCST reports the syntax error.
    """
    if tree is None and data in _memo:
        return _memo[data]
    if tree is not None:
        hazard = _too_deep(tree, data)
    elif _INPROCESS_LIMIT is not None and len(data) > _INPROCESS_LIMIT:
        hazard = _hazard_in_child(data)
    else:
        hazard = _hazard(data)
    if tree is None:
        if len(_memo) > 16:
            _memo.clear()
        _memo[data] = hazard
    return hazard


def _hazard(data: bytes) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (RecursionError, MemoryError):
        return "not parsed: nested too deeply for Python's own parser, and LibCST's would crash on it"
    except SyntaxError as exc:
        if "too many nested parentheses" in str(exc.msg):
            return TOO_MANY_BRACKETS
        return _bracket_hazard(data)
    except (ValueError, TypeError):
        return None  # NUL bytes and the like: LibCST reports them as a syntax error
    return _too_deep(tree, data)


def _bracket_hazard(data: bytes) -> str | None:
    """For code the stdlib cannot parse: brackets counted in the bytes (strings included, so this errs toward
    refusing)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(data):
        if match.group() in b"([{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    if deepest > MAX_BRACKETS:
        return f"not parsed: {deepest:,} nested brackets, more than LibCST's parser survives"
    return None


_BRACKETS = re.compile(rb"[()\[\]{}]")


def _too_deep(tree: ast.AST, data: bytes) -> str | None:
    depth = nesting_depth(tree)
    if depth > MAX_NESTING:
        return (f"not parsed: nested {depth:,} levels deep, beyond what LibCST's parser survives"
                " (it crashes on such code)")
    return None


def nesting_depth(tree: ast.AST) -> int:
    """The deepest chain of nodes, as LibCST would nest them: `a and b and c` is two levels there, one in `ast`.

    Iterative, so any depth is measured. An expression on one line is not entered when it is shorter (in
    characters) than the depth that could matter: every level takes at least one character.
    """
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.BoolOp):
            depth += len(node.values) - 2
        if depth > deepest:
            deepest = depth
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr) and child.lineno == child.end_lineno \
                    and depth + 2 * ((child.end_col_offset or 0) - child.col_offset) <= MAX_NESTING:
                deepest = max(deepest, depth + 1)
                continue
            stack.append((child, depth + 1))
    return deepest


_CHILD = r"""
import ast, sys, warnings
sys.setrecursionlimit(1000)
data = sys.stdin.buffer.read()
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ast.parse(data)
except (RecursionError, MemoryError):
    sys.exit(3)
except SyntaxError as exc:
    sys.exit(4 if "too many nested parentheses" in str(exc.msg) else 0)
except BaseException:
    sys.exit(0)
"""


def _hazard_in_child(data: bytes) -> str | None:
    """Python 3.10: the stdlib parse of a large file is tried in a child process first, which may crash safely."""
    try:
        result = subprocess.run([sys.executable, "-c", _CHILD], input=data, capture_output=True,
                                timeout=_HAZARD_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"not parsed: Python's own parser needed more than {_HAZARD_TIMEOUT:g} s for it"
    except OSError:
        return _bracket_hazard(data)
    if result.returncode < 0 or result.returncode == 3:
        return "not parsed: nested too deeply for Python's own parser, and LibCST's would crash on it"
    if result.returncode == 4:
        return TOO_MANY_BRACKETS
    return _hazard(data)
