"""The object flow: source -> use sites, each a later use of an object built by `X.from_pretrained(id)`.

A use is judged on the checkpoint its object came from (rules with a `judge_use`). An object is followed, within
a function or module, through

- plain assignment (`tok = AutoTokenizer.from_pretrained(id)`, then `tok`), the binding that reaches the use:
  the last one before it in the same scope, standing in no branch or loop the use is not in;
- a local helper's return (`model, tok = load(id)` with `def load(...): ... return model, tok`, one return);
- an attribute set once, in `__init__` or a test's `setUp` (`self.model = ...`, read as `self.model` in the
  class's methods); a model id read as `self.X` from a class attribute that only one class of the file binds;
- calls that hand back the same object (`model.to(device)`, `prepare_model_for_kbit_training(model)`).

Anything else is uncertain flow and gives no verdict: a name bound twice where the use cannot tell which binding
it reads (branches, loops, a later rebinding read through a closure), an attribute set in several places. A use
whose object is uncertain but may come from such a call is listed as not judged, with the reason.

LibCST's ScopeProvider says which bindings a name can read; this module's own visitor records, for every node
that matters, its order in the source and the branches around it. The finder's call sites give the model ids
of model loads (one evaluation of values); a tokenizer's id is a literal, a constant bound once, or the same
expression a model load in the same scope reads. What the code does to an object anywhere in the file is kept
with its origin (attributes set, methods called, functions it is handed to), for the rules to decide whether it
is still as loaded.

Run only when a rule about uses runs (`--preview`), on files whose bytes mention a use (`may_hold_uses`), with
the definitions no use can read stubbed out (`reduced`): LibCST's scope analysis costs per node.

Arguments recorded per use (UseSite.arguments):
    get_peft_model:                  task_type (the enum member or string, e.g. "SEQ_2_SEQ_LM"), config (its class)
    DataCollatorForLanguageModeling: mlm (missing when not passed; a call with `*args`/`**kwargs` is uncertain)
    apply_chat_template:             chat_template (present when passed)
    generate:                        with a padded tokenizer call's result as input: padding (the call's), batch
                                     ("yes" when the texts are a batch), padding_side (when the call passes one);
                                     inputs (why that input's flow is uncertain)
    pipeline:                        task (the string; a call with a model object the flow follows, and a task);
                                     followed ("yes" when the finder followed the object too: HFA005 judges it)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, ScopeProvider

from automodel_lint.finder import _argument
from automodel_lint.records import CallSite, Origin, Span, UseSite

GET_PEFT_MODEL = "get_peft_model"
COLLATOR = "DataCollatorForLanguageModeling"
CHAT_TEMPLATE = "apply_chat_template"
GENERATE = "generate"
PIPELINE = "pipeline"

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

PEFT_FUNCTIONS = frozenset({"peft.get_peft_model", "peft.mapping.get_peft_model", "peft.mapping_func.get_peft_model"})
PIPELINES = frozenset({"transformers.pipeline", "transformers.pipelines.pipeline"})
COLLATORS = frozenset({f"transformers.{COLLATOR}", f"transformers.data.{COLLATOR}",
                       f"transformers.data.data_collator.{COLLATOR}"})
# Calls that hand back the object they are given (peft's preparation helpers return the model itself), and
# methods of a model that return `self`.
SAME_OBJECT_FUNCTIONS = frozenset({"peft.prepare_model_for_kbit_training", "peft.prepare_model_for_int8_training",
                                   "peft.utils.prepare_model_for_kbit_training"})
SAME_OBJECT_METHODS = frozenset({"to", "cuda", "cpu", "eval", "train", "half", "float", "bfloat16", "requires_grad_"})
_LOOPS = (cst.For, cst.While)
# Calls known not to change the objects they are given: what the flow judges, and builtins that only read.
HARMLESS_CALLS = frozenset({GET_PEFT_MODEL, COLLATOR, CHAT_TEMPLATE, GENERATE, "print", "len", "isinstance", "type",
                            "id", "repr", "str", "getattr", "hasattr"})
# Methods that run before every other method reads what they set: the constructor, and unittest/pytest set-ups.
INITIALIZERS = frozenset({"__init__", "setUp", "setup_method"})


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


def role_of(class_name: str, is_model_class) -> str | None:
    """What a `from_pretrained` of this transformers class builds: "tokenizer", "processor", "model", or None."""
    if class_name.endswith(("Tokenizer", "TokenizerFast")):
        return "tokenizer"
    if class_name.endswith("Processor"):
        return "processor"
    return "model" if is_model_class(class_name) else None


@dataclass
class _Binding:
    value: cst.BaseExpression | None  # None: bound by something other than an assignment of a value
    index: int | None  # the element of a tuple the value is unpacked into
    end: int  # the order at which the binding takes effect (after its statement)
    chain: tuple  # the branches around it


@dataclass
class _Method:
    cls: cst.ClassDef
    name: str
    self_name: str | None


@dataclass
class _Collected:
    order: dict = field(default_factory=dict)  # id(node) -> order of visit (Names, Calls, Attributes)
    chains: dict = field(default_factory=dict)  # id(Name) -> the branches around it
    bindings: dict = field(default_factory=dict)  # id(target Name) -> _Binding
    attributes: dict = field(default_factory=dict)  # (id(ClassDef), attr) -> [(value or None, method name)]
    returns: dict = field(default_factory=dict)  # id(FunctionDef) -> [value of each return]
    functions: dict = field(default_factory=dict)  # id(FunctionDef) -> FunctionDef: the functions a call may name
    methods: dict = field(default_factory=dict)  # id(node) -> _Method around it, for self.X reads
    uses: list = field(default_factory=list)  # the calls that may be uses, in source order
    calls: list = field(default_factory=list)  # every call, in source order (matched with the stdlib's spans)
    class_values: dict = field(default_factory=dict)  # name -> [(ClassDef, value)] of `name = value` in class bodies
    handed: list = field(default_factory=list)  # (argument, call) of names and attributes handed to a call
    set_attributes: list = field(default_factory=list)  # (object expression, attr, value)
    called_methods: list = field(default_factory=list)  # (object expression, method, call)


class _Visitor(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = _Collected()
        self.count = 0
        self.chain: tuple = ()
        self.statements: list[list[cst.Name]] = []  # targets of the assignments being visited
        self.defs: list[cst.FunctionDef] = []
        self.method_stack: list[_Method | None] = []
        self.classes: list[cst.ClassDef] = []
        self.outer_chains: list[tuple] = []  # the branches around each function being visited

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.count += 1
        if isinstance(node, (cst.Name, cst.Call, cst.Attribute)):
            self.found.order[id(node)] = self.count
            if isinstance(node, cst.Name):
                self.found.chains[id(node)] = self.chain
            if self.method_stack and self.method_stack[-1] is not None:
                self.found.methods[id(node)] = self.method_stack[-1]
        return super().on_visit(node)

    # Branches: a binding inside one is certain only for uses inside it.

    def _enter(self, owner: cst.CSTNode, part: str) -> None:
        self.chain = self.chain + ((id(owner), part, isinstance(owner, _LOOPS)),)

    def _leave(self) -> None:
        self.chain = self.chain[:-1]

    def visit_If_body(self, node: cst.If) -> None:
        self._enter(node, "body")

    def leave_If_body(self, node: cst.If) -> None:
        self._leave()

    def visit_If_orelse(self, node: cst.If) -> None:
        self._enter(node, "orelse")

    def leave_If_orelse(self, node: cst.If) -> None:
        self._leave()

    def visit_For_body(self, node: cst.For) -> None:
        self._enter(node, "body")

    def leave_For_body(self, node: cst.For) -> None:
        self._leave()

    def visit_For_orelse(self, node: cst.For) -> None:
        self._enter(node, "orelse")

    def leave_For_orelse(self, node: cst.For) -> None:
        self._leave()

    def visit_While_body(self, node: cst.While) -> None:
        self._enter(node, "body")

    def leave_While_body(self, node: cst.While) -> None:
        self._leave()

    def visit_While_orelse(self, node: cst.While) -> None:
        self._enter(node, "orelse")

    def leave_While_orelse(self, node: cst.While) -> None:
        self._leave()

    def visit_Try_body(self, node: cst.Try) -> None:
        self._enter(node, "body")

    def leave_Try_body(self, node: cst.Try) -> None:
        self._leave()

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._enter(node, "handler")

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self._leave()

    def visit_Try_orelse(self, node: cst.Try) -> None:
        self._enter(node, "orelse")

    def leave_Try_orelse(self, node: cst.Try) -> None:
        self._leave()

    def visit_MatchCase(self, node) -> None:
        self._enter(node, "case")

    def leave_MatchCase(self, original_node) -> None:
        self._leave()

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._enter(node, "expression")

    def leave_IfExp(self, original_node: cst.IfExp) -> None:
        self._leave()

    # Definitions

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node)
        self.method_stack.append(None)
        for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
            for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Name):
                        self.found.class_values.setdefault(target.value, []).append((node, small.value))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()
        self.method_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.found.functions[id(node)] = node
        self.found.returns[id(node)] = []
        self.defs.append(node)
        method = None
        in_class = self.method_stack and self.method_stack[-1] is None and self.classes
        if in_class:
            params = node.params.posonly_params or node.params.params
            method = _Method(self.classes[-1], node.name.value, params[0].name.value if params else None)
        self.method_stack.append(method)
        self.outer_chains.append(self.chain)
        self.chain = ()  # a function's body runs when it is called: the branches around the def are not its own

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.defs.pop()
        self.method_stack.pop()
        self.chain = self.outer_chains.pop()

    def visit_Return(self, node: cst.Return) -> None:
        if self.defs:
            self.found.returns[id(self.defs[-1])].append(node.value)

    # Bindings

    def visit_Assign(self, node: cst.Assign) -> None:
        targets: list = []
        for target in node.targets:
            targets += self._targets(target.target, node.value)
        self.statements.append(targets)

    def leave_Assign(self, original_node: cst.Assign) -> None:
        self._bound()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.statements.append(self._targets(node.target, node.value) if node.value is not None else [])

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        self._bound()

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.statements.append(self._targets(node.target, None))

    def leave_AugAssign(self, original_node: cst.AugAssign) -> None:
        self._bound()

    def _bound(self) -> None:
        for name, value, index in self.statements.pop():
            self.found.bindings[id(name)] = _Binding(value, index, self.count, self.chain)

    def _targets(self, target: cst.BaseExpression, value: cst.BaseExpression | None, index: int | None = None):
        if isinstance(target, cst.Name):
            return [(target, value, index)]
        if isinstance(target, (cst.Tuple, cst.List)) and index is None:
            found = []
            for i, element in enumerate(target.elements):
                starred = isinstance(element, cst.StarredElement)
                found += self._targets(element.value, None if starred else value, None if starred else i)
            return found
        if isinstance(target, cst.Attribute):
            self._attribute(target, value)
        return []

    def _attribute(self, target: cst.Attribute, value: cst.BaseExpression | None) -> None:
        method = self.method_stack[-1] if self.method_stack else None
        if method is not None and isinstance(target.value, cst.Name) and target.value.value == method.self_name:
            self.found.attributes.setdefault((id(method.cls), target.attr.value), []).append((value, method.name))
        self.found.set_attributes.append((target.value, target.attr.value, value))

    # Uses

    def visit_Call(self, node: cst.Call) -> None:
        self.found.calls.append(node)
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        # `pipeline` imported under another name (`from transformers import pipeline as hf_pipeline`) too.
        if name in (GET_PEFT_MODEL, COLLATOR, CHAT_TEMPLATE, GENERATE) or name.endswith(PIPELINE):
            self.found.uses.append(node)
        if isinstance(func, cst.Attribute) and name not in SAME_OBJECT_METHODS:
            self.found.called_methods.append((func.value, name, node))
        if name not in HARMLESS_CALLS:
            # An object handed to another function may be changed there (`set_template(tokenizer)`).
            self.found.handed.extend((arg.value, node) for arg in node.args
                                     if isinstance(arg.value, (cst.Name, cst.Attribute)))


class Uncertain(Exception):
    """The flow to a use is not certain; the message says why."""


@dataclass
class _Flow:
    found: _Collected
    scopes: dict
    sites: dict  # (line, column) -> CallSite of the finder
    spans: dict  # id(Call) -> Span
    is_model_class: object
    loads: list | None = None  # the model loads the finder found, (call, site): computed when first needed
    held: dict = field(default_factory=dict)  # id(expression) -> the load it holds (None: none, or uncertain)

    # What an expression holds

    def origin(self, expr: cst.BaseExpression, index: int | None = None, depth: int = 0) -> cst.Call | None:
        """The `from_pretrained` call whose object `expr` certainly holds; None when it holds none (or nothing
        this module follows); Uncertain when it may hold one but the flow is not certain."""
        if depth > 12:
            return None
        if isinstance(expr, cst.Call):
            return self._from_call(expr, index, depth)
        if index is not None:
            return None
        if isinstance(expr, cst.Name):
            try:
                binding = self.reaching(expr)
            except Uncertain:
                if self._possible(expr):
                    raise
                return None
            if binding is None or binding.value is None:
                return None
            return self.origin(binding.value, binding.index, depth + 1)
        if isinstance(expr, cst.Attribute):
            return self._self_attribute(expr, depth)
        return None

    def _from_call(self, call: cst.Call, index: int | None, depth: int) -> cst.Call | None:
        func = call.func
        if index is None and self.role(call) is not None:
            return call
        if isinstance(func, cst.Attribute) and func.attr.value in SAME_OBJECT_METHODS and index is None:
            return self.origin(func.value, None, depth + 1)
        qualified = self.qualified(func)
        if qualified in SAME_OBJECT_FUNCTIONS and call.args and index is None:
            return self.origin(call.args[0].value, None, depth + 1)
        helper = self._helper(func)
        if helper is None:
            return None
        returns = self.found.returns.get(id(helper), [])
        if len(returns) != 1 or returns[0] is None:
            if any(r is not None and self._may_hold(r) for r in returns):
                raise Uncertain(f"uncertain flow: `{helper.name.value}()` returns in several places")
            return None
        value = returns[0]
        if index is not None:
            if not isinstance(value, cst.Tuple) or index >= len(value.elements):
                return None
            element = value.elements[index]
            if isinstance(element, cst.StarredElement):
                return None
            value = element.value
        return self.origin(value, None, depth + 1)

    def _possible(self, name: cst.Name) -> bool:
        """Whether one of the bindings of `name` is a load written in place: uncertain flow worth listing."""
        scope = self.scopes.get(name)
        for assignment in scope[name.value] if scope is not None else ():
            binding = self.found.bindings.get(id(getattr(assignment, "node", None)))
            if binding is not None and isinstance(binding.value, cst.Call) and self.role(binding.value) is not None:
                return True
        return False

    def _may_hold(self, expr: cst.BaseExpression) -> bool:
        try:
            return self.origin(expr) is not None
        except Uncertain:
            return True

    def _helper(self, func: cst.BaseExpression) -> cst.FunctionDef | None:
        """The function of this file a call names, bound once."""
        if not isinstance(func, cst.Name):
            return None
        scope = self.scopes.get(func)
        if scope is None:
            return None
        assignments = list(scope[func.value])
        if len(assignments) != 1:
            return None
        return self.found.functions.get(id(getattr(assignments[0], "node", None)))

    def _self_attribute(self, expr: cst.Attribute, depth: int) -> cst.Call | None:
        method = self.found.methods.get(id(expr))
        if method is None or not isinstance(expr.value, cst.Name) or expr.value.value != method.self_name:
            return None
        sets = self.found.attributes.get((id(method.cls), expr.attr.value), [])
        if not sets:
            return None
        if len(sets) != 1 or sets[0][1] not in INITIALIZERS or sets[0][0] is None:
            if any(value is not None and self._may_hold(value) for value, _ in sets):
                where = "in more than one place" if len(sets) > 1 else f"in `{sets[0][1]}()`, not in `__init__`"
                raise Uncertain(f"uncertain flow: `self.{expr.attr.value}` is set {where}")
            return None
        return self.origin(sets[0][0], None, depth + 1)

    def reaching(self, name: cst.Name) -> _Binding | None:
        """The one binding `name` reads where it stands; None when it reads none this module follows (a parameter,
        an import); Uncertain when it reads one of several."""
        scope = self.scopes.get(name)
        if scope is None:
            return None
        assignments = list(scope[name.value])
        bindings = [self.found.bindings.get(id(getattr(a, "node", None))) for a in assignments]
        if not assignments or any(b is None for b in bindings):
            return None  # a parameter, an import, a loop variable: nothing this module follows
        if any(a.scope is not scope for a in assignments):
            # Bound in an enclosing scope (a module constant read in a function): certain only if bound once.
            if len(bindings) == 1:
                return bindings[0]
            raise Uncertain(f"uncertain flow: `{name.value}` is bound more than once")
        at = self.found.order[id(name)]
        chain = self.found.chains.get(id(name), ())
        before = [b for b in bindings if b.end < at]
        if not before:
            return None
        last = max(before, key=lambda b: b.end)
        if last.chain != chain[: len(last.chain)]:
            raise Uncertain(f"uncertain flow: `{name.value}` is bound in a branch the use is not in")
        loops = [entry for entry in chain if entry[2]]
        for b in bindings:
            later_in_loop = b.end > at and any(entry in b.chain for entry in loops)
            if later_in_loop:
                raise Uncertain(f"uncertain flow: `{name.value}` is bound again later in the same loop")
        return last

    # What a call is

    def qualified(self, node: cst.BaseExpression) -> str | None:
        scope = self.scopes.get(node)
        if scope is None:
            return None
        names = scope.get_qualified_names_for(node)
        if len(names) != 1:
            return None
        return next(iter(names)).name

    def role(self, call: cst.Call) -> str | None:
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "from_pretrained":
            return None
        qualified = self.qualified(func.value)
        if qualified is None or not qualified.startswith("transformers."):
            return None
        return role_of(qualified.rpartition(".")[2], self.is_model_class)

    def span(self, node: cst.Call) -> Span:
        return self.spans[id(node)]

    # The origin record

    def record(self, call: cst.Call) -> Origin | None:
        """The Origin of a `from_pretrained` call whose model id is certain; None otherwise."""
        role = self.role(call)
        span = self.span(call)
        site = self.sites.get((span.line, span.column))
        keywords = _literal_keywords(call)
        if site is not None:
            if site.model is None or site.uncertain_kwargs:
                return None
            model, revision, subfolder, note = site.model, site.revision, site.subfolder, site.value_note
        else:
            if any(arg.star for arg in call.args) or any(k in keywords and keywords[k] is None
                                                         for k in ("revision", "subfolder")):
                return None
            model, note = self._model_id(call)
            revision, subfolder = _unquoted(keywords.get("revision")), _unquoted(keywords.get("subfolder"))
        if model is None:
            return None
        func = call.func
        assert isinstance(func, cst.Attribute)
        return Origin(
            role=role or "model", called=(self.qualified(func.value) or "").rpartition(".")[2], model=model,
            revision=revision, subfolder=subfolder, line=span.line, value_note=note,
            keywords=tuple(sorted(keywords.items())), attributes=self._attributes_of(call),
            methods=self._methods_of(call), handed_to=self._handed_to(call),
        )

    def _model_id(self, call: cst.Call) -> tuple[str | None, str | None]:
        """The id a load certainly reads, and the note saying it is a default a caller may override."""
        expr = _argument(call, "pretrained_model_name_or_path", 0)
        if expr is None:
            return None, None
        text = self._string(expr)
        if text is not None:
            return text, None
        # The same expression a model load in the same function reads, whose value the finder knows.
        code = _code(expr)
        scope = self.scopes.get(expr)
        for other, site in self._model_loads():
            same = _argument(other, "pretrained_model_name_or_path", 0)
            if same is not None and _code(same) == code and self.scopes.get(same) is scope and site.model:
                if not site.uncertain_kwargs:
                    return site.model, site.value_note
        return None, None

    def _model_loads(self) -> list[tuple[cst.Call, CallSite]]:
        if self.loads is None:
            self.loads = []
            for node in self.found.calls:
                if self.role(node) == "model":
                    span = self.span(node)
                    site = self.sites.get((span.line, span.column))
                    if site is not None:
                        self.loads.append((node, site))
        return self.loads

    def _string(self, expr: cst.BaseExpression, depth: int = 0) -> str | None:
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            value = expr.evaluated_value
            return value if isinstance(value, str) else None
        if isinstance(expr, cst.Name) and depth < 4:
            try:
                binding = self.reaching(expr)
            except Uncertain:
                return None
            if binding is not None and binding.index is None and binding.value is not None:
                return self._string(binding.value, depth + 1)
        if isinstance(expr, cst.Attribute) and depth < 4:
            return self._class_string(expr, depth)
        return None

    def _class_string(self, expr: cst.Attribute, depth: int) -> str | None:
        """`self.X` in a method: X set once on the instance, in an initializer; or, never set on an instance, bound
        once in the body of the method's class and by no other class of the file (a subclass may bind it again)."""
        method = self.found.methods.get(id(expr))
        if method is None or not isinstance(expr.value, cst.Name) or expr.value.value != method.self_name:
            return None
        sets = self.found.attributes.get((id(method.cls), expr.attr.value), [])
        if len(sets) == 1 and sets[0][1] in INITIALIZERS and sets[0][0] is not None:
            return self._string(sets[0][0], depth + 1)
        bound = self.found.class_values.get(expr.attr.value, [])
        if len(bound) != 1 or bound[0][0] is not method.cls or sets:
            return None
        return self._string(bound[0][1], depth + 1)

    def _attributes_of(self, call: cst.Call) -> tuple:
        found = []
        for target, attr, value in self.found.set_attributes:
            if self._holds(target, call):
                found.append((attr, _literal(value) if value is not None else None))
        return tuple(found)

    def _methods_of(self, call: cst.Call) -> tuple:
        found = []
        for target, method, node in self.found.called_methods:
            if method != "from_pretrained" and self._holds(target, call):
                found.append((method, _code(node.args[0].value) if node.args else ""))
        return tuple(found)

    def _holds(self, expr: cst.BaseExpression, call: cst.Call) -> bool:
        """Whether `expr` certainly holds the object `call` built; computed once per expression (a file's every
        attribute write, method call and argument is asked about for every load)."""
        if id(expr) not in self.held:
            try:
                self.held[id(expr)] = self.origin(expr)
            except Uncertain:
                self.held[id(expr)] = None
        return self.held[id(expr)] is call

    def _handed_to(self, call: cst.Call) -> tuple[str, ...]:
        """The functions the object `call` built is handed to, as written."""
        return tuple(sorted({_code(node.func) for arg, node in self.found.handed if self._holds(arg, call)}))


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _literal(expr: cst.BaseExpression) -> str | None:
    """The source of a literal (a string, a number, True/False/None, an enum member `TaskType.X`), else None."""
    if isinstance(expr, (cst.SimpleString, cst.Integer, cst.Float)):
        return expr.value
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return expr.value
    return None


