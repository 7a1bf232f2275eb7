"""Which transformers version a run judges for, and why: the first of these that gives one wins.

1. `--target-transformers X.Y` on the command line, else `target-transformers = "X.Y"` in `[tool.automodel-lint]`;
2. the transformers installed beside the linter (the runtime the project's code would meet);
3. the project's declared requirement, read in its root folder: pyproject.toml (`[project]` dependencies and
   optional dependencies, `[tool.poetry]` dependencies and groups), setup.cfg (`install_requires`,
   `extras_require`), requirements*.txt, poetry.lock and uv.lock. Every constraint found must hold (a lock's pin
   is one more), environment markers are read for this interpreter, and the newest release the bundled history
   knows that they allow is the target;
4. else the newest bundled table.

    chosen = choose(options)    # Target(version, why, table)

A target must be a release the history covers from 4.10 on (4.0-4.9 are known by their model types alone, too
little to judge a call with): anything else on the command line or in the settings is a UsageError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from automodel_lint import knowledge
from automodel_lint.knowledge import KnowledgeTable

FLAG = "--target-transformers"


@dataclass(frozen=True)
class Target:
    version: str  # the release whose table is used ("4.40.2")
    why: str  # where it came from, in a few words ("--target-transformers 4.40", "installed", ...)
    table: KnowledgeTable


def summary(chosen: Target) -> str:
    """The sentence the summary line ends with."""
    return f"Judged for transformers {chosen.version} ({chosen.why})."


def settings_lines(chosen: Target) -> list[str]:
    """What `--show-settings` prints about the target: the version and where it came from."""
    return [f"target-transformers = {chosen.version!r}", f"  # from: {chosen.why}"]


def choose(options) -> Target:
    """The target of a run with these Options (see the module's docstring); remembered per process."""
    return _choose(options.target_transformers, options.target_origin, options.project_root, options.cache_dir)


@lru_cache(maxsize=16)
def _choose(asked: str | None, origin: str | None, root: str | None, cache_dir: str | None) -> Target:
    if asked:
        # `origin`: None for the flag, else the settings file that names the target.
        where = f"{FLAG} {asked}" if origin is None else f'target-transformers = "{asked}" in {origin}'
        table = table_for_target(asked)
        if table is None:
            from automodel_lint.options import UsageError

            raise UsageError(f"{where}: transformers {asked} is not a release automodel-lint knows"
                             f" (known: {_oldest_full()} ... {knowledge.newest_bundled().version})")
        return Target(table.version, where, table)
    installed = knowledge.installed_transformers_version()
    if installed is not None:
        # A bundled release is read alone: loading the whole history would cost every run (a warm one included)
        # more than the rest of its work. Another release the history holds is derived from it; any other is read
        # from the installed source (cached).
        if knowledge.is_bundled(installed) or not _history_has(installed):
            table = knowledge.current_table(cache_dir)
        else:
            table = _history_table(installed)
        return Target(table.version, "installed beside automodel-lint", table)
    declared = declared_target(Path(root) if root else Path.cwd())
    if declared is not None:
        version, why = declared
        table = table_for_target(version)
        if table is not None:
            return Target(table.version, why, table)
    newest = knowledge.newest_bundled()
    return Target(newest.version, "the newest bundled: none installed or declared", newest)


def table_for_target(version: str) -> KnowledgeTable | None:
    """The table of a target the history covers fully (4.10 on), else None."""
    if not re.fullmatch(r"\d+\.\d+(\.\d+)?", version.strip()):
        return None
    table = _history_table(version.strip())
    return table if table is not None and not table.unknown_parts else None


def _history_table(version: str) -> KnowledgeTable | None:
    """A bundled table where there is one for this exact release (no work at all), else the history's."""
    bundled = {t.version: t for t in knowledge.bundled_tables()}
    return bundled.get(version) or knowledge.table_for_version(version)


def _history_has(version: str) -> bool:
    from automodel_lint.knowledge import history

    return version in history.load().releases


def _oldest_full() -> str:
    return next(v for v in _releases() if table_for_target(v) is not None)


def _releases() -> list[str]:
    from automodel_lint.knowledge import history

    return history.load().releases


# ------------------------------------------------------------------------------------------- declared requirement


def declared_target(root: Path) -> tuple[str, str] | None:
    """(the newest known release every declared constraint allows, why), or None when nothing is declared or nothing
    known fits. When the constraints contradict each other (a stale lock), the first source that allows a release
    decides alone."""
    from automodel_lint.declared import declared_constraints

    found = declared_constraints(root)
    if not found:
        return None
    candidates = [r for r in _releases() if table_for_target(r) is not None]
    together = [r for r in candidates if all(c.allows_minor(r) for _, c in found)]
    if together:
        return together[-1], "declared: " + "; ".join(f"{where}: {c}" for where, c in found)
    for where, constraint in found:
        alone = [r for r in candidates if constraint.allows_minor(r)]
        if alone:
            return alone[-1], f"declared: {where}: {constraint} (the other declared constraints contradict it)"
    return None
