"""The lock file, `automodel-lint.lock` beside the project's pyproject.toml: every model id the code names, resolved
once
and committed, so that CI (`check --locked`) needs no network and gets the same answer every time.

    {
      "generated_by": "automodel-lint 0.1.0",
      "lock_version": 2,
      "models": {
        "google-t5/t5-small": {                  # key: lower-cased id, "@revision" and ":subfolder" when given
          "model": "t5-small",                   # as the code names it
          "model_id": "google-t5/t5-small",      # as resolved
          "revision": null, "subfolder": null,
          "model_type": "t5", "architectures": ["T5ForConditionalGeneration"], "auto_map": {},
          "evidence": "config", "resolved_from": "hub", "sha": "a1b2..."   # the Hub commit, where known
        }
      },
      "tokenizers": {                            # tokenizer facts (issue 16), same keys
        "google-t5/t5-small": {"model": "t5-small", "revision": null, "subfolder": null, "resolved_from": "hub",
                               "tokenizer": {"model_id", "tokenizer_class", "padding_side", "has_chat_template",
                                             "has_mask_token", "provenance"}}
      }
    }

Version 1 (no "tokenizers") is still read: its tokenizers are then unknown, and `check --locked` leaves the calls that
need them unjudged until `automodel-lint lock` is run again. `lock` records the tokenizer facts of every model id the
code names: a tokenizer is most often loaded from the id its model is (the lock cannot know today which ids a tokenizer
call will name, and asking for a few more is cheaper than a `check --locked` that cannot judge).

Sorted keys, two-space indent, a final newline: the same inputs give the same bytes, so diffs show only real changes.
Local folders and the project's own overrides are not locked: they are read from the checkout itself.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from automodel_lint.facts.base import auto_map_pairs, read_json_file
from automodel_lint.facts.cache import cache_key
from automodel_lint.files import write_atomic
from automodel_lint.facts import tokenizer
from automodel_lint.records import ModelFacts, ModelRequest, TokenizerFacts, Unresolved

LOCK_NAME = "automodel-lint.lock"
LOCK_VERSION = 2
READABLE_VERSIONS = (1, 2)  # 1 had no tokenizer facts
SOURCE = "lock"
MAX_LOCK_BYTES = 32_000_000
NOT_LOCKED = {"local", "config"}


class LockError(ValueError):
    """A lock file that exists but cannot be used: `check --locked` must stop (exit 2), not guess."""


@dataclass
class Lock:
    path: str
    models: dict[str, dict] = field(default_factory=dict)
    tokenizers: dict[str, dict] = field(default_factory=dict)

    def entry(self, request: ModelRequest) -> dict | None:
        return self.models.get(cache_key(request))

    def tokenizer_entry(self, request: ModelRequest) -> dict | None:
        return self.tokenizers.get(cache_key(request))


def lock_path(project_root: str | os.PathLike) -> Path:
    return Path(project_root) / LOCK_NAME


def read_lock(path: str | os.PathLike) -> Lock:
    """The lock at `path`; an empty Lock if there is none. Raises LockError for a file that is there but unusable."""
    path = os.fspath(path)
    if not os.path.lexists(path):
        return Lock(path)
    data, problem = read_json_file(path, MAX_LOCK_BYTES)
    if problem:
        raise LockError(f"{path}: {problem.replace(LOCK_NAME, 'the lock file')}")
    if (not isinstance(data, dict) or data.get("lock_version") not in READABLE_VERSIONS
            or not isinstance(data.get("models"), dict) or not isinstance(data.get("tokenizers", {}), dict)):
        raise LockError(f"{path}: not an automodel-lint lock file of version {LOCK_VERSION}; run `automodel-lint lock`")
    return Lock(path, *({k: v for k, v in data.get(part, {}).items() if isinstance(k, str) and isinstance(v, dict)}
                        for part in ("models", "tokenizers")))


def lock_entry(request: ModelRequest, facts: ModelFacts, sha: str | None) -> dict:
    return {
        "model": request.model, "model_id": facts.model_id, "revision": request.revision,
        "subfolder": request.subfolder, "model_type": facts.model_type, "architectures": list(facts.architectures),
        "auto_map": dict(facts.auto_map), "evidence": facts.evidence, "resolved_from": facts.source, "sha": sha,
        "pipeline_tag": facts.pipeline_tag,
    }


def tokenizer_lock_entry(request: ModelRequest, facts: TokenizerFacts) -> dict:
    return {"model": request.model, "revision": request.revision, "subfolder": request.subfolder,
            "resolved_from": facts.source, "tokenizer": tokenizer.facts_to_json(facts)}


def render_lock(models: Mapping[str, dict], tokenizers: Mapping[str, dict] | None = None) -> str:
    from automodel_lint import __version__

    data = {"generated_by": f"automodel-lint {__version__}", "lock_version": LOCK_VERSION,
            "models": dict(sorted(models.items())), "tokenizers": dict(sorted((tokenizers or {}).items()))}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_lock(path: str | os.PathLike, answers: Mapping[ModelRequest, ModelFacts | Unresolved],
               shas: Mapping[ModelRequest, str] | None = None, *, keep: Lock | None = None,
               tokenizers: Mapping[ModelRequest, TokenizerFacts | Unresolved] | None = None) -> dict[str, dict]:
    """Write the lock for `answers` and `tokenizers` (unresolved ones and local folders left out). `keep`: a previous
    lock whose entries are kept for ids that did not resolve this time (a flaky network must not shrink the lock).
    Returns the models."""
    shas = shas or {}
    models = _merged(keep.models if keep else None, answers, ModelFacts, lambda r, a: lock_entry(r, a, shas.get(r)))
    tokenizer_entries = _merged(keep.tokenizers if keep else None, tokenizers or {}, TokenizerFacts,
                                tokenizer_lock_entry)
    write_atomic(path, render_lock(models, tokenizer_entries).encode("utf-8"), mode=0o644)
    return models


def _merged(kept: dict[str, dict] | None, answers: Mapping, kind: type, entry) -> dict[str, dict]:
    """The lock entries of the answers of `kind` (not local folders or the project's own), over the kept ones."""
    fresh = {}
    for request, answer in answers.items():
        if isinstance(answer, kind) and answer.source not in NOT_LOCKED:
            bare = ModelRequest(request.model, request.revision, request.subfolder)
            fresh[cache_key(bare)] = entry(bare, answer)
    return fresh if kept is None else {**kept, **fresh}


def facts_from_lock_entry(entry: dict, request: ModelRequest) -> ModelFacts | Unresolved:
    mt = entry.get("model_type")
    archs = entry.get("architectures") or []
    if (mt is not None and not isinstance(mt, str)) or not isinstance(archs, list) \
            or not all(isinstance(a, str) for a in archs) or not isinstance(entry.get("model_id"), str):
        return Unresolved(request.model, "its entry in the lock file is malformed; run `automodel-lint lock`")
    sha = entry.get("sha")
    where = f"{LOCK_NAME}" + (f" (sha {sha})" if isinstance(sha, str) else "")
    evidence = entry.get("evidence") if isinstance(entry.get("evidence"), str) else None
    tag = entry.get("pipeline_tag") if isinstance(entry.get("pipeline_tag"), str) else None
    return ModelFacts(entry["model_id"], mt, tuple(archs), auto_map_pairs(entry.get("auto_map")), SOURCE, evidence,
                      f"{where}, resolved from {entry.get('resolved_from')}", tag)


class LockSource:
    name = SOURCE

    def __init__(self, lock: Lock | None, shas: dict):
        self.lock = lock
        self.shas = shas

    def lookup(self, request: ModelRequest) -> ModelFacts | Unresolved | None:
        if self.lock is None:
            return None
        entry = self.lock.entry(request)
        if entry is None:
            return None
        if isinstance(entry.get("sha"), str):
            self.shas[request] = entry["sha"]
        return facts_from_lock_entry(entry, request)

    def tokenizer_lookup(self, request: ModelRequest) -> TokenizerFacts | Unresolved | None:
        entry = self.lock.tokenizer_entry(request) if self.lock is not None else None
        if entry is None:
            return None
        facts = tokenizer.facts_from_json(entry.get("tokenizer"), SOURCE)
        if facts is None:
            return Unresolved(request.model,
                              "its tokenizer entry in the lock file is malformed; run `automodel-lint lock`")
        return replace(facts, provenance=f"{LOCK_NAME}, resolved from {entry.get('resolved_from')}")
