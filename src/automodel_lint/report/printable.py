"""Strings from outside (file names, model ids, config.json fields, server answers) made safe to show.

    printable("a\x1b]0;pwned\x07\n::warning file=x::forged")  ->  'a\\x1b]0;pwned\\x07\\n::warning file=x::forged'

Control characters (escape sequences start with one), newlines and Unicode's line and paragraph separators, format
characters (the bidi overrides that make text read in another order than it runs, zero-width characters) and lone
surrogates (which a UTF-8 stream cannot even encode) become visible Python-style escapes, so what is shown is one
line, in the order it is stored, and moves no cursor. Every other character, backslashes included, is kept: a
Windows path or a model id reads as it was written.
"""

from __future__ import annotations

import unicodedata

_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def printable(text: object) -> str:
    """`text` (made a string) on one line, with every hidden or cursor-moving character written as an escape."""
    text = str(text)
    if text.isprintable():
        return text  # the common case: isprintable is False for every character escaped below
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{code:02x}")
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