def _unquoted(text: str | None) -> str | None:
    if text is None or not text[:1] in "'\"":
        return None
    try:
        value = cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return None
    evaluated = value.evaluated_value if isinstance(value, cst.SimpleString) else None
    return evaluated if isinstance(evaluated, str) else None


def _literal_keywords(call: cst.Call) -> dict[str, str | None]:
    return {arg.keyword.value: _literal(arg.value) for arg in call.args if arg.keyword is not None}


def find_uses(module: cst.Module, path: str, sites: list[CallSite], is_model_class,
              call_spans: list[Span] | None = None) -> list[UseSite]:
    """Every use this module follows in `module` (the file, not the pre-pass's reduction: `reduced` keeps its
    lines), each with the origins of its objects, or with the reason its flow is uncertain. `call_spans`, the
    stdlib's positions of every call in source order, spare LibCST's position pass, as in the finder."""
    visitor = _Visitor()
    module.visit(visitor)
    if not visitor.found.uses:
        return []
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = wrapper.resolve(ScopeProvider)
    calls = visitor.found.calls
    if call_spans is not None and len(call_spans) == len(calls):
        spans = {id(node): span for node, span in zip(calls, call_spans)}
    else:
        found = wrapper.resolve(PositionProvider)
        spans = {id(node): Span(found[node].start.line, found[node].start.column + 1, found[node].end.line,
                                found[node].end.column + 1) for node in calls}
    flow = _Flow(visitor.found, scopes, {(s.span.line, s.span.column): s for s in sites}, spans, is_model_class)
    found = []
    for use in visitor.found.uses:
        try:
            site = _use_site(flow, use, path)
        except Uncertain as exc:
            site = UseSite(path, flow.span(use), _use_name(use), reason=str(exc))
        if site is not None:
            found.append(site)
    return found


