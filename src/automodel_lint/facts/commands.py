"""The facts layer's subcommands: `resolve`, `lock`, `cache info`, `cache clear`.

The main CLI calls `register(subparsers)` once; each subcommand sets `func(args) -> exit code`, as `check` does.

    automodel-lint resolve MODEL_ID [--revision R] [--subfolder S] [--output-format text|json]
        the facts, where they came from, and the Auto classes that load the checkpoint (the one for its own
        architecture first): "which Auto class for this model?". Exit 0 resolved, 1 not.
    automodel-lint lock [PATH ...] [--lock-file FILE]
        resolve every model id the code under PATH names and write automodel-lint.lock beside the project's
        pyproject.toml (sorted, stable JSON with the Hub commit where known). Exit 0, or 1 if some ids stayed
        unresolved (named on stderr; the lock keeps their previous entries).
    automodel-lint cache info | cache clear
        where automodel-lint's own cache is and what it holds; delete it.

Shared options: --offline, --cache-dir, --network-timeout. Project settings (`[tool.automodel-lint]`: models,
offline, cache-dir, network-timeout) come from `automodel_lint.config.discover`, when that module is there.
Call-site discovery for `lock` is the engine's (`automodel_lint.engine.collect_requests(paths) -> set[ModelRequest]`);
tests pass their own with `register(subparsers, collect_requests=...)`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from automodel_lint.records import ModelFacts, ModelRequest, Unresolved

EXIT_OK, EXIT_UNRESOLVED, EXIT_ERROR = 0, 1, 2


class CommandError(Exception):
    """One line for stderr, exit 2."""


def register(subparsers, *, collect_requests: Callable[[list[str]], set[ModelRequest]] | None = None) -> None:
    """Add `resolve`, `lock` and `cache` to an argparse subparsers object."""
    p = subparsers.add_parser("resolve", help="show a model's facts and the Auto classes that load it")
    p.add_argument("model", metavar="MODEL_ID", help="a Hub model id or a local checkpoint folder")
    p.add_argument("--revision", metavar="R", help="a branch, tag or commit of the Hub repo")
    p.add_argument("--subfolder", metavar="S", help="the checkpoint's subfolder in the repo or folder")
    p.add_argument("--output-format", choices=("text", "json"), default="text")
    _common(p)
    p.set_defaults(func=run_resolve)

    p = subparsers.add_parser("lock", help="resolve every model id the code names and write automodel-lint.lock")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    p.add_argument("--lock-file", metavar="FILE", help="where to write the lock (default: beside pyproject.toml)")
    _common(p)
    p.set_defaults(func=lambda args: run_lock(args, collect_requests))

    p = subparsers.add_parser("cache", help="automodel-lint's cache of Hub answers: info, clear")
    sub = p.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    for name, helptext in (("info", "where the cache is and what it holds"), ("clear", "delete the cache")):
        q = sub.add_parser(name, help=helptext)
        q.add_argument("--cache-dir", metavar="DIR", help="the cache folder (default: AUTOMODEL_LINT_CACHE_DIR, "
                                                         "else ~/.cache/automodel-lint)")
        q.set_defaults(func=run_cache_info if name == "info" else run_cache_clear)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--offline", action="store_true", help="never use the network (also HF_HUB_OFFLINE=1)")
    p.add_argument("--cache-dir", metavar="DIR", help="automodel-lint's cache folder")
    p.add_argument("--network-timeout", type=float, metavar="SECONDS", help="per Hub request (default 3)")


def _settings(start: str):
    """The project's settings, or None when the config module is not there (it is another module's job)."""
    try:
        from automodel_lint import config
    except ImportError:
        return None
    try:
        return config.discover(Path(start))
    except config.ConfigError as exc:
        raise CommandError(str(exc)) from None


def make_resolver(args: argparse.Namespace, start: str, settings=None, **extra):
    """A Resolver from the command line and the project's settings (flags win)."""
    from automodel_lint.facts.lockfile import LockError
    from automodel_lint.facts.resolver import Resolver

    settings = settings or _settings(start)
    cache_dir = getattr(args, "cache_dir", None) or (settings.cache_dir if settings else None)
    timeout = getattr(args, "network_timeout", None) or (settings.network_timeout if settings else None)
    offline = bool(getattr(args, "offline", False) or (settings.offline if settings else False))
    try:
        return Resolver(table=extra.pop("table", None), offline=offline, cache_dir=cache_dir, request_timeout=timeout,
                        project_models=settings.models if settings else None,
                        project_root=settings.project_root if settings else None, **extra), settings
    except LockError as exc:
        raise CommandError(str(exc)) from None


