"""Diagnostics -> a fixed source: the callee's class replaced, the file's imports kept right, nothing else.

A fix replaces one node, the class name in `X.from_pretrained(...)` or `X.from_config(...)`. Import
bookkeeping follows once for the whole file, in the same transform: for a name imported with
`from ... import X [as Y]`, the new class is added to that same statement (so an import inside a function
or a `try:` guard stays there), and the old name leaves it when no reference is left, by LibCST's scope
analysis. A removed class's import is dropped when unused, because on transformers 5 the import line alone
fails.

LibCST's AddImportsVisitor and RemoveImportsVisitor are not used for the edit itself: the first only
merges into the block of imports at the top of a module and otherwise hoists a new, unguarded import
there (out of a function or a `try: ... except ImportError` guard), and the second drops the comments
of a parenthesised import whose last name it removes. Both break the promise that nothing outside the
edit changes. Their scope analysis is what decides "still used" here too (ScopeProvider references,
`__all__` exports, names in string annotations).

Every result is re-parsed and the file's calls are resolved again; if any call would now resolve to a
class other than the one intended, the whole file is left as it was.
"""

from __future__ import annotations

import ast
import difflib
import io
import os
import stat
import tempfile
import tokenize
import warnings
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import libcst as cst
from libcst.metadata import ImportAssignment, MetadataWrapper, PositionProvider, ScopeProvider

from automodel_lint.finder import AUTO_MODULES, find_calls
from automodel_lint.records import Diagnostic, Span

# Modules that define every PyTorch Auto class: a new class may be imported from, or read off, these.
PYTORCH_AUTO_MODULES = frozenset({"transformers", "transformers.models.auto", "transformers.models.auto.modeling_auto"})


@dataclass(frozen=True)
class NotApplied:
    diagnostic: Diagnostic
    reason: str


@dataclass(frozen=True)
class FixOutcome:
    source: bytes
    fixed: bytes  # equal to `source` when nothing was applied
    applied: tuple[Diagnostic, ...] = ()
    not_applied: tuple[NotApplied, ...] = ()
    error: str | None = None  # why the whole file was left as it was, if it was
    # Where each applied diagnostic's call sits in `fixed`, in `applied` order (imports shift lines).
    moved: tuple[Span, ...] = ()

    @property
    def changed(self) -> bool:
        return self.fixed != self.source


