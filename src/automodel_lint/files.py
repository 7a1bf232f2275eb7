"""Writing files, the one place that does: atomic replacement, hard-linked files rewritten in place, private cache
folders; and the two ways a source file's bytes are shown (its encoding, a unified diff).

Every writer (`--fix`, the facts cache, the lock file, the knowledge and results caches) calls `write_atomic`,
which treats the folder it writes in as hostile, because a repository under review can plant anything there:

- The target is never written through a symbolic link: a target that is a link is refused with a reason, and
  the folder is opened once (O_DIRECTORY|O_NOFOLLOW: a folder that is itself a link is refused too) and every
  name is opened relative to it, so a link swapped in above the target later is not followed either.
- The temporary file is created exclusively (O_CREAT|O_EXCL|O_NOFOLLOW) under a random name in the target's own
  folder, readable by its owner only until it holds every byte; then it gets the final mode by `fchmod` and, when
  it differs and the system lets us, the old file's owner and group by `fchown`.
- A rewritten file keeps its mode, owner, group and hard links. A file with more than one link, or whose owner
  we may not give to a new file (we are not root), is rewritten in place: the fixed bytes are first staged as a
  complete copy in the exclusive temporary (so a full disk fails before the file is touched), then written over
  the file's own inode; if that write fails, the old bytes are written back. Any other file is replaced by
  `os.replace`, so readers see the old content or the new, never a mix.
- With `expected` (the bytes a fix was computed from), the file is compared again (inode, size, mtime_ns and
  content) right before it is replaced: a person's save in the meantime is kept, and the fix refused.
- SIGINT and SIGTERM that arrive during a write (from the main thread; handlers cannot be installed from
  others) are held until the write is complete or undone, then acted on: no temporary file is left behind.
"""

from __future__ import annotations

import io
import os
import signal
import stat
import threading
import tokenize
from contextlib import contextmanager
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
# Names opened relative to a folder descriptor, where the platform has them (Linux, the BSDs, macOS).
_RELATIVE = bool(_DIRECTORY) and {os.open, os.stat, os.rename, os.unlink, os.access} <= os.supports_dir_fd
_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


