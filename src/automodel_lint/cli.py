"""Command line: `check`, `rules`, and the commands other modules register. Thin: parse, call, print.

Exit codes follow ruff: 0 clean, 1 diagnostics, 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from automodel_lint import __version__

EXIT_CLEAN, EXIT_DIAGNOSTICS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A bad flag value or configuration: reported in one line, exit 2."""


def _codes(text: str) -> frozenset[str]:
    codes = frozenset(c.strip().upper() for c in text.split(",") if c.strip())
    bad = [c for c in codes if not c.startswith("HFA")]
    if bad:
        raise argparse.ArgumentTypeError(f"not an automodel-lint code: {', '.join(sorted(bad))}")
    return codes




def _add_check(subparsers) -> None:
    from automodel_lint.report import FORMATS

    p = subparsers.add_parser("check", help="check files and directories (default: .)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to check (default: .)")
    p.add_argument("--output-format", choices=sorted(FORMATS), default="text")
    p.add_argument("--output-file", metavar="FILE", help="write the diagnostics to FILE instead of stdout")
    p.add_argument("--config", metavar="FILE", help="read settings from FILE instead of the nearest pyproject.toml")
    p.add_argument("--offline", action="store_true", default=None, help="never use the network (also HF_HUB_OFFLINE=1)")
    p.add_argument("--locked", action="store_true", help="resolve models only from the lock file, the config and local paths")
    p.add_argument("--select", type=_codes, metavar="CODES", help="only these codes or prefixes, comma-separated")
    p.add_argument("--ignore", type=_codes, metavar="CODES", help="skip these codes or prefixes")
    p.add_argument("--exclude", action="append", metavar="PATTERN", help="skip paths matching PATTERN (repeatable)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when diagnostics are found")
    p.add_argument("--max-file-size", type=_size, metavar="BYTES", help="skip larger files (default: 2 MB)")
    p.add_argument("--cache-dir", metavar="DIR", help="automodel-lint's cache (default: ~/.cache/automodel-lint)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache of results")
    p.add_argument("--jobs", type=_jobs, metavar="N", help="processes that parse files (default: all cores)")
    p.add_argument("--network-timeout", type=_seconds, metavar="SECONDS", help="per Hub request (default: 3)")
    p.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    p.add_argument("--unsafe-fixes", action="store_true", default=None, help="also apply unsafe fixes")
    p.add_argument("--diff", action="store_true", help="print the fixes as unified diffs; write nothing")
    p.add_argument("--stdin-filename", metavar="NAME", help="the name of the file read from stdin (PATH `-`)")
    p.set_defaults(func=_run_check)




def _cores() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _positive(cast, unit: str):
    """An argparse type: a positive number of `unit`, or a one-line usage error."""

    def parse(text: str):
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of {unit}: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError("must be positive")
        return value

    return parse


_size, _jobs, _seconds = _positive(int, "bytes"), _positive(int, "processes"), _positive(float, "seconds")


def _settings(args: argparse.Namespace):
    from pathlib import Path

    from automodel_lint import config

    try:
        if args.config:
            return config.load_file(Path(args.config))
        start = args.paths[0] if args.paths and args.paths[0] != "-" else "."
        return config.discover(Path(start))
    except config.ConfigError as exc:
        raise UsageError(str(exc)) from None


def _first(*values):
    return next((v for v in values if v is not None), None)


def options_from(args: argparse.Namespace):
    """Command-line flags win over the configuration file, which wins over the defaults."""
    import os

    from automodel_lint.engine import Options
    from automodel_lint.sources import DEFAULT_MAX_FILE_SIZE

    settings = _settings(args)
    env_offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")
    exclude = tuple(args.exclude) if args.exclude else (settings.exclude or ())
    return Options(
        select=_first(args.select, settings.select),
        ignore=_first(args.ignore, settings.ignore) or frozenset(),
        offline=bool(_first(args.offline, settings.offline)) or env_offline,
        max_file_size=_first(args.max_file_size, settings.max_file_size, DEFAULT_MAX_FILE_SIZE),
        cache_dir=_first(args.cache_dir, os.environ.get("AUTOMODEL_LINT_CACHE_DIR") or None, settings.cache_dir),
        network_timeout=_first(args.network_timeout, settings.network_timeout),
        exclude=exclude + settings.extend_exclude,
        models=settings.models,
        locked=args.locked,
        result_cache=not args.no_cache,
        jobs=args.jobs or _cores(),
        unsafe_fixes=bool(settings.unsafe_fixes),
        project_root=str(settings.project_root) if settings.project_root else None,
    )


