"""Facts from the bundled Hub snapshot (facts/data/snapshot.json, made by scripts/build_snapshot.py).

Ids are case-insensitive and legacy ids go through the snapshot's aliases (`t5-small` -> `google-t5/t5-small`), as the
Hub itself redirects them. An id the snapshot lacks may still be a checkpoint named in transformers' own config
docstrings (the knowledge table's `checkpoints`): that answers with evidence "doc" and no architectures.
The data is read once per process, on first use: runs that never reach this source do not pay for it. Decoding the whole
file (a megabyte, thousands of ids) costs more than the rest of a one-file run, so an id is looked up in the bytes as
scripts/build_snapshot.py writes them (compact JSON, one object): its `"id":{` member is found and only that entry is
decoded, with the small sections (aliases, withheld, the sources that give each answer's provenance) as they are needed.
A file in any other shape, or a match that is not the entry it should be, is decoded whole instead (`_data`).
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


# The members of the top-level object, in the writer's order; "models" is searched, never decoded whole.
SECTIONS = ("sources", "models", "withheld", "aliases")
_DECODER = json.JSONDecoder()
# An entry is decoded from a window of the bytes this long, grown when the value runs past it.
WINDOW = 4096


@lru_cache(maxsize=1)
def _indexed() -> tuple[bytes, dict[str, int]] | None:
    """The snapshot's bytes and where its sections start, when they have the writer's shape; else None (then
    `_data` decodes the file whole)."""
    try:
        data = SNAPSHOT_PATH.read_bytes()
    except OSError:
        return None
    offsets = _offsets(data) if data.startswith(b'{"schema_version":1,') else None
    return (data, offsets) if offsets is not None else None


def _offsets(data: bytes) -> dict[str, int] | None:
    """Where each section's value starts, or None if one is missing or out of the writer's order.

    In compact JSON a quote that follows `{` or `,` opens a key or a value, never sits inside a string (where it
    would follow a backslash). The sections before `models` are found from the start, those after it from the end,
    so no id inside `models` can pass for one; each search stops within its own section, not a megabyte away.
    """
    found = {}
    for name in SECTIONS:
        key = b',"%s":' % name.encode() + (b"[" if name == "sources" else b"{")
        at = data.find(key) if SECTIONS.index(name) <= SECTIONS.index("models") else data.rfind(key)
        if at < 0:
            return None
        found[name] = at + len(key) - 1
    return found if list(found.values()) == sorted(found.values()) else None


def _decoded_at(data: bytes, start: int):
    """The JSON value that starts at byte `start`."""
    window = WINDOW
    while True:
        # A window may end inside a character: dropped, as it is past the value or the window grows.
        text = data[start : start + window].decode("utf-8", "ignore")
        try:
            return _DECODER.raw_decode(text)[0]
        except ValueError:
            if start + window >= len(data):
                raise
            window *= 8


@lru_cache(maxsize=None)
def _section(name: str):
    """A small top-level section (sources, aliases, withheld), decoded alone."""
    indexed = _indexed()
    if indexed is not None:
        data, offsets = indexed
        try:
            return _decoded_at(data, offsets[name])
        except ValueError:
            pass
    return _data().get(name, [] if name == "sources" else {})


@lru_cache(maxsize=None)
def _entry(key: str) -> dict | None:
    """The `models` entry of a lower-cased id, decoding only that entry when the bytes allow it."""
    indexed = _indexed()
    if indexed is not None:
        data, offsets = indexed
        needle = json.dumps(key, ensure_ascii=False).encode("utf-8") + b":{"
        at = data.find(needle, offsets["models"] + 1, offsets["withheld"])
        while at >= 0:
            if data[at - 1 : at] in (b"{", b","):
                try:
                    value = _decoded_at(data, at + len(needle) - 1)
                except ValueError:
                    break
                if isinstance(value, dict) and str(value.get("id", "")).lower() == key:
                    return value
                break  # a member of that name that is not this entry (an `auto_map`): decode the whole file
            at = data.find(needle, at + 1, offsets["withheld"])
        else:
            return None
    return _data()["models"].get(key)


def _entry_key(model_id: str) -> str:
    key = model_id.strip().lower()
    return _section("aliases").get(key, "").lower() or key


def withheld(model_id: str) -> str | None:
    """Why the snapshot declines to answer for this id although sources name it (a component-only doc type), or None."""
    return _section("withheld").get(_entry_key(model_id))


def lookup(model_id: str, table=None) -> ModelFacts | None:
    """The snapshot's facts for a Hub id, else those of the table's docstring checkpoints, else None."""
    key = _entry_key(model_id)
    entry = _entry(key)
    if entry is not None:
        return _facts(entry, _section("sources"), model_id)
    if table is not None and key not in _section("withheld"):
        model_type = _checkpoints_lower(table).get(key)
        if model_type is not None:
            canonical = _section("aliases").get(model_id.strip().lower(), model_id)
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