def _use_name(call: cst.Call) -> str:
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value  # type: ignore[union-attr]
    return PIPELINE if name.endswith(PIPELINE) else name


def _use_site(flow: _Flow, call: cst.Call, path: str) -> UseSite | None:
    name = _use_name(call)
    if name == GET_PEFT_MODEL:
        return _peft_use(flow, call, path)
    if name == COLLATOR:
        return _collator_use(flow, call, path)
    if name == PIPELINE:
        return _pipeline_use(flow, call, path)
    if name == CHAT_TEMPLATE:
        return _object_use(flow, call, path, "tokenizer", [("chat_template", "present")] if any(
            a.keyword is not None and a.keyword.value == "chat_template" for a in call.args) else [])
    return _generate_use(flow, call, path)


def _origins(flow: _Flow, objects: list[tuple[str, cst.BaseExpression | None]]):
    """(role, Origin) of each object; None when one of them comes from no load this module knows of."""
    found = []
    for role, expr in objects:
        load = flow.origin(expr) if expr is not None else None
        if load is None:
            return None
        origin = flow.record(load)
        if origin is None:
            # Built by `from_pretrained`, but from an id that is not certain: nothing to judge it on.
            raise Uncertain(f"the {role}'s model id is not certain statically")
        found.append((role, origin))
    return tuple(found)