def select_fixes(diagnostics: Iterable[Diagnostic], unsafe: bool) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(the diagnostics to fix, the unsafe ones held back): `--fix` takes safe fixes, `--unsafe-fixes` all."""
    chosen, held = [], []
    for d in diagnostics:
        if d.applicability == "safe" or (d.applicability == "unsafe" and unsafe):
            chosen.append(d)
        elif d.applicability == "unsafe":
            held.append(d)
    return chosen, held


def _refused(source: bytes, fixes: Sequence[Diagnostic], reason: str, skipped: Iterable[NotApplied] = ()) -> FixOutcome:
    skipped = list(skipped)
    seen = {id(s.diagnostic) for s in skipped}
    skipped += [NotApplied(d, reason) for d in fixes if id(d) not in seen]
    return FixOutcome(source, source, (), tuple(skipped), error=reason)


# Finding what to edit


@dataclass
class _Plan:
    """The node edits of one file, gathered before any is made."""

    renames: dict = field(default_factory=dict)  # Name node -> new value
    # ImportAlias node -> new class names to import next to it (in the same statement).
    additions: dict = field(default_factory=dict)
    # ImportAlias node -> its ImportFrom, for aliases that go if nothing else references them.
    removable: dict = field(default_factory=dict)
    keep: set = field(default_factory=set)  # aliases that stay even when unused (re-exports of __init__.py)
    introduced: set = field(default_factory=set)  # names the renamed calls now read: their imports must stay


def _dotted(node) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


def _module_of(node) -> str | None:
    if node.relative or node.module is None:
        return None
    return _dotted(node.module)


def _bound_name(alias) -> str | None:
    target = alias.asname.name if alias.asname is not None else alias.name
    return target.value if isinstance(target, cst.Name) else None


def _importable_from(module: str, new: str) -> bool:
    """Whether `new` is an attribute of `module` on transformers 5 (TF and Flax were removed there)."""
    if new.startswith(("TF", "Flax")):
        return module == "transformers"
    return module in PYTORCH_AUTO_MODULES


def _is_init(path: str) -> bool:
    return os.path.basename(path) == "__init__.py"


class _File:
    """One parsed file with the metadata every fix reads; computed once, whatever the number of fixes."""

    def __init__(self, module) -> None:
        self.module = module
        self.sites = find_calls(module, "<fix>", lambda _: True)
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.positions = self.wrapper.resolve(PositionProvider)
        self.scopes = self.wrapper.resolve(ScopeProvider)
        self.calls: dict[tuple[int, int], cst.Call] = {}
        self.import_froms: list[cst.ImportFrom] = []
        self.star_import = False
        for node, pos in self.positions.items():
            if isinstance(node, cst.Call):
                func = node.func
                if isinstance(func, cst.Attribute) and func.attr.value in ("from_pretrained", "from_config") and _dotted(func.value):
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

    def binds_only_the_class(self, name: str) -> bool:
        """Whether every binding of `name` in the file is transformers' class `name`, imported unaliased."""
        for scope in self._all_scopes:
            for assignment in scope.assignments[name]:
                if not isinstance(assignment, ImportAssignment):
                    return False
                node = assignment.node
                module = _module_of(node) if isinstance(node, cst.ImportFrom) else None
                if module is None or not _importable_from(module, name):
                    return False
                if not any(_bound_name(a) == name and a.name.value == name for a in node.names):
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
                if _bound_name(alias) == name:
                    found.append((alias, node))
        return found or f"no import binds {name}"


class _Blocks(cst.CSTVisitor):
    """The statement block (module or indented body) each `from ... import` sits in."""

    def __init__(self) -> None:
        self.stack: list = []
        self.block_of: dict = {}

    def visit_Module(self, node) -> None:
        self.stack.append(node)

    def leave_Module(self, original_node) -> None:
        self.stack.pop()

    def visit_IndentedBlock(self, node) -> None:
        self.stack.append(node)

    def leave_IndentedBlock(self, original_node) -> None:
        self.stack.pop()

    def visit_ImportFrom(self, node) -> None:
        self.block_of[node] = self.stack[-1]


def _imported_before(file: _File, node, new: str) -> bool:
    """Whether `new` is imported unaliased in `node` or in an earlier statement of the same block.

    Scope alone is not enough: an import of the new class further down the module is in scope for the
    call, but not yet bound when it runs.
    """
    line = file.positions[node].start.line
    for other in file.import_froms:
        if other is not node and (file.block_of.get(other) is not file.block_of.get(node) or file.positions[other].start.line >= line):
            continue
        module = _module_of(other)
        if module is not None and _importable_from(module, new):
            if any(isinstance(a.name, cst.Name) and a.name.value == new and a.asname is None for a in other.names):
                return True
    return False


def _in_reach(file: _File, callee, new: str) -> bool:
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


def _plan_one(file: _File, diag: Diagnostic, plan: _Plan) -> str | None:
    """Adds one diagnostic's edits to `plan`; returns why it cannot be applied, or None."""
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


def _plan_attribute(file: _File, callee, old: str, new: str, diag: Diagnostic, plan: _Plan) -> str | None:
    scope = file.scopes.get(callee)
    qualified = scope.get_qualified_names_for(callee) if scope is not None else ()
    owners = {q.name.rpartition(".")[0] for q in qualified if q.name.endswith(f".{old}")}
    if len(owners) != 1:
        return "cannot tell which module the class is read from"
    owner = owners.pop()
    if not _importable_from(owner, new):
        return f"{owner} has no {new}"
    if callee.attr in plan.renames:
        return "another fix already edits this call"
    plan.renames[callee.attr] = new
    if diag.fix.old_class_removed:
        _drop_removed_class_imports(file, old, plan)
    return None


