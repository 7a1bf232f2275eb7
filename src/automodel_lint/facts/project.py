"""Facts the project states itself: `[tool.automodel-lint.models]` in its pyproject.toml, for private or internal
models.

    [tool.automodel-lint.models]
    "acme/private-llm" = { model_type = "llama", architectures = ["LlamaForCausalLM"] }

Finding and parsing pyproject.toml is `automodel_lint.config`'s job; this source takes the parsed table. An entry of the
wrong shape answers Unresolved with the reason (no guessing from half an entry).
"""

from __future__ import annotations

from collections.abc import Mapping

from automodel_lint.facts.base import auto_map_pairs
from automodel_lint.records import ModelFacts, ModelRequest, Unresolved

SOURCE = "config"


def facts_from_override(model_id: str, entry: object) -> ModelFacts | Unresolved:
    where = f"[tool.automodel-lint.models] {model_id!r}"
    if not isinstance(entry, Mapping):
        return Unresolved(model_id, f"{where} is not a table")
    mt = entry.get("model_type")
    archs = entry.get("architectures", [])
    if mt is not None and not isinstance(mt, str):
        return Unresolved(model_id, f"{where}: model_type must be a string")
    if isinstance(archs, str):
        archs = [archs]
    if not isinstance(archs, list) or not all(isinstance(a, str) for a in archs):
        return Unresolved(model_id, f"{where}: architectures must be a list of strings")
    if not mt and not archs:
        return Unresolved(model_id, f"{where} names neither model_type nor architectures")
    return ModelFacts(model_id, mt or None, tuple(archs), auto_map_pairs(entry.get("auto_map")), SOURCE, "config",
                      f"{where} in pyproject.toml")


class ProjectSource:
    name = SOURCE

    def __init__(self, models: Mapping[str, object] | None):
        self.models = {k.strip().lower(): (k, v) for k, v in (models or {}).items() if isinstance(k, str)}

    def lookup(self, request: ModelRequest) -> ModelFacts | Unresolved | None:
        hit = self.models.get(request.model.strip().lower())
        if hit is None:
            return None
        return facts_from_override(*hit)
