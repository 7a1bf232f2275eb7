"""What an expression statically holds: a string that is certain, or UNKNOWN.

A linter that guesses produces false positives, so every rule here answers only when the source leaves
no doubt: literals, implicit concatenation, f-strings and `+` of certain parts, `os.path.join` of such
parts, a dict display read with a literal key, and names bound exactly once to such a value in the scope
that Python would look them up in. Anything else is UNKNOWN.

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


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()

# A value found through a chain of names longer than this is treated as unknown: real code never needs
# it, and hostile code (a = b; b = c; ...) must not drive the evaluator into deep recursion.
MAX_DEPTH = 32

# Methods that read a dict without changing it: calling anything else on a dict makes its content uncertain.
READ_ONLY_METHODS = frozenset({"get", "items", "keys", "values", "copy", "__getitem__", "__contains__"})


@dataclass(frozen=True)
class Overridable:
    """A binding whose value is written in the source but may be replaced by a caller."""

    value: cst.BaseExpression
    note: str  # "the default value of parameter `name` of `load()`"
    # Where the value is evaluated: a parameter's default is read where the `def` stands (a method's, in the
    # class body), not inside the function it belongs to.
    home: "Scope | None" = field(default=None, compare=False)


@dataclass(frozen=True)
class Parameter:
    """A parameter without a default (or `*args`): its value is the caller's; its annotation may name a class."""

    annotation: cst.BaseExpression | None


@dataclass(frozen=True)
class Unpacked:
    """One name of `a, b = parser.parse_args_into_dataclasses()`: the dataclass instance at `index` of the tuple."""

    call: cst.Call
    index: int