def _plan_name(file: _File, callee, old: str, new: str, diag: Diagnostic, plan: _Plan) -> str | None:
    if file.star_import:
        # A star import may bind the new name (and rebind it after ours): its meaning cannot be known.
        return "the file has a star import, which may bind the new name"
    if not file.binds_only_the_class(new):
        return f"{new} is already bound to something else in this file"
    aliases = file.import_aliases_of(callee, callee.value)
    if isinstance(aliases, str):
        return aliases
    for alias, node in aliases:
        module = _module_of(node)
        if module is None or not _importable_from(module, new):
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


def _drop_removed_class_imports(file: _File, old: str, plan: _Plan) -> None:
    """Every `from <transformers> import <removed class>` may go when unused: it fails to import on v5."""
    for node in file.import_froms:
        if _module_of(node) in AUTO_MODULES:
            for alias in node.names:
                if isinstance(alias.name, cst.Name) and alias.name.value == old:
                    plan.removable.setdefault(alias, node)


def _unused(file: _File, plan: _Plan) -> set:
    """The removable aliases no reference is left to once the planned renames are made."""
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import GatherExportsVisitor, GatherNamesFromStringAnnotationsVisitor

    # Codemod visitors read metadata the wrapper must already hold.
    file.wrapper.resolve_many(GatherNamesFromStringAnnotationsVisitor.get_inherited_dependencies())
    context = CodemodContext(wrapper=file.wrapper)
    exports = GatherExportsVisitor(context)
    file.module.visit(exports)
    annotations = GatherNamesFromStringAnnotationsVisitor(context)
    file.module.visit(annotations)
    kept_by_text = exports.explicit_exported_objects | annotations.names
    renamed = set(plan.renames)
    unused = set()
    for alias, node in plan.removable.items():
        if alias in plan.keep:
            continue
        name = _bound_name(alias)
        scope = file.scopes.get(node)
        if name is None or scope is None or name in kept_by_text or name in plan.introduced:
            continue
        referenced = any(
            ref.node not in renamed
            for assignment in scope[name]
            if isinstance(assignment, ImportAssignment)
            for ref in assignment.references
        )
        # Scope analysis does not count a use that comes before the import (legal in a function body, or
        # broken code): any other Name of that spelling keeps the import.
        if not referenced and not any(n not in renamed for n in _names_spelled(file.module, name)):
            unused.add(alias)
    return unused


def _names_spelled(module: cst.Module, name: str) -> list:
    class Names(cst.CSTVisitor):
        def __init__(self) -> None:
            self.found: list = []

        def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
            return False  # the binding itself is not a use

        def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
            return False  # nor is a rebinding (`except ImportError: X = None`)

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name:
                self.found.append(node)

    names = Names()
    module.visit(names)
    return names.found


# Editing the import statements, whitespace and comments included


def _merge_gap(left, right):
    """The whitespace left when the element between `left` and `right` is cut out.

    The cut element's own line goes, with its trailing comment; the comment of the line before it stays,
    and so do comment lines between it and the next element (they are about the next one).
    """
    pw = cst.ParenthesizedWhitespace
    if isinstance(left, pw) and isinstance(right, pw):
        return left.with_changes(empty_lines=(*left.empty_lines, *right.empty_lines), indent=right.indent, last_line=right.last_line)
    if isinstance(right, pw):
        return right.with_changes(first_line=cst.TrailingWhitespace())
    return left