def _peft_use(flow: _Flow, call: cst.Call, path: str) -> UseSite | None:
    if flow.qualified(call.func) not in PEFT_FUNCTIONS:
        return None
    origins = _origins(flow, [("model", _argument(call, "model", 0))])
    if origins is None or origins[0][1].role != "model":
        return None
    config = _peft_config(flow, _argument(call, "peft_config", 1))
    if config is None:
        return None
    return UseSite(path, flow.span(call), GET_PEFT_MODEL, origins, config)


def _peft_config(flow: _Flow, expr: cst.BaseExpression | None) -> tuple | None:
    """(("config", class), ("task_type", member)) of a peft config built in place or bound once to a name."""
    if isinstance(expr, cst.Name):
        binding = flow.reaching(expr)
        if binding is None or binding.index is not None:
            return None
        if any(attr == "task_type" and _holds_node(target, expr, flow)
               for target, attr, _ in flow.found.set_attributes):
            raise Uncertain("the config's task_type is changed after it is built")
        expr = binding.value
    if not isinstance(expr, cst.Call):
        return None
    qualified = flow.qualified(expr.func)
    if qualified is None or not qualified.startswith("peft."):
        return None
    value = _argument(expr, "task_type", None)
    if value is None:
        return None
    member = None
    if isinstance(value, cst.Attribute) and (flow.qualified(value.value) or "").endswith("TaskType"):
        member = value.attr.value
    elif isinstance(value, cst.SimpleString):
        member = value.evaluated_value if isinstance(value.evaluated_value, str) else None
    if member is None:
        raise Uncertain("the task type is not certain statically")
    return ("config", qualified.rpartition(".")[2]), ("task_type", member)