def _run_check(args: argparse.Namespace) -> int:
    from automodel_lint.engine import check_paths, check_source
    from automodel_lint.report import FORMATS
    from automodel_lint.report.summary import notes, summary_line

    options = options_from(args)
    from_stdin = args.paths == ["-"]
    if "-" in args.paths and not from_stdin:
        raise UsageError("`-` (stdin) cannot be combined with other paths")
    if from_stdin:
        report = check_source(args.stdin_filename or "-", sys.stdin.buffer.read(), options)
    else:
        report = check_paths(args.paths or ["."], options)
    fixes = None
    if args.fix or args.diff:
        from automodel_lint.autofix import fix_report

        unsafe = bool(_first(args.unsafe_fixes, options.unsafe_fixes))
        fixes = fix_report(report, options, unsafe=unsafe, write=args.fix and not args.diff and not from_stdin)

    # stdout holds the one thing asked for: fixed source (stdin --fix), diffs (--diff), or the diagnostics.
    if from_stdin and args.fix and not args.diff:
        sys.stdout.buffer.write(fixes.fixed_sources.get(report.files[0].path, report.sources.get(report.files[0].path))
                                or _stdin_echo(report))
        sys.stdout.flush()
        FORMATS["text"](report, sys.stderr)
        summary_stream = sys.stderr
    elif args.diff:
        sys.stdout.write("".join(fixes.diffs))
        summary_stream = sys.stderr
    else:
        _write_output(report, args)
        # In machine-readable formats stdout holds only the output; the summary goes to stderr.
        plain = args.output_format == "text" and not args.output_file
        summary_stream = sys.stdout if plain else sys.stderr
    sys.stdout.flush()  # keep stdout and stderr in reading order on a terminal
    for line in notes(report) + (fixes.failures if fixes else []):
        print(line, file=sys.stderr)
    sys.stderr.flush()
    print(summary_line(report, fixes, diff=args.diff), file=summary_stream)
    if report.problems:
        return EXIT_ERROR  # a path that could not be read is not a clean result, whatever was found elsewhere
    if options.locked:
        missing = [u.model_id for u in report.unresolved if "lock file" in u.reason]
        if missing:
            print(f"automodel-lint: error: {len(missing)} model id(s) missing from the lock file"
                  f" (run `automodel-lint lock`): {', '.join(repr(m) for m in missing)}", file=sys.stderr)
            return EXIT_ERROR
    if args.exit_zero:
        return EXIT_CLEAN
    if fixes and (fixes.changed or fixes.failures):
        return EXIT_DIAGNOSTICS  # pre-commit's contract: a hook that changed files fails the commit
    return EXIT_DIAGNOSTICS if report.diagnostics else EXIT_CLEAN


def _write_output(report, args: argparse.Namespace) -> None:
    from automodel_lint.report import FORMATS

    if not args.output_file:
        FORMATS[args.output_format](report, sys.stdout)
        return
    try:
        with open(args.output_file, "w", encoding="utf-8", newline="") as out:
            FORMATS[args.output_format](report, out)
    except OSError as exc:
        raise UsageError(f"cannot write {args.output_file}: {exc.strerror or exc}") from None


def _stdin_echo(report) -> bytes:
    """The stdin bytes unchanged, for `--fix` on stdin when nothing was fixed (an editor must get its buffer back)."""
    return report.stdin_bytes


def _add_rules(subparsers) -> None:
    p = subparsers.add_parser("rules", help="list the rules")
    p.set_defaults(func=_run_rules)


def _run_rules(args: argparse.Namespace) -> int:
    from automodel_lint.rules.docs import listing

    print(listing(), end="")
    return EXIT_CLEAN


def _add_explain(subparsers) -> None:
    p = subparsers.add_parser("explain", help="show a rule's documentation, with a wrong and a right example")
    p.add_argument("code", metavar="CODE", help="e.g. HFA001")
    p.set_defaults(func=_run_explain)


def _run_explain(args: argparse.Namespace) -> int:
    from automodel_lint.rules import RULES_BY_CODE
    from automodel_lint.rules.docs import explain

    code = args.code.strip().upper()
    if code not in RULES_BY_CODE:
        raise UsageError(f"no rule {args.code!r}; `automodel-lint rules` lists them")
    print(explain(code), end="")
    return EXIT_CLEAN


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="automodel-lint",
        description="Catch Hugging Face checkpoints loaded with the wrong Auto class, before the code runs.",
    )
    parser.add_argument("--version", action="version", version=f"automodel-lint {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_check(subparsers)
    _add_rules(subparsers)
    _add_explain(subparsers)
    from automodel_lint.engine import collect_requests
    from automodel_lint.facts import commands

    commands.register(subparsers, collect_requests=collect_requests)
    return parser


def _command_error():
    from automodel_lint.facts.commands import CommandError

    return CommandError


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"automodel-lint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except _command_error() as exc:
        print(f"automodel-lint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as exc:  # a crash must still end with exit 2 and one readable line
        if "AUTOMODEL_LINT_DEBUG" in __import__("os").environ:
            raise
        print(f"automodel-lint: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("automodel-lint: set AUTOMODEL_LINT_DEBUG=1 for the traceback, and please report it", file=sys.stderr)
        return EXIT_ERROR
