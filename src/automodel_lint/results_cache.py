"""Earlier runs' results, behind one object, so that a run where nothing changed parses and judges nothing.

What is kept, per file: its call sites (and HFA900 or skip note), and its diagnostics with the model ids it
could not resolve (unless the network may answer them next time); per run: the model facts of the ids its
files named. Files are keyed by path and checked the way ruff checks: size and modification time first;
only a file whose stat changed is read and hashed, and its old entry still serves if the bytes are the same.
A file's diagnostics are reused only under the same fingerprint: the same model facts (options, the
project's pyproject.toml and lock file, the facts cache) and the same options that filter diagnostics; the
facts only while nothing they came from can have changed. The whole store is invalidated by another
automodel-lint (its version and the stat of its own modules). A notebook is kept like a Python file, with its
cell map (where each line of its joined code cells is in the notebook, as runs) when it holds call sites: the
output places its diagnostics with it, and a fix reads the notebook again (`analysis.read_notebook_file`).
What a file gave when its reading or judging failed unexpectedly is not kept, so that the next run tries again.

A folder of JSON files, each written atomically (parallel runs can only lose each other's updates, never corrupt
them): the facts, and the files' entries in shards by folder, so that a run over a few files (what pre-commit
hands a hook) reads and rewrites a few small shards, not the whole tree's store. A store that cannot be read or
written is ignored (the run is merely slower).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, replace
from functools import cached_property
from pathlib import Path

from automodel_lint import __version__
from automodel_lint.analysis import Analysis, Earlier
from automodel_lint.calls import may_hold_calls
from automodel_lint.digests import blake2b, digest
from automodel_lint.files import read_regular
from automodel_lint.records import CallSite, Diagnostic, Fix, ModelRequest, Span, Unjudged, Unresolved, UseSite
from automodel_lint.sources import TooLarge, Unreadable, read_source


NAME = "results-v2"  # the folder under the cache folder
FACTS = "facts.json"
REUSABLE_SOURCES = frozenset({"config", "lock", "snapshot", "cache", "hub"})


def _request_key(request: ModelRequest) -> list:
    return [request.model, request.revision, request.subfolder, request.file_dir]


def verdict_fingerprint(facts: str, options) -> str:
    """What a file's verdicts depend on besides its bytes: the facts, and the options that filter them."""
    parts = [facts, repr(sorted(options.select or ())), repr(options.select is None), repr(sorted(options.ignore)),
             repr(options.noqa), repr(options.preview)]
    return blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()


def facts_fingerprint(options, table_version: str) -> str:
    """What the model facts of a run depend on, besides the model ids themselves."""
    from automodel_lint.paths import default_cache_dir

    parts = [
        _tool_key(), table_version, repr(options.offline), repr(options.locked), repr(options.use_cache),
        json.dumps(options.models, sort_keys=True, default=str), os.environ.get("HF_ENDPOINT", ""),
        os.environ.get("HF_HUB_OFFLINE", ""), os.getcwd(),
    ]
    cache_dir = Path(options.cache_dir) if options.cache_dir else default_cache_dir()
    watched = [cache_dir / "hub-facts.json"]
    if options.project_root:
        watched += [Path(options.project_root) / "pyproject.toml", Path(options.project_root) / "automodel-lint.lock"]
    for path in watched:
        try:
            st = path.stat()
            parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{path}:-")
    return blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()


def _tool_key() -> str:
    """This automodel-lint: its version, and the size and mtime of its modules (a development checkout changes)."""
    root = Path(__file__).resolve().parent
    parts = [__version__]
    for folder in (root, root / "rules", root / "knowledge" / "data"):
        try:
            with os.scandir(folder) as entries:
                for entry in sorted(entries, key=lambda e: e.name):
                    if entry.name.endswith((".py", ".json")):
                        st = entry.stat()
                        parts.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{folder}:?")
    return blake2b("|".join(parts).encode(), digest_size=8).hexdigest()


def _to_json(record: CallSite | Diagnostic) -> dict:
    data = asdict(record)
    data["span"] = list(data["span"].values())
    return data


def _site_from_json(data: dict) -> CallSite:
    fields = dict(data)
    fields["span"] = Span(*fields["span"])
    fields["uncertain_kwargs"] = tuple(fields.get("uncertain_kwargs", ()))
    return CallSite(**fields)