def _holds_node(target: cst.BaseExpression, name: cst.Name, flow: _Flow) -> bool:
    return isinstance(target, cst.Name) and target.value == name.value and flow.scopes.get(target) is flow.scopes.get(
        name)


def _collator_use(flow: _Flow, call: cst.Call, path: str) -> UseSite | None:
    if flow.qualified(call.func) not in COLLATORS:
        return None
    origins = _origins(flow, [("tokenizer", _argument(call, "tokenizer", 0))])
    if origins is None:
        return None
    if any(a.star for a in call.args):
        raise Uncertain("`*args` or `**kwargs` may pass `mlm`")
    mlm = _argument(call, "mlm", 1)
    arguments = [("mlm", _literal(mlm))] if mlm is not None else []
    return UseSite(path, flow.span(call), COLLATOR, origins, tuple(arguments))


def _object_use(flow: _Flow, call: cst.Call, path: str, role: str, arguments) -> UseSite | None:
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    origins = _origins(flow, [(role, func.value)])
    if origins is None or origins[0][1].role != role:
        return None
    return UseSite(path, flow.span(call), _use_name(call), origins, tuple(arguments))


def _pipeline_use(flow: _Flow, call: cst.Call, path: str) -> UseSite | None:
    """`pipeline(task, model=obj)` with a model object the flow knows, and the task as a certain string."""
    if flow.qualified(call.func) not in PIPELINES:
        return None
    model = _argument(call, "model", 1)
    if model is None or isinstance(model, (cst.SimpleString, cst.ConcatenatedString)):
        return None  # a model id: the finder's call site, judged as a load
    span = flow.span(call)
    site = flow.sites.get((span.line, span.column))
    # The finder followed the object itself: HFA005 judges this call as a load, and says when the pipeline raises
    # because the class does not fit the task; what is uncertain here was said there.
    followed = site is not None and bool(site.model_class)
    try:
        origins = _origins(flow, [("model", model)])
    except Uncertain:
        if followed:
            return None
        raise
    if origins is None or origins[0][1].role != "model":
        return None
    task = _argument(call, "task", 0)
    if task is None:
        return None  # the task is read from the model's config: nothing this rule judges
    text = flow._string(task)
    if text is None or any(a.star for a in call.args):
        if followed:
            return None
        raise Uncertain("the pipeline's task is not certain statically")
    return UseSite(path, span, PIPELINE, origins, (("task", text),) + ((("followed", "yes"),) if followed else ()))


