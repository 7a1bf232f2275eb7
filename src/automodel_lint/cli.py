"""Command line: build the parser from the subcommands' modules, dispatch, map errors to exit codes.

Each subcommand lives in `automodel_lint.commands` (check, resolve, lock, cache, rules/explain). Exit codes follow
ruff: 0 clean, 1 diagnostics, 2 usage or internal error; an error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from typing import NoReturn, Sequence

from automodel_lint import __version__
from automodel_lint.commands import EXIT_ERROR
from automodel_lint.options import UsageError

# Each subcommand's module in `automodel_lint.commands`, by the names it registers; in the order of `--help`.
COMMANDS = {
    "check": "check", "rules": "rules", "explain": "rules", "resolve": "resolve", "lock": "lock", "cache": "cache",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser. Given the subcommand a run names, only that one's module is imported and registered (a
    pre-commit run of `check` does not pay for the others); otherwise all of them, for `--help` and for errors."""
    parser = argparse.ArgumentParser(
        prog="automodel-lint",
        description="Catch Hugging Face checkpoints loaded with the wrong Auto class, before the code runs.",
    )
    parser.add_argument("--version", action="version", version=f"automodel-lint {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = [COMMANDS[command]] if command in COMMANDS else dict.fromkeys(COMMANDS.values())
    for module in modules:
        importlib.import_module(f"automodel_lint.commands.{module}").register(subparsers)
    return parser


def run() -> NoReturn:
    """The console script (and `python -m automodel_lint`): `main()` as a process of its own.

    Two things cost a one-file run (what pre-commit hands a hook) 20 of its 170 ms and buy nothing there. The
    cyclic collector runs every 700 new objects while LibCST's thousands of node classes are created at import, and
    finds nothing to free: it runs every 100,000 here instead (a long run still collects). And tearing the
    interpreter down frees every module and object one by one: the process ends at once instead, after the output is
    flushed (every file this program writes is closed by then, and nothing it runs waits on `atexit`).
    """
    gc.set_threshold(100_000, 10, 10)
    code = main()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # pythonw has neither
                stream.flush()
    except (OSError, ValueError):  # a reader that went away (`| head`), a closed stream: the output is lost
        code = EXIT_ERROR
    if "coverage" in sys.modules:  # a measured run: coverage writes its data at exit
        sys.exit(code)
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"automodel-lint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as exc:  # a crash must still end with exit 2 and one readable line
        if "AUTOMODEL_LINT_DEBUG" in os.environ:
            raise
        print(f"automodel-lint: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("automodel-lint: set AUTOMODEL_LINT_DEBUG=1 for the traceback, and please report it", file=sys.stderr)
        return EXIT_ERROR
