"""What an expression statically holds: a string that is certain, or UNKNOWN.

A linter that guesses produces false positives, so every rule here answers only when the source leaves
no doubt: literals, implicit concatenation, f-strings and `+` of certain parts, `os.path.join` of such
parts, a dict display read with a literal key, and names with exactly one write that a read of them can see,
which binds such a value. Which writes those are is LibCST's scope analysis (`Scope.writes`); every other
write counts too: `del`, `match` captures, a walrus in a comprehension, `globals()[...]`, `setattr` on a module,
and, for dict lookups and attributes, any change of the container or attribute anywhere in the file.
Anything else is UNKNOWN.

Some values are written in the source but a caller may replace them: a parameter's default, an argparse
`default=`, a dataclass field's default (also through `HfArgumentParser(...).parse_args_into_dataclasses()`),
the fallback of `os.environ.get`. They are followed only when the
caller passes a `notes` list, which receives one sentence per such step ("the default value of ..."), so
that a verdict on them can say what it was judged on.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import Assignment, ClassScope, ComprehensionScope, FunctionScope, GlobalScope


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()

# A value found through a chain of names longer than this is treated as unknown: real code never needs
# it, and hostile code (a = b; b = c; ...) must not drive the evaluator into deep recursion.
MAX_DEPTH = 32

# `sys.argv` written (`sys.argv = [...]`, `sys.argv.extend(...)`, `sys.argv[1:] = ...`) is recorded as this stored
# attribute: the command line a parser reads is then the file's, and its defaults may not apply.
ARGV = "argv"

# Methods that read a dict without changing it: calling anything else on a dict makes its content uncertain.
READ_ONLY_METHODS = frozenset({"get", "items", "keys", "values", "copy", "__getitem__", "__contains__"})


@dataclass(frozen=True)
class Overridable:
    """A binding whose value is written in the source but may be replaced by a caller."""

    value: cst.BaseExpression
    note: str  # "the default value of parameter `name` of `load()`"


@dataclass(frozen=True)
class Parameter:
    """A parameter without a default (or `*args`): its value is the caller's; its annotation may name a class."""

    annotation: cst.BaseExpression | None


@dataclass(frozen=True)
class Unpacked:
    """One name of `a, b = parser.parse_args_into_dataclasses()`: the dataclass instance at `index` of the tuple."""

    call: cst.Call
    index: int


@dataclass(eq=False)
class ClassInfo:
    """A `class` statement: what its name is bound to (a class is not a value, but its attributes may be)."""

    node: cst.ClassDef
    name: str
    dataclass: bool = False  # decorated with @dataclass: its class-level values are field defaults
    # Attributes assigned through `self.X = ...` in its methods (instance attributes shadow the class attribute,
    # so the class value is no longer certain).
    instance_assigned: set[str] = field(default_factory=set)
    scope: "Scope | None" = None  # its body's scope, once LibCST's scopes are attached
    bases: tuple[str, ...] = ()  # the last part of each base class's name, for subclasses that replace a value


@dataclass(eq=False)
class FunctionInfo:
    """A `def` statement: its name and the values of its `return` statements."""

    node: cst.FunctionDef
    name: str
    returns: list[cst.BaseExpression | None] = field(default_factory=list)


@dataclass(frozen=True)
class Binding:
    """One write of a name that a read can see: what it writes (None when that is not an expression the finder
    recorded: a loop target, `+=`, `del`, a walrus, ...), where the name lives and where the value is evaluated."""

    value: object
    owner: "Scope"
    home: "Scope"
    assignment: object = field(compare=False)  # LibCST's assignment, or None for a write it does not model


