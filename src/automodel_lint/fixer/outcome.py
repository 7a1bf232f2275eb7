"""What fixing one file came to: the bytes after, the fixes applied, and each one not applied with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from automodel_lint.records import Diagnostic, Span


@dataclass(frozen=True)
class NotApplied:
    diagnostic: Diagnostic
    reason: str


@dataclass(frozen=True)
class FixOutcome:
    source: bytes
    fixed: bytes  # equal to `source` when nothing was applied
    applied: tuple[Diagnostic, ...] = ()
    not_applied: tuple[NotApplied, ...] = ()
    error: str | None = None  # why the whole file was left as it was, if it was
    # Where each applied diagnostic's call sits in `fixed`, in `applied` order (imports shift lines).
    moved: tuple[Span, ...] = ()

    @property
    def changed(self) -> bool:
        return self.fixed != self.source


def refused(source: bytes, fixes: Sequence[Diagnostic], reason: str, skipped: Iterable[NotApplied] = ()) -> FixOutcome:
    skipped = list(skipped)
    seen = {id(s.diagnostic) for s in skipped}
    skipped += [NotApplied(d, reason) for d in fixes if id(d) not in seen]
    return FixOutcome(source, source, (), tuple(skipped), error=reason)
