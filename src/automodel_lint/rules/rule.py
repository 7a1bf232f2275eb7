"""A rule: its code, its documentation with examples the tests run, and its judge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from automodel_lint.records import Verdict
from automodel_lint.rules.case import Case

if TYPE_CHECKING:
    from automodel_lint.rules.use_case import Undecided, UseCase


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
    # A preview rule runs only with `--preview` (ruff's term): on by default once a real-code run shows it raises
    # no false positive.
    preview: bool = False
    # Rules about a later use of a loaded object (flow/): the uses it judges, and its judge of one.
    uses: tuple[str, ...] = ()
    judge_use: "Callable[[UseCase], Verdict | Undecided | None] | None" = None
    tokenizer_facts: bool = False  # its judge reads the tokenizer facts of the use's objects
