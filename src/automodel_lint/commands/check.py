"""`automodel-lint check [PATH ...]`: lint files and directories (or stdin), print or fix what is found.

Flags mean what they mean in ruff: `--output-format` (full by default, concise, json, json-lines, sarif, github,
gitlab, junit), `--statistics`, `--show-fixes`, `-q/--quiet`, `-s/--silent`, `--color`, `--extend-select`,
`--extend-ignore`, `--force-exclude`, `--add-noqa` and `--show-settings`.
"""

from __future__ import annotations

import argparse
import os
import sys

from automodel_lint.commands import EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND, add_network_flags, network_flags, positive
from automodel_lint.options import UsageError


def _codes(text: str) -> frozenset[str]:
    from automodel_lint.config import ConfigError, check_codes

    try:
        return check_codes(text.split(","))
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers) -> None:
    from automodel_lint.report import DEFAULT_FORMAT, FORMATS

    p = subparsers.add_parser("check", help="check files and directories (default: .)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to check (default: .)")
    p.add_argument("--output-format", choices=sorted(FORMATS), default=DEFAULT_FORMAT,
                   help=f"how diagnostics are written (default: {DEFAULT_FORMAT}; text is concise's old name)")
    p.add_argument("--output-file", metavar="FILE", help="write the diagnostics to FILE instead of stdout")
    p.add_argument("--config", metavar="FILE", help="read settings from FILE instead of the nearest pyproject.toml")
    add_network_flags(p)
    p.add_argument("--locked", action="store_true",
                   help="resolve models only from the lock file, the config and local paths")
    p.add_argument("--select", type=_codes, metavar="CODES", help="only these codes or prefixes, comma-separated")
    p.add_argument("--extend-select", type=_codes, metavar="CODES", help="add these codes to the selected ones")
    p.add_argument("--ignore", type=_codes, metavar="CODES", help="skip these codes or prefixes")
    p.add_argument("--extend-ignore", type=_codes, metavar="CODES", help="skip these codes too")
    p.add_argument("--exclude", action="append", metavar="PATTERN", help="skip paths matching PATTERN (repeatable)")
    p.add_argument("--force-exclude", action="store_true",
                   help="apply the excludes to files named on the command line too (as pre-commit names them)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when diagnostics are found")
    p.add_argument("--max-file-size", type=positive(int, "bytes"), metavar="BYTES",
                   help="skip larger files (default: 2 MB)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache of results")
    p.add_argument("--jobs", type=positive(int, "processes"), metavar="N",
                   help="processes that parse files (default: all cores)")
    p.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    p.add_argument("--unsafe-fixes", action="store_true", default=None, help="also apply unsafe fixes")
    p.add_argument("--preview", action="store_true", default=None,
                   help="also run the preview rules (new rules not yet on by default; `automodel-lint rules` names them)")
    p.add_argument("--diff", action="store_true", help="print the fixes as unified diffs; write nothing")
    p.add_argument("--show-fixes", action="store_true", help="list the fixes applied (or, without --fix, fixable)")
    p.add_argument("--add-noqa", action="store_true", help="add `# noqa: CODE` to each line with a diagnostic")
    p.add_argument("--statistics", action="store_true", help="count the diagnostics per code instead of listing them")
    p.add_argument("--show-settings", action="store_true", help="print the resolved settings and where each came from")
    p.add_argument("-q", "--quiet", action="store_true", help="print the diagnostics only, no summary")
    p.add_argument("-s", "--silent", action="store_true", help="print nothing; the exit code says it all")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the text formats (auto: on a terminal, unless NO_COLOR; FORCE_COLOR forces it)")
    p.add_argument("--show-unjudged", action="store_true",
                   help="list every call found but not judged, and why (on stderr in machine-readable formats)")
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


def options_from(args: argparse.Namespace, settings=None):
    """The run's options: the settings file found from the first path (or `--config`), these flags, the environment."""
    from automodel_lint.options import build_options

    return build_options(
        settings or settings_from(args), **network_flags(args),
        select=args.select, ignore=args.ignore, extend_select=args.extend_select, extend_ignore=args.extend_ignore,
        max_file_size=args.max_file_size, exclude=args.exclude,
        unsafe_fixes=args.unsafe_fixes, preview=args.preview, locked=args.locked, result_cache=not args.no_cache, jobs=args.jobs or _cores(),
        target_transformers=args.target_transformers,
    )


def settings_from(args: argparse.Namespace):
    from automodel_lint.options import load_settings

    start = args.paths[0] if args.paths and args.paths[0] != "-" else "."
    return load_settings(start, args.config)


