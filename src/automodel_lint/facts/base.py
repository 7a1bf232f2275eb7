"""What every facts source shares: the answer types, the model-string gate, and hostile-input-proof config reading.

A source is any object with a `name` and `lookup(request) -> ModelFacts | Unresolved | Redirect | None`:
- `ModelFacts`: the answer; the resolver stops here.
- `Unresolved`: a final "no" (a local directory whose config.json is broken, a 404 from the Hub); later sources are
  not asked, because the runtime would not ask them either.
- `Redirect`: "judge this other model instead" (a PEFT adapter names its base); the resolver follows it.
- `None`: "not mine", ask the next source.
A source that works better in bulk (the Hub: concurrent requests) also has `lookup_many(requests) -> dict`.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass

from automodel_lint.records import ModelFacts, ModelRequest, Unresolved

MAX_CONFIG_BYTES = 1_000_000
MAX_MODEL_STRING = 1000

# The rules of huggingface_hub's `validate_repo_id`, as a cheap first gate that needs no import. Ids that pass are
# still checked with huggingface_hub's own validator before anything is read from its cache or the network.
_REPO_ID = re.compile(r"^(?:[\w\-.]{1,96}/)?[\w\-.]{1,96}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Redirect:
    """Judge `target` instead of the request that produced this; `note` says why, for the provenance."""

    target: ModelRequest
    note: str


def plausible_model_string(model: str) -> str | None:
    """None if `model` may be a path or a repo id; else why it is neither (checked before any disk access)."""
    if not model or not model.strip():
        return "empty model name"
    if len(model) > MAX_MODEL_STRING:
        return "model name longer than 1000 characters"
    if _CONTROL.search(model):
        return "model name contains control characters"
    if "://" in model:
        return "a URL, not a model id or local path"
    return None


def looks_like_repo_id(model: str) -> bool:
    """The syntax of a Hub repo id (`name` or `org/name`), without importing huggingface_hub."""
    return bool(_REPO_ID.match(model)) and "--" not in model and ".." not in model \
        and not model.startswith(("-", ".")) and not model.endswith(("-", "."))


def valid_repo_id(model: str) -> bool:
    """huggingface_hub's own verdict; only called for ids that already passed `looks_like_repo_id`."""
    if not looks_like_repo_id(model):
        return False
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(model)
    except HFValidationError:
        return False
    return True


def read_json_file(path: str, limit: int = MAX_CONFIG_BYTES, *, follow: bool = True) -> tuple[object, str | None]:
    """(parsed JSON, None) or (None, why it cannot be used). Never raises for anything the file system or JSON does.

    Only regular files are opened: a FIFO named config.json would block `open` forever, a device would never end.
    `follow=False`: a symbolic link is not followed but refused (a repository may plant one pointing anywhere).
    """
    name = os.path.basename(path)
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except (OSError, ValueError):
        return None, f"{name} cannot be read"
    if stat.S_ISLNK(st.st_mode):
        return None, f"{name} is a symbolic link, which is not followed"
    if not stat.S_ISREG(st.st_mode):
        return None, f"{name} is not a regular file"
    if st.st_size > limit:
        return None, f"{name} is larger than {limit // 1_000_000} MB"
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO after the stat, open must not hang.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return None, f"{name} is not a regular file"
            data = fh.read(limit + 1)
    except OSError:
        return None, f"{name} cannot be read"
    if len(data) > limit:
        return None, f"{name} is larger than {limit // 1_000_000} MB"
    return parse_json_bytes(data, name)


def parse_json_bytes(data: bytes, name: str) -> tuple[object, str | None]:
    try:
        return json.loads(data.decode("utf-8-sig")), None
    except RecursionError:
        return None, f"{name} is nested too deeply"
    except (ValueError, MemoryError):
        return None, f"{name} is not valid JSON"


def facts_from_config(config: object, model_id: str, *, source: str, provenance: str,
                      name: str = "config.json") -> ModelFacts | Unresolved:
    """Facts from a parsed config.json, with each field type-checked: a field of the wrong type counts as absent."""
    if not isinstance(config, dict):
        return Unresolved(model_id, f"{name} is not a JSON object")
    model_type = config.get("model_type")
    if not isinstance(model_type, str) or not model_type:
        model_type = None
    archs = config.get("architectures")
    architectures = tuple(a for a in archs if isinstance(a, str)) if isinstance(archs, list) else ()
    if isinstance(archs, list) and len(architectures) != len(archs):
        architectures = ()
    if model_type is None and not architectures:
        return Unresolved(model_id, f"{name} names neither model_type nor architectures")
    return ModelFacts(
        model_id=model_id,
        model_type=model_type,
        architectures=architectures,
        auto_map=auto_map_pairs(config.get("auto_map")),
        source=source,
        evidence="config",
        provenance=provenance,
    )


def auto_map_pairs(auto_map: object) -> tuple[tuple[str, str], ...]:
    """auto_map as sorted (class, reference) pairs; list values (AutoTokenizer's [slow, fast]) are not model classes."""
    if not isinstance(auto_map, dict):
        return ()
    return tuple(sorted((k, v) for k, v in auto_map.items() if isinstance(k, str) and isinstance(v, str)))

