"""transformers' own tables, as data: which model types each Auto class accepts and what it loads.

API (used by the rules and the CLI):
    installed_transformers_version() -> str | None   # importlib.metadata, never an import of transformers
    bundled_tables() -> list[KnowledgeTable]          # the tables shipped in knowledge/data/, oldest first
    bundled_newest_first() -> Iterator[KnowledgeTable] # the same, newest first, each read when reached
    other_bundled(version) -> OtherBundled            # the others than version's, read when first iterated
    table_for_major(major) -> KnowledgeTable | None   # the newest bundled table of transformers 4.x or 5.x
    current_table(cache_dir=None) -> KnowledgeTable   # the installed version's table (generated from its
                                                      # source, cached on disk by version), else the newest bundled
    table_for_version(version) -> KnowledgeTable | None   # any release 4.0 ... 5.24, from data/history.json.gz
    first_version_knowing(model_type) -> str | None       # the first minor whose table knows it ("4.51")

A version without a bundled table is read from the installed source by `knowledge.build` (a few seconds, once)
and cached as `<cache_dir>/knowledge/transformers-<version>.json`. Whatever goes wrong there is one logged warning
and the newest bundled table: the linter still runs, with slightly older knowledge.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from automodel_lint.knowledge.table import SCHEMA_VERSION, KnowledgeTable, TableError  # noqa: F401
from automodel_lint.paths import default_cache_dir

DATA_DIR = Path(__file__).with_name("data")
CACHE_SUBDIR = "knowledge"


# The answer per sys.path (and working folder, which "" names): a run asks twice (target, table), 2-3 ms each.
_INSTALLED: dict[tuple[str, ...], str | None] = {}


def installed_transformers_version() -> str | None:
    """The version of the transformers distribution on sys.path, as importlib.metadata would find it.

    Read from the `transformers-<version>.dist-info` folder name: importing importlib.metadata alone costs
    about 30 ms, a tenth of a pre-commit run. Anything unusual (an egg, an editable install without a
    dist-info folder, a zip file on sys.path) falls back to importlib.metadata itself; folders that hold nothing
    named transformers answer None at once (a pre-commit hook's own venv has no transformers).
    """
    try:
        key = (os.getcwd(), *sys.path)
    except OSError:  # the working folder was removed: "" names nothing
        key = ("", *sys.path)
    if key not in _INSTALLED:
        _INSTALLED[key] = _installed_version()
    return _INSTALLED[key]


def _installed_version() -> str | None:
    unusual = False
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as found:
                for item in found:
                    name = item.name
                    if name.startswith("transformers-") and name.endswith(".dist-info") and item.is_dir():
                        return name[len("transformers-") : -len(".dist-info")]
                    unusual = unusual or name.lower().startswith("transformers")
        except FileNotFoundError:
            continue  # a folder on sys.path that does not exist holds nothing
        except OSError:
            unusual = True  # a zip file, or a folder that cannot be listed: importlib.metadata may read it
    if not unusual:
        return None
    from importlib import metadata

    try:
        return metadata.version("transformers")
    except metadata.PackageNotFoundError:
        return None


def installed_transformers_source() -> Path:
    """The installed package folder, found through the distribution's metadata (transformers is not imported)."""
    from importlib import metadata

    return Path(str(metadata.distribution("transformers").locate_file("transformers")))


def version_key(version: str) -> tuple:
    """A transformers version as a sortable key ("4.57.6" < "5.24.0"); a part that is not a number sorts first."""
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


@lru_cache(maxsize=1)
def _bundled_paths() -> dict[str, Path]:
    """Bundled version -> file, oldest first; the version is read from the file name, so nothing is parsed."""
    paths = {p.stem.removeprefix("transformers-"): p for p in DATA_DIR.glob("transformers-*.json")}
    return dict(sorted(paths.items(), key=lambda item: version_key(item[0])))


@lru_cache(maxsize=None)
def _bundled(version: str) -> KnowledgeTable:
    return KnowledgeTable.from_path(_bundled_paths()[version], origin="bundled")


def bundled_tables() -> list[KnowledgeTable]:
    return [_bundled(version) for version in _bundled_paths()]


def bundled_newest_first() -> Iterator[KnowledgeTable]:
    """The bundled tables, newest first, each read only when the iteration reaches it: a question the newest answers
    does not pay for reading the others (a few ms each, of a pre-commit run's budget)."""
    return (_bundled(version) for version in reversed(_bundled_paths()))


class OtherBundled:
    """The bundled tables other than one version's, oldest first, read when first iterated: most judgments never
    look past the table in use."""

    def __init__(self, version: str) -> None:
        self.version = version
        self._tables: tuple[KnowledgeTable, ...] | None = None

    def _load(self) -> tuple[KnowledgeTable, ...]:
        if self._tables is None:
            self._tables = tuple(t for t in bundled_tables() if t.version != self.version)
        return self._tables

    def __iter__(self) -> Iterator[KnowledgeTable]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __getitem__(self, index):
        return self._load()[index]


@lru_cache(maxsize=None)
def other_bundled(version: str) -> OtherBundled:
    """The bundled tables other than `version`'s (see OtherBundled), one object per version and process."""
    return OtherBundled(version)


def newest_bundled() -> KnowledgeTable:
    return _bundled(next(reversed(_bundled_paths())))


def table_for_major(major: int) -> KnowledgeTable | None:
    versions = [v for v in _bundled_paths() if v.split(".")[0] == str(major)]
    return _bundled(versions[-1]) if versions else None


@lru_cache(maxsize=8)
def table_for_version(version: str) -> KnowledgeTable | None:
    """The table of a transformers release, derived from the bundled history (`knowledge.history`): a covered release,
    a minor ("4.40": its last patch) or any patch of a covered minor; None for a version the history does not cover.
    A 4.0-4.9 table has only `config_classes`; `table.unknown_parts` names what it lacks."""
    from automodel_lint.knowledge import history

    data = history.load().table(version)
    return None if data is None else KnowledgeTable(data, origin="history")


def first_version_knowing(model_type: str) -> str | None:
    """The first minor release ("4.51") whose table knows this model type; None if no covered release does."""
    from automodel_lint.knowledge import history

    return history.load().first_version("config_classes", model_type)


def generator_key() -> str:
    """A digest of the generator's own source (build.py, generation.py, table.py): a table another generator made
    may lack a part this one reads (the tokenizer defaults, the generation facts) or read one differently."""
    from automodel_lint.digests import blake2b

    here = Path(__file__).resolve().parent
    return blake2b(b"".join((here / f"{name}.py").read_bytes() for name in ("build", "generation", "table")),
                   digest_size=6).hexdigest()


def cache_path(version: str, cache_dir: str | os.PathLike | None = None) -> Path:
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    # The schema and the generator are in the name, so a table cached by another automodel-lint is rebuilt, not
    # reported as damaged nor read without the parts it lacks.
    return root / CACHE_SUBDIR / f"transformers-{version}.schema{SCHEMA_VERSION}.{generator_key()}.json"


def is_bundled(version: str) -> bool:
    """Whether a table of exactly this release ships with the linter (read alone, without the release history)."""
    return version in _bundled_paths()


def current_table(cache_dir: str | os.PathLike | None = None) -> KnowledgeTable:
    version = installed_transformers_version()
    if version is None:
        return newest_bundled()
    if version in _bundled_paths():
        return _bundled(version)
    try:
        return _installed_table(version, cache_path(version, cache_dir))
    except Exception as exc:  # noqa: BLE001 - a source the generator does not understand must not stop the linter
        fallback = newest_bundled()
        reason = " ".join(str(exc).split()) or type(exc).__name__
        _warn(
            "cannot read the tables of the installed transformers %s (%s); using those of transformers %s",
            version, reason, fallback.version,
        )
        return fallback


def _installed_table(version: str, path: Path) -> KnowledgeTable:
    cached = _read_cache(path, version)
    if cached is not None:
        return cached
    from automodel_lint.knowledge import build

    data = build.build_table(build.open_source(installed_transformers_source()))
    _write_cache(path, build.dumps(data))
    return KnowledgeTable(data, origin="installed")


def _read_cache(path: Path, version: str) -> KnowledgeTable | None:
    if not path.exists():
        return None
    try:
        table = KnowledgeTable.from_path(path, origin="installed")
        if table.version != version:
            raise TableError(f"{path} holds the tables of transformers {table.version}")
        return table
    except (TableError, KeyError, TypeError) as exc:
        _warn("ignoring a damaged knowledge cache (%s); reading the installed transformers again", exc)
        return None


def _write_cache(path: Path, text: str) -> None:
    """Written atomically by `files.write_atomic`, so that a concurrent run never reads half a file. A cache that
    cannot be written (or is a link, which is never written through) only costs the next run the same few seconds."""
    from automodel_lint.files import make_private_dir, write_atomic

    try:
        make_private_dir(path.parent)
        write_atomic(path, text.encode("utf-8"), mode=0o644)
    except OSError as exc:
        _warn("cannot cache the knowledge table in %s: %s", path.parent, exc)


def _warn(message: str, *args) -> None:
    import logging  # only on this rare path: the bundled tables load without it

    logging.getLogger(__name__).warning(message, *args)