class Scope:
    """Where an expression is read: its scope as LibCST's scope analysis (`ScopeProvider`) models Python's rules,
    with the values the finder's pass recorded for each binding.

    Which writes reach a name is LibCST's answer (class bodies skipped from functions and comprehensions, a
    comprehension's own loop variables, parameters, `global`/`nonlocal`, imports, augmented assignment, loop,
    `with` and `except` targets); the writes it does not model (`del`, `match` captures, a walrus inside a
    comprehension, which binds in the scope around it) are added from the finder's pass.
    """

    __slots__ = ("lib", "module_facts")

    def __init__(self, lib: object, facts: "ModuleFacts") -> None:
        self.lib = lib
        self.module_facts = facts

    def facts(self) -> "ModuleFacts":
        return self.module_facts

    @property
    def is_module(self) -> bool:
        return isinstance(self.lib, GlobalScope)

    def writes(self, name: str) -> list[Binding]:
        """Every write of `name` that a read of it here can see; empty when nothing in this file binds it."""
        facts = self.module_facts
        found = [a for a in self.lib[name] if isinstance(a, Assignment)]  # not builtins
        owner = found[0].scope if found else None
        out = [facts.binding(a) for a in found]
        if facts.extra_between(name, self.lib, owner):
            where = facts.wrap(owner) if owner is not None else self
            out.append(Binding(None, where, where, None))
        return out

    def own_writes(self, name: str) -> list[Binding]:
        """The writes of `name` in this scope itself (a class body's attribute)."""
        facts = self.module_facts
        out = [facts.binding(a) for a in self.lib.assignments[name] if isinstance(a, Assignment)]
        if name in facts.extra_writes.get(id(self.lib), ()):
            out.append(Binding(None, self, self, None))
        return out

    def enclosing_class(self) -> ClassInfo | None:
        """For a method body (or a comprehension in one): the class it is defined in."""
        lib = self.lib
        while isinstance(lib, ComprehensionScope):
            lib = lib.parent
        if isinstance(lib, FunctionScope) and isinstance(lib.parent, ClassScope):
            return self.module_facts.classes.get(id(lib.parent.node))
        return None


# Kinds of writes the finder's pass adds to LibCST's: in the scope of the node (`del`, a `match` capture), in the
# scope around a comprehension (a walrus in it), or in the nearest enclosing function binding the name (`nonlocal`).
WRITE_HERE, WRITE_AROUND, WRITE_NONLOCAL = "here", "around", "nonlocal"


def _nonlocal_owner(lib: object, name: str, scopes: object) -> object | None:
    """The function scope a `nonlocal name` in `lib` rebinds: the nearest enclosing one that assigns it in its
    own body (not through a `nonlocal` of its own inner functions, which LibCST files there too)."""
    outer = lib.parent
    while isinstance(outer, (FunctionScope, ClassScope, ComprehensionScope)):
        if isinstance(outer, FunctionScope) and any(scopes.get(a.node) is outer for a in outer.assignments[name]):
            return outer
        outer = outer.parent
    return None


