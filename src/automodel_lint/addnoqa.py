"""`check --add-noqa`: silence every reported diagnostic with `# noqa: CODE` on its line, touching nothing else.

Each diagnostic's comment goes on the first line of its call, or on the last one when the first cannot hold a
comment (it ends inside a multi-line string, or with a backslash continuation): `noqa.py` honours either. A
line that has a `# noqa: X` comment gets the new codes added to it (`# noqa: X, HFA001`); any other comment is
kept and the directive follows it. Files are written through `files.write_atomic`, like fixes. A notebook gets the
directives in its cells' joined source, written back into its cells as `--fix` does (every other byte of the JSON
kept). Stdin and files that do not parse (HFA900) are not edited; each such diagnostic is named in the returned
lines.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections import defaultdict

from automodel_lint.files import WriteError, source_encoding, write_atomic
from automodel_lint.noqa import NOQA_INLINE
from automodel_lint.report.style import shown_path

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # Python's own line ends, not str.splitlines'
_ENDS = ("\r\n", "\r", "\n")


def add_noqa(report) -> tuple[int, list[str]]:
    """Add the directives for `report`'s diagnostics; (how many lines got one, what could not be silenced)."""
    added, failures = 0, []
    for result in report.files:
        if not result.diagnostics:
            continue
        path = result.path
        if path == "-" or any(d.code == "HFA900" for d in result.diagnostics):
            failures += [_failure(d, "not edited by --add-noqa (stdin or a file that does not parse)")
                         for d in result.diagnostics]
            continue
        try:
            if path in report.notebooks:
                n, left = _add_to_notebook(path, *report.notebooks[path], result.diagnostics)
            else:
                n, left = _add_to_file(path, report.sources.get(path), result.diagnostics)
        except (OSError, UnicodeError, WriteError, ValueError) as exc:
            failures.append(f"{shown_path(path)}: --add-noqa not applied: {getattr(exc, 'strerror', None) or exc}")
            continue
        added += n
        failures += [_failure(d, "no line of the call can hold a comment") for d in left]
    return added, failures


def _failure(d, why: str) -> str:
    return f"{shown_path(d.path)}:{d.span.line}:{d.span.column}: {d.code} {why}"


def _add_to_file(path: str, data: bytes | None, diagnostics) -> tuple[int, list]:
    if data is None:
        with open(path, "rb") as handle:
            data = handle.read()
    encoding = source_encoding(data)
    new_text, added, left = _with_directives(data.decode(encoding), diagnostics)
    new = new_text.encode(encoding)
    if added and new != data:
        write_atomic(path, new, expected=data)
    return added, left


def _add_to_notebook(path: str, data: bytes, notebook, diagnostics) -> tuple[int, list]:
    """The directives go into the cells' joined source (the diagnostics' lines count there), then back into the
    cells; a NotebookError (a ValueError) leaves the file as it was."""
    from automodel_lint.notebooks import apply_fixed_source

    new_text, added, left = _with_directives(notebook.source, diagnostics)
    if added and new_text != notebook.source:
        write_atomic(path, apply_fixed_source(data, notebook, new_text), expected=data)
    return added, left


def _with_directives(text: str, diagnostics) -> tuple[str, int, list]:
    """`text` with the directives added; how many lines got one; the diagnostics no line could take."""
    lines = _LINE.findall(text)
    comments, blocked = _scan(text)
    wanted: dict[int, set[str]] = defaultdict(set)
    left = []
    for d in diagnostics:
        line = next((n for n in (d.span.line, d.span.end_line)
                     if 0 < n <= len(lines) and n not in blocked and not _body(lines[n - 1]).endswith("\\")), None)
        if line is None:
            left.append(d)
        else:
            wanted[line].add(d.code)
    for number, codes in wanted.items():
        lines[number - 1] = _with_noqa(lines[number - 1], sorted(codes), comments.get(number))
    return "".join(lines), len(wanted), left


def _scan(text: str) -> tuple[dict[int, tuple[int, str]], set[int]]:
    """Per line, its comment (column, text); and the lines whose end lies inside a token (a multi-line string)."""
    comments, blocked = {}, set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = (tok.start[1], tok.string)
            elif tok.end[0] > tok.start[0] and tok.type not in (tokenize.NL, tokenize.NEWLINE):
                blocked.update(range(tok.start[0], tok.end[0]))
    except (tokenize.TokenError, SyntaxError):
        pass  # the checked file parsed; a tokenizer complaint here only means fewer comments are merged
    return comments, blocked


def _body(line: str) -> str:
    for end in _ENDS:
        if line.endswith(end):
            return line[: -len(end)]
    return line


def _with_noqa(line: str, codes: list[str], comment: tuple[int, str] | None) -> str:
    body, end = _body(line), line[len(_body(line)):]
    if comment is not None:
        column, text = comment
        match = NOQA_INLINE.search(text)
        if match and match.group("codes"):
            # Merge into the existing `# noqa: X` rather than writing a second directive on the line.
            at = column + match.start("codes") + len(match.group("codes").rstrip(", \t"))
            return body[:at] + ", " + ", ".join(codes) + body[at:] + end
    return f"{body}  # noqa: {', '.join(codes)}{end}"
