"""What a judge may read about one call: the call site, the model's facts, the knowledge tables, and the facts
derived from them, each computed once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

from automodel_lint import families
from automodel_lint.knowledge import KnowledgeTable, version_key
from automodel_lint.records import CallSite, ModelFacts, is_pipeline, pipeline_task
from automodel_lint.rules.suggestion import article


@dataclass
class Case:
    """Everything a judge may read about one call, with the derived facts computed once."""

    site: CallSite
    facts: ModelFacts | None
    table: KnowledgeTable
    history: Sequence[KnowledgeTable] = ()  # other bundled tables (read when first iterated), for removed classes

    @property
    def model_type(self) -> str | None:
        if self.facts is None:
            return None
        if self.facts.model_type:
            return self.facts.model_type
        return self.table_type_of(self.facts.architectures)

    def table_type_of(self, architectures: tuple[str, ...]) -> str | None:
        for arch in architectures:
            for entry in self.table.auto_classes.values():
                for model_type, classes in entry["loads"].items():
                    if arch in classes:
                        return model_type
        return None

    @cached_property
    def own_architecture(self) -> str | None:
        """The first of the config's `architectures` that transformers knows: what the checkpoint was trained as."""
        if self.facts is None:
            return None
        return next((a for a in self.facts.architectures if self.table.knows_architecture(a)), None)

    @cached_property
    def own_loaders(self) -> list[str]:
        return self.table.auto_classes_for_architecture(self.own_architecture) if self.own_architecture else []

    def is_auto_class(self, name: str) -> bool:
        """An Auto model class (not AutoConfig or AutoTokenizer) of the table in use or of an older one."""
        return self.table.is_auto_class(name) or any(t.is_auto_class(name) for t in self.history)

    @property
    def kind(self) -> str:
        """"auto" (an Auto class), "pipeline", or "class" (a concrete model class)."""
        called = self.site.called
        if is_pipeline(called):
            return "pipeline"
        return "auto" if self.is_auto_class(called) else "class"

    @cached_property
    def pipeline(self) -> tuple[str, dict | None]:
        """The runtime's answer for this pipeline call's task: ("ok", info), ("removed", info), ("unknown", None),
        or ("inferred", None) when no task is written and transformers asks the Hub."""
        task = pipeline_task(self.site.called)
        if task is None:
            tag = self.facts.pipeline_tag if self.facts else None  # from the Hub: what transformers would run
            if not tag:
                return "inferred", None
            task = tag
        return self.table.pipeline_task(task)

    @property
    def requested(self) -> tuple[str, ...]:
        """The Auto classes the call asks to load with, in the order the runtime tries them."""
        if self.kind == "auto":
            return (self.site.called,)
        if self.kind == "pipeline":
            if self.site.model_class:
                return ()  # given a model object: the pipeline loads nothing
            status, info = self.pipeline
            return tuple(info["pt"]) if status == "ok" else ()
        return ()

    @property
    def config_replaced(self) -> bool:
        """`config=` passed: the load is decided by that config, not by the checkpoint's own."""
        return "config" in self.site.uncertain_kwargs

    def newer_table_knowing(self, model_type: str) -> KnowledgeTable | None:
        """The oldest bundled table newer than the one in use that knows this model type."""
        current = version_key(self.table.version)
        newer = [t for t in self.history if version_key(t.version) > current and t.knows_type(model_type)]
        return min(newer, key=lambda t: version_key(t.version)) if newer else None

    def kind_words(self) -> str:
        """`decoder-only gpt2`: the checkpoint's kind and model type, for a message's first line."""
        kind = families.checkpoint_kind(self.own_loaders)
        if kind is None and self.model_type:
            kind = families.type_kind(self.table, self.model_type)  # a base model, or only the type is known
        return " ".join(w for w in (kind, self.model_type or "custom") if w)

    def describe(self) -> str:
        """`a decoder-only gpt2 checkpoint (GPT2LMHeadModel)`: what the model is, in the reader's terms."""
        words = f"{self.kind_words()} checkpoint"
        written = self.facts.architectures if self.facts else ()
        arch = self.own_architecture or (written[0] if written else None)
        text = f"{article(words)} {words}"
        return f"{text} ({arch})" if arch else text