def _edit_import(node, ops: dict):
    """`node` with its aliases renamed, removed or followed by new ones, per `ops` (alias -> (remove, adds))."""
    names = list(node.names)
    lpar, rpar = node.lpar, node.rpar
    paren = isinstance(lpar, cst.LeftParen)
    for index in range(len(names) - 1, -1, -1):
        op = ops.get(node.names[index])
        if op is None:
            continue
        remove, adds = op
        alias = names[index]
        if remove and adds:
            names[index] = alias.with_changes(name=cst.Name(adds[0]), asname=None)
            adds = adds[1:]
        elif remove:
            names, lpar, rpar = _cut(names, index, lpar, rpar, paren)
            continue
        for new in reversed(adds):
            names, rpar = _insert_after(names, index, new, lpar, rpar, node.whitespace_after_import)
    if not names:
        return cst.RemoveFromParent()
    return node.with_changes(names=names, lpar=lpar, rpar=rpar)


def _cut(names: list, index: int, lpar, rpar, paren: bool):
    alias = names[index]
    last = index == len(names) - 1
    after = alias.comma.whitespace_after if isinstance(alias.comma, cst.Comma) else (rpar.whitespace_before if paren else None)
    rest = names[:index] + names[index + 1 :]
    if not rest:
        return rest, lpar, rpar
    if index == 0:
        if paren and after is not None:
            lpar = lpar.with_changes(whitespace_after=_merge_gap(lpar.whitespace_after, after))
        return rest, lpar, rpar
    prev = rest[index - 1]
    if last and not paren:
        rest[index - 1] = prev.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    elif isinstance(prev.comma, cst.Comma) and after is not None:
        rest[index - 1] = prev.with_changes(comma=prev.comma.with_changes(whitespace_after=_merge_gap(prev.comma.whitespace_after, after)))
        if last and not isinstance(alias.comma, cst.Comma):
            rpar = rpar.with_changes(whitespace_before=cst.SimpleWhitespace(""))
    return rest, lpar, rpar


def _insert_after(names: list, index: int, new: str, lpar, rpar, after_import):
    """Adds `new` after names[index]: on a line of its own when the names are one per line, else inline."""
    pw = cst.ParenthesizedWhitespace
    alias = names[index]
    if index > 0 and isinstance(names[index - 1].comma, cst.Comma):
        before = names[index - 1].comma.whitespace_after
    elif index == 0 and isinstance(lpar, cst.LeftParen):
        before = lpar.whitespace_after
    else:
        before = after_import
    has_comma = isinstance(alias.comma, cst.Comma)
    after = alias.comma.whitespace_after if has_comma else (rpar.whitespace_before if isinstance(rpar, cst.RightParen) else None)
    if isinstance(before, pw):
        comment = after.first_line if isinstance(after, pw) else cst.TrailingWhitespace()
        between = pw(first_line=comment, empty_lines=(), indent=before.indent, last_line=before.last_line)
    else:
        between = cst.SimpleWhitespace(" ")
    rest = after.with_changes(first_line=cst.TrailingWhitespace()) if isinstance(after, pw) else after
    old_comma = alias.comma.with_changes(whitespace_after=between) if has_comma else cst.Comma(whitespace_after=between)
    if has_comma:
        added = cst.ImportAlias(name=cst.Name(new), comma=cst.Comma(whitespace_before=alias.comma.whitespace_before, whitespace_after=rest))
    else:
        added = cst.ImportAlias(name=cst.Name(new))
        if isinstance(rpar, cst.RightParen) and rest is not None:
            rpar = rpar.with_changes(whitespace_before=rest)
    names = [*names[:index], alias.with_changes(comma=old_comma), added, *names[index + 1 :]]
    return names, rpar


