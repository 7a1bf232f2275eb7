"""The flow's pre-pass, on bytes: whether a file may hold a use (`may_hold_uses`), and the file with every
definition no use can read stubbed out (`reduced`), since LibCST's scope analysis costs per node."""

from __future__ import annotations

import ast
import re

from automodel_lint.flow.kinds import CHAT_TEMPLATE, GENERATE, PIPELINE

# The bytes a file must hold for a use to be found in it.
_GATE = re.compile(rb"get_peft_model|DataCollatorForLanguageModeling|apply_chat_template|pipeline\s*\(")
_GENERATE_GATE = re.compile(rb"\.\s*generate\s*\(")
# What a function or class must mention to be read by the flow: a use, what the rules read of an object (the
# attributes they look at), or a load it returns; and something that may hold a loaded object (_Reach). Others are
# stubbed out before LibCST parses the file.
_KEEP = re.compile(
    rb"get_peft_model|DataCollatorForLanguageModeling|apply_chat_template|padding_side|chat_template|mask_token"
    rb"|task_type|add_special_tokens|pipeline\s*\(")
# A rebinding from afar changes what names elsewhere read: a definition whose text may hold one is read, and kept
# whatever it holds when it holds the statement (not the word in a comment).
_FAR = re.compile(rb"\bglobal\b|\bnonlocal\b")
_RETURNS_LOAD = (re.compile(rb"from_pretrained"), re.compile(rb"\breturn\b"))


def _keeps(text: bytes) -> bool:
    return _KEEP.search(text) is not None or _GENERATE_GATE.search(text) is not None or all(
        g.search(text) for g in _RETURNS_LOAD)


def may_hold_uses(data: bytes) -> bool:
    return _GATE.search(data) is not None or _GENERATE_GATE.search(data) is not None


def reduced(data: bytes) -> bytes:
    return reduced_with_loads(data)[0]


def reduced_with_loads(data: bytes) -> tuple[bytes, bool]:
    """(`reduced(data)`, whether a load is left in it): without a `from_pretrained` that may build a transformers
    object, no use has an object to follow, and LibCST need not read the file.

    `reduced(data)` is `data` with every function and method that cannot matter to a use replaced by a one-line stub and
    blank lines, so that lines and columns stay those of the file: LibCST's scope and position passes cost per
    node, and most of a large file (a test module, a trainer) is code no use reads.

    A definition is kept when it declares a name `global` or `nonlocal`, or sets `self.X` for an X that a load is
    assigned to or a use or tokenizer call reads (every place that may rebind it is then seen); or when its text
    mentions `_KEEP` (or a use, or returns a load, or looks like such a rebinding) and something in it may hold a
    loaded object (`_Reach`): a test module calls `generate` in many functions that never see a `from_pretrained`
    result, and stubbing those changes no use site."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return data, True
    lines = data.splitlines(keepends=True)
    watched = _watched_attributes(tree)
    assigns = re.compile(rb"self\s*\.\s*(?:" + b"|".join(re.escape(a.encode()) for a in watched) + rb")\s*[:=,)]")
    definitions: list = []  # the functions and methods that may be stubbed: those of the module and class bodies

    def visit(body) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body)  # a class body's own bindings are cheap, and a subclass's may matter
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                definitions.append(node)

    visit(tree.body)
    reach = _Reach(tree, definitions)
    undecided, stubbed = [], []
    for node in definitions:
        text = b"".join(lines[node.lineno - 1: node.end_lineno])
        if reach.rebinds(node, watched):
            reach.kept(node)
        elif _keeps(text) or _FAR.search(text) or (watched and assigns.search(text)):
            undecided.append(node)  # mentions a use, or what looks like a rebinding (in a comment, or a read)
        else:
            stubbed.append(node)
    stubbed = set(stubbed + reach.stubbed(undecided))
    edits = []
    for node in definitions:
        if node in stubbed:
            first = lines[node.lineno - 1]
            indent = first[: len(first) - len(first.lstrip())]
            edits.append((node.lineno, node.end_lineno, indent + f"def {node.name}(*a, **k): pass".encode()))
    loads = reach.loads_left(stubbed)
    if not edits:
        return data, loads
    for first, last, stub in edits:
        ending = lines[first - 1][len(lines[first - 1].rstrip(b"\r\n")):] or b"\n"
        lines[first - 1] = stub + ending
        for i in range(first, last):
            lines[i] = lines[i][len(lines[i].rstrip(b"\r\n")):] or b"\n"
    return b"".join(lines), loads


def _watched_attributes(tree) -> set[str]:
    """The X of every `self.X` a load is assigned to, or that a call of the rules' interest reads."""
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


