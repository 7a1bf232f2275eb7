"""The subcommands, one module each (`rules` and `explain` share one): each has `register(subparsers)`, which adds
its parser and sets `func(args) -> exit code`. `cli.py` registers them all and maps errors to exit codes.

Exit codes follow ruff: 0 clean; 1 something to report (diagnostics, or model ids left unresolved); 2 usage,
configuration or internal error.
"""

from __future__ import annotations

import argparse

EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


def positive(cast, unit: str):
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


def add_network_flags(parser: argparse.ArgumentParser) -> None:
    """--offline, --cache-dir and --network-timeout, as check, resolve and lock share them."""
    parser.add_argument("--offline", action="store_true", default=None,
                        help="never use the network (also HF_HUB_OFFLINE=1 or TRANSFORMERS_OFFLINE=1)")
    parser.add_argument("--cache-dir", metavar="DIR", help="automodel-lint's cache (default: ~/.cache/automodel-lint)")
    parser.add_argument("--network-timeout", type=positive(float, "seconds"), metavar="SECONDS",
                        help="per Hub request (default: 3)")


def network_flags(args: argparse.Namespace) -> dict:
    """The values of `add_network_flags`' flags, as `options.build_options` takes them."""
    return {"offline": args.offline, "cache_dir": args.cache_dir, "network_timeout": args.network_timeout}