# `padding=` values that pad a batch to one length.
_PADS = frozenset({"True", "'longest'", '"longest"', "'max_length'", '"max_length"'})


def _generate_use(flow: _Flow, call: cst.Call, path: str) -> UseSite | None:
    """`model.generate(...)`, and, when its input is a padded tokenizer call's result (`**inputs`,
    `input_ids=inputs.input_ids`, `inputs["input_ids"]`), that tokenizer too."""
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    model = _origins(flow, [("model", func.value)])
    if model is None or model[0][1].role != "model":
        return None
    try:
        padded = _padded_input(flow, call)
    except Uncertain as exc:
        return UseSite(path, flow.span(call), GENERATE, model, (("inputs", str(exc)),))
    origins, arguments = padded if padded is not None else ((), ())
    return UseSite(path, flow.span(call), GENERATE, model + origins, arguments)


def _padded_input(flow: _Flow, call: cst.Call) -> tuple[tuple, tuple] | None:
    """(the tokenizer's origin, what its call says) when the input of `generate` is a padded tokenizer call's."""
    inputs = _generate_inputs(call)
    if inputs is None:
        return None
    encoded = flow.reaching(inputs)
    if encoded is None or encoded.value is None or encoded.index is not None:
        return None
    tokenized = _strip_same(encoded.value)
    if not isinstance(tokenized, cst.Call):
        return None
    padding = _argument(tokenized, "padding", None)
    if padding is None or _literal(padding) not in _PADS:
        return None
    origins = _origins(flow, [("tokenizer", tokenized.func)])
    if origins is None or origins[0][1].role != "tokenizer":
        return None
    arguments = [("padding", _literal(padding)), ("batch", "yes" if _is_batch(flow, tokenized) else "no")]
    side = _argument(tokenized, "padding_side", None)
    if side is not None:
        arguments.append(("padding_side", _literal(side)))
    return origins, tuple(arguments)