@dataclass
class ModuleFacts:
    """Whole-file facts the evaluator needs besides LibCST's scopes: the value of each binding, and what the file
    does that can change a value behind a name's back."""

    # (id of LibCST's assignment node, name) -> what it binds: an expression, Overridable, Parameter, Unpacked,
    # ImportBinding, ClassInfo or FunctionInfo. A write not recorded here is uncertain.
    bindings: dict[tuple[int, str], object] = field(default_factory=dict)
    classes: dict[int, ClassInfo] = field(default_factory=dict)  # id of a ClassDef -> its info
    # Writes LibCST's scopes do not model (or place elsewhere), as (name, node where it happens, WRITE_* kind).
    pending_writes: list[tuple[str, cst.CSTNode, str]] = field(default_factory=list)
    extra_writes: dict[int, set[str]] = field(default_factory=dict)  # id of a LibCST scope -> names written there
    scopes: object = None  # LibCST's ScopeProvider answer, once resolved
    wrapped: dict[int, Scope] = field(default_factory=dict)
    stored_attributes: set[str] = field(default_factory=set)  # `obj.X = ...` on anything but self/cls
    changed_names: set[str] = field(default_factory=set)  # `N[k] = ...`, `del N[k]`, `N.update(...)`, `f(N)`, `M = N`
    # Names whose object is written in place: `N.attr = ...`, `N[k] = ...`, `N.update(...)` (not merely passed on).
    mutated_names: set[str] = field(default_factory=set)
    # `globals()["NAME"] = ...` makes NAME uncertain; `globals().update(...)` (None here) every module name.
    globals_written: set[str | None] = field(default_factory=set)
    # `os.environ[key] = ...`, `os.environ.setdefault(key, ...)`, ... : (container, key or None), for the
    # fallbacks of `os.environ.get` that cannot apply; container None for a call that sets a variable itself
    # (`monkeypatch.setenv(key, ...)`).
    environ_writes: list[tuple[cst.BaseExpression | None, cst.BaseExpression | None]] = field(default_factory=list)
    method_calls: dict[str, list[cst.Call]] = field(default_factory=dict)  # "add_argument" -> calls
    setattr_used: bool = False  # `setattr(...)` anywhere: an attribute may change under any name

    def attach(self, scopes: object) -> None:
        """Take LibCST's scopes of the module, and place the writes they do not model."""
        self.scopes = scopes
        for name, node, kind in self.pending_writes:
            lib = scopes.get(node)
            if lib is None:
                continue
            if kind == WRITE_NONLOCAL:
                lib = _nonlocal_owner(lib, name, scopes)
            else:
                while kind == WRITE_AROUND and isinstance(lib, ComprehensionScope):
                    lib = lib.parent
                # `global NAME` / `nonlocal NAME` send the write to the scope that owns the name (LibCST's rule).
                lib = lib._find_assignment_target(name)
            if lib is not None:
                self.extra_writes.setdefault(id(lib), set()).add(name)
        for cls in self.classes.values():
            body = cls.node.body.body
            cls.scope = self.scope_of(body[0]) if body else None

    def wrap(self, lib: object) -> Scope:
        scope = self.wrapped.get(id(lib))
        if scope is None:
            scope = self.wrapped[id(lib)] = Scope(lib, self)
        return scope

    def scope_of(self, node: cst.CSTNode, default: Scope | None = None) -> Scope | None:
        """The scope `node` is evaluated in (a parameter's default: where the `def` stands)."""
        lib = self.scopes.get(node) if self.scopes is not None else None
        return self.wrap(lib) if lib is not None else default

    def binding(self, assignment: "Assignment") -> Binding:
        value = self.bindings.get((id(assignment.node), assignment.name))
        owner = self.wrap(assignment.scope)
        anchor = {Overridable: "value", Unpacked: "call", Parameter: "annotation"}.get(type(value))
        node = getattr(value, anchor) if anchor else value
        home = self.scope_of(node, owner) if isinstance(node, cst.CSTNode) else owner
        return Binding(value, owner, home, assignment)

    def extra_between(self, name: str, lib: object, owner: object | None) -> bool:
        """A write LibCST does not model on the way from `lib` up to the scope that owns the name."""
        if not self.extra_writes:
            return False
        first = True
        while lib is not None:
            # Class bodies are not seen from the functions and comprehensions inside them.
            if (first or not isinstance(lib, ClassScope)) and name in self.extra_writes.get(id(lib), ()):
                return True
            if lib is owner or isinstance(lib, GlobalScope):
                return False
            lib, first = lib.parent, False
        return False


def evaluate(
    node: cst.BaseExpression, scope: Scope, depth: int = 0, notes: list[str] | None = None
) -> "str | _Unknown":
    """The string `node` certainly evaluates to in `scope`, else UNKNOWN.

    With `notes`, values a caller may override are followed too and each such step adds its note.
    """
    if depth > MAX_DEPTH:
        return UNKNOWN
    if isinstance(node, cst.SimpleString):
        return string_literal(node)
    if isinstance(node, cst.ConcatenatedString):
        return _join(evaluate(node.left, scope, depth + 1, notes), evaluate(node.right, scope, depth + 1, notes))
    if isinstance(node, cst.FormattedString):
        return _formatted(node, scope, depth, notes)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _join(evaluate(node.left, scope, depth + 1, notes), evaluate(node.right, scope, depth + 1, notes))
    if isinstance(node, cst.Name):
        return _name(node.value, scope, depth, notes)
    if isinstance(node, cst.Attribute):
        return _attribute(node, scope, depth, notes)
    if isinstance(node, cst.Subscript):
        return _subscript(node, scope, depth, notes)
    if isinstance(node, cst.Call):
        return _call(node, scope, depth, notes)
    return UNKNOWN


def string_literal(node: cst.SimpleString) -> "str | _Unknown":
    if "b" in node.prefix.lower():
        return UNKNOWN
    try:
        value = node.evaluated_value
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return UNKNOWN
    return value if isinstance(value, str) else UNKNOWN


def _join(left: "str | _Unknown", right: "str | _Unknown") -> "str | _Unknown":
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    return UNKNOWN


