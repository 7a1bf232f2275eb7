"""Which node edits each diagnostic needs: the class name to replace, the imports to add next to the old one,
and the imports that may go once nothing references them (by LibCST's scope analysis); or, for a fix of a call's
arguments (`Fix.keyword`), the one keyword argument to add or to set.

Nothing is edited here: the plan of a whole file is gathered first, and `imports.transformer` makes it.
"""

from __future__ import annotations

import ast
import keyword as python_keywords
import os
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import ImportAssignment, MetadataWrapper, PositionProvider, ScopeProvider

from automodel_lint.finder import AUTO_MODULES, find_calls
from automodel_lint.records import Diagnostic, Span
from automodel_lint.calls import CLASS_METHODS
from automodel_lint.values import dotted, dotted_name

# Modules that define every PyTorch Auto class: a new class may be imported from, or read off, these.
PYTORCH_AUTO_MODULES = frozenset({"transformers", "transformers.models.auto", "transformers.models.auto.modeling_auto"})


@dataclass
class Plan:
    """The node edits of one file, gathered before any is made."""

    renames: dict = field(default_factory=dict)  # Name node -> new value
    # ImportAlias node -> new class names to import next to it (in the same statement).
    additions: dict = field(default_factory=dict)
    # ImportAlias node -> its ImportFrom, for aliases that go if nothing else references them.
    removable: dict = field(default_factory=dict)
    keep: set = field(default_factory=set)  # aliases that stay even when unused (re-exports of __init__.py)
    introduced: set = field(default_factory=set)  # names the renamed calls now read: their imports must stay
    keywords: dict = field(default_factory=dict)  # Call node -> (keyword, value source) to add or to set


def module_of(node) -> str | None:
    if node.relative or node.module is None:
        return None
    return dotted_name(node.module)


def bound_name(alias) -> str | None:
    target = alias.asname.name if alias.asname is not None else alias.name
    return target.value if isinstance(target, cst.Name) else None


def importable_from(module: str, new: str) -> bool:
    """Whether `new` is an attribute of `module` on transformers 5 (TF and Flax were removed there)."""
    if new.startswith(("TF", "Flax")):
        return module == "transformers"
    return module in PYTORCH_AUTO_MODULES


def _is_init(path: str) -> bool:
    return os.path.basename(path) == "__init__.py"


class File:
    """One parsed file with the metadata every fix reads; computed once, whatever the number of fixes."""

    def __init__(self, module) -> None:
        self.module = module
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.positions = self.wrapper.resolve(PositionProvider)
        # The finder's calls in source order, placed by the positions already resolved: spares the finder a
        # second position pass over the whole file.
        self.sites = find_calls(module, "<fix>", lambda _: True, call_spans=call_spans(self.positions))
        self.scopes = self.wrapper.resolve(ScopeProvider)
        self.calls: dict[tuple[int, int], cst.Call] = {}
        self._any_call: dict[tuple[int, int, int, int], cst.Call] | None = None  # built for the first keyword fix
        self.import_froms: list[cst.ImportFrom] = []
        self.star_import = False
        for node, pos in self.positions.items():
            if isinstance(node, cst.Call):
                func = node.func
                if isinstance(func, cst.Attribute) and func.attr.value in CLASS_METHODS \
                        and dotted(func.value):
                    self.calls[(pos.start.line, pos.start.column + 1)] = node
            elif isinstance(node, cst.ImportFrom):
                if isinstance(node.names, cst.ImportStar):
                    self.star_import = True
                else:
                    self.import_froms.append(node)
        self.sites_at = {(s.span.line, s.span.column): s for s in self.sites}
        blocks = _Blocks()
        module.visit(blocks)
        self.block_of = blocks.block_of
        self._all_scopes = {s for s in self.scopes.values() if s is not None}
        self._binds_only: dict[str, bool] = {}  # per name: every fix asks for its class, the answer never changes

    def call_at(self, span) -> cst.Call | None:
        """The call whose whole span (start and end, as records.Span counts) is `span`: `f(x)(y)` and `f(x)` share
        a start. Only keyword fixes ask, so the index is built on the first question."""
        if self._any_call is None:
            self._any_call = {
                (pos.start.line, pos.start.column + 1, pos.end.line, pos.end.column + 1): node
                for node, pos in self.positions.items() if isinstance(node, cst.Call)
            }
        return self._any_call.get((span.line, span.column, span.end_line, span.end_column))

    def binds_only_the_class(self, name: str) -> bool:
        """Whether every binding of `name` in the file is transformers' class `name`, imported unaliased."""
        if name not in self._binds_only:
            self._binds_only[name] = self._binds_only_the_class(name)
        return self._binds_only[name]

    def _binds_only_the_class(self, name: str) -> bool:
        for scope in self._all_scopes:
            for assignment in scope.assignments[name]:
                if not isinstance(assignment, ImportAssignment):
                    return False
                node = assignment.node
                module = module_of(node) if isinstance(node, cst.ImportFrom) else None
                if module is None or not importable_from(module, name):
                    return False
                if not any(bound_name(a) == name and a.name.value == name for a in node.names):
                    return False
        return True

    def import_aliases_of(self, callee, name: str):
        """The `from M import C [as name]` aliases that bind `name` where `callee` reads it, or a reason."""
        scope = self.scopes.get(callee)
        if scope is None:
            return "the name's scope is unknown"
        found = []
        for assignment in scope[name]:
            if not isinstance(assignment, ImportAssignment):
                continue  # `except ImportError: X = None`: that branch cannot call from_pretrained
            node = assignment.node
            if not isinstance(node, cst.ImportFrom):
                return f"{name} is bound by a plain `import`, not `from ... import`"
            for alias in node.names:
                if bound_name(alias) == name:
                    found.append((alias, node))
        return found or f"no import binds {name}"


