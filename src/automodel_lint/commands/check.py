"""`automodel-lint check [PATH ...]`: lint files and directories (or stdin), print or fix what is found."""

from __future__ import annotations

import argparse
import os
import sys

from automodel_lint.commands import EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND, add_network_flags, network_flags, positive
from automodel_lint.options import UsageError


def _codes(text: str) -> frozenset[str]:
    codes = frozenset(c.strip().upper() for c in text.split(",") if c.strip())
    bad = [c for c in codes if not c.startswith("HFA")]
    if bad:
        raise argparse.ArgumentTypeError(f"not an automodel-lint code: {', '.join(sorted(bad))}")
    return codes


def register(subparsers) -> None:
    from automodel_lint.report import FORMATS

    p = subparsers.add_parser("check", help="check files and directories (default: .)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to check (default: .)")
    p.add_argument("--output-format", choices=sorted(FORMATS), default="text")
    p.add_argument("--output-file", metavar="FILE", help="write the diagnostics to FILE instead of stdout")
    p.add_argument("--config", metavar="FILE", help="read settings from FILE instead of the nearest pyproject.toml")
    add_network_flags(p)
    p.add_argument("--locked", action="store_true",
                   help="resolve models only from the lock file, the config and local paths")
    p.add_argument("--select", type=_codes, metavar="CODES", help="only these codes or prefixes, comma-separated")
    p.add_argument("--ignore", type=_codes, metavar="CODES", help="skip these codes or prefixes")
    p.add_argument("--exclude", action="append", metavar="PATTERN", help="skip paths matching PATTERN (repeatable)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when diagnostics are found")
    p.add_argument("--max-file-size", type=positive(int, "bytes"), metavar="BYTES",
                   help="skip larger files (default: 2 MB)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache of results")
    p.add_argument("--jobs", type=positive(int, "processes"), metavar="N",
                   help="processes that parse files (default: all cores)")
    p.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    p.add_argument("--unsafe-fixes", action="store_true", default=None, help="also apply unsafe fixes")
    p.add_argument("--diff", action="store_true", help="print the fixes as unified diffs; write nothing")
    p.add_argument("--target-transformers", metavar="X.Y",
                   help="judge for this transformers release (default: the installed one, else the project's"
                   " declared requirement, else the newest bundled)")
    p.add_argument("--stdin-filename", metavar="NAME", help="the name of the file read from stdin (PATH `-`)")
    p.set_defaults(func=run)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def options_from(args: argparse.Namespace):
    """The run's options: the settings file found from the first path (or `--config`), these flags, the environment."""
    from automodel_lint.options import build_options, load_settings

    start = args.paths[0] if args.paths and args.paths[0] != "-" else "."
    return build_options(
        load_settings(start, args.config), **network_flags(args),
        select=args.select, ignore=args.ignore, max_file_size=args.max_file_size, exclude=args.exclude,
        unsafe_fixes=args.unsafe_fixes, locked=args.locked, result_cache=not args.no_cache, jobs=args.jobs or _cores(),
        target_transformers=args.target_transformers,
    )


def run(args: argparse.Namespace) -> int:
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

        fixes = fix_report(report, options, unsafe=options.unsafe_fixes,
                           write=args.fix and not args.diff and not from_stdin)

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
    from automodel_lint.target import summary

    print(f"{summary_line(report, fixes, diff=args.diff)} {summary(report.target)}", file=summary_stream)
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
        return EXIT_FOUND  # pre-commit's contract: a hook that changed files fails the commit
    return EXIT_FOUND if report.diagnostics else EXIT_CLEAN


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