class WriteError(OSError):
    """A file that could not be written; the message names the file and the cause.

    An OSError, so that a cache writer's `except OSError` (run on without the cache) covers it too.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = self.strerror = reason

    def __str__(self) -> str:
        return f"{self.path}: cannot write the fix: {self.reason}"


class LinkRefused(WriteError):
    """A target, or its folder, that is a symbolic link: written through, it could put our bytes anywhere."""


def write_atomic(path: str | os.PathLike, data: bytes, expected: bytes | None = None, mode: int | None = None,
                 durable: bool = True) -> bool:
    """Replaces the file's content with `data`, keeping its mode, owner, group and links; False if it holds `data`.

    A read-only file is refused even where its folder would let `os.replace` swap it, because read-only is what
    the user asked for. A symbolic link is refused, never followed. With `expected` (the bytes the fix was
    computed from), a file that changed or vanished since it was read is refused: the fix would otherwise undo
    someone's edit, or bring a deleted file back. `mode`: the mode to give the file (caches), instead of keeping
    its own (0644 for a new file). `durable=False` (caches): no fsync, so a power loss may lose the new content or
    leave an empty file, which a cache reader ignores; the two fsyncs cost a one-file run about 20 ms.
    Raises WriteError.
    """
    path = os.fspath(path)
    folder, name = os.path.split(path)
    with _signals_held():
        where = _Folder(path, folder or ".")
        where.durable = durable
        try:
            return _write(where, name, data, expected, mode)
        finally:
            where.close()


class _Folder:
    """The target's folder, opened once without following a link; names are resolved relative to it."""

    def __init__(self, path: str, folder: str) -> None:
        self.path, self.folder, self.fd = path, folder, None
        self.durable = True  # fsync the file and the rename
        if not _RELATIVE:
            return
        try:
            self.fd = os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
        except OSError as exc:
            if os.path.islink(folder):
                raise LinkRefused(path, f"its folder {folder} is a symbolic link, which is never written through") \
                    from None
            raise WriteError(path, f"cannot open its folder {folder}: {exc.strerror or exc}") from None

    def name(self, name: str) -> str:
        return name if self.fd is not None else os.path.join(self.folder, name)

    def lstat(self, name: str) -> os.stat_result:
        return os.stat(self.name(name), dir_fd=self.fd, follow_symlinks=False)

    def open(self, name: str, flags: int, mode: int = 0o600) -> int:
        return os.open(self.name(name), flags | _NOFOLLOW, mode, dir_fd=self.fd)

    def unlink(self, name: str) -> None:
        try:
            os.unlink(self.name(name), dir_fd=self.fd)
        except OSError:
            pass

    def sync(self) -> None:
        # Makes the rename itself durable; not every platform can open a folder, and then there is nothing to do.
        if not self.durable:
            return
        try:
            fd = self.fd if self.fd is not None else os.open(self.folder, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            if fd != self.fd:
                os.close(fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)


def _write(where: _Folder, name: str, data: bytes, expected: bytes | None, mode: int | None) -> bool:
    path = where.path
    current, st = _read(where, name, expected is not None)
    if current == data:
        return False
    if expected is not None and current != expected:
        raise WriteError(path, "the file changed while it was being checked; run again")
    if st is not None and (not st.st_mode & _WRITE_BITS
                           or not os.access(where.name(name), os.W_OK, dir_fd=where.fd, follow_symlinks=False)):
        raise WriteError(path, "the file is read-only")
    final_mode = mode if mode is not None else (stat.S_IMODE(st.st_mode) if st is not None else 0o644)
    temp, owner_kept = _stage(where, name, data, final_mode, st)
    try:
        if expected is not None:
            _still_as_read(where, name, st, current)
        if st is not None and (st.st_nlink > 1 or not owner_kept):
            _rewrite_in_place(where, name, st, data, current)
        else:
            os.replace(where.name(temp), where.name(name), src_dir_fd=where.fd, dst_dir_fd=where.fd)
            temp = None
    except WriteError:
        raise
    except _Damaged as exc:
        damaged, temp = temp, None  # the fixed text survives beside the damaged file
        raise WriteError(path, f"{exc}; the file may be damaged: its fixed text is in "
                               f"{os.path.join(where.folder, damaged)}") from None
    except OSError as exc:
        raise WriteError(path, exc.strerror or str(exc)) from None
    finally:
        if temp is not None:
            where.unlink(temp)
    where.sync()
    return True


def _read(where: _Folder, name: str, must_exist: bool) -> tuple[bytes | None, os.stat_result | None]:
    """The target's bytes and stat, or (None, None) when it does not exist; never through a link."""
    path = where.path
    try:
        st = where.lstat(name)
        if stat.S_ISLNK(st.st_mode):
            raise LinkRefused(path, "it is a symbolic link, which is never written through")
        if not stat.S_ISREG(st.st_mode):
            raise WriteError(path, "not a regular file")
        fd = where.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if os.fstat(handle.fileno()).st_ino != st.st_ino:
                raise WriteError(path, "the file was replaced while it was being written; run again")
            return handle.read(), st
    except WriteError:
        raise
    except FileNotFoundError:
        if must_exist:
            raise WriteError(path, "the file was removed while it was being checked") from None
        return None, None
    except OSError as exc:
        raise WriteError(path, exc.strerror or str(exc)) from None


def _stage(where: _Folder, name: str, data: bytes, mode: int, st: os.stat_result | None) -> tuple[str, bool]:
    """(an exclusive temporary beside the target holding `data` with its final mode, whether it has the owner)."""
    for _ in range(100):
        # What secrets.token_hex(4) returns, without importing secrets (and random, hmac, base64) in every run.
        temp = f".{name}.{os.urandom(4).hex()}.tmp"
        try:
            fd = where.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            break
        except FileExistsError:
            continue  # a planted name, or another run's: never reused
        except OSError as exc:
            raise WriteError(where.path, f"cannot create a file in {where.folder}: {exc.strerror or exc}") from None
    else:
        raise WriteError(where.path, f"cannot create a file in {where.folder}: every temporary name is taken")
    try:
        _write_all(fd, data)
        owner_kept = st is None or _give_owner(fd, st)
        os.fchmod(fd, mode)  # after fchown, which may clear the set-id bits
        if where.durable:
            os.fsync(fd)
    except BaseException as exc:
        where.unlink(temp)
        if isinstance(exc, OSError):
            raise WriteError(where.path, exc.strerror or str(exc)) from None
        raise
    finally:
        os.close(fd)
    return temp, owner_kept


def _give_owner(fd: int, st: os.stat_result) -> bool:
    """Whether the file behind `fd` now has `st`'s owner and group (root: always; others: when allowed)."""
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) == (st.st_uid, st.st_gid):
        return True
    try:
        os.fchown(fd, st.st_uid, st.st_gid)
    except (PermissionError, AttributeError):
        return False
    return True