def use_colour(choice: str, stream) -> bool:
    """ruff's rule: `always`/`never` win; else FORCE_COLOR forces it, NO_COLOR turns it off, and otherwise
    colour only on a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", None) and stream.isatty())


def _missing(paths: list[str]) -> list[str]:
    return [p for p in paths if p != "-" and not os.path.lexists(p)]


def run(args: argparse.Namespace) -> int:
    from automodel_lint.engine import check_paths, check_source
    from automodel_lint.report import FORMATS
    from automodel_lint.report.summary import notes, summary_line, unjudged_lines

    settings = settings_from(args)
    options = options_from(args, settings)
    if args.show_settings:
        from automodel_lint.commands.settings_view import show_settings

        show_settings(settings, options, args, sys.stdout)
        return EXIT_CLEAN
    from_stdin = args.paths == ["-"]
    if "-" in args.paths and not from_stdin:
        raise UsageError("`-` (stdin) cannot be combined with other paths")
    if args.add_noqa and (args.fix or args.diff or from_stdin):
        raise UsageError("--add-noqa edits the files named; it cannot be combined with --fix, --diff or stdin")
    missing = _missing(args.paths)
    if missing:
        for path in missing:
            print(f"automodel-lint: error: {path}: No such file or directory", file=sys.stderr)
        return EXIT_ERROR
    if from_stdin:
        report = check_source(args.stdin_filename or "-", sys.stdin.buffer.read(), options)
    else:
        report = check_paths(_named(args, options), options)
    if args.add_noqa:
        return _add_noqa(report, args)
    fixable = _fixable(report)
    fixes = None
    if args.fix or args.diff:
        from automodel_lint.autofix import fix_report

        fixes = fix_report(report, options, unsafe=options.unsafe_fixes,
                           write=args.fix and not args.diff and not from_stdin, diff=args.diff)

    # stdout holds the one thing asked for: fixed source (stdin --fix), diffs (--diff), or the diagnostics.
    plain = args.output_format in {"full", "concise", "text"} and not args.output_file
    if from_stdin and args.fix and not args.diff:
        sys.stdout.buffer.write(fixes.fixed_sources.get(report.files[0].path, report.sources.get(report.files[0].path))
                                or _stdin_echo(report))
        sys.stdout.flush()
        if not args.silent:
            FORMATS["concise"](report, sys.stderr, color=use_colour(args.color, sys.stderr))
        summary_stream = sys.stderr
    elif args.diff:
        if not args.silent:
            sys.stdout.write("".join(fixes.diffs))
        summary_stream = sys.stderr
    else:
        if not args.silent:
            _write_output(report, args)
        # In machine-readable formats stdout holds only the output; the summary goes to stderr.
        summary_stream = sys.stdout if plain else sys.stderr
    if args.show_fixes and not args.silent:
        from automodel_lint.commands.fix_list import fix_list

        print(fix_list(fixable, _fixable(report), fixes is not None and not args.diff), file=summary_stream)
    for line in unjudged_lines(report) if args.show_unjudged and not args.silent else []:
        print(line, file=summary_stream)
    sys.stdout.flush()  # keep stdout and stderr in reading order on a terminal
    if not args.silent:
        for line in notes(report) + (fixes.failures if fixes else []):
            print(line, file=sys.stderr)
        sys.stderr.flush()
    if not (args.quiet or args.silent):
        from automodel_lint.target import summary

        print(f"{summary_line(report, fixes, diff=args.diff)} {summary(report.target)}", file=summary_stream)
    if report.problems:
        return EXIT_ERROR  # a path that could not be read is not a clean result, whatever was found elsewhere
    if options.locked:
        missing = [u.model_id for u in report.unresolved if "lock file" in u.reason]
        if missing:
            from automodel_lint.unjudged import unresolved_line

            print(f"automodel-lint: error: missing from the lock file: {unresolved_line(missing)}", file=sys.stderr)
            return EXIT_ERROR
    if args.exit_zero:
        return EXIT_CLEAN
    if fixes and (fixes.changed or fixes.failures):
        return EXIT_FOUND  # pre-commit's contract: a hook that changed files fails the commit
    return EXIT_FOUND if report.diagnostics else EXIT_CLEAN


def _named(args: argparse.Namespace, options) -> list[str]:
    """The paths to check; under --force-exclude, less those the excludes name (pre-commit names every file)."""
    paths = args.paths or ["."]
    if not args.force_exclude:
        return paths
    from automodel_lint.sources import force_excluded

    return [p for p in paths if not force_excluded(p, options.exclude)]


def _fixable(report) -> dict[str, list]:
    """Per file, the diagnostics that carry a fix: compared before and after fixing, they say what was fixed."""
    return {r.path: [d for d in r.diagnostics if d.fix is not None] for r in report.files}


def _add_noqa(report, args: argparse.Namespace) -> int:
    from automodel_lint.addnoqa import add_noqa

    added, failures = add_noqa(report)
    if not args.silent:
        for line in failures:
            print(line, file=sys.stderr)
        if not args.quiet:
            print(f"Added {added} noqa directive{'s' if added != 1 else ''}.", file=sys.stderr)
    if report.problems:
        return EXIT_ERROR
    return EXIT_FOUND if failures and not args.exit_zero else EXIT_CLEAN  # a diagnostic left unsilenced remains


def _write_output(report, args: argparse.Namespace) -> None:
    from automodel_lint.report import FORMATS

    def write(out, color: bool) -> None:
        if args.statistics:
            from automodel_lint.commands.statistics import write_statistics

            write_statistics(report, out, json_format=args.output_format.startswith("json"))
        else:
            FORMATS[args.output_format](report, out, color=color)

    if not args.output_file:
        write(sys.stdout, use_colour(args.color, sys.stdout))
        return
    try:
        with open(args.output_file, "w", encoding="utf-8", newline="") as out:
            write(out, args.color == "always")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output_file}: {exc.strerror or exc}") from None


def _stdin_echo(report) -> bytes:
    """The stdin bytes unchanged, for `--fix` on stdin when nothing was fixed (an editor must get its buffer back)."""
    return report.stdin_bytes
