"""A rule: its code, its documentation with examples the tests run, and its judge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from automodel_lint.records import Verdict
from automodel_lint.rules.case import Case


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str  # "error" or "warning"; a verdict less certain than the rule's usual case may say otherwise
    summary: str  # what it reports, in one sentence
    why: str  # why it is bad: what transformers does at run time, and when a report may not apply
    fix_safety: str  # how the fix applies: "safe when ...", "unsafe: ...", "none: ..."
    wrong: str  # a whole module that gives exactly this diagnostic
    right: str  # the same module written right: no diagnostic
    fixed: str | None  # what `check --fix --unsafe-fixes` makes of `wrong`; None when it has no fix
    judge: Callable[[Case], Verdict | None] | None  # None: reported by the engine, not judged per call
    example_table: str | None = None  # the transformers version the examples are judged with (None: the newest)
    preview: bool = False  # new, not yet shown free of false positives on real code: runs only under --preview