def _strip_same(expr: cst.BaseExpression) -> cst.BaseExpression:
    """`tok(...).to(device)` -> `tok(...)`: BatchEncoding.to hands back the same encoding."""
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "to":
        expr = expr.func.value
    return expr


def _generate_inputs(call: cst.Call) -> cst.Name | None:
    for arg in call.args:
        value = arg.value
        if arg.star == "**" and isinstance(value, cst.Name):
            return value
        if arg.star or (arg.keyword is not None and arg.keyword.value not in ("input_ids", "inputs")):
            continue
        if isinstance(value, cst.Attribute) and value.attr.value == "input_ids" and isinstance(value.value, cst.Name):
            return value.value
        if isinstance(value, cst.Subscript) and isinstance(value.value, cst.Name):
            return value.value
    return None


def _is_batch(flow: _Flow, tokenized: cst.Call) -> bool:
    """The texts are certainly several: a list of two or more, a comprehension, a slice, or a name bound to one."""
    texts = _argument(tokenized, "text", 0)
    if isinstance(texts, cst.Name):
        try:
            binding = flow.reaching(texts)
        except Uncertain:
            return False
        texts = binding.value if binding is not None and binding.index is None else None
    if isinstance(texts, cst.List):
        return len(texts.elements) >= 2
    if isinstance(texts, cst.ListComp):
        return True
    return isinstance(texts, cst.Subscript) and any(isinstance(e.slice, cst.Slice) for e in texts.slice)