class _Facts:
    """What one walk over a definition (or over the code outside them) finds."""

    def __init__(self) -> None:
        self.rebinds = False  # a `global` or `nonlocal` statement
        self.globals: set[str] = set()  # the names declared `global`
        self.names: set[str] = set()  # every name read or bound
        self.attributes: set[str] = set()  # the X of every `self.X` (the method's first parameter, or `self`)
        self.stored: set[str] = set()  # the X of every `self.X` set (or deleted)
        self.receivers: list = []  # the root name of what every `.from_pretrained` is called on (None: no name)
        self.called: set[str] = set()  # the names called
        self.functions: set[str] = set()  # the names of the defs inside
        self.imported: set[str] = set()  # the names bound by an import from transformers (or a relative one)
        self.star = False  # `from transformers import *` (or a relative one)
        self.classes: list = []  # the classes inside


def _facts(root, skip: frozenset | set = frozenset()) -> _Facts:
    """One walk over `root`, leaving out the definitions whose id is in `skip`."""
    found = _Facts()
    me = {"self", _self_name(root)} if isinstance(root, (ast.FunctionDef, ast.AsyncFunctionDef)) else {"self"}
    todo = list(ast.iter_child_nodes(root))
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Name):
            found.names.add(node.id)
        elif isinstance(node, ast.Attribute):
            value = node.value
            if isinstance(value, ast.Name) and value.id in me:
                found.attributes.add(node.attr)
                if not isinstance(node.ctx, ast.Load):
                    found.stored.add(node.attr)
            if node.attr == "from_pretrained":
                found.receivers.append(_root(value))
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                found.called.add(node.func.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            found.rebinds = True
            if isinstance(node, ast.Global):
                found.globals.update(node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if id(node) in skip:
                todo.extend(node.decorator_list)  # a stub keeps its decorators
                continue
            found.functions.add(node.name)
        elif isinstance(node, ast.ClassDef):
            found.classes.append(node)
        elif isinstance(node, ast.Import):
            found.imported.update((a.asname or a.name).partition(".")[0] for a in node.names
                                  if _from_transformers(a.name))
        elif isinstance(node, ast.ImportFrom) and (node.level or _from_transformers(node.module or "")):
            found.star = found.star or any(a.name == "*" for a in node.names)
            found.imported.update(a.asname or a.name for a in node.names)
        todo.extend(ast.iter_child_nodes(node))
    return found


class _Reach:
    """What lets a definition's code hold an object a load built, as origins.py follows it: a `from_pretrained`
    whose receiver may name a transformers class (a name imported from transformers, or `transformers`: no other
    name has a qualified name starting with it), a module-level name that may be bound to such an object (or is
    declared `global`), in a method an attribute of `self` that a method of its class sets, or a call of a function
    of the file that is not stubbed (its return). Code mentioning none of these holds no loaded object: its uses give
    no site, and nothing it does to an object, returns or binds reaches one, so stubbing it changes no use site."""

    def __init__(self, tree, definitions: list) -> None:
        self.facts = {id(node): _facts(node) for node in definitions}
        self.outside = _facts(tree, skip=set(self.facts))
        every = [self.outside, *self.facts.values()]
        self.receivers = {"transformers"}.union(*(f.imported for f in every))
        self.star = any(f.star for f in every)  # any name may then be a transformers class
        self.names: set[str] = set().union(*(f.globals for f in every))
        # Functions whose returns a call by name may read: every one not stubbed (nested ones too, to be safe).
        self.functions: set[str] = set().union(self.outside.functions, *(f.functions for f in self.facts.values()))
        self.names |= self._module_bindings(tree, self.functions | {node.name for node in definitions})
        self.owners: dict = {}  # id(method) -> its class
        self.attributes: dict = {}  # id(ClassDef) -> the X of every `self.X` its methods set
        for cls in self.outside.classes:
            self._methods(cls, cls.body)

    def _module_bindings(self, tree, functions: set[str]) -> set[str]:
        """The names assigned, outside any function, a call, a name or an attribute (origins.py follows nothing
        else) that mentions a load, a function of the file or such a name; class bodies count too, to be safe."""
        assigned = []
        todo = list(tree.body)
        while todo:
            node = todo.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, (ast.Call, ast.Name,
                                                                                         ast.Attribute)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                assigned.append(({n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)},
                                 list(ast.walk(node.value))))
            todo.extend(ast.iter_child_nodes(node))
        found = set(self.names)
        changed = True
        while changed:
            changed = False
            for targets, value in assigned:
                if not targets <= found and any(
                        (isinstance(n, ast.Name) and (n.id in found or n.id in functions))
                        or (isinstance(n, ast.Attribute) and n.attr == "from_pretrained"
                            and self._may_load(_root(n.value)))
                        for n in value):
                    found |= targets
                    changed = True
        return found

    def _methods(self, cls, body) -> None:
        """The methods of `cls` (defs in its body, in its branches too), and the attributes of `self` they set."""
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.owners[id(node)] = cls
                facts = self.facts.get(id(node)) or _facts(node)
                self.attributes.setdefault(id(cls), set()).update(facts.stored)
            elif not isinstance(node, ast.ClassDef):
                self._methods(cls, [n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt)])

    def rebinds(self, definition, watched: set[str]) -> bool:
        """Whether a definition declares a name `global` or `nonlocal`, or sets `self.X` for a watched X: what it
        binds changes what code elsewhere reads, whatever it holds."""
        facts = self.facts[id(definition)]
        return facts.rebinds or not facts.stored.isdisjoint(watched)

    def kept(self, node) -> None:
        self.functions.add(node.name)

    def stubbed(self, undecided: list) -> list:
        """Those of `undecided` that hold no loaded object, nor call a kept function that may return one."""
        left = []
        for node in undecided:
            if self._holds(node):
                self.kept(node)
            else:
                left.append(node)
        changed = True
        while changed:
            changed = False
            for node in list(left):
                if not self.facts[id(node)].called.isdisjoint(self.functions):
                    self.kept(node)
                    left.remove(node)
                    changed = True
        return left

    def _holds(self, definition) -> bool:
        """Whether a definition may hold a loaded object by itself (not through a function it calls)."""
        facts = self.facts[id(definition)]
        cls = self.owners.get(id(definition))
        return (not facts.names.isdisjoint(self.names) or any(self._may_load(r) for r in facts.receivers)
                or (cls is not None and not facts.attributes.isdisjoint(self.attributes.get(id(cls), ()))))

    def loads_left(self, stubbed: set) -> bool:
        """Whether a `from_pretrained` that may build a transformers object stands outside the `stubbed` defs."""
        gone = {id(node) for node in stubbed}
        left = [self.outside] + [facts for key, facts in self.facts.items() if key not in gone]
        return any(self._may_load(r) for facts in left for r in facts.receivers)

    def _may_load(self, root: str | None) -> bool:
        return self.star or root is None or root in self.receivers


def _root(receiver) -> str | None:
    while isinstance(receiver, ast.Attribute):
        receiver = receiver.value
    return receiver.id if isinstance(receiver, ast.Name) else None


def _self_name(method) -> str | None:
    """The name a method calls its instance: its first parameter, as the collector reads it."""
    params = method.args.posonlyargs or method.args.args
    return params[0].arg if params else None


def _from_transformers(module: str) -> bool:
    return module == "transformers" or module.startswith("transformers.")
