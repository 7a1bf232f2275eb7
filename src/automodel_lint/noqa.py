"""`# noqa` comments: which diagnostics the author has silenced.

    filter_noqa(lines, diagnostics) -> list of the diagnostics that no comment silences

- `# noqa` silences every code on its line; `# noqa: HFA001,HFA002` (or `# NOQA:HFA001 HFA002`) only those
  codes, each also as a prefix (`# noqa: HFA` silences them all), as in flake8.
- A call written over several lines is silenced by a comment on its first or its last line.
- `# automodel-lint: noqa` alone on a line silences the whole file; `# automodel-lint: noqa: HFA002` only
  those codes in the whole file.

The inline syntax is flake8's own regular expression, so that a file checked by both the CLI and the
flake8 plugin is silenced the same way. Malformed comments therefore do what flake8 does with them:
`# noqa:` with no code, `# noqa : xyz` and `# noqa:xyz` silence the line. Only real comments count,
found with `tokenize`: a `"# noqa"` inside a string literal silences nothing. A file that does not
tokenize to the end keeps the comments found before the error.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Iterable, Sequence

from automodel_lint.records import Diagnostic

# flake8's NOQA_INLINE_REGEXP (flake8/defaults.py), kept identical on purpose.
NOQA_INLINE = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
NOQA_FILE = re.compile(
    r"#\s*automodel-lint\s*:\s*noqa(?:\s*:\s*(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?\s*$", re.I
)
_SPLIT = re.compile(r"[,\s]+")

ALL = frozenset({""})  # the empty prefix: every code starts with it


@dataclass(frozen=True)
class Silenced:
    """Per line, the code prefixes silenced there (ALL for a blanket comment), and the file-wide ones."""

    lines: dict[int, frozenset[str]]
    file: frozenset[str]

    def covers(self, diagnostic: Diagnostic) -> bool:
        code = diagnostic.code.upper()
        for prefixes in (self.file, self.lines.get(diagnostic.span.line), self.lines.get(diagnostic.span.end_line)):
            if prefixes and code.startswith(tuple(prefixes)):
                return True
        return False


def _codes(text: str | None) -> frozenset[str]:
    if text is None:
        return ALL
    return frozenset(c.upper() for c in _SPLIT.split(text) if c)


def comments(lines: Sequence[str]) -> Iterable[tuple[int, str, bool]]:
    """(line, comment text, whether the comment is alone on its line) for every real comment."""
    readline = io.StringIO("".join(lines)).readline
    try:
        for tok in tokenize.generate_tokens(readline):
            if tok.type == tokenize.COMMENT:
                line = tok.start[0]
                alone = tok.line[: tok.start[1]].strip() == ""
                yield line, tok.string, alone
    except (tokenize.TokenError, SyntaxError):
        # An unterminated string or bracket, bad indentation, a NUL byte: keep what was read before it.
        return


def silenced(lines: Sequence[str]) -> Silenced:
    per_line: dict[int, frozenset[str]] = {}
    file_wide: frozenset[str] = frozenset()
    for line, text, alone in comments(lines):
        if alone:
            whole = NOQA_FILE.match(text.strip())
            if whole:
                file_wide |= _codes(whole.group("codes"))
                continue
        inline = NOQA_INLINE.search(text)
        if inline:
            per_line[line] = per_line.get(line, frozenset()) | _codes(inline.group("codes"))
    return Silenced(per_line, file_wide)


def filter_noqa(lines: Sequence[str], diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that no `# noqa` comment in `lines` (the file's text, line ends kept) silences."""
    diagnostics = list(diagnostics)
    if not diagnostics or not any("noqa" in line.lower() for line in lines):
        return diagnostics  # the common case pays for no tokenizing
    found = silenced(lines)
    return [d for d in diagnostics if not found.covers(d)]