def _formatted(node: cst.FormattedString, scope: Scope, depth: int, notes: list[str] | None) -> "str | _Unknown":
    parts: list[str] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            parts.append(part.value)
            continue
        # A conversion or format spec could change the text; only a bare `{NAME}` is certain.
        if part.conversion is not None or part.format_spec is not None or part.equal is not None:
            return UNKNOWN
        value = evaluate(part.expression, scope, depth + 1, notes)
        if not isinstance(value, str):
            return UNKNOWN
        parts.append(value)
    text = "".join(parts)
    # Doubled braces in the literal text stand for single ones.
    return text.replace("{{", "{").replace("}}", "}")


def bound(name: str, scope: Scope) -> Binding | None:
    """The one write of `name` that a read of it in `scope` can see, with a value; None if not exactly one."""
    writes = scope.writes(name)
    if len(writes) != 1 or writes[0].value is None:
        return None
    if writes[0].owner.is_module and scope.facts().globals_written & {name, None}:
        return None
    return writes[0]


def _name(name: str, scope: Scope, depth: int, notes: list[str] | None) -> "str | _Unknown":
    found = bound(name, scope)
    if found is None:
        return UNKNOWN
    value, home = found.value, found.home
    if isinstance(value, Overridable):
        if notes is None:
            return UNKNOWN
        notes.append(value.note)
        value = value.value
    if not isinstance(value, cst.BaseExpression):
        return UNKNOWN
    return evaluate(value, home, depth + 1, notes)


def _attribute(node: cst.Attribute, scope: Scope, depth: int, notes: list[str] | None) -> "str | _Unknown":
    attr = node.attr.value
    if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
        return _class_attribute(node, scope, depth, notes)
    if notes is None or not isinstance(node.value, cst.Name):
        return UNKNOWN
    facts = scope.facts()
    if attr in facts.stored_attributes or facts.setattr_used:
        return UNKNOWN
    found = bound(node.value.value, scope)
    if found is None:
        return UNKNOWN
    value, home = found.value, found.home
    if isinstance(value, Unpacked):
        cls = _parsed_dataclass(value, home)
        if cls is None:
            return UNKNOWN
        return _field_default(cls, attr, depth, notes, ", an option of HfArgumentParser's command line")
    if isinstance(value, Parameter):
        # `def main(args: ModelArguments)`: the annotation names a dataclass of this file.
        cls = _local_class(value.annotation, home)
        return _field_default(cls, attr, depth, notes) if cls is not None else UNKNOWN
    if isinstance(value, cst.Call):
        cls = _local_class(value.func, home)
        if cls is not None:
            # `ModelArguments()` with the field left to its default.
            if value.args and any(a.keyword is None or a.keyword.value == attr for a in value.args):
                return UNKNOWN
            return _field_default(cls, attr, depth, notes)
        helper = _helper_return(value, home)
        if helper is not None:
            value, home = helper  # `args = parse_args()`, a function of this file that returns `p.parse_args()`
        return _argparse_default(value, attr, home, depth, notes)
    return UNKNOWN


def _helper_return(call: cst.Call, scope: Scope) -> tuple[cst.Call, Scope] | None:
    """The call a function of this file, called without arguments, returns from its one `return`."""
    if call.args or not isinstance(call.func, cst.Name):
        return None
    found = bound(call.func.value, scope)
    function = found.value if found is not None else None
    if not isinstance(function, FunctionInfo) or len(function.returns) != 1:
        return None
    returned = function.returns[0]
    if not isinstance(returned, cst.Call):
        return None
    return returned, scope.facts().scope_of(returned, found.owner)