def _transformer(plan: _Plan, unused: set):
    ops: dict = {}
    for alias in set(plan.additions) | unused:
        ops[alias] = (alias in unused, list(plan.additions.get(alias, ())))
    touched = {plan.removable[alias] for alias in ops}

    class Edit(cst.CSTTransformer):
        def __init__(self) -> None:
            self.removed_lines: set = set()

        def leave_Name(self, original_node, updated_node):
            new = plan.renames.get(original_node)
            return updated_node if new is None else updated_node.with_changes(value=new)

        def leave_ImportFrom(self, original_node, updated_node):
            if original_node not in touched:
                return updated_node
            return _edit_import(updated_node.with_changes(names=original_node.names), ops)

        def leave_SimpleStatementLine(self, original_node, updated_node):
            if not updated_node.body:
                self.removed_lines.add(original_node)
                return cst.RemoveFromParent()
            return updated_node

        # The comment and blank lines above a removed import line stay, above the statement that follows.
        def leave_Module(self, original_node, updated_node):
            return updated_node.with_changes(body=self._carry(original_node.body, updated_node.body))

        def leave_IndentedBlock(self, original_node, updated_node):
            return updated_node.with_changes(body=self._carry(original_node.body, updated_node.body))

        def _carry(self, before, after):
            if not any(line in self.removed_lines for line in before):
                return after
            after = list(after)
            pending, out_index = [], 0
            for line in before:
                if line in self.removed_lines:
                    pending += line.leading_lines
                    continue
                if pending and out_index < len(after):
                    stmt = after[out_index]
                    after[out_index] = stmt.with_changes(leading_lines=(*pending, *stmt.leading_lines))
                    pending = []
                out_index += 1
            return after

    return Edit()


# The whole pass