def _diagnostic_from_json(data: dict) -> Diagnostic:
    fields = dict(data)
    fields["span"] = Span(*fields["span"])
    fields["fix"] = Fix(**fields["fix"]) if fields["fix"] else None
    return Diagnostic(**fields)


def cell_runs(positions) -> list[list[int]]:
    """A notebook's positions (one per line of its joined source) as runs [cell, first line, count]: a cell's
    lines follow each other, and so does the separator line after them, so there is about one run per cell."""
    runs: list[list[int]] = []
    for position in positions:
        last = runs[-1] if runs else None
        if last and last[0] == position.cell and last[1] + last[2] == position.line:
            last[2] += 1
        else:
            runs.append([position.cell, position.line, 1])
    return runs


def cell_positions(runs: list[list[int]]) -> tuple:
    from automodel_lint.notebooks import Position

    return tuple(Position(cell, first + k) for cell, first, count in runs for k in range(count))


class ResultsCache:
    """The store, for one run with the given options: the engine asks it for what an earlier run found (an
    unchanged file's analysis and diagnostics, model facts) and hands it what this run found."""

    def __init__(self, options, table_version: str) -> None:
        from automodel_lint.paths import default_cache_dir

        self.options = options
        self.table_version = table_version
        self.path = Path(options.cache_dir or default_cache_dir()) / NAME
        self.key = _tool_key()
        self.shards: dict[str, dict[str, dict]] = {}  # shard name -> its entries by absolute path, read when needed
        self.data_fingerprint: str | None = None
        self.data_answers: list = []
        self.dirty: set[str] = set()  # the files to write: shard names, and FACTS
        self.current: dict[str, dict] = {}  # entries of this run's files that are up to date, by absolute path
        self.unstored: dict[str, tuple[os.stat_result, str]] = {}  # files to parse: their stat and digest, read first
        facts = self._read(FACTS)
        if isinstance(facts, dict) and isinstance(facts.get("answers"), list):
            self.data_fingerprint, self.data_answers = facts.get("fingerprint"), facts["answers"]

    def _read(self, name: str) -> dict | None:
        """One file of the store, if this automodel-lint wrote it."""
        try:
            data = json.loads(read_regular(self.path / name))
        except (OSError, ValueError, RecursionError):
            return None  # no store yet, or an unreadable one: start afresh
        return data if isinstance(data, dict) and data.get("key") == self.key else None

    def _shard(self, key: str) -> tuple[str, dict[str, dict]]:
        """The shard that holds the entry of the file at absolute path `key`: one per hash of its folder."""
        folder = os.path.dirname(key).encode(errors="surrogateescape")
        name = f"files-{blake2b(folder, digest_size=1).hexdigest()}.json"
        entries = self.shards.get(name)
        if entries is None:
            data = self._read(name)
            entries = self.shards[name] = data["files"] if data and isinstance(data.get("files"), dict) else {}
        return name, entries

    @cached_property
    def facts_fingerprint(self) -> str:
        return facts_fingerprint(self.options, self.table_version)

    @cached_property
    def verdict_fingerprint(self) -> str:
        return verdict_fingerprint(self.facts_fingerprint, self.options)

    @property
    def facts_final(self) -> bool:
        """Whether an id that could not be resolved stays so: the network is out of play."""
        return self.options.offline or self.options.locked

    # Files

    def recall(self, path: str, uses: bool = False) -> Analysis | None:
        """The analysis of a file unchanged since an earlier run; None when the file has to be parsed (also when
        `uses` are wanted and the earlier run did not look for them)."""
        try:
            st = os.stat(path)
        except OSError:
            return None  # the parse reports it
        key = os.path.abspath(path)
        shard, entries = self._shard(key)
        entry = entries.get(key)
        if entry and uses and entry.get("uses") is None:
            entry = None  # read without its uses: parsed again, and kept with them
        if entry and entry["size"] == st.st_size and entry["mtime_ns"] == st.st_mtime_ns:
            return self._restored(path, entry)
        if st.st_size > self.options.max_file_size:
            return None
        try:
            data = read_source(path, self.options.max_file_size)
        except (TooLarge, Unreadable):
            return None
        sha = digest(data)
        if entry and entry["sha"] == sha:  # the stat changed but not the bytes (a checkout, a touch)
            entry.update(size=st.st_size, mtime_ns=st.st_mtime_ns)
            self.dirty.add(shard)
            return self._restored(path, entry)
        if not may_hold_calls(data):
            analysis = Analysis(path, uses_read=True)  # cannot hold a call: nothing to parse, remember so
            self._store(path, st, sha, analysis)
            return analysis
        self.unstored[key] = (st, sha)
        return None

    def earlier(self, path: str, uses: bool = False) -> Earlier | None:
        """What LibCST read of a file `recall` found changed, and the call sites it gave, for the parse to reuse
        if the file still reduces to that text (`analysis.Earlier`); None when there is nothing to reuse."""
        key = os.path.abspath(path)
        entry = self._shard(key)[1].get(key) if key in self.unstored and not uses else None
        if not entry or not entry.get("reduced"):  # `_store` keeps it only for a reading without uses or HFA900
            return None
        try:
            digest_, lines = entry["reduced"]
            return Earlier(digest_, tuple(lines) if lines else None, tuple(_site_from_json(s) for s in entry["sites"]),
                           entry["encoding"])
        except (KeyError, TypeError, ValueError):
            return None  # an entry we did not write: parse

    def remember(self, analysis: Analysis) -> None:
        """A file's fresh analysis, kept when the file was read by `recall` (its stat and bytes are known)."""
        read = self.unstored.pop(os.path.abspath(analysis.path), None)
        if read is not None and not analysis.unexpected:
            self._store(analysis.path, *read, analysis)

    def _store(self, path: str, st: os.stat_result, sha: str, analysis: Analysis) -> None:
        # A new entry has no verdicts: the file changed (or is new), so it is judged afresh.
        entry = {
            "size": st.st_size,
            "mtime_ns": st.st_mtime_ns,
            "sha": sha,
            "sites": [_to_json(s) for s in analysis.sites],
            "uses": [u.to_json() for u in analysis.uses] if analysis.uses_read else None,
            "diagnostics": [_to_json(d) for d in analysis.result.diagnostics],
            "skipped": analysis.result.skipped,
            # `# noqa` needs the text only of files that have such a comment.
            "lines": analysis.lines if any("noqa" in line for line in analysis.lines) else [],
        }
        # The notebooks the report places diagnostics in.
        if analysis.notebook is not None and (analysis.sites or analysis.uses):
            entry["cells"] = cell_runs(analysis.notebook.positions)
        if analysis.reduced is not None and not analysis.uses and not analysis.result.diagnostics:
            entry["reduced"] = [analysis.reduced[0], analysis.reduced[1] and list(analysis.reduced[1])]
            entry["encoding"] = analysis.encoding
        key = os.path.abspath(path)
        shard, entries = self._shard(key)
        entries[key] = self.current[key] = entry
        self.dirty.add(shard)

    def _restored(self, path: str, entry: dict) -> Analysis:
        self.current[os.path.abspath(path)] = entry
        # The entry may have been stored under another spelling of the path (`src/a.py` from the project root,
        # `a.py` from src/): what is shown must be the path this run was given.
        sites = [replace(_site_from_json(s), path=path) for s in entry["sites"]]
        uses = [replace(UseSite.from_json(u), path=path) for u in entry.get("uses") or ()]
        analysis = Analysis(path, sites=sites, uses=uses, uses_read=entry.get("uses") is not None,
                            lines=entry.get("lines", []))
        analysis.result.diagnostics = [replace(_diagnostic_from_json(d), path=path) for d in entry["diagnostics"]]
        analysis.result.skipped = entry.get("skipped")
        if "cells" in entry:
            from automodel_lint.notebooks import NotebookSource

            # Only the positions: a fix finds `raw` unset and reads the notebook again for its cells.
            analysis.notebook = NotebookSource("", cell_positions(entry["cells"]), ())
        return analysis

    # Verdicts: a file unchanged since a run with the same facts and options gets that run's diagnostics
    # back, so a warm run needs neither the rules nor the resolver.

    def verdicts(self, path: str) -> tuple[list[Diagnostic], list[Unresolved]] | None:
        """The diagnostics of an unchanged file, and the ids it named that could not be resolved."""
        entry = self.current.get(os.path.abspath(path))
        stored = entry.get("verdicts") if entry else None
        if stored is None or stored.get("fp") != self.verdict_fingerprint:
            return None
        return ([replace(_diagnostic_from_json(d), path=path) for d in stored["diagnostics"]],
                [Unresolved(*u) for u in stored["unresolved"]])

    def unjudged(self, path: str) -> list[Unjudged]:
        """The calls of an unchanged file that its kept verdicts left unjudged (call after `verdicts`)."""
        stored = self.current.get(os.path.abspath(path), {}).get("verdicts") or {}
        return [Unjudged(path, Span(*u["span"]), u["reason"], u.get("cell")) for u in stored.get("unjudged", ())]

    def keep_verdicts(self, path: str, diagnostics: list[Diagnostic], unresolved: list[Unresolved],
                      unjudged: list[Unjudged] = ()) -> None:
        key = os.path.abspath(path)
        entry = self.current.get(key)
        # With the network in play an id may resolve next time (a timeout, a dead network): such a file's
        # verdicts are not kept, so the next run asks again.
        if entry is None or (unresolved and not self.facts_final):
            return
        entry["verdicts"] = {
            "fp": self.verdict_fingerprint,
            "diagnostics": [_to_json(d) for d in diagnostics],
            "unresolved": sorted([u.model_id, u.reason] for u in unresolved),
            "unjudged": [{"span": list(asdict(u.span).values()), "reason": u.reason, "cell": u.cell} for u in unjudged],
        }
        self.dirty.add(self._shard(key)[0])

    # Model facts of the last run. Reused only while nothing they came from can have changed: the
    # fingerprint covers the options, the project's pyproject.toml and lock file, and the facts cache file.
    # Facts read from local folders or the Hugging Face cache are never reused (their files are not watched),
    # nor, when the network may be used, is an id that could not be resolved.

    def answers(self, needed: set[ModelRequest]) -> dict:
        """What the last run found for the requests in `needed`."""
        from automodel_lint.facts.cache import facts_from_json

        stored = self.data_answers if self.data_fingerprint == self.facts_fingerprint else []
        found: dict = {}
        for item in stored:
            try:
                request = ModelRequest(*item["request"])
                if "unresolved" in item:
                    found[request] = Unresolved(*item["unresolved"])
                else:
                    facts = facts_from_json(item["facts"], item["source"])
                    if facts is not None:
                        found[request] = facts
            except (KeyError, TypeError, ValueError):
                return {}  # an entry we did not write: trust none of them
        return {request: answer for request, answer in found.items() if request in needed}

    def keep_answers(self, answers: dict) -> None:
        from automodel_lint.facts.cache import facts_to_json

        fingerprint = self.facts_fingerprint
        kept = []
        for request, answer in answers.items():
            if isinstance(answer, Unresolved):
                if self.facts_final:
                    kept.append({"request": _request_key(request), "unresolved": [answer.model_id, answer.reason]})
            elif answer.source in REUSABLE_SOURCES:
                kept.append({"request": _request_key(request), "facts": facts_to_json(answer), "source": answer.source})
        if fingerprint == self.data_fingerprint:
            fresh = {json.dumps(item["request"]) for item in kept}
            kept += [item for item in self.data_answers if json.dumps(item["request"]) not in fresh]
        kept.sort(key=lambda item: json.dumps(item["request"]))
        if fingerprint != self.data_fingerprint or kept != self.data_answers:
            self.data_fingerprint, self.data_answers = fingerprint, kept
            self.dirty.add(FACTS)

    def save(self) -> None:
        """Writes the files of the store this run changed; the first that cannot be written ends the saving."""
        for name in sorted(self.dirty):
            if name == FACTS:
                data = {"key": self.key, "fingerprint": self.data_fingerprint, "answers": self.data_answers}
            else:
                data = {"key": self.key, "files": self.shards[name]}
            if not self._write(name, json.dumps(data, separators=(",", ":")).encode("utf-8")):
                break
        self.dirty.clear()

    def _write(self, name: str, data: bytes) -> bool:
        from automodel_lint.files import LinkRefused, make_private_dir, write_atomic

        try:
            make_private_dir(self.path)
            write_atomic(self.path / name, data, mode=0o644, durable=False)
        except LinkRefused as exc:
            import logging  # only on this rare path

            logging.getLogger(__name__).warning("automodel-lint: warning: results cache not saved: %s", exc.reason)
            return False
        except OSError:
            return False  # a read-only cache folder: the next run is as slow as this one, nothing worse
        return True
