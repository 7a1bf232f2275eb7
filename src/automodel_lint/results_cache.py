"""Each file's call sites, remembered between runs, so that a run where nothing changed parses nothing.

Keyed by the file's path, checked the way ruff checks: size and modification time first; only a file
whose stat changed is read and hashed, and its old entry still serves if the bytes are the same. The
whole store is invalidated by another automodel-lint (its version and the stat of its own modules).
Verdicts are not stored: judging the remembered call sites against the model facts is cheap, and facts
may change between runs (a lock file, a private model in pyproject.toml) without any file changing.

One JSON file, written atomically: parallel runs can only lose each other's updates, never corrupt it.
A store that cannot be read or written is ignored (the run is merely slower).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from automodel_lint import __version__
from automodel_lint.records import CallSite, Diagnostic, FileResult, Fix, Span

NAME = "results-v1.json"
REUSABLE_SOURCES = frozenset({"config", "lock", "snapshot", "cache", "hub"})


def astuple_request(request) -> tuple:
    return (request.model, request.revision, request.subfolder, request.file_dir)


def verdict_fingerprint(facts: str, options) -> str:
    """What a file's verdicts depend on besides its bytes: the facts, and the options that filter them."""
    parts = [facts, repr(sorted(options.select or ())), repr(options.select is None), repr(sorted(options.ignore)),
             repr(options.noqa)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


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
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


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
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


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


class ResultsCache:
    def __init__(self, cache_dir: str | os.PathLike | None) -> None:
        from automodel_lint.paths import default_cache_dir

        self.path = Path(cache_dir or default_cache_dir()) / NAME
        self.key = _tool_key()
        self.entries: dict[str, dict] = {}
        self.data_fingerprint: str | None = None
        self.data_answers: list = []
        self.dirty = False
        try:
            data = json.loads(self.path.read_bytes())
            if isinstance(data, dict) and data.get("key") == self.key and isinstance(data.get("files"), dict):
                self.entries = data["files"]
                facts = data.get("facts")
                if isinstance(facts, dict) and isinstance(facts.get("answers"), list):
                    self.data_fingerprint, self.data_answers = facts.get("fingerprint"), facts["answers"]
        except (OSError, ValueError, RecursionError):
            pass  # no store yet, or an unreadable one: start afresh

    def lookup(self, path: str, st: os.stat_result) -> dict | None:
        """The entry for a file whose size and mtime are unchanged."""
        entry = self.entries.get(os.path.abspath(path))
        if entry and entry["size"] == st.st_size and entry["mtime_ns"] == st.st_mtime_ns:
            return entry
        return None

    def lookup_content(self, path: str, st: os.stat_result, sha: str) -> dict | None:
        """The entry for a file whose stat changed but whose bytes did not (a checkout, a touch)."""
        entry = self.entries.get(os.path.abspath(path))
        if entry and entry["sha"] == sha:
            entry.update(size=st.st_size, mtime_ns=st.st_mtime_ns)
            self.dirty = True
            return entry
        return None

    def store(self, path: str, st: os.stat_result, sha: str, sites: list[CallSite], result: FileResult, lines) -> None:
        # A new entry has no verdicts: the file changed (or is new), so it is judged afresh.
        self.entries[os.path.abspath(path)] = {
            "size": st.st_size,
            "mtime_ns": st.st_mtime_ns,
            "sha": sha,
            "sites": [_to_json(s) for s in sites],
            "diagnostics": [_to_json(d) for d in result.diagnostics],
            "skipped": result.skipped,
            # `# noqa` needs the text only of files that have such a comment.
            "lines": lines if any("noqa" in line for line in lines) else [],
        }
        self.dirty = True

    @staticmethod
    def restore(entry: dict) -> tuple[list[CallSite], list[Diagnostic], str | None, list[str]]:
        return (
            [_site_from_json(s) for s in entry["sites"]],
            [_diagnostic_from_json(d) for d in entry["diagnostics"]],
            entry.get("skipped"),
            entry.get("lines", []),
        )

    # Model facts of the last run. Reused only while nothing they came from can have changed: the
    # fingerprint covers the options, the project's pyproject.toml and lock file, and the facts cache file.
    # Facts read from local folders or the Hugging Face cache are never reused (their files are not watched),
    # nor, when the network may be used, is an id that could not be resolved.

    def answers(self, fingerprint: str) -> dict:
        from automodel_lint.facts.cache import facts_from_json
        from automodel_lint.records import ModelRequest, Unresolved

        stored = self.data_answers if self.data_fingerprint == fingerprint else {}
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
        return found

    def keep_verdicts(self, path: str, fingerprint: str, diagnostics: list[Diagnostic], unresolved: list) -> None:
        entry = self.entries.get(os.path.abspath(path))
        if entry is None:
            return
        entry["verdicts"] = {
            "fp": fingerprint,
            "diagnostics": [_to_json(d) for d in diagnostics],
            "unresolved": sorted([u.model_id, u.reason] for u in unresolved),
        }
        self.dirty = True

    @staticmethod
    def verdicts_of(stored: dict) -> tuple[list[Diagnostic], list]:
        from automodel_lint.records import Unresolved

        return [_diagnostic_from_json(d) for d in stored["diagnostics"]], [Unresolved(*u) for u in stored["unresolved"]]

    def keep_answers(self, fingerprint: str, answers: dict, offline: bool) -> None:
        from automodel_lint.facts.cache import facts_to_json
        from automodel_lint.records import Unresolved

        kept = []
        for request, answer in answers.items():
            if isinstance(answer, Unresolved):
                if offline:
                    kept.append({"request": list(astuple_request(request)), "unresolved": [answer.model_id, answer.reason]})
            elif answer.source in REUSABLE_SOURCES:
                kept.append({"request": list(astuple_request(request)), "facts": facts_to_json(answer), "source": answer.source})
        if fingerprint == self.data_fingerprint:
            fresh = {json.dumps(item["request"]) for item in kept}
            kept += [item for item in self.data_answers if json.dumps(item["request"]) not in fresh]
        kept.sort(key=lambda item: json.dumps(item["request"]))
        if fingerprint != self.data_fingerprint or kept != self.data_answers:
            self.data_fingerprint, self.data_answers = fingerprint, kept
            self.dirty = True

    def save(self) -> None:
        from automodel_lint.files import LinkRefused, make_private_dir, write_atomic

        if not self.dirty:
            return
        facts = {"fingerprint": self.data_fingerprint, "answers": self.data_answers}
        data = json.dumps({"key": self.key, "files": self.entries, "facts": facts}, separators=(",", ":"))
        try:
            make_private_dir(self.path.parent)
            write_atomic(self.path, data.encode("utf-8"), mode=0o644)
        except LinkRefused as exc:
            import logging  # only on this rare path

            logging.getLogger(__name__).warning("automodel-lint: warning: results cache not saved: %s", exc.reason)
        except OSError:
            pass  # a read-only cache folder: the next run is as slow as this one, nothing worse
