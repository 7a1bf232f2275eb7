"""What a judge of a use site may read: the use, the facts of the checkpoints its objects came from, the table.

A judge of a use returns a Verdict, None (judged: nothing wrong), or Undecided with the reason it could not
decide (a fact unknown): the use is then listed as not judged, never counted as passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from automodel_lint import families
from automodel_lint.knowledge import KnowledgeTable
from automodel_lint.records import CallSite, ModelFacts, Span, TokenizerFacts, Unresolved, UseSite
from automodel_lint.rules.case import Case
from automodel_lint.rules.suggestion import shown


@dataclass(frozen=True)
class Undecided:
    reason: str


@dataclass
class UseCase:
    site: UseSite
    models: dict = field(default_factory=dict)  # role -> ModelFacts | Unresolved | None, of the origin's checkpoint
    tokenizers: dict = field(default_factory=dict)  # role -> TokenizerFacts | Unresolved | None
    table: KnowledgeTable | None = None

    def facts(self, role: str) -> ModelFacts | None:
        answer = self.models.get(role)
        return answer if isinstance(answer, ModelFacts) else None

    def tokenizer(self, role: str) -> TokenizerFacts | Undecided:
        """The tokenizer facts of the object in `role`, or why they are not known."""
        answer = self.tokenizers.get(role)
        if isinstance(answer, TokenizerFacts):
            return answer
        origin = self.site.origin(role)
        name = shown(origin.model) if origin else role
        why = answer.reason if isinstance(answer, Unresolved) else "no tokenizer facts"
        return Undecided(f"{name}: {why}")

    def unknown(self, role: str) -> Undecided:
        """Why the checkpoint in `role` cannot decide: its model facts are missing or say too little."""
        origin = self.site.origin(role)
        answer = self.models.get(role)
        name = shown(origin.model) if origin else role
        if isinstance(answer, Unresolved):
            return Undecided(f"{name}: {answer.reason}")
        return Undecided(f"{name}: its kind of model is not known from its facts")

    def _case(self, role: str) -> Case | None:
        facts = self.facts(role)
        if facts is None or self.table is None:
            return None
        origin = self.site.origin(role)
        probe = CallSite(self.site.path, Span(0, 0, 0, 0), origin.called if origin else "", "", facts.model_id)
        return Case(probe, facts, self.table)

    def checkpoint_kind(self, role: str) -> str | None:
        """What the checkpoint in `role` was trained as: "decoder-only", "encoder-decoder", "masked-LM encoder", ..."""
        case = self._case(role)
        if case is None:
            return None
        kind = families.checkpoint_kind(case.own_loaders)
        if kind is None and case.model_type and not (case.facts.architectures and not case.own_architecture):
            kind = families.type_kind(case.table, case.model_type)
        return kind

    def loaded_class(self, role: str) -> str | None:
        """The class transformers builds for the object in `role` (AutoModelForSeq2SeqLM on T5:
        T5ForConditionalGeneration); None when custom code or a type nothing here knows decides it."""
        case = self._case(role)
        origin = self.site.origin(role)
        if case is None or origin is None:
            return None
        facts = case.facts
        if not self.table.is_auto_class(origin.called):
            return origin.called if self.table.knows_architecture(origin.called) else None
        if origin.called in facts.auto_map_dict() or not case.model_type:
            return None  # the repository's own code, or a type nothing here knows, decides what is built
        return self.table.loaded_class(origin.called, case.model_type, facts.architectures)

    def object_kind(self, role: str) -> str | None:
        """What the object in `role` is, as the class called builds it from the checkpoint: the kind of the class
        transformers loads (AutoModelForSeq2SeqLM on T5 builds an encoder-decoder). None when custom code, an
        unknown type or a base model leaves it open."""
        loaded = self.loaded_class(role)
        return families.checkpoint_kind(self.table.auto_classes_for_architecture(loaded)) if loaded else None

    def handed(self, role: str, what: str) -> Undecided | None:
        """Why the object in `role` may no longer be as loaded: it is handed to functions that may change `what`."""
        origin = self.site.origin(role)
        if origin is None or not origin.handed_to:
            return None
        names = ", ".join(f"{name}()" for name in origin.handed_to[:3])
        return Undecided(f"the {role} is handed to {names}, which may change its {what}")

    def describe(self, role: str) -> str:
        """`'gpt2' (decoder-only)`: the checkpoint in `role` as a first line names it."""
        origin = self.site.origin(role)
        kind = self.checkpoint_kind(role)
        name = shown(origin.model) if origin else role
        return f"{name} ({kind})" if kind else name
