"""`check --show-settings`: the settings a run would use, and where each came from (a flag, the environment, the
settings file's path, or the default), so that "why was this not reported" has an answer."""

from __future__ import annotations

from typing import TextIO

# (label, Options attribute) in the order shown.
SHOWN = (
    ("select", "select"), ("ignore", "ignore"), ("exclude", "exclude"), ("offline", "offline"),
    ("cache-dir", "cache_dir"), ("network-timeout", "network_timeout"), ("max-file-size", "max_file_size"),
    ("unsafe-fixes", "unsafe_fixes"), ("preview", "preview"), ("models", "models"),
)


def _value(name: str, value) -> str:
    if name == "select" and value is None:
        return "all rules"
    if name == "network-timeout" and value is None:
        return "3 s per request"
    if name == "cache-dir" and value is None:
        from automodel_lint.paths import default_cache_dir

        return str(default_cache_dir())
    if name == "models":
        return f"{len(value)} model id(s)" + (f": {', '.join(sorted(value))}" if value else "")
    if isinstance(value, (frozenset, set, tuple, list)):
        return ", ".join(sorted(value)) if value else "(none)"
    return str(value).lower() if isinstance(value, bool) else str(value)


def show_settings(settings, options, args, out: TextIO) -> None:
    from automodel_lint.facts.lockfile import LOCK_NAME

    out.write(f"settings file: {settings.path or '(none: defaults)'}\n")
    out.write(f"project root: {options.project_root or '(none)'} (the lock file {LOCK_NAME} is read there)\n")
    for label, attr in SHOWN:
        out.write(f"{label} = {_value(label, getattr(options, attr))}  ({options.origins.get(attr, 'default')})\n")
    from automodel_lint.report import DEFAULT_FORMAT

    # Options only flags set: (label, value, whether the flag was given).
    flags_only = (
        ("locked", options.locked, args.locked), ("force-exclude", args.force_exclude, args.force_exclude),
        ("results-cache", options.result_cache, args.no_cache), ("jobs", options.jobs, args.jobs is not None),
        ("output-format", args.output_format, args.output_format != DEFAULT_FORMAT),
    )
    for label, value, given in flags_only:
        out.write(f"{label} = {_value(label, value)}  ({'flag' if given else 'default'})\n")
    from automodel_lint.target import choose

    chosen = choose(options)
    out.write(f"target-transformers = {chosen.version}  ({chosen.why})\n")