def _still_as_read(where: _Folder, name: str, st: os.stat_result, current: bytes) -> None:
    """Refuses when the target changed since it was read: checked last, to keep a person's save if at all possible."""
    try:
        now = where.lstat(name)
        fd = where.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise WriteError(where.path, "the file was removed while it was being checked") from None
    with os.fdopen(fd, "rb") as handle:
        same = (now.st_ino, now.st_size, now.st_mtime_ns) == (st.st_ino, st.st_size, st.st_mtime_ns)
        if not same or handle.read() != current:
            raise WriteError(where.path, "the file changed while it was being checked; run again")


class _Damaged(Exception):
    """An in-place rewrite that failed, and so did writing the old bytes back."""


def _rewrite_in_place(where: _Folder, name: str, st: os.stat_result, data: bytes, current: bytes) -> None:
    """Writes `data` over the target's own inode (its links and owner stay); on failure, the old bytes go back."""
    fd = where.open(name, os.O_WRONLY)
    try:
        if os.fstat(fd).st_ino != st.st_ino:
            raise WriteError(where.path, "the file was replaced while it was being written; run again")
        try:
            _write_all(fd, data, at=0)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        except OSError as exc:
            try:
                _write_all(fd, current, at=0)
                os.ftruncate(fd, len(current))
                os.fsync(fd)
            except OSError:
                raise _Damaged(exc.strerror or str(exc)) from None
            raise
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes, at: int | None = None) -> None:
    if at is not None:
        os.lseek(fd, at, os.SEEK_SET)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


@contextmanager
def _signals_held():
    """Holds SIGINT and SIGTERM until the block ends, then acts on the first one that came."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not None:  # None: installed outside Python, which we could not put back
            previous[signum] = signal.signal(signum, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if caught:
            signal.raise_signal(caught[0])


def read_regular(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """A cache file's bytes, refusing what a repository could plant in a cache folder inside it, as the writers do:
    a symbolic link (OSError ELOOP) or anything but a regular file (a FIFO would block the run)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
                 | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{path}: not a regular file")
        return handle.read() if limit is None else handle.read(limit)


def make_private_dir(folder: Path) -> None:
    """Create the cache folder (and missing parents) writable by its owner only, whatever the umask.

    A folder others could write would let them plant "facts" or swap the file between runs; folders that
    already exist are the user's and are left as they are. A folder that is a symbolic link is refused
    (LinkRefused): a repository may point its cache-dir at one it planted.
    """
    if os.path.islink(folder):
        raise LinkRefused(str(folder), "the folder is a symbolic link, which is never written through")
    if folder.is_dir():
        return
    missing = []
    step = folder
    while not step.exists() and step.parent != step:
        missing.append(step)
        step = step.parent
    folder.mkdir(parents=True, exist_ok=True)
    for created in missing:
        try:
            os.chmod(created, 0o755)
        except OSError:
            pass


def source_encoding(data: bytes) -> str:
    """The encoding Python reads `data` with: its BOM or coding cookie, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except (SyntaxError, LookupError):
        return "utf-8"
    return encoding


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """A `git diff`-style unified diff of one file, "" when the bytes are equal."""
    if before == after:
        return ""
    encoding = source_encoding(before)
    old = before.decode(encoding, errors="surrogateescape" if encoding.startswith("utf") else "replace")
    new = after.decode(encoding, errors="surrogateescape" if encoding.startswith("utf") else "replace")
    label = path.replace(os.sep, "/")
    if label.startswith("./"):
        label = label[2:]
    a, b = (label, label) if os.path.isabs(path) else (f"a/{label}", f"b/{label}")
    import difflib  # only --diff and --fix need it

    out = []
    for line in difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), a, b):
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)
