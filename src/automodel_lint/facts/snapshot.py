"""Facts from the bundled Hub snapshot (facts/data/snapshot.json, made by scripts/build_snapshot.py).

Ids are case-insensitive and legacy ids go through the snapshot's aliases (`t5-small` -> `google-t5/t5-small`), as the
Hub itself redirects them. An id the snapshot lacks may still be a checkpoint named in transformers' own config
docstrings (the knowledge table's `checkpoints`): that answers with evidence "doc" and no architectures.
The data is read once per process, on first use: runs that never reach this source do not pay for it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from automodel_lint.records import ModelFacts, ModelRequest

SNAPSHOT_PATH = Path(__file__).resolve().parent / "data" / "snapshot.json"
SOURCE = "snapshot"


@lru_cache(maxsize=1)
def _data() -> dict:
    try:
        data = json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # A broken install must not stop the linter: the ids are then simply unknown.
        return {"models": {}, "aliases": {}, "withheld": {}, "sources": []}
    if not isinstance(data, dict) or data.get("schema_version") != 1:
        return {"models": {}, "aliases": {}, "withheld": {}, "sources": []}
    return data


def _entry_key(model_id: str) -> str:
    key = model_id.strip().lower()
    return _data()["aliases"].get(key, "").lower() or key


def withheld(model_id: str) -> str | None:
    """Why the snapshot declines to answer for this id although sources name it (a component-only doc type), or None."""
    return _data().get("withheld", {}).get(_entry_key(model_id))


def lookup(model_id: str, table=None) -> ModelFacts | None:
    """The snapshot's facts for a Hub id, else those of the table's docstring checkpoints, else None."""
    data = _data()
    key = _entry_key(model_id)
    entry = data["models"].get(key)
    if entry is not None:
        return _facts(entry, data["sources"], model_id)
    if table is not None and key not in data.get("withheld", {}):
        model_type = _checkpoints_lower(table).get(key)
        if model_type is not None:
            canonical = data["aliases"].get(model_id.strip().lower(), model_id)
            return ModelFacts(model_id=canonical, model_type=model_type, source=SOURCE, evidence="doc",
                              provenance=f"transformers {table.version} config docstrings ({table.origin} table)")
    return None


def thin(facts: ModelFacts) -> bool:
    """Facts too thin to be the last word while the Hub can be asked: a documented link only (no config.json was
    read), or neither a model type nor an auto_map (custom-code checkpoints whose config the snapshot lacks)."""
    return facts.evidence == "doc" or not (facts.model_type or facts.auto_map)


def _facts(entry: dict, sources: list[str], asked: str) -> ModelFacts:
    def src(i):
        return sources[i] if isinstance(i, int) and 0 <= i < len(sources) else "unknown source"

    parts = [f"{entry['evidence']} evidence: {src(entry.get('source'))}"]
    if "arch_source" in entry:
        parts.append(f"architectures: {src(entry['arch_source'])}")
    if entry.get("derived"):
        parts.append("model_type derived from architectures, not stated")
    if entry.get("note"):
        parts.append(entry["note"])
    if entry["id"].lower() != asked.strip().lower():
        parts.append(f"{asked} is a legacy alias of {entry['id']}")
    return ModelFacts(
        model_id=entry["id"],
        model_type=entry.get("model_type"),
        architectures=tuple(entry.get("architectures", ())),
        auto_map=tuple(sorted(entry.get("auto_map", {}).items())),
        source=SOURCE,
        evidence=entry["evidence"],
        provenance="; ".join(parts),
    )


_lowered: dict[int, tuple[object, dict[str, str]]] = {}


def _checkpoints_lower(table) -> dict[str, str]:
    # Keyed by id() but holding the table itself, so a freed table's id cannot be mistaken for a new one.
    hit = _lowered.get(id(table))
    if hit is None or hit[0] is not table:
        hit = (table, {k.lower(): v for k, v in table.checkpoints.items()})
        _lowered[id(table)] = hit
    return hit[1]


class SnapshotSource:
    """The resolver's adapter for `lookup`; `table` is the knowledge table in use (for its docstring checkpoints)."""

    name = SOURCE

    def __init__(self, table=None):
        self.table = table

    def lookup(self, request: ModelRequest) -> ModelFacts | None:
        # A subfolder or a pinned revision can hold another config than the repo's main one the snapshot describes.
        if request.subfolder:
            return None
        return lookup(request.model, self.table)