def call_spans(positions) -> list[Span]:
    """Every call's span, in source order (a call before the calls inside it), as `find_calls` takes them."""
    calls = [(p.start.line, p.start.column + 1, p.end.line, p.end.column + 1)
             for node, p in positions.items() if isinstance(node, cst.Call)]
    calls.sort(key=lambda s: (s[0], s[1], -s[2], -s[3]))
    return [Span(*s) for s in calls]


class _Blocks(cst.CSTVisitor):
    """The statement block (module or indented body) each `from ... import` sits in."""

    def __init__(self) -> None:
        self.stack: list = []
        self.block_of: dict = {}

    def on_visit(self, node) -> bool:
        # No statement, so no import, sits inside an expression: skipping them makes this pass cheap.
        return not isinstance(node, cst.BaseExpression) and super().on_visit(node)

    def visit_Module(self, node) -> None:
        self.stack.append(node)

    def leave_Module(self, original_node) -> None:
        self.stack.pop()

    def visit_IndentedBlock(self, node) -> None:
        self.stack.append(node)

    def leave_IndentedBlock(self, original_node) -> None:
        self.stack.pop()

    def visit_ImportFrom(self, node) -> bool:
        self.block_of[node] = self.stack[-1]
        return False


def _imported_before(file: File, node, new: str) -> bool:
    """Whether `new` is imported unaliased in `node` or in an earlier statement of the same block.

    Scope alone is not enough: an import of the new class further down the module is in scope for the
    call, but not yet bound when it runs.
    """
    line = file.positions[node].start.line
    for other in file.import_froms:
        if other is not node and (file.block_of.get(other) is not file.block_of.get(node)
                                  or file.positions[other].start.line >= line):
            continue
        module = module_of(other)
        if module is not None and importable_from(module, new):
            if any(isinstance(a.name, cst.Name) and a.name.value == new and a.asname is None for a in other.names):
                return True
    return False


def _in_reach(file: File, callee, new: str) -> bool:
    """Whether an import of `new` already serves the call: seen from its scope, above it, in a block around it."""
    at = file.positions[callee].start
    for assignment in file.scopes[callee][new]:
        node = assignment.node
        if not isinstance(assignment, ImportAssignment) or not isinstance(node, cst.ImportFrom):
            continue
        block = file.positions[file.block_of[node]]
        if file.positions[node].end.line < at.line and block.start.line <= at.line <= block.end.line:
            return True
    return False