@dataclass
class Scope:
    """The bindings of one module, class or function body.

    `values` keeps, for each name, every expression bound to it; a binding whose value is not an
    expression (a parameter, a loop target, an import, `global`) is recorded as None, which makes the
    name uncertain however its other bindings look.
    """

    kind: str  # "module", "class", "function" or "comprehension" (which, like a function, skips class bodies)
    parent: "Scope | None"
    values: dict[str, list[cst.BaseExpression | None]] = field(default_factory=dict)
    globals_: set[str] = field(default_factory=set)
    # For class scopes: attributes assigned through `self.X = ...` in its methods (instance attributes
    # shadow the class attribute, so the class value is no longer certain).
    instance_assigned: set[str] = field(default_factory=set)
    name: str | None = None  # a class's or function's name, for notes
    returns: list[cst.BaseExpression | None] = field(default_factory=list)  # a function's `return` values
    dataclass: bool = False  # a class decorated with @dataclass: its class-level values are field defaults
    # Module scope only: what the whole file does that can change a value behind a name's back.
    module_facts: "ModuleFacts | None" = None

    def bind(self, name: str, value: cst.BaseExpression | None) -> None:
        if self.kind == "function" and name in self.globals_:
            self.module().bind(name, value)  # `global NAME` then `NAME = ...`: the module's name is rebound
            return
        self.values.setdefault(name, []).append(value)

    def binding_scope(self) -> "Scope":
        """Where a walrus binds: the nearest scope that is not a comprehension."""
        scope = self
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        return scope

    def single(self, name: str) -> cst.BaseExpression | None:
        bound = self.values.get(name)
        if bound and len(bound) == 1:
            return bound[0]
        return None

    def lookup_scope(self, name: str) -> "Scope | None":
        """The scope Python reads `name` from inside this one (class bodies are skipped from functions)."""
        scope: Scope | None = self
        first = True
        while scope is not None:
            if scope.kind == "function" and name in scope.globals_:
                return scope.module()
            if (first or scope.kind != "class") and name in scope.values:
                return scope
            first = False
            scope = scope.parent
        return None

    def module(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def facts(self) -> "ModuleFacts":
        module = self.module()
        if module.module_facts is None:
            module.module_facts = ModuleFacts()
        return module.module_facts

    def enclosing_class(self) -> "Scope | None":
        """For a method body (or a comprehension in one): the class it is defined in."""
        scope = self.binding_scope()
        if scope.kind == "function" and scope.parent is not None and scope.parent.kind == "class":
            return scope.parent
        return None


@dataclass
class ModuleFacts:
    """Whole-file facts the evaluator needs besides bindings."""

    classes: dict[str, Scope] = field(default_factory=dict)  # module-level classes, by name
    stored_attributes: set[str] = field(default_factory=set)  # `obj.X = ...` on anything but self/cls
    changed_names: set[str] = field(default_factory=set)  # `N[k] = ...`, `del N[k]`, `N.update(...)`, `f(N)`, `M = N`
    # Names whose object is written in place: `N.attr = ...`, `N[k] = ...`, `N.update(...)` (not merely passed on).
    mutated_names: set[str] = field(default_factory=set)
    # `globals()["NAME"] = ...` makes NAME uncertain; `globals().update(...)` (None here) every module name.
    globals_written: set[str | None] = field(default_factory=set)
    # `os.environ[key] = ...`, `os.environ.setdefault(key, ...)`, ... : (container, key or None, scope), for the
    # fallbacks of `os.environ.get` that cannot apply.
    environ_writes: list[tuple[cst.BaseExpression, cst.BaseExpression | None, "Scope"]] = field(default_factory=list)
    functions: dict[str, "Scope"] = field(default_factory=dict)  # module-level functions, by name
    registered: set[str] = field(default_factory=set)  # `AutoX.register(...)`: the classes as resolved, by name
    method_calls: dict[str, list[tuple[cst.Call, Scope]]] = field(default_factory=dict)  # "add_argument" -> calls
    setattr_used: bool = False  # `setattr(...)` anywhere: an attribute may change under any name


def evaluate(
    node: cst.BaseExpression, scope: Scope, depth: int = 0, notes: list[str] | None = None
) -> "str | _Unknown":
    """The string `node` certainly evaluates to in `scope`, else UNKNOWN.

    With `notes`, values a caller may override are followed too and each such step adds its note.
    """
    if depth > MAX_DEPTH:
        return UNKNOWN
    if isinstance(node, cst.SimpleString):
        return _simple_string(node)
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


def _simple_string(node: cst.SimpleString) -> "str | _Unknown":
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


def _bound(name: str, scope: Scope) -> tuple[object, Scope] | None:
    """The one thing `name` is bound to where Python looks it up, and that scope; None if not exactly one."""
    home = scope.lookup_scope(name)
    if home is None or (home.kind == "module" and home.facts().globals_written & {name, None}):
        return None
    value = home.single(name)
    return None if value is None else (value, home)


def _name(name: str, scope: Scope, depth: int, notes: list[str] | None) -> "str | _Unknown":
    found = _bound(name, scope)
    if found is None:
        return UNKNOWN
    value, home = found
    if isinstance(value, Overridable):
        if notes is None:
            return UNKNOWN
        notes.append(value.note)
        home = value.home or home
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
    found = _bound(node.value.value, scope)
    if found is None:
        return UNKNOWN
    value, home = found
    if isinstance(value, Unpacked):
        cls = _parsed_dataclass(value, home)
        if cls is None:
            return UNKNOWN
        return _field_default(cls, attr, depth, notes, ", an option of HfArgumentParser's command line")
    if isinstance(value, Parameter):
        # `def main(args: ModelArguments)`: the annotation names a dataclass of this file.
        cls = _local_class(value.annotation, scope)
        return _field_default(cls, attr, depth, notes) if cls is not None else UNKNOWN
    if isinstance(value, cst.Call):
        cls = _local_class(value.func, scope)
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
    """The call a module-level function of this file, called without arguments, returns from its one `return`."""
    if call.args or not isinstance(call.func, cst.Name):
        return None
    name = call.func.value
    function = scope.facts().functions.get(name)
    home = scope.lookup_scope(name)
    if function is None or home is not scope.module() or len(home.values.get(name, ())) != 1:
        return None
    if len(function.returns) != 1 or not isinstance(function.returns[0], cst.Call):
        return None
    return function.returns[0], function


def _parsed_dataclass(unpacked: Unpacked, home: Scope) -> Scope | None:
    """The dataclass of this file at `unpacked.index` of `HfArgumentParser((A, B, ...))`, the parser bound once to
    the name the `parse_args_into_dataclasses()` call is made on: its instances hold the fields' defaults unless
    the command line sets them."""
    func = unpacked.call.func
    if not isinstance(func, cst.Attribute) or any(
        a.star or a.keyword is None or a.keyword.value in ("args", "args_filename", "args_file_flag")
        for a in unpacked.call.args
    ):
        return None  # `parse_args_into_dataclasses(args=[...])`: the list (or file) given, not the defaults, decides
    if isinstance(func.value, cst.Call):
        parser, parser_home = func.value, home  # `HfArgumentParser((A, B)).parse_args_into_dataclasses()`
    elif isinstance(func.value, cst.Name):
        found = _bound(func.value.value, home)
        if found is None or not isinstance(found[0], cst.Call):
            return None
        parser, parser_home = found
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


def _local_class(node: cst.BaseExpression | None, scope: Scope) -> Scope | None:
    """The dataclass of this file that `node` (a name) certainly stands for."""
    if not isinstance(node, cst.Name):
        return None
    cls = scope.facts().classes.get(node.value)
    if cls is None or not cls.dataclass:
        return None
    home = scope.lookup_scope(node.value)
    # The class statement is the name's one binding (it binds None: a class is not a value).
    if home is not scope.module() or len(home.values.get(node.value, ())) != 1:
        return None
    return cls


def _field_default(cls: Scope, attr: str, depth: int, notes: list[str], via: str = "") -> "str | _Unknown":
    value = cls.single(attr)
    if value is None or attr in cls.instance_assigned:
        return UNKNOWN
    value = _field_call_default(value)
    if value is None:
        return UNKNOWN
    notes.append(f"the default value of the dataclass field `{cls.name}.{attr}`{via}")
    return evaluate(value, cls, depth + 1, notes)


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
    found = _bound(parser_name, home)
    if found is None or not isinstance(found[0], cst.Call) or qualified_name(found[0].func, found[1]) not in (
        "argparse.ArgumentParser", "transformers.HfArgumentParser"
    ):
        return UNKNOWN
    parser_home = found[1]
    facts = home.facts()
    if _calls_on(facts, "set_defaults", parser_name, parser_home):
        return UNKNOWN
    defining = [c for c, s in facts.method_calls.get("add_argument", ()) if _dest(c) == attr]
    ours = _calls_on(facts, "add_argument", parser_name, parser_home)
    if len(defining) != 1 or defining[0] not in ours:
        return UNKNOWN
    (definition,) = defining
    default = next((a.value for a in definition.args if a.keyword is not None and a.keyword.value == "default"), None)
    if default is None or any(a.star for a in definition.args):
        return UNKNOWN
    option = _dest_option(definition) or attr
    notes.append(f"the default value of the command-line option `{option}`")
    return evaluate(default, parser_home, depth + 1, notes)


def _calls_on(facts: ModuleFacts, method: str, receiver: str, home: Scope) -> list[cst.Call]:
    return [
        c for c, s in facts.method_calls.get(method, ())
        if isinstance(c.func, cst.Attribute) and isinstance(c.func.value, cst.Name) and c.func.value.value == receiver
        and s.lookup_scope(receiver) is home
    ]


def _option_strings(call: cst.Call) -> list[str]:
    out = []
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            break
        if isinstance(arg.value, cst.SimpleString):
            text = _simple_string(arg.value)
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
            text = _simple_string(arg.value) if isinstance(arg.value, cst.SimpleString) else UNKNOWN
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
    home = scope.lookup_scope(name)
    if home is None:
        return None
    bound = [v for v in home.values[name] if not (isinstance(v, cst.Name) and v.value == "None")]
    qualified = {v.qualified for v in bound if isinstance(v, ImportBinding)}
    if len(qualified) == 1 and len(bound) == sum(isinstance(v, ImportBinding) for v in bound):
        return qualified.pop()
    if len(home.values[name]) == 1 and isinstance(bound[0] if bound else None, (cst.Name, cst.Attribute)):
        if depth < MAX_ALIAS_DEPTH:
            return _qualified(bound[0], home, depth + 1)
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
    for container, key, where in scope.facts().environ_writes:
        if qualified_name(container, where) != "os.environ":
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
    found = _bound(container.value, scope)
    if found is None or not isinstance(found[0], cst.Dict):
        return UNKNOWN
    display, home = found
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
    cls_scope = scope.enclosing_class()
    if cls_scope is None:
        return UNKNOWN
    attr = node.attr.value
    if attr in cls_scope.instance_assigned:
        return UNKNOWN
    value = cls_scope.single(attr)
    if value is None or not isinstance(value, cst.BaseExpression):
        return UNKNOWN
    if cls_scope.dataclass:
        # A dataclass's class-level value is only the default of an `__init__` parameter.
        if notes is None:
            return UNKNOWN
        return _field_default(cls_scope, attr, depth, notes)
    return evaluate(value, cls_scope, depth + 1, notes)


def literal_bool(node: cst.BaseExpression) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None
