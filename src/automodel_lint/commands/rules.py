"""`automodel-lint rules` lists the rules; `automodel-lint explain CODE` shows one rule's documentation."""

from __future__ import annotations

import argparse

from automodel_lint.commands import EXIT_CLEAN
from automodel_lint.options import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser("rules", help="list the rules")
    p.set_defaults(func=run_rules)
    p = subparsers.add_parser("explain", help="show a rule's documentation, with a wrong and a right example")
    p.add_argument("code", metavar="CODE", help="e.g. HFA001")
    p.set_defaults(func=run_explain)


def run_rules(args: argparse.Namespace) -> int:
    from automodel_lint.rules.docs import listing

    print(listing(), end="")
    return EXIT_CLEAN


def run_explain(args: argparse.Namespace) -> int:
    from automodel_lint.rules.docs import explain
    from automodel_lint.rules import RULES_BY_CODE

    code = args.code.strip().upper()
    if code not in RULES_BY_CODE:
        raise UsageError(f"no rule {args.code!r}; `automodel-lint rules` lists them")
    print(explain(code), end="")
    return EXIT_CLEAN
