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
    preview: bool = False  # run the preview rules too (ruff's --preview)
    noqa: bool = True  # honour `# noqa` comments (flake8's --disable-noqa turns it off)
    use_cache: bool = True  # automodel-lint's cache of model facts
    result_cache: bool = False  # remember each file's call sites between runs (the CLI turns it on)
    jobs: int = 1  # processes that parse files
    project_root: str | None = None  # the folder of the pyproject.toml in use: the lock file is read there
    origins: dict = field(default_factory=dict)  # option name -> where its value came from (build_options)
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


DEFAULT = "default"


class _Chooser:
    """Picks each option's value from (value, origin) pairs, first given wins, and remembers the origin:
    "flag", "environment", the settings file's path, or "default"."""

    def __init__(self) -> None:
        self.origins: dict[str, str] = {}

    def pick(self, name: str, *candidates, default=None):
        for value, origin in candidates:
            if value is not None:
                self.origins[name] = origin
                return value
        self.origins[name] = DEFAULT
        return default


def build_options(
    settings: Settings,
    *,
    select: frozenset[str] | None = None,
    ignore: frozenset[str] | None = None,
    extend_select: frozenset[str] | None = None,
    extend_ignore: frozenset[str] | None = None,
    offline: bool | None = None,
    max_file_size: int | None = None,
    cache_dir: str | None = None,
    network_timeout: float | None = None,
    exclude: list[str] | None = None,
    unsafe_fixes: bool | None = None,
    preview: bool | None = None,
    target_transformers: str | None = None,
    **fixed,
) -> Options:
    """Flags win over the environment, which wins over the settings file, which wins over the defaults.

    Offline mode is on if any of them turns it on. As in ruff, `extend_select`/`extend_ignore` (flags and
    file alike) add to whichever `select`/`ignore` won. `fixed` holds Options fields no settings file sets
    (locked, noqa, result_cache, jobs, use_cache), passed through as given. `Options.origins` says where each
    chosen value came from, for `check --show-settings`.
    """
    c = _Chooser()
    file = str(settings.path) if settings.path else "settings file"
    env_cache = os.environ.get("AUTOMODEL_LINT_CACHE_DIR") or None
    chosen_select = c.pick("select", (select, "flag"), (settings.select, file))
    extra = (extend_select or frozenset()) | settings.extend_select
    if chosen_select is not None and extra:
        chosen_select = chosen_select | extra
        c.origins["select"] += " + extend-select"
    chosen_ignore = c.pick("ignore", (ignore, "flag"), (settings.ignore, file), default=frozenset())
    if extend_ignore or settings.extend_ignore:
        chosen_ignore = chosen_ignore | (extend_ignore or frozenset()) | settings.extend_ignore
        c.origins["ignore"] += " + extend-ignore"
    chosen_offline = c.pick("offline", (offline, "flag"), (settings.offline or None, file), default=False)
    if not chosen_offline and env_offline():
        chosen_offline, c.origins["offline"] = True, "environment"
    chosen_exclude = tuple(c.pick("exclude", (exclude, "flag"), (settings.exclude, file), default=()))
    if settings.extend_exclude:
        chosen_exclude += settings.extend_exclude
        c.origins["exclude"] += f" + extend-exclude ({file})"
    options = Options(
        select=chosen_select,
        ignore=chosen_ignore,
        offline=bool(chosen_offline),
        max_file_size=c.pick("max_file_size", (max_file_size, "flag"), (settings.max_file_size, file),
                             default=DEFAULT_MAX_FILE_SIZE),
        cache_dir=c.pick("cache_dir", (cache_dir, "flag"), (env_cache, "environment"), (settings.cache_dir, file)),
        network_timeout=c.pick("network_timeout", (network_timeout, "flag"), (settings.network_timeout, file)),
        exclude=chosen_exclude,
        models=settings.models,
        unsafe_fixes=bool(c.pick("unsafe_fixes", (unsafe_fixes, "flag"), (settings.unsafe_fixes, file), default=False)),
        preview=bool(c.pick("preview", (preview, "flag"), (settings.preview, file), default=False)),
        project_root=str(settings.project_root) if settings.project_root else None,
        target_transformers=c.pick("target_transformers", (target_transformers, "flag"),
                                   (settings.target_transformers, file)),
        target_origin=_target_origin(target_transformers, settings),
        **fixed,
    )
    c.origins["models"] = file if settings.models else DEFAULT
    options.origins = c.origins
    return options


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
