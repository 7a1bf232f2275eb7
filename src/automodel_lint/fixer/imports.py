"""The import statements edited in place, whitespace and comments included, and the one transform that makes a
file's plan: class names renamed, new classes imported beside the old, unused imports cut.

LibCST's AddImportsVisitor and RemoveImportsVisitor are not used for the edit itself: the first only merges into
the block of imports at the top of a module and otherwise hoists a new, unguarded import there (out of a function
or a `try: ... except ImportError` guard), and the second drops the comments of a parenthesised import whose last
name it removes. Both break the promise that nothing outside the edit changes.
"""

from __future__ import annotations

import libcst as cst

from automodel_lint.fixer.plan import Plan, with_keyword


def _merge_gap(left, right):
    """The whitespace left when the element between `left` and `right` is cut out.

    The cut element's own line goes, with its trailing comment; the comment of the line before it stays,
    and so do comment lines between it and the next element (they are about the next one).
    """
    pw = cst.ParenthesizedWhitespace
    if isinstance(left, pw) and isinstance(right, pw):
        return left.with_changes(empty_lines=(*left.empty_lines, *right.empty_lines), indent=right.indent,
                                 last_line=right.last_line)
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
    if isinstance(alias.comma, cst.Comma):
        after = alias.comma.whitespace_after
    else:
        after = rpar.whitespace_before if paren else None
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
        gap = _merge_gap(prev.comma.whitespace_after, after)
        rest[index - 1] = prev.with_changes(comma=prev.comma.with_changes(whitespace_after=gap))
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
    if has_comma:
        after = alias.comma.whitespace_after
    else:
        after = rpar.whitespace_before if isinstance(rpar, cst.RightParen) else None
    if isinstance(before, pw):
        comment = after.first_line if isinstance(after, pw) else cst.TrailingWhitespace()
        between = pw(first_line=comment, empty_lines=(), indent=before.indent, last_line=before.last_line)
    else:
        between = cst.SimpleWhitespace(" ")
    rest = after.with_changes(first_line=cst.TrailingWhitespace()) if isinstance(after, pw) else after
    old_comma = alias.comma.with_changes(whitespace_after=between) if has_comma else cst.Comma(whitespace_after=between)
    if has_comma:
        comma = cst.Comma(whitespace_before=alias.comma.whitespace_before, whitespace_after=rest)
        added = cst.ImportAlias(name=cst.Name(new), comma=comma)
    else:
        added = cst.ImportAlias(name=cst.Name(new))
        if isinstance(rpar, cst.RightParen) and rest is not None:
            rpar = rpar.with_changes(whitespace_before=rest)
    names = [*names[:index], alias.with_changes(comma=old_comma), added, *names[index + 1 :]]
    return names, rpar


def transformer(plan: Plan, unused: set):
    ops: dict = {}
    for alias in set(plan.additions) | unused:
        ops[alias] = (alias in unused, list(plan.additions.get(alias, ())))
    touched = {plan.removable[alias] for alias in ops}

    class Edit(cst.CSTTransformer):
        def __init__(self) -> None:
            self.removed_lines: set = set()

        def leave_Call(self, original_node, updated_node):
            edit = plan.keywords.get(original_node)
            return updated_node if edit is None else with_keyword(updated_node, *edit)

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

