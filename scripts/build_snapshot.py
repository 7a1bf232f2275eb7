"""Regenerate the bundled Hub snapshot: src/automodel_lint/facts/data/snapshot.json.

Usage: python scripts/build_snapshot.py [SNAPSHOT_DIR]   (default: ../shared/hub-snapshot beside the repo)

Reads models.json, extended.json and aliases.json of the hub-snapshot data set (see its README, copied to
facts/data/SNAPSHOT_README.md so that the provenance documentation ships with the data) and writes one compact,
deterministic JSON file. The linter never reads the data set itself: only this script does.

Output schema (schema_version 1):

    {
      "schema_version": 1,
      "built_from": "hub-snapshot: <first line of its README>",
      "sources": ["github:owner/repo@commit/path", ...],   # each source string once; entries point at it by index
      "models": {
        "<lower-cased id>": {
          "id": "Org/Name",                 # the casing of the source
          "model_type": "llama",            # absent when unknown
          "derived": true,                  # only when model_type was worked out from architectures (not stated)
          "architectures": ["..."],         # absent when unknown
          "auto_map": {"AutoModelForCausalLM": "modeling_x.Cls"},   # absent when unknown
          "evidence": "config" | "doc",     # the evidence for model_type (for architectures when no model_type)
          "source": 12,                     # index into "sources": the source of that evidence
          "arch_source": 40,                # only when architectures came from another source than `source`
          "note": "..."                     # a caveat worth showing in `resolve` (stale excerpt, disagreements)
        }
      },
      "withheld": {"<lower-cased id>": "why its documented model_type is not used"},
      "aliases": {"<lower-cased legacy id>": "Org/canonical-id"}
    }

Decisions, and why:
- An entry with neither a stated model_type nor architectures nor a derived model_type says nothing a rule can use:
  dropped. (The current data set has none; the rule is here for future refreshes.)
- A derived model_type (from `architectures` through transformers' mappings) is kept, flagged `derived`, because the
  rules need a model type and the architectures it comes from are config evidence; `resolve` shows the flag.
- Field values are the data set's own choice, which already follows its README's ordering (Hub API dump > AutoConfig
  dump > copies > docs > archive maps > mlc presets > the 2023 gpu_poor excerpt); lower-ranked sources that disagree
  are summarised in `note`, not used.
- A legacy id that has its own entry *and* an alias (`t5-small` -> `google-t5/t5-small`) names the same repository
  (the Hub redirects it), so the two entries are merged into the canonical one field by field, config evidence
  beating doc evidence and the canonical entry winning ties. Lookups then go through the alias.
- Doc-level model types that name only a component of a composite checkpoint (the README's caveat: TrOCR checkpoints
  are filed under `trocr` and Donut under `donut-swin`, but carry a `vision-encoder-decoder` config) would make the
  linter report loads that work. When such a type has no config evidence, the entry is `withheld`: the lookup then
  answers nothing rather than something wrong (no verdict beats a false positive).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SNAPSHOT = ROOT.parent / "shared" / "hub-snapshot"
OUT_DIR = ROOT / "src" / "automodel_lint" / "facts" / "data"

# model_type -> the composite model type its documented checkpoints actually carry
COMPONENT_TYPES = {
    "trocr": "vision-encoder-decoder",
    "donut-swin": "vision-encoder-decoder",
}
STALE_WARNING = "architectures come only from a 2023 config excerpt"


def _field(entry: dict, name: str) -> tuple[object, str | None, str | None]:
    """(value, evidence, source) of one field of a data-set entry."""
    if name not in entry:
        return None, None, None
    fs = entry.get("field_sources", {}).get(name, {})
    return entry[name], fs.get("evidence", entry.get("evidence")), fs.get("source", entry.get("source"))


def _merge(canonical: dict, legacy: dict) -> dict:
    """One entry for a repository known under a legacy and a canonical id: per field, config evidence wins, then canonical."""
    merged = dict(canonical)
    merged["field_sources"] = dict(canonical.get("field_sources", {}))
    for name in ("model_type", "architectures", "auto_map"):
        cv, ce, _ = _field(canonical, name)
        lv, le, _ = _field(legacy, name)
        if lv is not None and (cv is None or (le == "config" and ce != "config")):
            merged[name] = lv
            merged["field_sources"][name] = legacy.get("field_sources", {}).get(
                name, {"evidence": le, "source": legacy.get("source")})
            if name == "architectures":
                merged["warnings"] = sorted(set(merged.get("warnings", [])) | set(legacy.get("warnings", [])))
    if merged.get("model_type") and "derived_model_type" in merged:
        merged.pop("derived_model_type", None)
    if "model_type" not in merged and "derived_model_type" not in merged and "derived_model_type" in legacy:
        merged["derived_model_type"] = legacy["derived_model_type"]
    return merged


def _compact(entry_id: str, entry: dict, sources: dict[str, int]) -> tuple[dict | None, str | None]:
    """(compact entry, None), or (None, reason withheld), or (None, None) when dropped."""
    mt, mt_ev, mt_src = _field(entry, "model_type")
    arch, arch_ev, arch_src = _field(entry, "architectures")
    auto_map = entry.get("auto_map")
    derived = False
    if mt is None and entry.get("derived_model_type"):
        mt, derived = entry["derived_model_type"], True
        mt_ev, mt_src = arch_ev, arch_src
    if mt is None and arch is None:
        return None, None
    if mt in COMPONENT_TYPES and mt_ev == "doc" and arch_ev != "config":
        return None, (f"documented as {mt}, a component type; such checkpoints usually carry a "
                      f"{COMPONENT_TYPES[mt]} config")
    evidence, source = (mt_ev, mt_src) if mt is not None else (arch_ev, arch_src)
    out: dict = {"id": entry_id, "evidence": evidence or entry.get("evidence", "doc")}
    if mt is not None:
        out["model_type"] = mt
    if derived:
        out["derived"] = True
    if arch:
        out["architectures"] = list(arch)
        if arch_src and arch_src != source:
            out["arch_source"] = sources.setdefault(arch_src, len(sources))
    if isinstance(auto_map, dict) and auto_map:
        out["auto_map"] = {k: v for k, v in sorted(auto_map.items()) if isinstance(v, str)}
    out["source"] = sources.setdefault(source or entry.get("source", "unknown"), len(sources))
    notes = []
    if any(w.startswith(STALE_WARNING) for w in entry.get("warnings", ())):
        notes.append("architectures from a 2023 config excerpt; the repo may have changed since")
    if entry.get("disagreements"):
        notes.append("older or lower-ranked sources disagree: " + "; ".join(entry["disagreements"]))
    if notes:
        out["note"] = "; ".join(notes)
    return out, None


def build(snapshot_dir: Path) -> dict:
    raw: dict[str, dict] = {}
    for name in ("models.json", "extended.json"):
        raw.update(json.loads((snapshot_dir / name).read_text(encoding="utf-8")))
    aliases_raw = json.loads((snapshot_dir / "aliases.json").read_text(encoding="utf-8"))
    aliases = {legacy.lower(): a["canonical"] for legacy, a in aliases_raw.items() if a.get("canonical") in raw}

    for legacy, canonical in aliases.items():
        legacy_key = next((k for k in raw if k.lower() == legacy), None)
        if legacy_key is not None and legacy_key != canonical:
            raw[canonical] = _merge(raw[canonical], raw.pop(legacy_key))

    sources: dict[str, int] = {}
    models, withheld = {}, {}
    # Sorted so that source indices, and so the whole file, do not depend on the data set's key order.
    for entry_id in sorted(raw, key=str.lower):
        compact, reason = _compact(entry_id, raw[entry_id], sources)
        if compact is not None:
            models[entry_id.lower()] = compact
        elif reason is not None:
            withheld[entry_id.lower()] = reason
    readme = (snapshot_dir / "README.md").read_text(encoding="utf-8")
    built = next((ln for ln in readme.splitlines() if ln.startswith("Built ")), readme.splitlines()[0])
    return {
        "schema_version": 1,
        "built_from": "hub-snapshot: " + built.strip(),
        "sources": list(sources),
        "models": models,
        "withheld": withheld,
        "aliases": dict(sorted(aliases.items())),
    }


def main(argv: list[str]) -> int:
    snapshot_dir = Path(argv[0]) if argv else DEFAULT_SNAPSHOT
    data = build(snapshot_dir)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, sort_keys=False, separators=(",", ":"), ensure_ascii=False)
    (OUT_DIR / "snapshot.json").write_text(text + "\n", encoding="utf-8")
    shutil.copyfile(snapshot_dir / "README.md", OUT_DIR / "SNAPSHOT_README.md")
    print(f"snapshot.json: {len(data['models'])} ids, {len(data['aliases'])} aliases, "
          f"{len(data['withheld'])} withheld, {len(data['sources'])} sources, {len(text)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