def _parsed_dataclass(unpacked: Unpacked, home: Scope) -> ClassInfo | None:
    """The dataclass of this file at `unpacked.index` of `HfArgumentParser((A, B, ...))`, the parser bound once to
    the name the `parse_args_into_dataclasses()` call is made on: its instances hold the fields' defaults unless
    the command line sets them."""
    func = unpacked.call.func
    if ARGV in home.facts().stored_attributes:
        return None  # `sys.argv = [...]`: the file writes the command line it then parses
    if not isinstance(func, cst.Attribute) or any(
        a.star or a.keyword is None or a.keyword.value in ("args", "args_filename", "args_file_flag")
        for a in unpacked.call.args
    ):
        return None  # `parse_args_into_dataclasses(args=[...])`: the list (or file) given, not the defaults, decides
    if isinstance(func.value, cst.Call):
        parser, parser_home = func.value, home  # `HfArgumentParser((A, B)).parse_args_into_dataclasses()`
    elif isinstance(func.value, cst.Name):
        found = bound(func.value.value, home)
        if found is None or not isinstance(found.value, cst.Call):
            return None
        parser, parser_home = found.value, found.home
    else:
        return None
    if qualified_name(parser.func, parser_home) != "transformers.HfArgumentParser" or not parser.args:
        return None
    first = parser.args[0]
    if first.star or (first.keyword is not None and first.keyword.value != "dataclass_types"):
        return None
    if isinstance(first.value, (cst.Tuple, cst.List)):
        if any(isinstance(e, cst.StarredElement) for e in first.value.elements):
            return None
        classes = [e.value for e in first.value.elements]
    else:
        classes = [first.value]
    if unpacked.index >= len(classes):
        return None
    return _local_class(classes[unpacked.index], parser_home)


def _local_class(node: cst.BaseExpression | None, scope: Scope) -> ClassInfo | None:
    """The dataclass of this file that `node` (a name) certainly stands for: its `class` statement is the name's
    one binding."""
    if not isinstance(node, cst.Name):
        return None
    found = bound(node.value, scope)
    cls = found.value if found is not None else None
    return cls if isinstance(cls, ClassInfo) and cls.dataclass else None


def _class_value(cls: ClassInfo, attr: str) -> Binding | None:
    """The one value the body of `cls` binds `attr` to, when no method assigns `self.attr`."""
    if attr in cls.instance_assigned or cls.scope is None:
        return None
    writes = cls.scope.own_writes(attr)
    return writes[0] if len(writes) == 1 and isinstance(writes[0].value, cst.BaseExpression) else None


def _field_default(cls: ClassInfo, attr: str, depth: int, notes: list[str], via: str = "") -> "str | _Unknown":
    found = _class_value(cls, attr)
    value = _field_call_default(found.value) if found is not None else None
    if value is None:
        return UNKNOWN
    notes.append(f"the default value of the dataclass field `{cls.name}.{attr}`{via}")
    return evaluate(value, found.home, depth + 1, notes)


def _field_call_default(value: cst.BaseExpression) -> cst.BaseExpression | None:
    """`field(default=X, ...)` -> X; any other call (a default_factory) is not a written value."""
    if isinstance(value, cst.Call):
        if isinstance(value.func, cst.Name) and value.func.value == "field":
            return next((a.value for a in value.args if a.keyword is not None and a.keyword.value == "default"), None)
        return None
    return value


def _argparse_default(call: cst.Call, attr: str, home: Scope, depth: int, notes: list[str]) -> "str | _Unknown":
    """`args.X` where `args = parser.parse_args()` and `parser = argparse.ArgumentParser(...)` in this file, and
    exactly one `parser.add_argument(...)` makes X, with a literal `default=`. `parse_args([...])` reads the list
    given, not the command line: its defaults may not apply."""
    func = call.func
    if call.args or not (
        isinstance(func, cst.Attribute) and func.attr.value == "parse_args" and isinstance(func.value, cst.Name)
    ):
        return UNKNOWN
    parser_name = func.value.value
    found = bound(parser_name, home)
    if found is None or not isinstance(found.value, cst.Call) or qualified_name(found.value.func, found.home) not in (
        "argparse.ArgumentParser", "transformers.HfArgumentParser"
    ):
        return UNKNOWN
    parser_home = found.home
    facts = home.facts()
    if ARGV in facts.stored_attributes or _calls_on(facts, "set_defaults", parser_name, found):
        return UNKNOWN
    defining = [c for c in facts.method_calls.get("add_argument", ()) if _dest(c) == attr]
    ours = _calls_on(facts, "add_argument", parser_name, found)
    if len(defining) != 1 or defining[0] not in ours:
        return UNKNOWN
    (definition,) = defining
    default = next((a.value for a in definition.args if a.keyword is not None and a.keyword.value == "default"), None)
    if default is None or any(a.star for a in definition.args):
        return UNKNOWN
    option = _dest_option(definition) or attr
    notes.append(f"the default value of the command-line option `{option}`")
    return evaluate(default, parser_home, depth + 1, notes)


