"""What an expression statically holds: a string that is certain, or UNKNOWN.

A linter that guesses produces false positives, so every rule here answers only when the source leaves
no doubt: literals, implicit concatenation, f-strings and `+` of certain parts, and names bound exactly
once to such a value in the scope that Python would look them up in. Anything else is UNKNOWN.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

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


@dataclass
class Scope:
    """The bindings of one module, class or function body.

    `values` keeps, for each name, every expression bound to it; a binding whose value is not an
    expression (a parameter, a loop target, an import, `global`) is recorded as None, which makes the
    name uncertain however its other bindings look.
    """

    kind: str  # "module", "class" or "function"
    parent: "Scope | None"
    values: dict[str, list[cst.BaseExpression | None]] = field(default_factory=dict)
    globals_: set[str] = field(default_factory=set)
    # For class scopes: attributes assigned through `self.X = ...` in its methods (instance attributes
    # shadow the class attribute, so the class value is no longer certain).
    instance_assigned: set[str] = field(default_factory=set)

    def bind(self, name: str, value: cst.BaseExpression | None) -> None:
        self.values.setdefault(name, []).append(value)

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

    def enclosing_class(self) -> "Scope | None":
        """For a method body: the class it is defined in."""
        if self.kind == "function" and self.parent is not None and self.parent.kind == "class":
            return self.parent
        return None


Lookup = Callable[[cst.BaseExpression, int], "str | _Unknown"]


def evaluate(node: cst.BaseExpression, scope: Scope, depth: int = 0) -> "str | _Unknown":
    """The string `node` certainly evaluates to in `scope`, else UNKNOWN."""
    if depth > MAX_DEPTH:
        return UNKNOWN
    if isinstance(node, cst.SimpleString):
        return _simple_string(node)
    if isinstance(node, cst.ConcatenatedString):
        return _join(evaluate(node.left, scope, depth + 1), evaluate(node.right, scope, depth + 1))
    if isinstance(node, cst.FormattedString):
        return _formatted(node, scope, depth)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _join(evaluate(node.left, scope, depth + 1), evaluate(node.right, scope, depth + 1))
    if isinstance(node, cst.Name):
        return _name(node.value, scope, depth)
    if isinstance(node, cst.Attribute):
        return _class_attribute(node, scope, depth)
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


def _formatted(node: cst.FormattedString, scope: Scope, depth: int) -> "str | _Unknown":
    parts: list[str] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            parts.append(part.value)
            continue
        # A conversion or format spec could change the text; only a bare `{NAME}` is certain.
        if part.conversion is not None or part.format_spec is not None or part.equal is not None:
            return UNKNOWN
        value = evaluate(part.expression, scope, depth + 1)
        if not isinstance(value, str):
            return UNKNOWN
        parts.append(value)
    text = "".join(parts)
    # Doubled braces in the literal text stand for single ones.
    return text.replace("{{", "{").replace("}}", "}")


def _name(name: str, scope: Scope, depth: int) -> "str | _Unknown":
    home = scope.lookup_scope(name)
    if home is None:
        return UNKNOWN
    value = home.single(name)
    if value is None:
        return UNKNOWN
    return evaluate(value, home, depth + 1)


def _class_attribute(node: cst.Attribute, scope: Scope, depth: int) -> "str | _Unknown":
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
    if value is None:
        return UNKNOWN
    return evaluate(value, cls_scope, depth + 1)


def literal_bool(node: cst.BaseExpression) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None