def fix_source(source: bytes, fixes: Sequence[Diagnostic]) -> FixOutcome:
    """`source` with every applicable fix in `fixes` made, in one pass; unchanged when none applies.

    The caller has chosen the fixes (safe, or unsafe too). A fix is skipped, with its reason, when its
    call is not at the stated position or does not call the stated class, or when the edit could change
    anything beyond that call's class; the whole file is left as it was when it does not parse, or when
    the result would not parse or would resolve any call differently than planned.
    """
    if not fixes:
        return FixOutcome(source, source)
    try:
        module = cst.parse_module(source)
        file = _File(module)
    except (cst.ParserSyntaxError, SyntaxError, UnicodeDecodeError, LookupError, ValueError) as exc:
        return _refused(source, fixes, f"the file does not parse: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    except RecursionError:
        return _refused(source, fixes, "the file is nested too deeply for the parser")

    plan = _Plan()
    applied: list[Diagnostic] = []
    skipped: list[NotApplied] = []
    try:
        for diag in fixes:
            reason = _plan_one(file, diag, plan)
            if reason is None:
                applied.append(diag)
            else:
                skipped.append(NotApplied(diag, reason))
        if not applied:
            return FixOutcome(source, source, (), tuple(skipped))
        fixed = module.visit(_transformer(plan, _unused(file, plan))).bytes
    except UnicodeEncodeError as exc:
        return _refused(source, fixes, f"the fix cannot be written in the file's encoding: {exc}", skipped)
    except Exception as exc:  # a fixer bug must cost this file its fixes, never the run or the file
        return _refused(source, fixes, f"internal error in the fixer ({type(exc).__name__}: {exc}); nothing was changed", skipped)
    failure, moved = _recheck_calls(source, fixed, file, applied)
    if failure is not None:
        return _refused(source, fixes, failure, skipped)
    return FixOutcome(source, fixed, tuple(applied), tuple(skipped), moved=moved)


def _recheck_calls(source: bytes, fixed: bytes, file: _File, applied: list[Diagnostic]):
    """Why `fixed` must not be written (it does not parse, or a call resolves otherwise than planned), or None."""
    try:
        after = find_calls(cst.parse_module(fixed), "<fix>", lambda _: True)
    except Exception as exc:  # any failure to re-read our own output means the output is wrong
        return f"the fixed source does not parse ({type(exc).__name__}); nothing was changed", ()
    if _python_parses(source) and not _python_parses(fixed):
        return "the fixed source does not compile; nothing was changed", ()
    planned = {(d.span.line, d.span.column): d.fix.new_class for d in applied}
    if len(after) != len(file.sites):
        return "the fix would change which calls load a transformers class; nothing was changed", ()
    moved: dict[tuple[int, int], Span] = {}
    for before, now in zip(file.sites, after):
        key = (before.span.line, before.span.column)
        if now.called != planned.get(key, before.called):
            return f"the fix would make the call at {key[0]}:{key[1]} load {now.called}; nothing was changed", ()
        moved[key] = now.span
    return None, tuple(moved[(d.span.line, d.span.column)] for d in applied)


def _python_parses(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def verify_fixed(outcome: FixOutcome, recheck: Callable[[bytes], list[Diagnostic]]) -> FixOutcome:
    """`outcome` if no fixed call reports a diagnostic when `fixed` is checked again, else the file unchanged.

    `recheck` runs the same checks on the fixed bytes (same facts, same table) and returns their
    diagnostics; a fixed call that still reports anything means the fix did not do what it promised.
    """
    if not outcome.changed:
        return outcome
    fixed_at = {(s.line, s.column) for s in outcome.moved}
    still = [d for d in recheck(outcome.fixed) if (d.span.line, d.span.column) in fixed_at]
    if not still:
        return outcome
    first = still[0]
    reason = f"after the fix, {first.span.line}:{first.span.column} still reports {first.code}: {first.message}; nothing was changed"
    return _refused(outcome.source, [*outcome.applied, *(n.diagnostic for n in outcome.not_applied)], reason, outcome.not_applied)


# Writing and showing


class WriteError(Exception):
    """A fixed file that could not be written; the message names the file and the cause."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: cannot write the fix: {reason}")
        self.path = path
        self.reason = reason


def write_atomic(path: str | os.PathLike, data: bytes, expected: bytes | None = None) -> bool:
    """Replaces the file's content with `data` atomically, keeping its mode; False if it already holds `data`.

    A read-only file is refused even where its folder would let `os.replace` swap it, because read-only
    is what the user asked for. A symlink is followed: the file it points to is written, the link kept.
    With `expected` (the bytes the fix was computed from), a file that changed or vanished since it was
    read is refused: the fix would otherwise undo someone's edit, or bring a deleted file back.
    """
    path = os.fspath(path)
    target = os.path.realpath(path)
    try:
        st = os.stat(target)
        if not stat.S_ISREG(st.st_mode):
            raise WriteError(path, "not a regular file")
        with open(target, "rb") as handle:
            current = handle.read()
        if current == data:
            return False
        if expected is not None and current != expected:
            raise WriteError(path, "the file changed while it was being checked; run again")
    except FileNotFoundError:
        if expected is not None:
            raise WriteError(path, "the file was removed while it was being checked") from None
        st = None
    except OSError as exc:
        raise WriteError(path, exc.strerror or str(exc)) from None
    if st is not None and (not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK)):
        raise WriteError(path, "the file is read-only")
    folder = os.path.dirname(target) or "."
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WriteError(path, f"cannot create a file in {folder}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, stat.S_IMODE(st.st_mode) if st is not None else 0o644)
        os.replace(temp, target)
    except OSError as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise WriteError(path, exc.strerror or str(exc)) from None
    _fsync_folder(folder)
    return True


def _fsync_folder(folder: str) -> None:
    # Makes the rename itself durable; not every platform can open a folder, and then there is nothing to do.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def source_encoding(data: bytes) -> str:
    """The encoding Python reads `data` with: its BOM or coding cookie, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except (SyntaxError, LookupError):
        return "utf-8"
    return encoding


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """A `git diff`-style unified diff of one file, "" when the bytes are equal."""
    if before == after:
        return ""
    encoding = source_encoding(before)
    old = before.decode(encoding, errors="surrogateescape" if encoding.startswith("utf") else "replace")
    new = after.decode(encoding, errors="surrogateescape" if encoding.startswith("utf") else "replace")
    label = path.replace(os.sep, "/")
    if label.startswith("./"):
        label = label[2:]
    a, b = (label, label) if os.path.isabs(path) else (f"a/{label}", f"b/{label}")
    out = []
    for line in difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), a, b):
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)
