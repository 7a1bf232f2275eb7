"""The options of a run, built one way: settings file + flags + environment -> Options -> Resolver.

    settings = load_settings(start, config_file)          # [tool.automodel-lint] of the nearest pyproject.toml
    options = build_options(settings, offline=..., ...)    # flags win; None means "not given"
    resolver = make_resolver(options, table)

The CLI's commands and the flake8 plugin all come through here (flake8 passes its own flags and a settings
object holding only what it reads from pyproject.toml). `env_offline` is the one reader of the environment's
offline switch; the resolver asks it too, for callers that build a Resolver themselves.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from automodel_lint import config
from automodel_lint.config import Settings
from automodel_lint.sources import DEFAULT_MAX_FILE_SIZE

# huggingface_hub's own reading (constants.HF_HUB_OFFLINE): HF_HUB_OFFLINE if set, else TRANSFORMERS_OFFLINE.
_TRUE = {"1", "ON", "YES", "TRUE"}


class UsageError(Exception):
    """A bad flag value, settings file or lock file: reported in one line, exit 2."""


@dataclass
class Options:
    select: frozenset[str] | None = None  # codes or prefixes; None: every rule
    ignore: frozenset[str] = frozenset()
    offline: bool = False
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    cache_dir: str | None = None
    network_timeout: float | None = None
    exclude: tuple[str, ...] = ()
    models: dict = field(default_factory=dict)  # [tool.automodel-lint.models]
    locked: bool = False
    unsafe_fixes: bool = False
    noqa: bool = True  # honour `# noqa` comments (flake8's --disable-noqa turns it off)
    use_cache: bool = True  # automodel-lint's cache of model facts
    result_cache: bool = False  # remember each file's call sites between runs (the CLI turns it on)
    jobs: int = 1  # processes that parse files
    project_root: str | None = None  # the folder of the pyproject.toml in use: the lock file is read there
    target_transformers: str | None = None  # the version to judge for, when a flag or the settings name one
    target_origin: str | None = None  # the settings file that names it; None when the flag does (or nothing)


def env_offline() -> bool:
    """HF_HUB_OFFLINE, else TRANSFORMERS_OFFLINE, with the truthy values huggingface_hub accepts."""
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE")
    return value is not None and value.upper() in _TRUE


def load_settings(start: str, config_file: str | None = None) -> Settings:
    """`config_file` if named, else the nearest pyproject.toml above `start`; a broken one is a UsageError."""
    try:
        return config.load_file(Path(config_file)) if config_file else config.discover(Path(start))
    except config.ConfigError as exc:
        raise UsageError(str(exc)) from None


def _first(*values):
    return next((v for v in values if v is not None), None)


def build_options(
    settings: Settings,
    *,
    select: frozenset[str] | None = None,
    ignore: frozenset[str] | None = None,
    offline: bool | None = None,
    max_file_size: int | None = None,
    cache_dir: str | None = None,
    network_timeout: float | None = None,
    exclude: list[str] | None = None,
    unsafe_fixes: bool | None = None,
    target_transformers: str | None = None,
    **fixed,
) -> Options:
    """Flags win over the environment, which wins over the settings file, which wins over the defaults.

    Offline mode is on if any of them turns it on. `fixed` holds Options fields no settings file sets
    (locked, noqa, result_cache, jobs, use_cache), passed through as given.
    """
    return Options(
        select=_first(select, settings.select),
        ignore=_first(ignore, settings.ignore) or frozenset(),
        offline=bool(_first(offline, settings.offline)) or env_offline(),
        max_file_size=_first(max_file_size, settings.max_file_size, DEFAULT_MAX_FILE_SIZE),
        cache_dir=_first(cache_dir, os.environ.get("AUTOMODEL_LINT_CACHE_DIR") or None, settings.cache_dir),
        network_timeout=_first(network_timeout, settings.network_timeout),
        exclude=tuple(_first(exclude, settings.exclude) or ()) + settings.extend_exclude,
        models=settings.models,
        unsafe_fixes=bool(_first(unsafe_fixes, settings.unsafe_fixes)),
        project_root=str(settings.project_root) if settings.project_root else None,
        target_transformers=_first(target_transformers, settings.target_transformers),
        target_origin=_target_origin(target_transformers, settings),
        **fixed,
    )


def _target_origin(flag: str | None, settings: Settings) -> str | None:
    if flag is not None or settings.target_transformers is None:
        return None
    return settings.path.name if settings.path else "the settings"


def make_resolver(options: Options, table=None, **extra):
    """The Resolver for these options; `extra` goes to it unchanged (e.g. `lock=`). An unusable lock file under
    `locked` is a UsageError."""
    from automodel_lint.facts.lockfile import LockError
    from automodel_lint.facts.resolver import Resolver

    try:
        return Resolver(
            table=table,
            offline=options.offline,
            locked=options.locked,
            project_models=options.models,
            project_root=options.project_root,
            cache_dir=options.cache_dir,
            use_cache=options.use_cache,
            request_timeout=options.network_timeout,
            **extra,
        )
    except LockError as exc:
        raise UsageError(str(exc)) from None
