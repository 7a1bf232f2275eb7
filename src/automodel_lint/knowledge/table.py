"""One transformers version's knowledge, as read from a generated JSON table.

The table's schema (written by `automodel_lint.knowledge.build`):

    {
      "schema_version": 1,
      "transformers_version": "5.24.0",
      "config_classes": {"gpt2": "GPT2Config", ...},            # CONFIG_MAPPING_NAMES, in order
      "auto_classes": {                                          # every Auto model class, plus AutoBackbone
        "AutoModelForCausalLM": {
          "mapping": "MODEL_FOR_CAUSAL_LM_MAPPING_NAMES",
          "framework": "pt",                                     # "pt", "tf" or "flax" (4.x only)
          "loads": {"gpt2": ["GPT2LMHeadModel"], ...}            # model type -> class(es) the runtime loads,
        }, ...                                                   #   as `type(config) in mapping` decides it
      },
      "architectures": {"GPT2LMHeadModel": ["AutoModelForCausalLM", ...]},
      "text_config_types": {"AutoModelForCausalLM": ["llama4", ...]},   # loaded with config.get_text_config()
      "config_links": {                                          # config classes with sub-configs or a base key,
        "CLIPTextConfig": {"model_type": "clip_text_model", "base_config_key": "text_config"},   # and every
        "CLIPConfig": {"model_type": "clip", "sub_configs": {"text_config": "CLIPTextConfig", ...}},  # sub-config
        "ClvpEncoderConfig": {..., "own_from_pretrained": true}, ...   # its own from_pretrained: not replayed
      },
      "class_configs": {"LlamaForCausalLM": "LlamaConfig", ...},  # a class's config_class, where the types
                                                                 #   that load it have several config classes
      "checkpoints": {"openai-community/gpt2": "gpt2", ...},    # ids named in config docstrings
      "pipelines": {                                             # pipeline()'s registry (added later: may be absent)
        "tasks": {"text-generation":
                  {"pt": ["AutoModelForCausalLM"], "impl": "TextGenerationPipeline", "type": "text",
                   "generates": true}},                          # every call reaches self.model.generate()
        "aliases": {"ner": "token-classification", ...},
        "removed": {"summarization": "Use the `text-generation` pipeline ...", ...},   # 5.x: raises KeyError
        "redirects": {"image-to-text": "image-text-to-text"},
        "translation": "prefix"                                  # `translation_XX_to_YY` names "translation"
      },
      "tokenizers": {                                            # tokenizer classes' defaults (added later: may be
        "LlamaTokenizerFast": {"padding_side": "left", "mask_token": false}, ...   # absent; a key the build could
      },                                                         #   not read statically is left out)
      "generation": {                                            # which classes can call generate() (added later:
        "raises": "AttributeError",                              #   may be absent); what generate() does on one
        "cannot": {"GPT2Model": true, ...},                      #   that cannot; those that certainly cannot;
        "unread": {...}                                          #   those whose ancestors could not be read
      },                                                         # or {"unknown": "why"} (knowledge.generation)
      "unknown": {"auto_classes": "why", ...}   # only in a table derived from the history for a release the
    }                                           #   generator could only partly read: the parts it lacks, and why

`loads` is keyed by every model type the runtime accepts, after the config-class indirection of
`_LazyAutoMapping.__contains__` (two model types that share one config class are looked up through the
last one registered), so a lookup here answers exactly what `from_pretrained` would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

SCHEMA_VERSION = 2  # 2 added config_links and class_configs


class TableError(ValueError):
    """A knowledge table that cannot be used (corrupt, or of another schema)."""


@dataclass
class KnowledgeTable:
    data: dict
    origin: str  # "bundled", "installed", or a path: for messages and `rules --verbose`

    @classmethod
    def from_path(cls, path: Path, origin: str) -> "KnowledgeTable":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TableError(f"cannot read knowledge table {path}: {exc}") from None
        if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
            raise TableError(f"knowledge table {path} has an unknown schema")
        return cls(data, origin)

    @property
    def version(self) -> str:
        return self.data["transformers_version"]

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def unknown_parts(self) -> dict[str, str]:
        """Parts this table lacks because the generator could not read them (4.0-4.9 know only model types)."""
        return self.data.get("unknown", {})

    @property
    def auto_classes(self) -> dict[str, dict]:
        return self.data["auto_classes"]

    def is_auto_class(self, name: str) -> bool:
        return name in self.data["auto_classes"]

    def knows_type(self, model_type: str) -> bool:
        return model_type in self.data["config_classes"]

    def config_class(self, model_type: str) -> str | None:
        return self.data["config_classes"].get(model_type)

    @cached_property
    def _type_of_config(self) -> dict[str, str]:
        # The runtime's `_reverse_config_mapping`: the last model type registered for a config class wins.
        return {cfg: mt for mt, cfg in self.data["config_classes"].items()}

    def model_type_of_config(self, config_class: str) -> str | None:
        return self._type_of_config.get(config_class)

    def loads(self, auto_class: str, model_type: str) -> list[str] | None:
        """The concrete class(es) `auto_class.from_pretrained` builds for this model type; None if it raises."""
        entry = self.data["auto_classes"].get(auto_class)
        if entry is None:
            return None
        return entry["loads"].get(model_type)

    def loaded_class(self, auto_class: str, model_type: str, architectures: tuple[str, ...] = ()) -> str | None:
        """The one class the runtime picks: a tuple entry is chosen by the config's `architectures`."""
        choices = self.loads(auto_class, model_type)
        if not choices:
            return None
        for arch in architectures:
            if arch in choices:
                return arch
        return choices[0]

    def auto_classes_for_architecture(self, architecture: str) -> list[str]:
        return list(self.data["architectures"].get(architecture, ()))

    def knows_architecture(self, architecture: str) -> bool:
        return architecture in self.data["architectures"]

    def tokenizer_default(self, tokenizer_class: str, name: str) -> object | None:
        """A tokenizer class's default as transformers' source sets it: "padding_side" ("right"/"left"),
        "mask_token" (True when its `__init__` gives one by default). None when the table does not know: a
        class it lacks, a value the build could not read, a table made before the `tokenizers` part.

        The class is named as `tokenizer_class` in tokenizer_config.json names it. 5.x's
        `tokenizer_class_from_name` retries an `XFast` it does not have as `X` (tokenizers saved by 4.x), and so does
        this. Which class AutoTokenizer picks (4.x prefers `XFast` to the `X` a config names) is the caller's to say.
        """
        known = self.data.get("tokenizers", {})
        entry = known.get(tokenizer_class)
        if entry is None and self.major >= 5 and tokenizer_class.endswith("Fast"):
            entry = known.get(tokenizer_class[: -len("Fast")])
        return (entry or {}).get(name)

    def generation_unknown(self) -> str | None:
        """Why this table cannot tell which classes can call `generate()`; None when it can."""
        if "generation" in self.unknown_parts:
            return self.unknown_parts["generation"]
        part = self.data.get("generation")
        if part is None:
            return "the knowledge table was made before it recorded which classes generate"
        return part.get("unknown")

    def generate_failure(self, model_class: str) -> str | None:
        """What `generate()` raises on a class that certainly cannot generate ("TypeError" or "AttributeError");
        "unread" when the build could not read the class's ancestors; None when it can generate, or the table does
        not know (`generation_unknown`) or has no such PyTorch class."""
        part = self.data.get("generation") or {}
        if model_class in part.get("unread", {}):
            return "unread"
        return part.get("raises") if model_class in part.get("cannot", {}) else None

    def text_config_types(self, auto_class: str) -> frozenset[str]:
        return frozenset(self.data.get("text_config_types", {}).get(auto_class, ()))

    # What a concrete class's config makes of a checkpoint's config.json

    def class_config(self, model_class: str) -> str | None:
        """The config class a concrete class's own `from_pretrained` reads the checkpoint's config.json with."""
        if model_class in self.data["class_configs"]:
            return self.data["class_configs"][model_class]
        types = self.model_types_of_class(model_class)
        return self.config_class(min(types)) if types else None

    def config_link(self, config_class: str) -> dict:
        return self.data["config_links"].get(config_class, {})

    def config_model_type(self, config_class: str) -> str | None:
        return self.config_link(config_class).get("model_type") or self.model_type_of_config(config_class)

    def type_seen_by(self, config_class: str, checkpoint_type: str) -> str | None:
        """The model type `config_class.from_pretrained` compares with its own on a checkpoint of `checkpoint_type`:
        it replays `PreTrainedConfig.from_pretrained` (4.57 and 5.x alike), which first takes the sub-dict named by
        the class's `base_config_key`, then any sub-dict whose model type is its own. None when that cannot be
        known from the tables: a sub-config that may hold any type, or a config class with its own loader."""
        own = self.config_link(config_class)
        own_type = self.config_model_type(config_class)
        if own.get("own_from_pretrained") or not own_type:
            return None
        key = own.get("base_config_key")
        if isinstance(key, list):
            return None
        seen = checkpoint_type
        subs = self._sub_configs(self.config_class(checkpoint_type))
        if key and key in subs:
            seen = self._sub_config_type(subs[key])
            if seen is None:
                return None
            subs = self._sub_configs(subs[key])
        if seen == own_type:
            return seen
        for sub in subs.values():
            found = self._sub_config_type(sub)
            if found is None or found == own_type:
                return found
        return seen

    def _sub_configs(self, config_class: str | None) -> dict[str, str]:
        return self.config_link(config_class).get("sub_configs", {}) if config_class else {}

    def _sub_config_type(self, config_class: str) -> str | None:
        """None for an entry that may hold any model type (AutoConfig, a base class, one computed at run time)."""
        if config_class not in self.data["config_links"] and self.model_type_of_config(config_class) is None:
            return None
        return self.config_model_type(config_class)

    def framework(self, auto_class: str) -> str:
        return self.data["auto_classes"][auto_class].get("framework", "pt")

    @property
    def checkpoints(self) -> dict[str, str]:
        return self.data.get("checkpoints", {})

    # Concrete classes

    @cached_property
    def _types_of_class(self) -> dict[str, frozenset[str]]:
        return types_of_classes(self.data["auto_classes"])

    def model_types_of_class(self, class_name: str) -> frozenset[str]:
        """The model types whose configs a concrete class is built from: every type an Auto class loads it for
        (two types that share a config class both count, as the runtime treats them alike)."""
        return self._types_of_class.get(class_name, frozenset())

    # Pipelines

    @property
    def pipelines(self) -> dict:
        return self.data.get("pipelines") or {}

    def pipeline_task(self, task: str) -> tuple[str, dict | None]:
        """What `pipeline(task)` does with a task name: ("ok", info), ("removed", {"advice": ...}) or ("unknown", None).

        The steps are the runtime's: 5.x's `_resolve_deprecated_task` (redirects, then removals, `translation_*`
        counting as "translation"), then `check_task` (aliases, the registry, 4.x's `translation_XX_to_YY`).
        """
        reg = self.pipelines
        task = reg.get("redirects", {}).get(task, task)
        is_translation = reg.get("translation") == "prefix" and _translation_form(task)
        removed = reg.get("removed", {})
        key = "translation" if task.startswith("translation_") else task
        if key in removed:
            return "removed", {"task": key, "advice": removed[key]}
        task = reg.get("aliases", {}).get(task, task)
        tasks = reg.get("tasks", {})
        if task in tasks:
            return "ok", {"task": task, **tasks[task]}
        if is_translation and "translation" in tasks:
            return "ok", {"task": "translation", **tasks["translation"]}
        return "unknown", None


def _translation_form(task: str) -> bool:
    parts = task.split("_")
    return len(parts) == 4 and parts[0] == "translation" and parts[2] == "to"


def types_of_classes(auto_classes: dict[str, dict]) -> dict[str, frozenset[str]]:
    """Concrete class -> the model types some Auto class loads it for (the table's `auto_classes`, or the
    generator's before it is written)."""
    out: dict[str, set[str]] = {}
    for entry in auto_classes.values():
        for model_type, classes in entry["loads"].items():
            for cls in classes:
                out.setdefault(cls, set()).add(model_type)
    return {cls: frozenset(types) for cls, types in out.items()}
