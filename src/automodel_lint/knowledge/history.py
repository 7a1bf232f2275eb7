"""Every covered transformers release's table, in one file: when each key of the table appeared and disappeared.

`data/history.json.gz` is written by `scripts/build_history.py` from the last patch of every minor release (4.0.1
... 5.24.0), each read by `knowledge.build.build_release_table`. Its JSON:

    {"format": 1, "releases": ["4.0.1", ..., "5.24.0"], "tree": ENTRIES}

ENTRIES stands for one dict of the table (the table itself at the top) over all releases, as a list of
`[key, spans, kind, data]`. `spans` is a flat list `[start, end, ...]` of half-open ranges of indices into
`releases`: the releases whose dict has this key. `kind` 1: the value is a dict, and `data` is its ENTRIES;
kind 0: the value is a leaf (string, list, number, ...), and `data` lists its variants as `[value, spans]`, or
`[value]` alone when one value holds for the entry's whole life. A key whose value changes kind, or moves within an
ordered dict, gets another entry; entries are ordered so that the live ones of any release are in that release's
key order, so a table derived here dumps (`build.dumps`) to exactly the bytes of a direct build.

A release the builder could only partly read (4.0-4.9: model types only) has a top-level `unknown` dict naming
each missing part and why; the tables derived for it carry the same `unknown`.

Loading is lazy (nothing is read on import) and costs a few milliseconds; see `load`.
"""

from __future__ import annotations

import json
import re
from functools import cached_property, lru_cache
from pathlib import Path

HISTORY_PATH = Path(__file__).with_name("data") / "history.json.gz"
FORMAT = 1
MINOR = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


class History:
    def __init__(self, doc: dict):
        if doc.get("format") != FORMAT:
            raise ValueError("the knowledge history has an unknown format")
        self.releases: list[str] = doc["releases"]
        self.tree: list = doc["tree"]

    def table(self, version: str) -> dict | None:
        """The table of a covered release, or None. A minor ("4.40") or any patch of a covered minor ("4.40.0",
        "4.57.9") gives that minor's covered release: one patch per minor is covered, the last."""
        index = self.index(version)
        return None if index is None else _derive(self.tree, index)

    def index(self, version: str) -> int | None:
        if version in self.releases:
            return self.releases.index(version)
        found = MINOR.match(version)
        if found is None:
            return None
        same_minor = [i for i, r in enumerate(self.releases) if _minor(r) == found.group(1, 2)]
        return same_minor[-1] if same_minor else None

    def first_version(self, *path: str) -> str | None:
        """The minor ("4.51") of the first release whose table has this path (("config_classes", "qwen3"),
        ("auto_classes", "AutoModel", "loads", "bert"), ...). None when no release has it, or when the release
        before that one does not know that part of its table (4.9 and the Auto classes): then the first cannot be
        told. Model types are known in every release."""
        releases = self.releases_with(*path)
        if not releases or releases[0] - 1 in self.releases_with("unknown", path[0]):
            return None
        return self.minors[releases[0]]

    def releases_with(self, *path: str) -> list[int]:
        """Indices of the releases whose table has this path, in order."""
        entries = [e for e in self.tree if e[0] == path[0]]
        for key in path[1:]:
            entries = [child for e in entries if e[2] == 1 for child in e[3] if child[0] == key]
        return sorted({i for e in entries for i in _indices(e[1])})

    @cached_property
    def minors(self) -> list[str]:
        return [".".join(_minor(r)) for r in self.releases]


@lru_cache(maxsize=1)
def load(path: Path = HISTORY_PATH) -> History:
    """The bundled history, read once per process (gzip is imported here, not on import)."""
    import gzip

    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return History(json.load(handle))


def _minor(version: str) -> tuple[str, str]:
    found = MINOR.match(version)
    return (found.group(1), found.group(2)) if found else (version, "")


def _indices(spans: list[int]):
    for start, end in zip(spans[::2], spans[1::2]):
        yield from range(start, end)


def _alive(spans: list[int], index: int) -> bool:
    return any(start <= index < end for start, end in zip(spans[::2], spans[1::2]))


def _derive(entries: list, index: int) -> dict:
    out = {}
    for key, spans, kind, data in entries:
        if _alive(spans, index):
            out[key] = _derive(data, index) if kind else _variant(data, index)
    return out


def _variant(variants: list, index: int) -> object:
    if len(variants) == 1 and len(variants[0]) == 1:
        return variants[0][0]
    return next(value for value, spans in variants if _alive(spans, index))


# ------------------------------------------------------------------------------------------------ encoding


def encode(tables: list[dict]) -> dict:
    """The history of `tables`, one per release, oldest first (what `History` reads)."""
    return {"format": FORMAT, "releases": [t["transformers_version"] for t in tables], "tree": _encode(tables)}


class _Entry:
    def __init__(self, key: str, is_dict: bool):
        self.key, self.is_dict = key, is_dict
        self.values: dict[int, object] = {}  # release index -> value

    def dump(self) -> list:
        spans = _spans(sorted(self.values))
        if self.is_dict:
            return [self.key, spans, 1, _encode(self.values)]
        variants: dict[str, list] = {}  # the value's JSON -> [value, indices]
        for index, value in self.values.items():
            variants.setdefault(json.dumps(value), [value, []])[1].append(index)
        if len(variants) == 1:
            return [self.key, spans, 0, [[next(iter(variants.values()))[0]]]]
        return [self.key, spans, 0, [[value, _spans(indices)] for value, indices in variants.values()]]


def _encode(dicts: list[dict] | dict[int, dict]) -> list:
    """The ENTRIES of one dict over releases: a list (every release) or {release index: dict} (those that have it).

    Each release's keys are aligned with the previous release's (difflib, on (key, is a dict)): a matched key keeps
    its entry, a new one gets an entry placed after the entry of the key before it, so the live entries of every
    release stay in its order; entries of keys that are gone stay where they are, dead for later releases."""
    import difflib

    by_index = dict(enumerate(dicts)) if isinstance(dicts, list) else dicts
    order: list[_Entry] = []
    previous: list[tuple[str, bool]] = []
    live: dict[tuple[str, bool], _Entry] = {}
    last_index = None
    for index, current in sorted(by_index.items()):
        tokens = [(key, isinstance(value, dict)) for key, value in current.items()]
        if last_index is None or index != last_index + 1:
            previous, live = [], {}  # a release without this dict ends every entry
        matcher = difflib.SequenceMatcher(None, previous, tokens, autojunk=False)
        kept = {tokens[b + k] for a, b, size in matcher.get_matching_blocks() for k in range(size)}
        new_live: dict[tuple[str, bool], _Entry] = {}
        after: _Entry | None = None
        for token in tokens:
            entry = live[token] if token in kept else None
            if entry is None:
                entry = _Entry(*token)
                order.insert(order.index(after) + 1 if after is not None else 0, entry)
            entry.values[index] = current[token[0]]
            new_live[token] = entry
            after = entry
        previous, live, last_index = tokens, new_live, index
    return [entry.dump() for entry in order]


def _spans(indices: list[int]) -> list[int]:
    out: list[int] = []
    for index in indices:
        if out and out[-1] == index:
            out[-1] = index + 1
        else:
            out += [index, index + 1]
    return out