def _table():
    try:
        from automodel_lint import knowledge

        return knowledge.current_table()
    except Exception:  # the knowledge table is optional here: `resolve` still shows the facts without it
        return None


# -- resolve ----------------------------------------------------------------------------------------------------------

def loading_classes(table, facts: ModelFacts) -> list[tuple[str, str]]:
    """(Auto class, what it builds) for every Auto class that loads the checkpoint, the ones that load its own
    architecture first; then `auto_map` classes that exist only as custom code."""
    out: list[tuple[str, str]] = []
    if table is not None and facts.model_type and table.knows_type(facts.model_type):
        found = [(auto, table.loaded_class(auto, facts.model_type, facts.architectures))
                 for auto in table.auto_classes if table.loads(auto, facts.model_type)]
    elif table is not None:
        found = [(auto, arch) for arch in facts.architectures for auto in table.auto_classes_for_architecture(arch)]
    else:
        found = []
    own = [auto for arch in facts.architectures for auto in (table.auto_classes_for_architecture(arch) if table else ())]
    rank = {auto: i for i, auto in enumerate(dict.fromkeys(own))}
    # AutoModel and AutoModelForPreTraining load nearly everything: the task classes say more, so they go last
    # among the classes of the checkpoint's own architecture.
    from automodel_lint.families import NEVER_SUGGESTED

    found = sorted(dict.fromkeys(found), key=lambda pair: (rank.get(pair[0], len(rank)) + len(rank) * (pair[0] in NEVER_SUGGESTED)))
    out.extend(found)
    built_in = {auto for auto, _ in found}
    for auto, ref in facts.auto_map:
        if auto.startswith(("AutoModel", "TFAutoModel", "FlaxAutoModel")) and auto not in built_in:
            out.append((auto, f"{ref} (custom code: needs trust_remote_code=True)"))
    return out


