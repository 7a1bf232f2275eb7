"""Where automodel-lint keeps its caches (model facts, generated knowledge tables, results)."""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path:
    """AUTOMODEL_LINT_CACHE_DIR, else $XDG_CACHE_HOME/automodel-lint, else ~/.cache/automodel-lint."""
    env = os.environ.get("AUTOMODEL_LINT_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "automodel-lint"
    return Path.home() / ".cache" / "automodel-lint"