def plan_one(file: File, diag: Diagnostic, plan: Plan) -> str | None:
    """Adds one diagnostic's edits to `plan`; returns why it cannot be applied, or None."""
    if diag.fix is not None and diag.fix.keyword is not None:
        return _plan_keyword(file, diag, plan)
    new, old = diag.fix.new_class if diag.fix else None, diag.called
    if not new or not old:
        return "no single class to suggest"
    if new == old:
        return "the suggestion is the class already called"
    if not new.isidentifier():
        return f"not a class name: {new!r}"
    key = (diag.span.line, diag.span.column)
    site, call = file.sites_at.get(key), file.calls.get(key)
    if site is None or call is None:
        return "no transformers from_pretrained or from_config call at this position"
    if site.called != old:
        return f"the call here is {site.called}, not {old}"
    callee = call.func.value
    if isinstance(callee, cst.Attribute):
        return _plan_attribute(file, callee, old, new, diag, plan)
    return _plan_name(file, callee, old, new, diag, plan)


def _plan_keyword(file: File, diag: Diagnostic, plan: Plan) -> str | None:
    """One keyword argument added to the call at the diagnostic's span, or the value of the one there replaced.

    The value must be a literal: it then adds no name to bind and no call to judge, so nothing else in the file can
    change meaning. The rule guarantees the parameter is not already filled by position.
    """
    name, value = diag.fix.keyword
    if not name.isidentifier() or python_keywords.iskeyword(name):
        return f"not a keyword argument name: {name!r}"
    try:
        ast.literal_eval(value)
        expression = cst.parse_expression(value)
    except (ValueError, SyntaxError, TypeError, cst.ParserSyntaxError, MemoryError, RecursionError):
        return f"not a literal value: {value!r}"
    call = file.call_at(diag.span)
    if call is None:
        return "no call at this position"
    if call in plan.keywords:
        return "another fix already edits this call"
    if any(arg.star == "**" for arg in call.args) and not any(_is_keyword(arg, name) for arg in call.args):
        return f"the call passes **kwargs, which may already hold {name}"
    plan.keywords[call] = (name, expression)
    return None


def _is_keyword(arg, name: str) -> bool:
    return arg.keyword is not None and arg.keyword.value == name


