"""What of a file can matter: the statements LibCST has to read; every other line is dropped.

LibCST's parse, visit and position metadata cost about forty times the stdlib `ast` parse, and most of a
file that loads a model is code that cannot matter (training loops, whole trainer classes around one
`from_pretrained`). So the stdlib parser reads the file first, and only its statements, not every node:

- lines that mention `from_pretrained`, `from_config` or `pipeline` are found in the bytes; a function or
  class whose lines hold none is never walked (it becomes a one-line stub at its `def`/`class` line, which
  keeps the name it binds and, for a method, the `self.X` attributes it assigns);
- in the scopes that remain (the module, the functions and classes around those lines) each statement's
  bound and read names are collected, and a file whose candidate calls (`X.from_pretrained(...)`,
  `X.from_config(...)` or `pipeline(...)` with a head name bound by a `transformers` import, or by a name
  assigned one) turn out to be none is never handed to LibCST at all;
- the relevant names are the candidates' heads and everything they read, closed over the statements that
  bind a relevant name; a statement that holds no candidate, binds no relevant name and calls no method
  of one (`parser.add_argument(...)`) is dropped.

Dropped lines are removed rather than left empty (LibCST pays for every empty line as a node); the map
from each kept line to the file's line number comes along, and columns are unchanged, so a position found
in the reduced text maps back exactly. The finder stays the one implementation of what a call site is
and what a value holds: this module only decides what it need not read, and it errs on the side of
keeping (names without scopes, a textual superset for attribute assignments, and only statements that
own their lines are ever dropped). Definitions that declare `global`/`nonlocal` are kept whole.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import sys
import tokenize
import warnings
from dataclasses import dataclass

from automodel_lint.calls import CALL_NAMES, MENTION, PIPELINE
from automodel_lint.records import Span
from automodel_lint.sources import parse_hazard

_ALIASED = re.compile(rb"\b" + PIPELINE.name.encode() + rb"\s+as\b")
# Characters the stdlib's tokenizer and LibCST count differently in a line (and that str.splitlines breaks
# lines at): a file holding one takes its call positions from LibCST, the one the fixer looks calls up by.
_POSITION_HAZARDS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Writes that reach names from afar (`global`/`nonlocal`, `globals()[...] = ...`, `os.environ[...] = ...`, and the
# import of `environ` they may use, `setattr` on a module, `sys.argv` written), `AutoX.register(...)`, which
# extends what a class loads, and a model handed to `generate(..., assistant_model=...)`, which says why it is
# loaded as it is: kept wherever they are.
_SCOPE_ESCAPE = re.compile(
    rb"\b(?:global|nonlocal)\b|\b(?:globals|vars)\s*\(\s*\)\s*(?:\[|\.\s*update)|\bassistant_model\s*="
    rb"|\benviron\s*(?:\[[^\]]*\]\s*=[^=]|\.\s*(?:setdefault|update|pop|popitem|clear|__setitem__)\b)"
    rb"|\bimport\b.*\benviron\b|\bsetattr\s*\(\s*(?:sys\s*\.\s*modules|importlib)\b"
    rb"|\bargv\s*(?:\[[^\]]*\]\s*)?(?:[-+]?=(?!=)|\.\s*(?:append|extend|insert|clear|pop|remove)\b)"
    rb"|\.\s*register\s*\(|\b(?:setenv|putenv)\s*\(|[(,]\s*(?:os\s*\.\s*)?environ\s*[,)]"
)
# A function whose result the finder follows: one that returns `parser.parse_args()`.
_PARSES_ARGS = re.compile(rb"\.\s*parse_args\s*\(")
# A function's `return` values, as a name its statements bind: relevant when a call of the function is read.
_RETURN = "<return>"
_SELF_ATTR = re.compile(rb"\b(?:self|cls)\s*\.\s*([A-Za-z_]\w*)")
_ASSIGN = re.compile(rb"(?<![=!<>])=(?!=)")
_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try) + (
    (ast.TryStar,) if hasattr(ast, "TryStar") else ()
) + ((ast.Match,) if hasattr(ast, "Match") else ())
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_HEADER_FIELDS = ("test", "iter", "target", "items", "subject")


@dataclass(frozen=True)
class Reduced:
    source: bytes
    lines: tuple[int, ...] | None  # the file's line number of each line of `source`; None: the same lines
    encoding: str = "utf-8"
    hazard: str | None = None  # why LibCST must not be given this source at all (it would crash or stall)

    def file_line(self, line: int) -> int:
        return self.lines[line - 1] if self.lines is not None else line

    def digest(self, notebook: bool = False) -> str:
        """What a later version of the file shares if it reduces to the same text (results_cache). In a notebook's
        joined code the separators' cell numbers are left out: a cell inserted above renumbers them all, and a
        comment never changes a call site."""
        from automodel_lint.digests import digest

        if not notebook:
            return digest(self.source)
        from automodel_lint.notebooks import SEPARATOR

        return digest(SEPARATOR.sub(b"# cell", self.source))

    def call_spans(self) -> list[Span] | None:
        """Where every call of `source` is, in source order, in `source`'s own lines (the finder maps them).

        From the stdlib parser, whose offsets count UTF-8 bytes; LibCST's count characters, so they are
        converted. None if the stdlib cannot parse it, or if the two would not agree on a position (the finder
        then asks LibCST).
        """
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(self.source)
            decoded = self.source.decode(self.encoding)
        except (SyntaxError, ValueError, RecursionError, MemoryError, LookupError):
            return None
        if _POSITION_HAZARDS.search(decoded):
            return None
        text = decoded.splitlines(keepends=True)
        calls = sorted(
            (n for n in ast.walk(tree) if isinstance(n, ast.Call)),
            key=lambda n: (n.lineno, n.col_offset, -(n.end_lineno or 0), -(n.end_col_offset or 0)),
        )

        def column(line: int, offset: int) -> int:
            return len(text[line - 1].encode("utf-8")[:offset].decode("utf-8", "replace")) + 1

        return [
            Span(n.lineno, column(n.lineno, n.col_offset), n.end_lineno, column(n.end_lineno, n.end_col_offset))
            for n in calls
        ]


# The stdlib `ast` twin of values.dotted's first name: this module reads `ast` trees, never LibCST's, so it
# cannot share values' helpers, and needs no more than the head name.
def _head(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


@dataclass
class _Info:
    """One statement (or one compound statement's header) of a scope that is read."""

    node: ast.stmt
    bound: set[str]
    read: set[str]
    calls: list[ast.Call]  # calls named from_pretrained / from_config / pipeline in it
    scope: int = 0  # id() of the enclosing function or class, 0 for the module


_OWN = ("self", "cls")


def _names(nodes) -> _Info:
    """Names bound and read; `self.X`/`cls.X` count as the name X (a class attribute), other attributes not."""
    bound: set[str] = set()
    read: set[str] = set()
    calls: list[ast.Call] = []
    for root in nodes:
        for sub in ast.walk(root):
            if isinstance(sub, ast.Name):
                if sub.id not in _OWN:
                    (bound if isinstance(sub.ctx, (ast.Store, ast.Del)) else read).add(sub.id)
            elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id in _OWN:
                (bound if isinstance(sub.ctx, (ast.Store, ast.Del)) else read).add(sub.attr)
            if isinstance(sub, (ast.Attribute, ast.Subscript)) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                head = _head(sub.value) if isinstance(sub, ast.Subscript) else _head(sub)
                if head and head not in _OWN:
                    bound.add(head)  # `x[k] = v`, `x.a = v`: what x holds changes
                if isinstance(sub, ast.Attribute):
                    bound.add(sub.attr)  # `Loader.X = v`: a class attribute that `self.X` reads may change
            elif isinstance(sub, ast.Call):
                func = sub.func
                last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
                if last in CALL_NAMES or isinstance(func, ast.Name):
                    calls.append(sub)  # a bare name may be an alias: `from transformers import pipeline as p`
                head = _head(func)
                if isinstance(func, ast.Attribute) and head and head not in _OWN:
                    bound.add(head)  # `x.method(...)` may change what x holds (`parser.add_argument(default=...)`)
                # A name handed to a call may be changed by it (`fill(CHECKPOINTS)`, `setattr(obj, ...)`).
                bound.update(a.id for a in sub.args if isinstance(a, ast.Name) and a.id not in _OWN)
                bound.update(
                    k.value.id for k in sub.keywords if isinstance(k.value, ast.Name) and k.value.id not in _OWN
                )
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                bound.update((a.asname or a.name).split(".")[0] for a in sub.names)
            elif isinstance(sub, ast.arg):
                bound.add(sub.arg)
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                bound.add(sub.name)
            elif isinstance(sub, (ast.Global, ast.Nonlocal)):
                bound.update(sub.names)
            elif hasattr(ast, "MatchAs") and isinstance(sub, (ast.MatchAs, ast.MatchStar)) and sub.name:
                bound.add(sub.name)
            elif hasattr(ast, "MatchMapping") and isinstance(sub, ast.MatchMapping) and sub.rest:
                bound.add(sub.rest)
    return _Info(None, bound, read, calls)  # type: ignore[arg-type]


def _blocks(node: ast.AST):
    for name in ("body", "orelse", "finalbody"):
        block = getattr(node, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    for handler in getattr(node, "handlers", ()):
        yield handler.body
    for case in getattr(node, "cases", ()):
        yield case.body


def _header(stmt: ast.stmt) -> list[ast.AST]:
    parts: list[ast.AST] = []
    for name in _HEADER_FIELDS:
        value = getattr(stmt, name, None)
        if isinstance(value, list):
            parts.extend(v for v in value if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            parts.append(value)
    for handler in getattr(stmt, "handlers", ()):
        parts.append(handler)  # `except E as name` binds; the handler's body is walked as its own block
    for case in getattr(stmt, "cases", ()):
        parts.append(case.pattern)
        if case.guard is not None:
            parts.append(case.guard)
    return [
        p if not isinstance(p, ast.ExceptHandler) else ast.ExceptHandler(type=p.type, name=p.name, body=[])
        for p in parts
    ]


class _Reader:
    """Walks statement lists; reads the statements of scopes that hold mention lines, skips the others."""

    def __init__(self, data: bytes, lines: list[bytes], mentions: list[int]) -> None:
        self.data_lines = lines
        self.mentions = mentions
        self.infos: dict[int, _Info] = {}
        self.skipped: dict[int, ast.stmt] = {}  # definitions never walked, by id()
        self.parent: dict[int, int] = {}  # scope -> enclosing scope (0: the module)
        self.scope = 0
        self.signatures: list[_Info] = []  # function parameters, as statements of the function's own scope
        # Names assigned a dict display or a `XConfig.from_pretrained(...)`: what a definition never walked may
        # change in place, behind the finder's back.
        self.containers: set[str] = set()

    def _start(self, stmt: ast.stmt) -> int:
        return min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])

    def mentions_within(self, first: int, last: int) -> bool:
        i = bisect.bisect_left(self.mentions, first)
        return i < len(self.mentions) and self.mentions[i] <= last

    def read_block(self, block: list[ast.stmt]) -> None:
        for stmt in block:
            self.read_statement(stmt)

    def read_statement(self, stmt: ast.stmt) -> None:
        end = stmt.end_lineno or stmt.lineno
        if isinstance(stmt, _DEFINITIONS):
            if not self.mentions_within(self._start(stmt), end):
                self.skipped[id(stmt)] = stmt
                return
            info = _names([*stmt.decorator_list, *getattr(stmt, "bases", ()), *getattr(stmt, "keywords", ())])
            info.bound.add(stmt.name)
            self._record(stmt, info)
            outer, self.scope = self.scope, id(stmt)
            self.parent[id(stmt)] = outer
            if not isinstance(stmt, ast.ClassDef):
                # The parameters bind inside the function; their annotations and defaults say what they hold.
                signature = _names([stmt.args])
                signature.node, signature.scope = stmt, id(stmt)
                self.signatures.append(signature)
            for block in _blocks(stmt):
                self.read_block(block)
            self.scope = outer
        elif isinstance(stmt, _COMPOUND):
            self._record(stmt, _names(_header(stmt)))
            for block in _blocks(stmt):
                self.read_block(block)
        else:
            info = _names([stmt])
            if isinstance(stmt, ast.Return):
                info.bound.add(_RETURN)
            value = getattr(stmt, "value", None)
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and (
                isinstance(value, ast.Dict)
                or isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and value.func.attr == "from_pretrained" and "Config" in (_head(value.func.value) or "")
            ):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                self.containers.update(t.id for t in targets if isinstance(t, ast.Name))
            self._record(stmt, info)

    def _record(self, stmt: ast.stmt, info: _Info) -> None:
        info.node, info.scope = stmt, self.scope
        self.infos[id(stmt)] = info

    def chain(self, scope: int):
        """The scope and every scope around it, out to the module: where a name read there may be bound."""
        while scope:
            yield scope
            scope = self.parent.get(scope, 0)
        yield 0


def _transformers_heads(infos) -> set[str]:
    heads: set[str] = set()
    for info in infos:
        node = info.node
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "transformers":
                    heads.add((alias.asname or alias.name).split(".")[0])
        elif (
            isinstance(node, ast.ImportFrom) and not node.level
            and (node.module or "").split(".")[0] == "transformers"
        ):
            heads.update(alias.asname or alias.name for alias in node.names)
    # `Model = AutoModelForCausalLM`: a name assigned one of these may be a callee too (the finder decides).
    aliases = [
        (info.node.targets[0].id, info.node.value)
        for info in infos
        if isinstance(info.node, ast.Assign) and len(info.node.targets) == 1
        and isinstance(info.node.targets[0], ast.Name) and isinstance(info.node.value, (ast.Name, ast.Attribute))
    ]
    grown = True
    while grown:
        grown = False
        for name, value in aliases:
            if name not in heads and _head(value) in heads:
                heads.add(name)
                grown = True
    return heads


class _Editor:
    def __init__(self, data: bytes, reader: "_Reader", relevant: "_Relevant", candidates: set[int]) -> None:
        self.original = data.splitlines(keepends=True)
        self.lines: list[bytes | None] = list(self.original)
        self.ascii_offsets = not _utf8(data)  # ast offsets count UTF-8 bytes; other encodings need ASCII lines
        self.reader = reader
        self.relevant = relevant
        self.candidates = candidates  # id() of statements holding a candidate call, at any depth
        self.changes = _changes(relevant.anywhere() & reader.containers)

    def owns_lines(self, stmt: ast.stmt) -> bool:
        """The statement alone occupies its lines (no `;` neighbour, not on its block header's line)."""
        first, last = self.original[stmt.lineno - 1], self.original[(stmt.end_lineno or stmt.lineno) - 1]
        if self.ascii_offsets and not (first.isascii() and last.isascii()):
            return False
        before = first[: stmt.col_offset]
        after = last[stmt.end_col_offset :].strip()
        return (not before or before.isspace()) and (not after or after.startswith(b"#"))

    def drop(self, first: int, last: int) -> None:
        for number in range(first, last + 1):
            self.lines[number - 1] = None

    def put(self, stmt: ast.stmt, text: str) -> None:
        head = self.original[stmt.lineno - 1]
        indent = head[: len(head) - len(head.lstrip(b" \t"))]
        self.lines[stmt.lineno - 1] = indent + text.encode("ascii") + _ending(head)

    def keeps(self, stmt: ast.stmt) -> bool:
        if id(stmt) in self.candidates or isinstance(stmt, (ast.Global, ast.Nonlocal)) or _early_exit_guard(stmt):
            return True
        info = self.reader.infos.get(id(stmt))
        anywhere = self.relevant.anywhere()
        if info is None:  # a definition never walked
            return (
                self._text(stmt, _SCOPE_ESCAPE)
                # A class that is read, or a subclass that replaces a class attribute `self.X` may read.
                or (isinstance(stmt, ast.ClassDef) and (stmt.name in anywhere or _class_level(stmt) & anywhere))
                or (self.changes is not None and self._text(stmt, self.changes))
            )
        if isinstance(stmt, _DEFINITIONS):
            return isinstance(stmt, ast.ClassDef) and stmt.name in anywhere or any(
                self.keeps(s) for block in _blocks(stmt) for s in block
            )
        here = self.relevant.of(info.scope)
        if isinstance(stmt, _COMPOUND):
            return bool(info.bound & here) or any(self.keeps(s) for block in _blocks(stmt) for s in block)
        return bool(info.bound & here) or self._text(stmt, _SCOPE_ESCAPE)

    def _text(self, stmt: ast.stmt, pattern: re.Pattern) -> bool:
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        return any(pattern.search(line) for line in self.original[first - 1 : stmt.end_lineno])

    def assigned_attributes(self, stmt: ast.stmt) -> list[str]:
        """`self.X` written left of an `=` in the definition's lines: a superset of what it assigns."""
        found = set()
        for line in self.original[stmt.lineno - 1 : stmt.end_lineno]:
            split = list(_ASSIGN.finditer(line))
            if split:
                lhs = line[: split[-1].start()]
                found.update(m.group(1).decode() for m in _SELF_ATTR.finditer(lhs))
        return sorted(f"self.{a}" for a in found & self.relevant.anywhere())

    def drop_spacing(self, tree: ast.Module) -> None:
        """Blank and comment-only lines between statements cost LibCST a node each and mean nothing.

        Lines inside a kept statement are left alone: there they may belong to a multi-line string.
        """
        protected: set[int] = {1, 2}  # where an encoding cookie may stand
        todo: list[ast.stmt] = list(tree.body)
        while todo:
            stmt = todo.pop()
            if self.lines[stmt.lineno - 1] is None:
                continue
            blocks = list(_blocks(stmt))
            if blocks:
                first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
                protected.update(range(first, blocks[0][0].lineno))  # the header, up to its body
                todo.extend(s for block in blocks for s in block)
            else:
                protected.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
        for number, line in enumerate(self.lines, start=1):
            if line is not None and number not in protected:
                text = line.strip()
                if not text or text.startswith(b"#"):
                    self.lines[number - 1] = None

    def reduce_block(self, block: list[ast.stmt]) -> None:
        kept = 0
        for stmt in block:
            kept += self.reduce_statement(stmt)
        if not kept:
            self.put(block[0], "pass")  # a block must keep one statement

    def reduce_statement(self, stmt: ast.stmt) -> bool:
        """True if something remains of `stmt`: itself, part of it, or a stub."""
        end = stmt.end_lineno or stmt.lineno
        whole = self.keeps(stmt)
        if not self.owns_lines(stmt):
            return True
        if isinstance(stmt, _DEFINITIONS):
            if whole and id(stmt) in self.reader.infos:
                for block in _blocks(stmt):
                    self.reduce_block(block)
                return True
            if whole or not stmt.name.isascii():
                return True
            first = min([stmt.lineno, *(d.lineno for d in stmt.decorator_list)])
            self.drop(first, end)
            self.put(stmt, _stub(stmt, self.assigned_attributes(stmt)))
            return True
        if _early_exit_guard(stmt):
            return True  # kept whole: its `raise` or `return` is what guards the statements after it
        if isinstance(stmt, _COMPOUND) and whole:
            for block in _blocks(stmt):
                self.reduce_block(block)
            return True
        if whole:
            return True
        self.drop(stmt.lineno, end)
        return False


def _class_level(stmt: ast.ClassDef) -> set[str]:
    """The names a class body binds by assignment at its own level (its class attributes)."""
    found = set()
    for sub in stmt.body:
        targets = sub.targets if isinstance(sub, ast.Assign) else [getattr(sub, "target", None)]
        found.update(t.id for t in targets if isinstance(t, ast.Name))
    return found


_GUARD_NAMES = re.compile(r"hasattr|_available|__version__")


def _early_exit_guard(stmt: ast.stmt) -> bool:
    """`if not is_tf_available(): raise ...` / `if not hasattr(transformers, "X"): return`: what follows runs
    only where the check passed, so the finder needs the whole statement (it judges the calls after it)."""
    if not isinstance(stmt, ast.If) or stmt.orelse:
        return False
    if not isinstance(stmt.body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return False
    names = (n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(stmt.test)
             if isinstance(n, (ast.Name, ast.Attribute)))
    return any(_GUARD_NAMES.search(name) for name in names)


def _changes(names: set[str]) -> re.Pattern | None:
    """A dict or config name where a definition may change what it holds: `N[k] = v`, `del N[k]`, `N.attr = v`,
    `N.method(...)` other than a read, `N` handed to a call or to another name. A textual superset of what the
    finder counts as a change: a definition never walked that matches is kept whole."""
    words = sorted(n for n in names if n.isidentifier() and n.isascii() and n != _RETURN)
    if not words:
        return None
    name = rb"\b(?:" + b"|".join(w.encode() for w in words) + rb")\b"
    return re.compile(
        name + rb"\s*(?:\[.*\]|\.\s*\w+)\s*[-+*/|&%@^]?=(?!=)"  # item or attribute written
        + rb"|\bdel\b.*" + name
        + rb"|" + name + rb"\s*\.\s*(?!(?:get|items|keys|values|copy)\b)\w+\s*\("  # a method that may write
        + rb"|[(,=]\s*" + name + rb"\s*[,)]|=\s*" + name + rb"\s*(?:#|$)"  # handed on, or aliased
    )


def _stub(node: ast.AST, attributes: list[str]) -> str:
    if isinstance(node, ast.ClassDef):
        return f"class {node.name}: pass"
    keyword = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    body = " = ".join([*attributes, "None"]) if attributes else "pass"
    return f"{keyword} {node.name}(*a, **k): {body}"


def _encoding(data: bytes) -> str:
    try:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError:
        return "utf-8"


def _utf8(data: bytes) -> bool:
    return _encoding(data) in ("utf-8", "utf-8-sig")


def _ending(line: bytes) -> bytes:
    if line.endswith(b"\r\n"):
        return b"\r\n"
    if line.endswith((b"\n", b"\r")):
        return line[-1:]
    return b""


class _Relevant:
    """Relevant names per scope: a name read in a scope may be bound there or in any scope around it."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.by_scope: dict[int, set[str]] = {}
        # Kept as names are added: a union over every scope per statement asked made a huge file quadratic.
        self.everywhere: set[str] = set()

    def add(self, scope: int, names: set[str]) -> bool:
        grew = False
        for s in self.reader.chain(scope):
            have = self.by_scope.setdefault(s, set())
            if not names <= have:
                have |= names
                grew = True
        self.everywhere |= names
        return grew

    def add_return(self, function: int) -> None:
        """The function's `return` values are relevant: its name is read where it is defined."""
        self.by_scope.setdefault(function, set()).add(_RETURN)
        self.everywhere.add(_RETURN)

    def of(self, scope: int) -> set[str]:
        return self.by_scope.get(scope, set())

    def anywhere(self) -> set[str]:
        """Every name relevant in some scope (not to be changed by the caller)."""
        return self.everywhere


def _candidates(reader: _Reader, heads: set[str], relevant: _Relevant) -> set[int]:
    """Statements holding a candidate call; what the calls read becomes relevant in their scopes."""
    holding: set[int] = set()
    for info in reader.infos.values():
        for call in info.calls:
            if _head(call.func) in heads:
                holding.add(id(info.node))
                relevant.add(info.scope, _names([call]).read | heads)
    return holding


def _enclosing(tree: ast.Module, holding: set[int]) -> set[int]:
    """`holding` plus every statement that contains one of them."""
    out = set(holding)

    def visit(block: list[ast.stmt]) -> bool:
        found = False
        for stmt in block:
            inner = False
            for inner_block in _blocks(stmt):
                inner = visit(inner_block) or inner  # every block is visited: no short circuit
            if inner or id(stmt) in holding:
                out.add(id(stmt))
                found = True
        return found

    visit(tree.body)
    return out


def _read(tree: ast.Module, data: bytes, lines: list[bytes], mentions: list[int]):
    """The reader of the scopes `mentions` reach, the relevant names, and the statements holding a candidate."""
    reader = _Reader(data, lines, mentions)
    reader.read_block(tree.body)
    heads = _transformers_heads(reader.infos.values())
    relevant = _Relevant(reader)
    holding = _candidates(reader, heads, relevant)
    if not holding:
        return None
    # A statement binding a relevant name makes what it reads relevant too, until nothing changes; a function
    # whose name is relevant where it is defined has its `return` values relevant.
    infos = [i for i in reader.infos.values() if not isinstance(i.node, _DEFINITIONS)] + reader.signatures
    functions = [i for i in reader.infos.values() if isinstance(i.node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    changed = True
    while changed:
        changed = False
        for info in infos:
            if info.bound & relevant.of(info.scope):
                changed = relevant.add(info.scope, info.read) or changed
        for info in functions:
            if info.node.name in relevant.of(info.scope) and _RETURN not in relevant.of(id(info.node)):
                relevant.add_return(id(info.node))
                changed = True
    return reader, relevant, holding


def relevant_source(data: bytes) -> Reduced | None:
    """None if nothing in `data` can be a candidate call; else the statements that matter, and their lines.

    When the stdlib cannot parse the file, it is returned whole: LibCST's parse then reports it.
    """
    lines = data.splitlines(keepends=True)
    mentions = [number for number, line in enumerate(lines, start=1) if MENTION.search(line)]
    if not mentions:
        return None
    if _ALIASED.search(data):
        # An alias's calls do not mention the name: no line can be skipped unread.
        mentions = list(range(1, len(lines) + 1))
    if sys.version_info < (3, 11) and len(data) > 100_000:
        hazard = parse_hazard(data)  # Python 3.10's own parser can crash here: it is asked in a child first
        if hazard:
            return Reduced(data, None, hazard=hazard)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not our business
            tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # LibCST reports a syntax error better than we could, unless the failure was the nesting itself.
        return Reduced(data, None, hazard=parse_hazard(data))
    hazard = parse_hazard(data, tree)
    if hazard:
        return Reduced(data, None, hazard=hazard)
    try:
        while True:
            found = _read(tree, data, lines, mentions)
            if found is None:
                return None
            reader, relevant, holding = found
            # A module-level function whose result is read (`args = parse_args()`) is read too, once more.
            top = {id(s) for s in tree.body}
            called = [
                s for s in reader.skipped.values() if isinstance(s, ast.FunctionDef) and id(s) in top
                and s.name in relevant.of(0) and s.name.isascii()
                and any(_PARSES_ARGS.search(line) for line in lines[s.lineno - 1 : s.end_lineno])
            ]
            if not called:
                break
            mentions = sorted({*mentions, *(n for s in called for n in range(s.lineno, (s.end_lineno or 0) + 1))})
        editor = _Editor(data, reader, relevant, _enclosing(tree, holding))
        editor.reduce_block(tree.body)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return Reduced(data, None)
    editor.drop_spacing(tree)
    kept = [(number, line) for number, line in enumerate(editor.lines, start=1) if line is not None]
    return Reduced(b"".join(line for _, line in kept), tuple(number for number, _ in kept), _encoding(data))
