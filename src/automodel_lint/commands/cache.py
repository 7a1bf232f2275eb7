"""`automodel-lint cache info | cache clear`: where automodel-lint's cache of Hub answers is and what it holds;
delete it."""

from __future__ import annotations

import argparse
import sys

from automodel_lint.commands import EXIT_CLEAN, EXIT_ERROR
from automodel_lint.report.printable import printable


def register(subparsers) -> None:
    p = subparsers.add_parser("cache", help="automodel-lint's cache of Hub answers: info, clear")
    sub = p.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    for name, helptext, func in (("info", "where the cache is and what it holds", run_info),
                                 ("clear", "delete the cache", run_clear)):
        q = sub.add_parser(name, help=helptext)
        q.add_argument("--cache-dir", metavar="DIR", help="the cache folder (default: AUTOMODEL_LINT_CACHE_DIR, "
                                                         "else ~/.cache/automodel-lint)")
        q.set_defaults(func=func)


def _cache(args: argparse.Namespace):
    from automodel_lint.config import Settings
    from automodel_lint.facts.cache import FactsCache
    from automodel_lint.options import UsageError, build_options, load_settings

    try:
        settings = load_settings(".")
    except UsageError:
        settings = Settings()  # a broken settings file must not stop anyone from looking at or clearing the cache
    options = build_options(settings, cache_dir=args.cache_dir)
    return FactsCache(options.cache_dir,
                      warn=lambda m: print(f"automodel-lint: warning: {printable(m)}", file=sys.stderr))


def run_info(args: argparse.Namespace) -> int:
    info = _cache(args).info()
    print(f"path:     {printable(info['path'])}")
    print(f"entries:  {info['entries']} ({info['positive']} resolved, of which {info['stale']} older than 30 days; "
          f"{info['negative']} not found or gated)")
    print(f"tokenizers: {info['tokenizers']} entries")
    print(f"size:     {info['bytes']} bytes")
    return EXIT_CLEAN


def run_clear(args: argparse.Namespace) -> int:
    cache = _cache(args)
    try:
        count = cache.clear()
    except OSError as exc:
        print(f"automodel-lint: error: cannot clear {printable(cache.path)}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"removed {count} entries from {printable(cache.path)}")
    return EXIT_CLEAN
