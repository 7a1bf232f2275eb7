"""What a judge suggests instead, what fix that allows, and the wording several judges share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from automodel_lint import families
from automodel_lint.records import CallSite, Fix, is_pipeline, pipeline_task

if TYPE_CHECKING:
    from automodel_lint.rules.case import Case


@dataclass(frozen=True)
class Suggestion:
    classes: tuple[str, ...]  # best first
    certain: bool  # exactly one class of the preferred tier loads the checkpoint's own architecture

    @property
    def best(self) -> str | None:
        return self.classes[0] if self.classes else None

    @property
    def applicability(self) -> str | None:
        """"safe" for one certain class, "unsafe" for several or an uncertain one, None for none."""
        if not self.classes:
            return None
        return "safe" if self.certain and len(self.classes) == 1 else "unsafe"

    def fix(self, old_class_removed: bool = False) -> Fix | None:
        """The fix that calls the best class instead, as safe as the suggestion is certain."""
        return Fix(self.applicability, self.classes[0], old_class_removed) if self.classes else None

    def advice(self) -> str:
        if not self.classes:
            return ""
        others = f" (or {', '.join(self.classes[1:])})" if len(self.classes) > 1 else ""
        return f"; use {self.classes[0]}{others}"

    def safety(self) -> str:
        """Why the fix is safe, or why it needs --unsafe-fixes, for a verdict's detail; "" without a class."""
        if not self.classes:
            return ""
        if self.applicability == "safe":
            return f"{self.classes[0]} is the one class of its family that loads the checkpoint's own architecture."
        if len(self.classes) > 1:
            return f"The fix is unsafe: several classes fit ({', '.join(self.classes)})."
        return "The fix is unsafe: the checkpoint's architecture is not known, only its model type."


def suggest(case: Case, tiers: tuple[tuple[str, ...], ...]) -> Suggestion:
    """The classes of the first tier that load the checkpoint's own architecture.

    Without a known architecture (facts from documentation only), fall back to the classes that accept
    the model type at all; such a suggestion is never certain enough for a safe fix.
    """
    for tier in tiers:
        if case.own_architecture:
            found = tuple(c for c in tier if c in case.own_loaders and c not in families.NEVER_SUGGESTED)
            if found:
                return Suggestion(found, certain=True)
    model_type = case.model_type
    if model_type:
        for tier in tiers:
            found = tuple(c for c in tier if case.table.loads(c, model_type) and c not in families.NEVER_SUGGESTED)
            if found:
                return Suggestion(found, certain=False)
    return Suggestion((), certain=False)


def shown(model: str | None) -> str:
    """A model string as it may appear in a message: quoted, control characters escaped, long ones cut."""
    text = model or ""
    if len(text) > 120:
        text = text[:117] + "..."
    if text.isprintable():
        return f'"{text}"'
    return repr(text)


def article(words: str) -> str:
    return "an" if words[:1].lower() in "aeiou" else "a"


def callee(site: CallSite) -> str:
    """The call as a reader wrote it: the class, or `pipeline("task")`."""
    task = pipeline_task(site.called)
    if is_pipeline(site.called):
        return f'pipeline("{task}")' if task is not None else "pipeline()"
    return site.called
