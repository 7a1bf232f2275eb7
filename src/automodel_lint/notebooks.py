"""Jupyter notebooks (`.ipynb`, nbformat 4): their code cells as one Python source, and back.

The code cells are joined into one module, because a call in cell 5 uses the import of cell 1. Pure
functions, no I/O:

    nb = read_notebook(data: bytes) -> NotebookSource      # NotebookError if it is not a notebook
    nb.source: str                    # the Python text to analyse (the engine encodes it as UTF-8)
    nb.position(line) -> Position     # a line of nb.source -> Position(cell, line): `cell` is the index
                                      # in the notebook's "cells" list (0-based: every cell counts,
                                      # markdown too); `line` is 1-based within that cell's source.
                                      # Columns are unchanged. Show it as `path:cell:line:col` with
                                      # cell + 1 (as the notebook's cells are counted from the top).
    split_source(nb, fixed: str) -> dict[int, str]    # the fixed nb.source -> {cell index: new source}
                                                      # for the cells that changed, escapes restored
    replace_cell_sources(data: bytes, changes) -> bytes   # the notebook with only those sources replaced
    apply_fixed_source(data, nb, fixed) -> bytes      # the two above in one step

How the source is built (so that lines inside a cell keep their numbers):
- Cells other than code cells are left out, and so is every cell of a notebook whose kernel is not Python.
- A code cell whose first line is a cell magic (`%%bash`, `%%writefile`, ...) is left out whole: its body is
  not Python, or is run by a magic whose effects we cannot see. `%%capture`, `%%time`, `%%timeit` and `%%prun`
  run their body as Python in the notebook's namespace: that body is read like any cell.
- IPython escapes at the start of a logical line (`!cmd`, `%magic`, `?obj`, `obj?`, `/f x`, `x = !cmd`,
  `x = %magic`, and the backslash-continued lines that belong to them) become a placeholder line: `pass`
  (or `x = ...` for an assignment) at the same indentation, so an escape inside a block keeps the block
  valid and a name assigned from a shell command stays "assigned, value unknown".
- Consecutive code cells are separated by one comment line, `# automodel-lint: cell N`, so that a fixed
  source can be cut back into its cells even when a fix changes the number of lines (an import line added).
- A lone surrogate (JSON allows `"\\ud800"`; no Python file can hold it) reads as U+FFFD, one character for one,
  so positions stay; the writer puts the original line back, and refuses (NotebookError, this file only) when a
  fix changed that very line.
- Lines are split as Jupyter splits them: at \n, \r\n and \r only (U+2028, \f and the like stay inside a line).

The writer never re-serialises the notebook: it finds each changed cell's `source` value in the original
text and replaces only those characters, in the style found there (a list of lines or one string, the
same indentation and separators, ASCII escapes or not; an unchanged line keeps its original JSON text).
Everything else, key order, outputs, metadata, the final newline, stays byte for byte.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from dataclasses import dataclass
from json.decoder import scanstring
from typing import Iterator, Mapping, Sequence

MARK = "automodel-lint:"
ESCAPE_PLACEHOLDER = f"pass  # {MARK} ipython escape"
CONTINUATION_PLACEHOLDER = f"# {MARK} ipython escape"
ESCAPE_START = ("!", "%", "?", "/", ",", ";")  # a logical line starting so is never Python
ASSIGNED_ESCAPE = re.compile(r"(?P<indent>[ \t]*)(?P<lhs>[\w.,\s*()\[\]]+?)\s*=\s*[!%]")
CELL_MAGIC = "%%"
# Cell magics that run their body as Python in the notebook's namespace: the body is analysed, the magic line
# becomes a placeholder like any other escape.
PYTHON_CELL_MAGICS = frozenset({"capture", "time", "timeit", "prun"})


class NotebookError(ValueError):
    """Not a notebook we can read or write: invalid JSON, no `cells` list, a cell without a source."""


@dataclass(frozen=True)
class Position:
    cell: int  # index into the notebook's "cells" list, 0-based
    line: int  # 1-based, within that cell's source
    shift: int = 0  # columns taken off the line's start for the analysis (a `>>> ` prompt): add them back to show


@dataclass(frozen=True)
class _Cell:
    index: int
    original: str  # the cell's source as the notebook holds it, joined
    escapes: tuple[tuple[str, str], ...]  # (placeholder line, original line), in order
    unencodable: tuple[tuple[str, str], ...]  # (the line with U+FFFD, the line with its lone surrogates), in order
    newline_added: bool  # the source did not end with a newline; one was added to keep cells apart


@dataclass(frozen=True)
class CellError:
    """A code cell that does not parse: left out of the analysis (its lines become comments), reported in place."""

    line: int  # the line of `NotebookSource.source` where Python reports the error
    column: int
    message: str


@dataclass(frozen=True)
class NotebookSource:
    source: str
    positions: tuple[Position, ...]  # one per line of `source`
    cells: tuple[_Cell, ...]  # the code cells in `source`, in order
    language: str | None = None  # the kernel's language as the metadata names it
    errors: tuple[CellError, ...] = ()  # the cells that do not parse, each at its own place

    def position(self, line: int) -> Position:
        """Where line `line` (1-based) of `source` is in the notebook. A separator line maps to the line after
        the end of the cell before it, which is where a parser reports a cell that ends too early."""
        if not self.positions:
            return Position(0, max(line, 1))
        if line > len(self.positions):
            last = self.positions[-1]
            return Position(last.cell, last.line + line - len(self.positions))
        return self.positions[max(line, 1) - 1]


def separator(cell_index: int) -> str:
    return f"# {MARK} cell {cell_index + 1}\n"


# A separator line in the joined code's bytes, its cell number included.
SEPARATOR = re.compile(rb"^# " + re.escape(MARK.encode()) + rb" cell [0-9]+$", re.MULTILINE)


# Reading


def _kernel_language(metadata: object) -> str | None:
    if not isinstance(metadata, dict):
        return None
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        value = metadata.get(key)
        if isinstance(value, dict) and isinstance(value.get(field), str):
            return value[field]
    return None


def _joined(source: object, index: int) -> str:
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    raise NotebookError(f"cell {index + 1}: `source` is neither a string nor a list of strings")


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"not UTF-8: {exc}") from None


def _load(text: str) -> dict:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise NotebookError(f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
        raise NotebookError("no `cells` list (only nbformat 4 notebooks are read)")
    return doc


def read_notebook(data: bytes | str) -> NotebookSource:
    doc = _load(_decode(data))
    language = _kernel_language(doc.get("metadata"))
    if language is not None and language.lower() not in ("python", "python3", "ipython"):
        return NotebookSource("", (), (), language)
    parts: list[str] = []
    positions: list[Position] = []
    cells: list[_Cell] = []
    errors: list[CellError] = []
    for index, cell in enumerate(doc["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        original = _joined(cell.get("source", ""), index)
        first = _first_code_line(original)
        if first.startswith(CELL_MAGIC) and first[len(CELL_MAGIC):].split(" ")[0].strip() not in PYTHON_CELL_MAGICS:
            continue
        text = original if original.endswith(("\n", "\r")) or not original else original + "\n"
        held = _lines(text)  # the lines as the cell holds them
        lines, unencodable = _encodable(held)
        lines, escapes = _python_lines(lines)
        if cells:
            parts.append(separator(index))
            before = cells[-1]
            positions.append(Position(before.index, len(_lines(before.original)) + 1))
        error = _parse_error(lines)
        if error is not None:
            # Jupyter runs each cell on its own: one that does not parse stops only itself, so it is reported
            # there and the other cells are still checked.
            errors.append(CellError(len(positions) + error[0], error[1], error[2]))
            lines = [CONTINUATION_PLACEHOLDER + _ending(line) for line in held]
            escapes = list(zip(lines, held))
        parts.extend(lines)
        positions.extend(Position(index, n, _prompt_width(held[n - 1], line) if n <= len(held) else 0)
                         for n, line in enumerate(lines, 1))
        cells.append(_Cell(index, original, tuple(escapes), tuple(unencodable), text != original))
    return NotebookSource("".join(parts), tuple(positions), tuple(cells), language, tuple(errors))


def _prompt_width(held: str, analysed: str) -> int:
    """How many characters a prompt took off the start of the line (`>>> x` analysed as `x`), else 0."""
    return len(held) - len(analysed) if held != analysed and _PROMPT.match(held) and held.endswith(analysed) else 0


def _parse_error(lines: Sequence[str]) -> tuple[int, int, str] | None:
    """(line, column, message) where the cell's Python (escapes replaced) fails to parse, or None.
    Top-level `await` is IPython's, so it is allowed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile("".join(lines), "<cell>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError as exc:
        return max(exc.lineno or 1, 1), max(exc.offset or 1, 1), exc.msg
    return None  # text no source can hold (a lone surrogate) fails later, as the notebook's own skip note


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _lines(text: str) -> list[str]:
    """Lines as Python counts them: str.splitlines also breaks at \v, \f, U+2028 and others, Python does not."""
    return _LINE.findall(text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(lines: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """The lines with each lone surrogate as U+FFFD (so the source can be encoded as UTF-8), and what was replaced."""
    out, replaced = [], []
    for line in lines:
        clean = _SURROGATE.sub("\ufffd", line)
        if clean != line:
            replaced.append((clean, line))
        out.append(clean)
    return out, replaced


def _first_code_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _python_lines(cell_lines: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """The cell's lines with each IPython escape replaced by its placeholder (and `>>> ` prompts taken off), and
    what was replaced: (line as analysed, line as the cell holds it)."""
    out: list[str] = []
    escapes: list[tuple[str, str]] = []
    depth, quote, continued = 0, None, False
    in_escape = False  # inside the backslash-continued lines of an escape
    for original, line in zip(cell_lines, _without_prompts(cell_lines)):
        if in_escape:
            placeholder = _indent(line) + CONTINUATION_PLACEHOLDER + _ending(line)
            out.append(placeholder)
            escapes.append((placeholder, original))
            in_escape = _continues(line)
            continue
        at_start = depth == 0 and quote is None and not continued
        if at_start and (_is_escape(line) or _is_automagic(line)):
            placeholder = _placeholder(line)
            out.append(placeholder)
            escapes.append((placeholder, original))
            in_escape = _continues(line)
            continue
        depth, quote, continued, code = _scan(line, depth, quote)
        if at_start and depth == 0 and quote is None and not continued and code.rstrip().endswith("?"):
            # `obj?` / `obj??`: IPython's help, never Python. Only a one-line statement is recognised.
            placeholder = _placeholder(line)
            out.append(placeholder)
            escapes.append((placeholder, original))
            continue
        out.append(line)
        if line != original:
            escapes.append((line, original))  # a prompt taken off: put back when the cell is written
    return out, escapes


# IPython's classic_prompt transformer: when a cell's first line (or its second) carries a `>>> ` or `... `
# prompt, the prompt is taken off every line that has one.
_PROMPT = re.compile(r"^(>>>|\.\.\.)( |$)")
_FIRST_PROMPT = re.compile(r"^>>>( |$)")


def _without_prompts(lines: Sequence[str]) -> list[str]:
    if not lines or not (_FIRST_PROMPT.match(lines[0]) or (len(lines) > 1 and _PROMPT.match(lines[1]))):
        return list(lines)
    return [_PROMPT.sub("", line, count=1) for line in lines]


# Line magics and shell aliases that IPython's automagic runs without `%` (`pip install x`, `cd ..`), when the
# line is not Python on its own. A defined name of the same spelling makes it Python, and it then parses.
AUTOMAGICS = frozenset(
    "alias autoawait autocall automagic bookmark cat cd clear colors conda config cp debug dhist dirs doctest_mode"
    " ed edit env gui history killbgscripts ldir less lf lk ll load load_ext loadpy logoff logon logstart logstate"
    " logstop ls lsmagic lx macro magic mamba man matplotlib micromamba mkdir more mv notebook page pastebin pdb"
    " pdef pdoc pfile pinfo pinfo2 pip popd pprint precision prun psearch psource pushd pwd pycat pylab quickref"
    " recall rehashx reload_ext rep rerun reset reset_selective rm rmdir run save sc set_env sx system tb time"
    " timeit unalias unload_ext uv who who_ls whos xdel xmode".split()
)


def _is_automagic(line: str) -> bool:
    words = line.split(None, 1)
    if not words or words[0] not in AUTOMAGICS:
        return False
    # IPython's AssignmentChecker and PythonOpsChecker: a name followed by an operator (`config = Cls(`,
    # `system += (`, `ls, x = ...`) is Python that goes on over the next lines, never the `%config` magic. (IPython
    # 7 and later apply automagic only to a cell of one line; older ones to any line: both are read as Python here.)
    rest = words[1] if len(words) > 1 else ""
    if rest[:1] and rest[0] in "!=()<>,+*/%^&|":
        return False
    return _parse_error([line.strip() + "\n"]) is not None


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _continues(line: str) -> bool:
    return line.rstrip("\r\n").endswith("\\")


def _is_escape(line: str) -> bool:
    stripped = line.lstrip(" \t")
    return stripped.startswith(ESCAPE_START) or ASSIGNED_ESCAPE.match(line) is not None


def _placeholder(line: str) -> str:
    assigned = ASSIGNED_ESCAPE.match(line)
    if assigned and not line.lstrip(" \t").startswith(ESCAPE_START):
        body = f"{assigned.group('lhs').strip()} = ...  # {MARK} ipython escape"
    else:
        body = ESCAPE_PLACEHOLDER
    return _indent(line) + body + _ending(line)


def _scan(line: str, depth: int, quote: str | None) -> tuple[int, str | None, bool, str]:
    """Bracket depth and open string after `line`, whether a backslash continues it, and its code part.

    Just enough of Python's tokenizer to know whether the next line starts a logical line, where an
    escape may stand; what it gets wrong only matters in code that does not parse anyway.
    """
    i, n = 0, len(line)
    comment = n
    while i < n:
        c = line[i]
        if quote is not None:
            if c == "\\":
                i += 2
            elif line.startswith(quote, i):
                i += len(quote)
                quote = None
            else:
                i += 1
            continue
        if c == "#":
            comment = i
            break
        if c in "\"'":
            quote = c * 3 if line.startswith(c * 3, i) else c
            i += len(quote)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        i += 1
    body = line[:comment]
    if quote is not None and len(quote) == 1 and not _continues(line):
        quote = None  # an unterminated one-line string ends at the line's end (a syntax error the parser reports)
    continued = quote is None and comment == n and _continues(line)
    return depth, quote, continued, body.rstrip("\r\n")


# Writing


def split_source(nb: NotebookSource, fixed: str) -> dict[int, str]:
    """The new source of every code cell whose text differs in `fixed` (a fixed `nb.source`)."""
    chunks: list[list[str]] = [[]]
    expected = [separator(cell.index) for cell in nb.cells[1:]]
    for line in _lines(fixed):
        if len(chunks) - 1 < len(expected) and line == expected[len(chunks) - 1]:
            chunks.append([])
        else:
            chunks[-1].append(line)
    if len(chunks) != len(nb.cells) and nb.cells:
        raise NotebookError("the fixed source lost a cell boundary; the notebook is left as it was")
    changes: dict[int, str] = {}
    for cell, chunk in zip(nb.cells, chunks):
        text = _restore(cell, chunk)
        if text != cell.original:
            changes[cell.index] = text
    return changes


def _restore(cell: _Cell, lines: list[str]) -> str:
    lines = _put_back(lines, cell.escapes, f"cell {cell.index + 1}: the fixed source lost an IPython escape line")
    lines = _put_back(lines, cell.unencodable, f"cell {cell.index + 1}: a fix changed a line holding a lone "
                                               "surrogate (\\ud800-\\udfff), which cannot be written back")
    text = "".join(lines)
    if cell.newline_added and text.endswith("\n"):
        text = text[:-1]
    return text


def _put_back(lines: list[str], replaced: Sequence[tuple[str, str]], lost: str) -> list[str]:
    """`lines` with each replacement undone, in order; NotebookError(`lost`) if one is no longer there."""
    pending = list(replaced)
    out = []
    for line in lines:
        if pending and line == pending[0][0]:
            out.append(pending.pop(0)[1])
        else:
            out.append(line)
    if pending:
        raise NotebookError(lost)
    return out


def apply_fixed_source(data: bytes, nb: NotebookSource, fixed: str) -> bytes:
    changes = split_source(nb, fixed)
    return replace_cell_sources(data, changes) if changes else data


_WHITESPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WHITESPACE:
        i += 1
    return i


def _expect(text: str, i: int, char: str) -> None:
    if i >= len(text) or text[i] != char:
        raise NotebookError(f"unexpected JSON at offset {i}: expected {char!r}")


def _members(text: str, i: int) -> Iterator[tuple[str, int, int, int]]:
    """(key, key start, value start, value end) of the JSON object starting at text[i]."""
    _expect(text, i, "{")
    i = _skip(text, i + 1)
    if text[i : i + 1] == "}":
        return
    while True:
        _expect(text, i, '"')
        key_start = i
        key, i = scanstring(text, i + 1)
        i = _skip(text, i)
        _expect(text, i, ":")
        i = _skip(text, i + 1)
        _, end = _DECODER.raw_decode(text, i)
        yield key, key_start, i, end
        i = _skip(text, end)
        if text[i : i + 1] == ",":
            i = _skip(text, i + 1)
            continue
        _expect(text, i, "}")
        return


def _items(text: str, i: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each value of the JSON array starting at text[i]."""
    _expect(text, i, "[")
    i = _skip(text, i + 1)
    if text[i : i + 1] == "]":
        return
    while True:
        _, end = _DECODER.raw_decode(text, i)
        yield i, end
        i = _skip(text, end)
        if text[i : i + 1] == ",":
            i = _skip(text, i + 1)
            continue
        _expect(text, i, "]")
        return


def _last(found: Iterator[tuple[str, int, int, int]], key: str) -> tuple[int, int, int] | None:
    # json.loads keeps the last of duplicate keys; so does the writer.
    hit = None
    for name, key_start, start, end in found:
        if name == key:
            hit = (key_start, start, end)
    return hit


def _source_spans(text: str) -> dict[int, tuple[int, int, int]]:
    """Cell index -> (key start, value start, value end) of that cell's `source`."""
    i = _skip(text, 0)
    cells = _last(_members(text, i), "cells")
    if cells is None:
        raise NotebookError("no `cells` list")
    spans = {}
    for index, (start, _end) in enumerate(_items(text, cells[1])):
        if text[start] != "{":
            continue
        found = _last(_members(text, start), "source")
        if found is not None:
            spans[index] = found
    return spans


def _ensure_ascii(text: str) -> bool:
    if any(ord(c) > 127 for c in text):
        return False
    # Written by a tool that escapes everything beyond ASCII (json.dumps's default)?
    return re.search(r"\\u(?!00[0-7])[0-9a-fA-F]{4}", text) is not None


def _line_indent(text: str, i: int) -> str:
    start = text.rfind("\n", 0, i) + 1
    return text[start : start + len(text[start:i]) - len(text[start:i].lstrip(" \t"))]


def _indent_unit(text: str) -> str:
    """The document's indentation step, from its first member (nbformat writes one space)."""
    first = _skip(text, 0) + 1
    line_end = text.find("\n", first)
    if line_end < 0:
        return ""
    following = text[line_end + 1 :]
    return following[: len(following) - len(following.lstrip(" \t"))]


def _render_list(new: str, text: str, key_start: int, start: int, end: int, ensure_ascii: bool) -> str:
    old_items = list(_items(text, start))
    # Unchanged lines keep their exact JSON text, escapes and all.
    raw_of = {}
    for s, e in old_items:
        value = json.loads(text[s:e])
        if isinstance(value, str):
            raw_of[value] = text[s:e]
    items = [raw_of.get(line) or _json_string(line, ensure_ascii) for line in _lines(new)]
    if not items:
        return "[]"
    if old_items:
        opening = text[start + 1 : old_items[0][0]]
        closing = text[old_items[-1][1] : end - 1]
        between = text[old_items[0][1] : old_items[1][0]] if len(old_items) > 1 else "," + opening
    elif "\n" in text:
        indent = _line_indent(text, key_start)
        opening = "\n" + indent + _indent_unit(text)
        closing = "\n" + indent
        between = "," + opening
    else:
        opening, closing, between = "", "", ", "
    return "[" + opening + between.join(items) + closing + "]"


def _json_string(text: str, ensure_ascii: bool) -> str:
    """`text` as a JSON string; a lone surrogate as its \\u escape, the one way UTF-8 JSON can hold it."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=ensure_ascii))


def replace_cell_sources(data: bytes | str, changes: Mapping[int, str]) -> bytes:
    """`data` with the `source` of each cell in `changes` (cell index -> new text) replaced, nothing else."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not changes:
        return raw
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = _decode(raw)
    spans = _source_spans(text)
    ensure_ascii = _ensure_ascii(text)
    pieces, at = [], 0
    for index in sorted(changes):
        if index not in spans:
            raise NotebookError(f"cell {index + 1} has no `source` to replace")
        key_start, start, end = spans[index]
        if text[start] == "[":
            value = _render_list(changes[index], text, key_start, start, end, ensure_ascii)
        else:
            value = _json_string(changes[index], ensure_ascii)
        pieces += [text[at:start], value]
        at = end
    pieces.append(text[at:])
    return bom + "".join(pieces).encode("utf-8")