def with_keyword(call: cst.Call, name: str, value) -> cst.Call:
    """`call` with `name=value`: the existing argument's value replaced, else a new last argument laid out like
    the ones before it (one per line when they are, a trailing comma kept where there was one)."""
    args = list(call.args)
    for index, arg in enumerate(args):
        if _is_keyword(arg, name):
            args[index] = arg.with_changes(value=value)
            return call.with_changes(args=args)
    new = cst.Arg(value=value, keyword=cst.Name(name), equal=cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    # What separates two arguments here: the comma after the one before last, else what follows `(`.
    if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
        between = args[-2].comma
    elif isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        between = cst.Comma(whitespace_after=call.whitespace_before_args)
    else:
        between = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if isinstance(last.comma, cst.Comma):  # a trailing comma: the new argument takes it, the last takes `between`
        args[-1] = last.with_changes(comma=between)
        args.append(new.with_changes(comma=last.comma))
    else:  # what closed the call (a newline before `)`) now follows the new argument
        args[-1] = last.with_changes(comma=between, whitespace_after_arg=cst.SimpleWhitespace(""))
        args.append(new.with_changes(whitespace_after_arg=last.whitespace_after_arg))
    return call.with_changes(args=args)


def _plan_attribute(file: File, callee, old: str, new: str, diag: Diagnostic, plan: Plan) -> str | None:
    scope = file.scopes.get(callee)
    qualified = scope.get_qualified_names_for(callee) if scope is not None else ()
    owners = {q.name.rpartition(".")[0] for q in qualified if q.name.endswith(f".{old}")}
    if len(owners) != 1:
        return "cannot tell which module the class is read from"
    owner = owners.pop()
    if not importable_from(owner, new):
        return f"{owner} has no {new}"
    if callee.attr in plan.renames:
        return "another fix already edits this call"
    plan.renames[callee.attr] = new
    if diag.fix.old_class_removed:
        _drop_removed_class_imports(file, old, plan)
    return None


def _plan_name(file: File, callee, old: str, new: str, diag: Diagnostic, plan: Plan) -> str | None:
    if file.star_import:
        # A star import may bind the new name (and rebind it after ours): its meaning cannot be known.
        return "the file has a star import, which may bind the new name"
    if not file.binds_only_the_class(new):
        return f"{new} is already bound to something else in this file"
    aliases = file.import_aliases_of(callee, callee.value)
    if isinstance(aliases, str):
        return aliases
    for alias, node in aliases:
        module = module_of(node)
        if module is None or not importable_from(module, new):
            return f"{new} cannot be imported from {module or 'a relative module'}"
    if callee in plan.renames:
        return "another fix already edits this call"
    plan.renames[callee] = new
    plan.introduced.add(new)
    for alias, node in aliases:
        if not _in_reach(file, callee, new) and not _imported_before(file, node, new):
            if not any(new in plan.additions.get(a, ()) for a in node.names):
                plan.additions.setdefault(alias, []).append(new)
        plan.removable[alias] = node
        if _is_init(diag.path) and not diag.fix.old_class_removed:
            plan.keep.add(alias)  # a package's __init__ may re-export the old class
    if diag.fix.old_class_removed:
        _drop_removed_class_imports(file, old, plan)
    return None


def _drop_removed_class_imports(file: File, old: str, plan: Plan) -> None:
    """Every `from <transformers> import <removed class>` may go when unused: it fails to import on v5."""
    for node in file.import_froms:
        if module_of(node) in AUTO_MODULES:
            for alias in node.names:
                if isinstance(alias.name, cst.Name) and alias.name.value == old:
                    plan.removable.setdefault(alias, node)


def unused_imports(file: File, plan: Plan) -> set:
    """The removable aliases no reference is left to once the planned renames are made."""
    renamed = set(plan.renames)
    unreferenced = {}
    for alias, node in plan.removable.items():
        if alias in plan.keep:
            continue
        name = bound_name(alias)
        scope = file.scopes.get(node)
        if name is None or scope is None or name in plan.introduced:
            continue
        referenced = any(
            ref.node not in renamed
            for assignment in scope[name]
            if isinstance(assignment, ImportAssignment)
            for ref in assignment.references
        )
        if not referenced:
            unreferenced[alias] = name
    if not unreferenced:
        return set()
    # Scope analysis does not count a use that comes before the import (legal in a function body, or
    # broken code): any other Name of that spelling keeps the import. Names kept by text (`__all__`, string
    # annotations) keep it too; both are read only when an import would otherwise go, in one pass each: they
    # cost more than the rest of a fix of a large file, and most fixes remove no import.
    spelled = _names_spelled(file.module, set(unreferenced.values()))
    unused = {alias for alias, name in unreferenced.items() if all(n in renamed for n in spelled[name])}
    if unused:
        kept = _kept_by_text(file)
        unused = {alias for alias in unused if unreferenced[alias] not in kept}
    return unused


def _kept_by_text(file: File) -> set[str]:
    """Names the file uses in text: exported in `__all__`, or read in string annotations."""
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import GatherExportsVisitor, GatherNamesFromStringAnnotationsVisitor

    # Codemod visitors read metadata the wrapper must already hold.
    file.wrapper.resolve_many(GatherNamesFromStringAnnotationsVisitor.get_inherited_dependencies())
    context = CodemodContext(wrapper=file.wrapper)
    exports = GatherExportsVisitor(context)
    file.module.visit(exports)
    annotations = GatherNamesFromStringAnnotationsVisitor(context)
    file.module.visit(annotations)
    return exports.explicit_exported_objects | annotations.names


def _names_spelled(module: cst.Module, wanted: set[str]) -> dict[str, list]:
    """Each wanted name's Name nodes that are uses (not the import that binds it, not a rebinding)."""
    class Names(cst.CSTVisitor):
        def __init__(self) -> None:
            self.found: dict[str, list] = {name: [] for name in wanted}

        def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
            return False  # the binding itself is not a use

        def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
            return False  # nor is a rebinding (`except ImportError: X = None`)

        def visit_Name(self, node: cst.Name) -> None:
            if node.value in wanted:
                self.found[node.value].append(node)

    names = Names()
    module.visit(names)
    return names.found

