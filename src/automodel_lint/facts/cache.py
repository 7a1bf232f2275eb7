"""automodel-lint's own cache of Hub answers: one JSON file, shared safely by parallel runs.

Where: `cache_dir` if given, else AUTOMODEL_LINT_CACHE_DIR, else $XDG_CACHE_HOME/automodel-lint, else
~/.cache/automodel-lint; the file is `hub-facts.json` in it. Keyed by (id, revision, subfolder), ids lower-cased.

    {"schema_version": 2, "entries": {"org/name@rev:sub": {
        "fetched": 1764400000.0,                 # Unix time of the Hub answer
        "sha": "...",                            # the Hub's commit, where known
        "facts": {"model_id", "model_type", "architectures", "auto_map", "evidence", "provenance"}
      | "base": {"model", "revision", "note"}   # a PEFT adapter repo: judge its base model
      | "unresolved": "reason"                   # a definite no from the Hub (401/403/404)
    }},
     "tokenizers": {"org/name@rev:sub": {       # tokenizer facts (issue 16), kept apart: asked for fewer ids
        "fetched": ..., "sha": ...,
        "tokenizer": {"model_id", "tokenizer_class", "padding_side", "has_chat_template", "has_mask_token",
                      "provenance"}
      | "unresolved": "reason"
    }}}

Schema 1 (model facts only) is still read, as a file with no tokenizer facts; every write is schema 2.

Positive answers are fresh for 30 days (then refreshed when the network is there, and still used when it is not),
negative ones for a day. Writes happen once per run (`flush`): re-read under a `filelock` lock, merge, write a
temporary file, `os.replace` it in; a reader (which takes no lock) sees the old file or the new one, never half of
one, even if the writer is killed. A corrupt file, or one of another schema version, is renamed aside with one
warning and rebuilt; a cache folder that cannot be written makes the run go on without the cache, with one warning.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from automodel_lint.facts import tokenizer
from automodel_lint.facts.base import Redirect, parse_json_bytes
from automodel_lint.files import WriteError, make_private_dir, read_regular, write_atomic
from automodel_lint.records import ModelFacts, ModelRequest, TokenizerFacts, Unresolved
from automodel_lint.paths import default_cache_dir

_FULL_SHA = re.compile(r"[0-9a-f]{40}")
SCHEMA_VERSION = 2
READABLE_SCHEMAS = (1, 2)  # 1 had no "tokenizers" part
MODELS, TOKENIZERS = "entries", "tokenizers"  # the file's two parts
FILE_NAME = "hub-facts.json"
POSITIVE_TTL = 30 * 24 * 3600
NEGATIVE_TTL = 24 * 3600
MAX_CACHE_BYTES = 64_000_000
SOURCE = "cache"


def cache_key(request: ModelRequest) -> str:
    key = f"{request.model.strip().lower()}@{request.revision or ''}"
    return key + (f":{request.subfolder}" if request.subfolder else "")


def facts_to_json(facts: ModelFacts) -> dict:
    return {"model_id": facts.model_id, "model_type": facts.model_type, "architectures": list(facts.architectures),
            "auto_map": dict(facts.auto_map), "evidence": facts.evidence, "provenance": facts.provenance,
            "pipeline_tag": facts.pipeline_tag, "sha": facts.sha}


def facts_from_json(data: object, source: str) -> ModelFacts | None:
    """The inverse of `facts_to_json`, type-checked (the file may have been edited by hand): None if unusable."""
    if not isinstance(data, dict) or not isinstance(data.get("model_id"), str):
        return None
    mt = data.get("model_type")
    archs = data.get("architectures") or []
    amap = data.get("auto_map") or {}
    if mt is not None and not isinstance(mt, str):
        return None
    if not isinstance(archs, list) or not all(isinstance(a, str) for a in archs):
        return None
    if not isinstance(amap, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in amap.items()):
        return None
    evidence = data.get("evidence") if isinstance(data.get("evidence"), str) else None
    provenance = data.get("provenance") if isinstance(data.get("provenance"), str) else None
    tag = data.get("pipeline_tag") if isinstance(data.get("pipeline_tag"), str) else None
    sha = data.get("sha") if isinstance(data.get("sha"), str) and _FULL_SHA.fullmatch(data["sha"]) else None
    return ModelFacts(data["model_id"], mt, tuple(archs), tuple(sorted(amap.items())), source, evidence, provenance,
                      tag, sha)


class FactsCache:
    """The cache file: `get` reads (loaded once, lazily), `put` queues, `flush` writes the queue atomically."""

    def __init__(self, cache_dir: str | os.PathLike | None = None, warn: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.time):
        self.dir = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
        self.path = self.dir / FILE_NAME
        self.warn = warn or (lambda message: None)
        self.clock = clock
        self._parts: dict[str, dict[str, dict]] | None = None  # MODELS and TOKENIZERS: key -> entry
        self._pending: dict[str, dict[str, dict]] = _no_parts()
        self.writable = True

    # -- reading ---------------------------------------------------------------------------------------------------

    def _read_file(self) -> tuple[dict[str, dict[str, dict]] | None, str | None]:
        """({part: entries}, None), empty parts when there is no file, or (None, why the file is unusable)."""
        try:
            raw = read_regular(self.path, MAX_CACHE_BYTES + 1)
        except (FileNotFoundError, NotADirectoryError):
            return _no_parts(), None
        except OSError as exc:
            return None, f"cannot be read ({exc.strerror or type(exc).__name__})"
        if len(raw) > MAX_CACHE_BYTES:
            return None, "is too large"
        data, problem = parse_json_bytes(raw, FILE_NAME)
        if problem:
            return None, "is corrupt"
        if not isinstance(data, dict) or data.get("schema_version") not in READABLE_SCHEMAS \
                or not isinstance(data.get(MODELS), dict) or not isinstance(data.get(TOKENIZERS, {}), dict):
            return None, "has an unknown schema version"
        return {part: {k: v for k, v in data.get(part, {}).items() if isinstance(k, str) and isinstance(v, dict)}
                for part in (MODELS, TOKENIZERS)}, None

    def entries(self, part: str = MODELS) -> dict[str, dict]:
        if self._parts is None:
            parts, problem = self._read_file()
            if problem and problem.startswith("cannot be read"):
                self.writable = False
                self.warn(f"the cache file {self.path} {problem}; running without the cache")
                parts = _no_parts()
            elif problem:
                self._set_aside(problem)
                parts = _no_parts()
            self._parts = parts
        return self._parts[part]

    def _set_aside(self, problem: str) -> None:
        aside = self.path.with_name(f"{FILE_NAME}.bad-{int(self.clock())}")
        try:
            os.replace(self.path, aside)
        except OSError:
            self.warn(f"the cache file {self.path} {problem}; it is ignored")
            return
        self.warn(f"the cache file {self.path} {problem}; moved it to {aside.name} and starting a new one")

    def get(self, request: ModelRequest, *, allow_stale: bool = False, part: str = MODELS) -> tuple[dict, bool] | None:
        """(entry, fresh) for the request, or None. Stale entries only when `allow_stale`."""
        entry = self._pending[part].get(cache_key(request)) or self.entries(part).get(cache_key(request))
        if entry is None:
            return None
        fetched = entry.get("fetched")
        if not isinstance(fetched, (int, float)):
            return None
        ttl = NEGATIVE_TTL if "unresolved" in entry else POSITIVE_TTL
        fresh = 0 <= self.clock() - fetched < ttl
        if not fresh and not allow_stale:
            return None
        return entry, fresh

    def answer(self, request: ModelRequest, *, allow_stale: bool = False) -> ModelFacts | Unresolved | Redirect | None:
        """The cached answer as the resolver wants it (negative entries included), or None."""
        return self._answer(request, allow_stale, MODELS, _model_answer)

    def tokenizer_answer(self, request: ModelRequest, *,
                         allow_stale: bool = False) -> TokenizerFacts | Unresolved | None:
        """The cached tokenizer facts (a fresh definite no included), as `answer` gives model facts."""
        return self._answer(request, allow_stale, TOKENIZERS,
                            lambda entry: tokenizer.facts_from_json(entry.get("tokenizer"), SOURCE))

    def _answer(self, request: ModelRequest, allow_stale: bool, part: str, positive):
        """A negative entry as Unresolved (fresh only); else `positive(entry)`, its provenance saying how old."""
        hit = self.get(request, allow_stale=allow_stale, part=part)
        if hit is None:
            return None
        entry, fresh = hit
        if "unresolved" in entry:
            reason = entry["unresolved"]
            return Unresolved(request.model, f"{reason} (cached)") if isinstance(reason, str) and fresh else None
        found = positive(entry)
        if found is None or isinstance(found, Redirect):
            return found
        age = max(0, int((self.clock() - entry["fetched"]) // 86400))
        stale = "" if fresh else ", older than 30 days"
        where = f"cached Hub answer, {age} d old{stale}"
        return replace(found, provenance=f"{where}; {found.provenance}" if found.provenance else where)

    def sha(self, request: ModelRequest) -> str | None:
        entry = self._pending[MODELS].get(cache_key(request)) or self.entries().get(cache_key(request)) or {}
        return entry.get("sha") if isinstance(entry.get("sha"), str) else None

    def put_tokenizer(self, request: ModelRequest, answer: TokenizerFacts | Unresolved, sha: str | None = None) -> None:
        entry: dict = {"fetched": self.clock()}
        if isinstance(answer, TokenizerFacts):
            entry["tokenizer"] = tokenizer.facts_to_json(answer)
        else:
            entry["unresolved"] = answer.reason
        if sha:
            entry["sha"] = sha
        self._pending[TOKENIZERS][cache_key(request)] = entry

    # -- writing ---------------------------------------------------------------------------------------------------

    def put(self, request: ModelRequest, answer: ModelFacts | Unresolved | Redirect, sha: str | None = None) -> None:
        entry: dict = {"fetched": self.clock()}
        if isinstance(answer, ModelFacts):
            entry["facts"] = facts_to_json(answer)
        elif isinstance(answer, Redirect):
            entry["base"] = {"model": answer.target.model, "revision": answer.target.revision, "note": answer.note}
        else:
            entry["unresolved"] = answer.reason
        if sha:
            entry["sha"] = sha
        self._pending[MODELS][cache_key(request)] = entry

    def flush(self) -> bool:
        """Merge the queued entries into the file. False (with one warning) if the cache cannot be written."""
        if not any(self._pending.values()) or not self.writable:
            return not any(self._pending.values())
        try:
            make_private_dir(self.dir)
            from filelock import FileLock, Timeout

            try:
                with FileLock(str(self.path) + ".lock", timeout=10, mode=0o644):
                    self._write_locked()
            except Timeout:
                self.warn(f"the cache {self.path} stayed locked by another run; this run's answers are not saved")
                return False
        except WriteError as exc:
            self.writable = False
            self.warn(f"the cache {self.path} is not written ({exc.reason}); running without the cache")
            return False
        except OSError as exc:
            self.writable = False
            self.warn(f"the cache folder {self.dir} is not writable ({exc.strerror or type(exc).__name__}); "
                      f"running without the cache")
            return False
        self._pending = _no_parts()
        return True

    def _write_locked(self) -> None:
        current, problem = self._read_file()
        if problem:
            self._set_aside(problem)
            current = _no_parts()
        now = self.clock()
        for part, pending in self._pending.items():
            current[part].update(pending)
            # Expired negatives are dropped on write; stale positives stay, as an offline fallback.
            current[part] = {k: v for k, v in current[part].items()
                             if not ("unresolved" in v and not (0 <= now - v.get("fetched", 0) < NEGATIVE_TTL))}
        self._parts = current
        text = json.dumps({"schema_version": SCHEMA_VERSION, **current}, sort_keys=True, separators=(",", ":"))
        write_atomic(self.path, text.encode("utf-8"), mode=0o644)

    def clear(self) -> int:
        """Remove the cache file; the number of entries it held."""
        count = len(self.entries()) + len(self.entries(TOKENIZERS))
        self._parts, self._pending = _no_parts(), _no_parts()
        if self.path.exists():
            from filelock import FileLock

            with FileLock(str(self.path) + ".lock", timeout=10, mode=0o644):
                self.path.unlink(missing_ok=True)
        return count

    def info(self) -> dict:
        entries = self.entries()
        now = self.clock()
        negative = [e for e in entries.values() if "unresolved" in e]
        positive = [e for e in entries.values() if "unresolved" not in e]
        stale = [e for e in positive if not (0 <= now - e.get("fetched", 0) < POSITIVE_TTL)]
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0
        return {"path": str(self.path), "entries": len(entries), "positive": len(positive),
                "negative": len(negative), "stale": len(stale), "bytes": size,
                "tokenizers": len(self.entries(TOKENIZERS))}


def _model_answer(entry: dict) -> ModelFacts | Redirect | None:
    if isinstance(entry.get("base"), dict):
        base = entry["base"]
        if isinstance(base.get("model"), str):
            rev = base.get("revision") if isinstance(base.get("revision"), str) else None
            return Redirect(ModelRequest(base["model"], revision=rev), str(base.get("note") or "PEFT adapter"))
        return None
    return facts_from_json(entry.get("facts"), SOURCE)


def _no_parts() -> dict[str, dict[str, dict]]:
    return {MODELS: {}, TOKENIZERS: {}}


class CacheSource:
    """Fresh cached Hub answers (stale ones too when offline). Negative entries are left to the Hub source, which
    comes after the snapshot: a cached 404 must not hide a snapshot answer."""

    name = SOURCE

    def __init__(self, cache: FactsCache, shas: dict, offline: bool):
        self.cache = cache
        self.shas = shas
        self.offline = offline

    def lookup(self, request: ModelRequest) -> ModelFacts | Redirect | None:
        answer = self.cache.answer(request, allow_stale=self.offline)
        if isinstance(answer, Unresolved):
            return None
        if answer is not None:
            sha = self.cache.sha(request)
            if sha:
                self.shas[request] = sha
        return answer

    def tokenizer_lookup(self, request: ModelRequest) -> TokenizerFacts | None:
        answer = self.cache.tokenizer_answer(request, allow_stale=self.offline)
        return answer if isinstance(answer, TokenizerFacts) else None
