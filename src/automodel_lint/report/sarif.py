"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: one run, every rule described, one result
per diagnostic.

Paths are written relative to the working directory (the repository root when a CI step runs the check
there) under the `%SRCROOT%` base, which is what code scanning matches against the repository's files.
Columns count Unicode code points, as LibCST reports them; the run says so (`columnKind`), because
SARIF's default is UTF-16 code units. What the run could not judge (skipped files, unreadable paths,
unresolved models, each call found but not judged) goes into the invocation's notifications, not into results.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from automodel_lint import __version__
from automodel_lint.engine import Report
from automodel_lint.records import Diagnostic, Span, Unjudged
from automodel_lint.report.summary import notes
from automodel_lint.rules import RULES, Rule, docs

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/automodel-lint/"
LEVELS = {"error": "error", "warning": "warning"}


def _uri(path: str) -> str:
    """A relative URI reference when the file is under the working directory, else an absolute file URI."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return absolute.as_uri()
    # A file name that is not UTF-8 reaches us with surrogate escapes: its URI holds its real bytes (`%FF`).
    return quote(relative.as_posix(), safe="/", errors="surrogateescape")


def _folder_uri(folder: Path) -> str:
    uri = folder.as_uri()
    return uri if uri.endswith("/") else uri + "/"  # SARIF requires a base URI to end with a slash


def _rule(rule: Rule) -> dict:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": docs.full_description(rule)},
        "help": {"text": docs.help_text(rule), "markdown": docs.help_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
        "properties": {"fix": rule.fix_safety},
    }


def _location(path: str, span: Span) -> dict:
    region = {"startLine": span.line, "startColumn": span.column,
              "endLine": span.end_line, "endColumn": span.end_column}
    return {"artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"}, "region": region}


def _unjudged(u: Unjudged) -> dict:
    """A call found but not judged: a notification at its place, since it is neither a result nor a pass."""
    note = {"level": "note", "message": {"text": f"not judged: {u.reason}"},
            "locations": [{"physicalLocation": _location(u.path, u.span)}]}
    if u.cell is not None:
        note["properties"] = {"cell": u.cell}
    return note


def _result(d: Diagnostic, rule_index: dict[str, int]) -> dict:
    location = _location(d.path, d.span)
    result = {
        "ruleId": d.code,
        "level": LEVELS.get(d.severity, "warning"),
        # SARIF viewers show the message's first line as the title and the rest below it: the teaching text.
        "message": {"text": d.message if not d.detail else f"{d.message}\n\n{d.detail}"},
        "locations": [{"physicalLocation": location}],
        "properties": {
            key: value
            for key, value in (
                ("model", d.model),
                ("called", d.called),
                ("suggestion", d.suggestion),
                ("fixApplicability", d.applicability),
                ("factsSource", d.facts_source),
                # A notebook diagnostic's lines count within its cell (see notebooks.py); SARIF has no cells.
                ("cell", d.cell),
            )
            if value is not None
        },
    }
    if d.code in rule_index:
        result["ruleIndex"] = rule_index[d.code]
    return result


def document(report: Report) -> dict:
    rules = list(RULES)
    rule_index = {rule.code: i for i, rule in enumerate(rules)}
    notifications = [{"level": "warning", "message": {"text": line}} for line in notes(report)]
    notifications += [_unjudged(u) for u in report.unjudged]
    invocation = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "automodel-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(rule) for rule in rules],
                    }
                },
                "invocations": [invocation],
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _folder_uri(Path.cwd())}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, rule_index) for d in report.diagnostics],
                "properties": {"knowledgeTable": report.table.version} if report.table is not None else {},
            }
        ],
    }


def write(report: Report, out: TextIO) -> None:
    json.dump(document(report), out, indent=2, ensure_ascii=False)
    out.write("\n")
