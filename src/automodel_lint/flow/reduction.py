"""The flow's pre-pass, on bytes: whether a file may hold a use (`may_hold_uses`), and the file with every
definition no use can read stubbed out (`reduced`), since LibCST's scope analysis costs per node."""

from __future__ import annotations

import re

from automodel_lint.flow.kinds import CHAT_TEMPLATE, GENERATE, PIPELINE

# The bytes a file must hold for a use to be found in it.
_GATE = re.compile(rb"get_peft_model|DataCollatorForLanguageModeling|apply_chat_template|pipeline\s*\(")
_GENERATE_GATE = re.compile(rb"\.\s*generate\s*\(")
# What a function or class must mention to be read by the flow: a use, what the rules read of an object (the
# attributes they look at), a rebinding from afar, or a load it returns. Others are stubbed out before LibCST parses
# the file.
_KEEP = re.compile(
    rb"get_peft_model|DataCollatorForLanguageModeling|apply_chat_template|padding_side|chat_template|mask_token"
    rb"|task_type|add_special_tokens|pipeline\s*\(|\bglobal\b|\bnonlocal\b"
)
_RETURNS_LOAD = (re.compile(rb"from_pretrained"), re.compile(rb"\breturn\b"))


def _keeps(text: bytes) -> bool:
    return _KEEP.search(text) is not None or _GENERATE_GATE.search(text) is not None or all(
        g.search(text) for g in _RETURNS_LOAD)

def may_hold_uses(data: bytes) -> bool:
    return _GATE.search(data) is not None or _GENERATE_GATE.search(data) is not None


def reduced(data: bytes) -> bytes:
    """`data` with every function and method that cannot matter to a use replaced by a one-line stub and
    blank lines, so that lines and columns stay those of the file: LibCST's scope and position passes cost per
    node, and most of a large file (a test module, a trainer) is code no use reads.

    A definition is kept when its text mentions `_KEEP`, or, for a method, assigns `self.X` for an X that a load
    is assigned to or a use or tokenizer call reads (every place that may rebind it is then seen)."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return data
    lines = data.splitlines(keepends=True)
    watched = _watched_attributes(tree)
    assigns = re.compile(rb"self\s*\.\s*(?:" + b"|".join(re.escape(a.encode()) for a in watched) + rb")\s*[:=,)]")
    edits: list[tuple[int, int, bytes]] = []

    def visit(body) -> None:
        for node in body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(node, ast.ClassDef):
                visit(node.body)  # a class body's own bindings are cheap, and a subclass's may matter
                continue
            text = b"".join(lines[node.lineno - 1: node.end_lineno])
            if _keeps(text) or (watched and assigns.search(text)):
                continue
            first = lines[node.lineno - 1]
            indent = first[: len(first) - len(first.lstrip())]
            edits.append((node.lineno, node.end_lineno, indent + f"def {node.name}(*a, **k): pass".encode()))

    visit(tree.body)
    if not edits:
        return data
    for first, last, stub in edits:
        ending = lines[first - 1][len(lines[first - 1].rstrip(b"\r\n")):] or b"\n"
        lines[first - 1] = stub + ending
        for i in range(first, last):
            lines[i] = lines[i][len(lines[i].rstrip(b"\r\n")):] or b"\n"
    return b"".join(lines)


def _watched_attributes(tree) -> set[str]:
    """The X of every `self.X` a load is assigned to, or that a call of the rules' interest reads."""
    import ast

    found: set[str] = set()
    for node in ast.walk(tree):
        holds_load = isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and any(
            isinstance(n, ast.Attribute) and n.attr == "from_pretrained" for n in ast.walk(node.value))
        is_use = isinstance(node, ast.Call) and (
            (isinstance(node.func, ast.Attribute) and node.func.attr in (GENERATE, CHAT_TEMPLATE, PIPELINE))
            or (isinstance(node.func, ast.Name) and node.func.id.endswith(PIPELINE))
            or (isinstance(node.func, (ast.Name, ast.Attribute)) and _GATE.search(ast.unparse(node.func).encode()))
            or any(k.arg == "padding" for k in node.keywords))
        if holds_load or is_use:
            found.update(n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
                         and isinstance(n.value, ast.Name) and n.value.id == "self")
    return found