def _calls_on(facts: ModuleFacts, method: str, receiver: str, parser: Binding) -> list[cst.Call]:
    """The calls of `receiver.method(...)` whose receiver is the object of the one write `parser`."""
    out = []
    for call in facts.method_calls.get(method, ()):
        func = call.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == receiver):
            continue
        where = facts.scope_of(call)
        writes = where.writes(receiver) if where is not None else []
        if len(writes) == 1 and writes[0].assignment is parser.assignment:
            out.append(call)
    return out


def _option_strings(call: cst.Call) -> list[str]:
    out = []
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            break
        if isinstance(arg.value, cst.SimpleString):
            text = string_literal(arg.value)
            if isinstance(text, str):
                out.append(text)
    return out


def _dest_option(call: cst.Call) -> str | None:
    options = _option_strings(call)
    return next((o for o in options if o.startswith("--")), options[0] if options else None)


def _dest(call: cst.Call) -> str | None:
    """argparse's dest: `dest=`, else the first long option, else the first option, dashes to underscores."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "dest":
            text = string_literal(arg.value) if isinstance(arg.value, cst.SimpleString) else UNKNOWN
            return text if isinstance(text, str) else None
    options = _option_strings(call)
    long = [o for o in options if o.startswith("--")]
    chosen = long[0][2:] if long else (options[0].lstrip("-") if options else None)
    return chosen.replace("-", "_") if chosen else None


def dotted(node: cst.BaseExpression) -> list[str] | None:
    """`["a", "b", "c"]` for `a.b.c`; None for anything but names and attributes."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return parts[::-1]


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`"a.b.c"` for `a.b.c`; None for anything but names and attributes."""
    parts = dotted(node)
    return ".".join(parts) if parts else None


@dataclass(frozen=True)
class ImportBinding:
    """A name bound by an import, with the dotted path it stands for."""

    qualified: str
    guarded: bool = False  # imported in the body of a `try` that catches ImportError


# `A = B`, `B = C`, ...: longer chains than this are not followed (real code never needs them).
MAX_ALIAS_DEPTH = 8


def qualified_name(node: cst.BaseExpression, scope: Scope, follow_assignments: bool = True) -> str | None:
    """The dotted path `node` stands for through the file's imports: `os.path.join` for `os.path.join`, and for
    `join` after `from os.path import join`; None when that is not certain.

    With `follow_assignments`, also through a name bound once to such a name (`Model = AutoModelForCausalLM`).
    """
    return _qualified(node, scope, 0 if follow_assignments else MAX_ALIAS_DEPTH)


def _qualified(node: cst.BaseExpression, scope: Scope, depth: int) -> str | None:
    parts = dotted(node)
    if not parts:
        return None
    head = _import_of(parts[0], scope, depth)
    if head is None:
        return None
    return ".".join([head, *parts[1:]])


def _import_of(name: str, scope: Scope, depth: int) -> str | None:
    """The dotted path an imported name stands for, if every binding of it in its scope is that import, or
    if its one binding is another such name (`Model = AutoModelForCausalLM`).

    `try: from transformers import X` / `except ImportError: X = None` binds X twice; the None branch
    cannot call anything, so it does not make the import uncertain.
    """
    writes = scope.writes(name)
    if not writes:
        return None
    values = [w.value for w in writes if not (isinstance(w.value, cst.Name) and w.value.value == "None")]
    qualified = {v.qualified for v in values if isinstance(v, ImportBinding)}
    if len(qualified) == 1 and len(values) == sum(isinstance(v, ImportBinding) for v in values):
        return qualified.pop()
    if len(writes) == 1 and isinstance(writes[0].value, (cst.Name, cst.Attribute)) and depth < MAX_ALIAS_DEPTH:
        if not (writes[0].owner.is_module and scope.facts().globals_written & {name, None}):
            return _qualified(writes[0].value, writes[0].home, depth + 1)
    return None


def _call(node: cst.Call, scope: Scope, depth: int, notes: list[str] | None) -> "str | _Unknown":
    name = qualified_name(node.func, scope)
    if any(a.star for a in node.args):
        return UNKNOWN
    if name in ("os.path.join", "posixpath.join"):
        if any(a.keyword is not None for a in node.args) or not node.args:
            return UNKNOWN
        parts = [evaluate(a.value, scope, depth + 1, notes) for a in node.args]
        if all(isinstance(p, str) for p in parts):
            return posixpath.join(*parts)
        return UNKNOWN
    if name in ("os.environ.get", "os.getenv") and notes is not None:
        positional = [a.value for a in node.args if a.keyword is None]
        default = positional[1] if len(positional) == 2 else next(
            (a.value for a in node.args if a.keyword is not None and a.keyword.value in ("default",)), None
        )
        variable = evaluate(positional[0], scope, depth + 1) if positional else UNKNOWN
        if default is None or not isinstance(variable, str) or _environ_set(variable, scope):
            return UNKNOWN
        notes.append(f"the default used when the environment variable {variable} is not set")
        return evaluate(default, scope, depth + 1, notes)
    if isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" and len(node.args) == 1:
        # `MODELS.get("key")`: like `MODELS["key"]`, but a missing key gives None, which is not a model.
        return _lookup_key(node.func.value, node.args[0].value, scope, depth, notes)
    return UNKNOWN


def _environ_set(variable: str, scope: Scope) -> bool:
    """The file sets `variable` in `os.environ` somewhere (or sets a key it cannot name): its fallback may not apply."""
    facts = scope.facts()
    for container, key in facts.environ_writes:
        where = facts.scope_of(container if container is not None else key)
        if where is None or container is not None and qualified_name(container, where) != "os.environ":
            continue
        written = evaluate(key, where) if key is not None else UNKNOWN
        if not isinstance(written, str) or written == variable:
            return True
    return False


def _subscript(node: cst.Subscript, scope: Scope, depth: int, notes: list[str] | None) -> "str | _Unknown":
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return UNKNOWN
    return _lookup_key(node.value, node.slice[0].slice.value, scope, depth, notes)


def _lookup_key(container: cst.BaseExpression, key_node: cst.BaseExpression, scope: Scope, depth: int,
                notes: list[str] | None) -> "str | _Unknown":
    """`NAME[key]` where NAME is bound once to a dict display whose keys are all certain and that nothing changes."""
    if not isinstance(container, cst.Name) or container.value in scope.facts().changed_names:
        return UNKNOWN
    found = bound(container.value, scope)
    if found is None or not isinstance(found.value, cst.Dict):
        return UNKNOWN
    display, home = found.value, found.home
    key = evaluate(key_node, scope, depth + 1)
    if not isinstance(key, str):
        return UNKNOWN
    chosen = None
    for element in display.elements:
        if not isinstance(element, cst.DictElement):
            return UNKNOWN  # `**other`: its keys are not known
        written = evaluate(element.key, home, depth + 1)
        if not isinstance(written, str):
            return UNKNOWN
        if written == key:
            chosen = element.value  # a repeated key keeps its last value, as Python does
    if chosen is None:
        return UNKNOWN
    return evaluate(chosen, home, depth + 1, notes)


def _class_attribute(node: cst.Attribute, scope: Scope, depth: int, notes: list[str] | None = None) -> "str | _Unknown":
    """`self.X` / `cls.X` inside a method, where the class body binds X once and no method rebinds it."""
    if not (isinstance(node.value, cst.Name) and node.value.value in ("self", "cls")):
        return UNKNOWN
    cls = scope.enclosing_class()
    attr = node.attr.value
    facts = scope.facts()
    if cls is None or attr in facts.stored_attributes or facts.setattr_used:
        return UNKNOWN  # `Loader.CHECKPOINT = ...` or `setattr(...)` elsewhere may replace it
    if any(cls.name in other.bases and other.scope is not None and other.scope.own_writes(attr)
           for other in facts.classes.values()):
        return UNKNOWN  # a subclass replaces it: `self.X` is the subclass's value in its instances
    found = _class_value(cls, attr)
    if found is None:
        return UNKNOWN
    if cls.dataclass:
        # A dataclass's class-level value is only the default of an `__init__` parameter.
        if notes is None:
            return UNKNOWN
        return _field_default(cls, attr, depth, notes)
    return evaluate(found.value, found.home, depth + 1, notes)


def literal_bool(node: cst.BaseExpression) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None
