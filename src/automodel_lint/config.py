"""`[tool.automodel-lint]` in the nearest pyproject.toml: discovery and validation.

As with ruff, the nearest pyproject.toml above the first checked path that has a `[tool.automodel-lint]`
table wins (else the nearest pyproject.toml, which still places the lock file); `--config FILE` names
another file. An unknown key or a value of the wrong type is a ConfigError, which the CLI reports in
one line with exit 2: a typo in a linter's config must not silently turn a rule off.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECTION = "automodel-lint"


class ConfigError(ValueError):
    pass


def _str_list(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key} must be a list of strings")
    return tuple(value)


def known_codes() -> tuple[str, ...]:
    from automodel_lint.rules import RULES

    return tuple(sorted(rule.code for rule in RULES))


def check_codes(codes) -> frozenset[str]:
    """`codes` upper-cased, each a rule's code or a prefix of one (`HFA`, `HFA0`); else a ConfigError naming
    the unknown ones and the known codes: a typo must not silently select or ignore nothing."""
    known = known_codes()
    upper = frozenset(c.strip().upper() for c in codes if c.strip())
    bad = sorted(c for c in upper if not any(k.startswith(c) for k in known))
    if bad:
        raise ConfigError(f"unknown code{'s' if len(bad) > 1 else ''} {', '.join(bad)} (known: {', '.join(known)})")
    return upper


def _codes(key: str, value: Any) -> frozenset[str]:
    try:
        return check_codes(_str_list(key, value))
    except ConfigError as exc:
        raise ConfigError(f"{key}: {exc}") from None


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{key} must be true or false")
    return value


def _positive_number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{key} must be a positive number")
    return float(value)


def _positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{key} must be a positive integer")
    return value


def _string(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{key} must be a non-empty string")
    return value


def _version(key: str, value: Any) -> str:
    """`target-transformers = "4.40"`: a release number; whether automodel-lint knows it is target.py's to say."""
    import re

    if not isinstance(value, str) or not re.fullmatch(r"\d+\.\d+(\.\d+)?", value.strip()):
        raise ConfigError(f'{key} must be a transformers version such as "4.57" or "4.57.6"')
    return value.strip()


def _models(key: str, value: Any) -> dict[str, dict]:
    """`"org/name" = { model_type = "llama", architectures = ["LlamaForCausalLM"], auto_map = {...} }`."""
    if not isinstance(value, dict):
        raise ConfigError(f"{key} must be a table of model ids")
    models: dict[str, dict] = {}
    for model_id, facts in value.items():
        where = f'{key}."{model_id}"'
        if not isinstance(facts, dict):
            raise ConfigError(f"{where} must be a table with model_type and/or architectures")
        unknown = set(facts) - {"model_type", "architectures", "auto_map"}
        if unknown:
            raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r}"
                              " (allowed: model_type, architectures, auto_map)")
        if "model_type" not in facts and "architectures" not in facts:
            raise ConfigError(f"{where} needs model_type or architectures")
        if "model_type" in facts:
            _string(f"{where}.model_type", facts["model_type"])
        if "architectures" in facts:
            _str_list(f"{where}.architectures", facts["architectures"])
        auto_map = facts.get("auto_map", {})
        if not isinstance(auto_map, dict) or not all(isinstance(v, str) for v in auto_map.values()):
            raise ConfigError(f"{where}.auto_map must be a table of strings")
        models[model_id] = dict(facts)
    return models


# key -> (Settings attribute, validator). The table is the documentation of what is accepted.
KEYS = {
    "select": ("select", _codes),
    "ignore": ("ignore", _codes),
    "extend-select": ("extend_select", _codes),
    "extend-ignore": ("extend_ignore", _codes),
    "exclude": ("exclude", _str_list),
    "extend-exclude": ("extend_exclude", _str_list),
    "offline": ("offline", _bool),
    "cache-dir": ("cache_dir", _string),
    "unsafe-fixes": ("unsafe_fixes", _bool),
    "preview": ("preview", _bool),
    "network-timeout": ("network_timeout", _positive_number),
    "max-file-size": ("max_file_size", _positive_int),
    "models": ("models", _models),
    "target-transformers": ("target_transformers", _version),
}


@dataclass
class Settings:
    """What the configuration file says; None where it says nothing (so command-line flags can win)."""

    path: Path | None = None  # the file read, if any
    project_root: Path | None = None  # its folder: where the lock file lives
    select: frozenset[str] | None = None
    ignore: frozenset[str] | None = None
    extend_select: frozenset[str] = frozenset()
    extend_ignore: frozenset[str] = frozenset()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    offline: bool | None = None
    cache_dir: str | None = None
    unsafe_fixes: bool | None = None
    preview: bool | None = None
    network_timeout: float | None = None
    max_file_size: int | None = None
    models: dict[str, dict] = field(default_factory=dict)
    target_transformers: str | None = None


def read_toml(path: Path) -> dict:
    # Imported here: a run in a folder without a pyproject.toml does not pay for tomllib (and datetime).
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def parse(table: dict, path: Path) -> Settings:
    settings = Settings(path=path, project_root=path.parent)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{SECTION}] must be a table")
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.{SECTION}] (known: {', '.join(KEYS)})")
        attr, validate = KEYS[key]
        try:
            setattr(settings, attr, validate(key, value))
        except ConfigError as exc:
            raise ConfigError(f"{path}: [tool.{SECTION}] {exc}") from None
    if settings.cache_dir:
        settings.cache_dir = _cache_dir(path, settings.cache_dir)
    return settings


def _cache_dir(settings_file: Path, value: str) -> str:
    """The cache folder as an absolute path, never resolved through links. A repository's own settings may name a
    folder inside itself and plant a symbolic link on the way, to send the caches' writes anywhere the user can
    write: a link between the project's folder and the cache folder is refused, not followed."""
    root = Path(os.path.abspath(settings_file.parent))
    folder = Path(os.path.abspath(root / os.path.expanduser(value)))
    try:
        inside = folder.relative_to(root)
    except ValueError:
        return str(folder)  # outside the project: a folder of the user's own, such as ~/.cache/...
    step = root
    for part in inside.parts:
        step = step / part
        if step.is_symlink():
            raise ConfigError(f"{settings_file}: cache-dir {value!r} passes through a symbolic link ({step}): refused,"
                              " since a repository could point it anywhere; name a real folder")
    return str(folder)


def load_file(path: Path) -> Settings:
    """`--config FILE`: a pyproject.toml with the section, or a file of the keys at top level."""
    data = read_toml(path)
    section = data.get("tool", {}).get(SECTION) if isinstance(data.get("tool"), dict) else None
    return parse(section if section is not None else data, path)


def discover(start: Path) -> Settings:
    """The settings of the nearest pyproject.toml with our section, else the nearest one's folder only."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    nearest: Path | None = None
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if not pyproject.is_file():
            continue
        data = read_toml(pyproject)
        tool = data.get("tool")
        if isinstance(tool, dict) and SECTION in tool:
            return parse(tool[SECTION], pyproject)
        nearest = nearest or pyproject
    return Settings(project_root=nearest.parent) if nearest else Settings()