def run_resolve(args: argparse.Namespace) -> int:
    try:
        table = _table()
        resolver, _ = make_resolver(args, ".", table=table)
        request = ModelRequest(args.model, args.revision, args.subfolder, None)
        answer = resolver.resolve(request)
    except CommandError as exc:
        print(f"automodel-lint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if isinstance(answer, Unresolved):
        if args.output_format == "json":
            print(json.dumps({"model": args.model, "resolved": False, "reason": answer.reason}, indent=2))
        print(f"automodel-lint: {args.model!r} could not be resolved: {answer.reason}", file=sys.stderr)
        return EXIT_UNRESOLVED
    classes = loading_classes(table, answer)
    sha = resolver.sha(request)
    if args.output_format == "json":
        print(json.dumps({
            "model": args.model, "resolved": True, "model_id": answer.model_id, "model_type": answer.model_type,
            "architectures": list(answer.architectures), "auto_map": answer.auto_map_dict(), "sha": sha,
            "facts_source": answer.source, "evidence": answer.evidence, "provenance": answer.provenance,
            "auto_classes": [{"class": a, "loads": c} for a, c in classes],
            "transformers_version": table.version if table is not None else None,
        }, indent=2))
        return EXIT_OK
    rows = [("model", answer.model_id + (f" (sha {sha})" if sha else "")),
            ("model_type", answer.model_type or "(not stated)"),
            ("architectures", ", ".join(answer.architectures) or "(not stated)")]
    if answer.auto_map:
        rows.append(("auto_map", ", ".join(f"{k} -> {v}" for k, v in answer.auto_map)))
    rows.append(("source", f"{answer.source} ({answer.evidence or 'unknown'} evidence)"))
    if answer.provenance:
        rows.append(("provenance", answer.provenance))
    for key, value in rows:
        print(f"{key + ':':<15}{value}")
    if table is None:
        print(f"{'loaded by:':<15}(no knowledge table available)")
    elif not classes:
        print(f"{'loaded by:':<15}no Auto class of transformers {table.version} loads it")
    else:
        print(f"{'loaded by:':<15}(transformers {table.version})")
        for auto, built in classes:
            print(f"  {auto:<40} -> {built}")
    return EXIT_OK


# -- lock -------------------------------------------------------------------------------------------------------------

def _default_collector() -> Callable[[list[str]], set[ModelRequest]]:
    from automodel_lint.engine import collect_requests

    return collect_requests


def run_lock(args: argparse.Namespace, collect_requests=None) -> int:
    from automodel_lint.facts.lockfile import LOCK_NAME, Lock, LockError, read_lock, write_lock

    paths = args.paths or ["."]
    try:
        settings = _settings(paths[0])
        target = Path(args.lock_file) if args.lock_file else (
            settings.lock_path if settings is not None and settings.lock_path else Path(LOCK_NAME))
        # An empty lock: re-locking must ask the real sources, not read the old answers back.
        resolver, _ = make_resolver(args, paths[0], settings, lock=Lock(str(target)))
        collect = collect_requests or _default_collector()
        requests = collect(paths)
        try:
            previous = read_lock(target)
        except LockError:
            previous = None  # an unusable old lock is simply replaced
        answers = resolver.resolve_all(sorted(requests, key=lambda r: (r.model, r.revision or "", r.subfolder or "",
                                                                        r.file_dir or "")))
        shas = {r: resolver.sha(r) for r in answers if resolver.sha(r)}
        models = write_lock(target, answers, shas, keep=previous)
    except CommandError as exc:
        print(f"automodel-lint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(f"automodel-lint: error: cannot write the lock file: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    unresolved = _unique_unresolved(answers.values())
    print(f"wrote {target}: {len(models)} model ids", file=sys.stderr)
    if unresolved:
        print(f"{len(unresolved)} model ids could not be resolved:", file=sys.stderr)
        for u in unresolved:
            print(f"  {u.model_id}: {u.reason}", file=sys.stderr)
        return EXIT_UNRESOLVED
    return EXIT_OK


def _unique_unresolved(answers: Iterable) -> list[Unresolved]:
    return sorted({a for a in answers if isinstance(a, Unresolved)}, key=lambda u: (u.model_id, u.reason))


# -- cache ------------------------------------------------------------------------------------------------------------

def _cache(args: argparse.Namespace):
    from automodel_lint.facts.cache import FactsCache

    settings = None
    if not args.cache_dir and not os.environ.get("AUTOMODEL_LINT_CACHE_DIR"):
        try:
            settings = _settings(".")
        except CommandError:
            settings = None
    cache_dir = args.cache_dir or (settings.cache_dir if settings else None)
    return FactsCache(cache_dir, warn=lambda m: print(f"automodel-lint: warning: {m}", file=sys.stderr))


def run_cache_info(args: argparse.Namespace) -> int:
    info = _cache(args).info()
    print(f"path:     {info['path']}")
    print(f"entries:  {info['entries']} ({info['positive']} resolved, of which {info['stale']} older than 30 days; "
          f"{info['negative']} not found or gated)")
    print(f"size:     {info['bytes']} bytes")
    return EXIT_OK


def run_cache_clear(args: argparse.Namespace) -> int:
    cache = _cache(args)
    try:
        count = cache.clear()
    except OSError as exc:
        print(f"automodel-lint: error: cannot clear {cache.path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"removed {count} entries from {cache.path}")
    return EXIT_OK
