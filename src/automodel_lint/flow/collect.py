"""The flow's LibCST visitor: one pass over the module records, for every node that matters, its order in the
source and the branches around it, every binding and attribute set, every function's returns, and the calls that
may be uses."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from automodel_lint.flow.kinds import CHAT_TEMPLATE, COLLATOR, GENERATE, GET_PEFT_MODEL, HARMLESS_CALLS, PIPELINE, \
    SAME_OBJECT_METHODS

_LOOPS = (cst.For, cst.While)


@dataclass
class Binding:
    value: cst.BaseExpression | None  # None: bound by something other than an assignment of a value
    index: int | None  # the element of a tuple the value is unpacked into
    end: int  # the order at which the binding takes effect (after its statement)
    chain: tuple  # the branches around it


@dataclass
class Method:
    cls: cst.ClassDef
    name: str
    self_name: str | None


@dataclass
class Collected:
    order: dict = field(default_factory=dict)  # id(node) -> order of visit (Names, Calls, Attributes)
    chains: dict = field(default_factory=dict)  # id(Name) -> the branches around it
    bindings: dict = field(default_factory=dict)  # id(target Name) -> Binding
    attributes: dict = field(default_factory=dict)  # (id(ClassDef), attr) -> [(value or None, method name)]
    returns: dict = field(default_factory=dict)  # id(FunctionDef) -> [value of each return]
    functions: dict = field(default_factory=dict)  # id(FunctionDef) -> FunctionDef: the functions a call may name
    methods: dict = field(default_factory=dict)  # id(node) -> Method around it, for self.X reads
    uses: list = field(default_factory=list)  # the calls that may be uses, in source order
    calls: list = field(default_factory=list)  # every call, in source order (matched with the stdlib's spans)
    class_values: dict = field(default_factory=dict)  # name -> [(ClassDef, value)] of `name = value` in class bodies
    handed: list = field(default_factory=list)  # (argument, call) of names and attributes handed to a call
    set_attributes: list = field(default_factory=list)  # (object expression, attr, value)
    called_methods: list = field(default_factory=list)  # (object expression, method, call)


class Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = Collected()
        self.count = 0
        self.chain: tuple = ()
        self.statements: list[list[cst.Name]] = []  # targets of the assignments being visited
        self.defs: list[cst.FunctionDef] = []
        self.method_stack: list[Method | None] = []
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
            method = Method(self.classes[-1], node.name.value, params[0].name.value if params else None)
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
            self.found.bindings[id(name)] = Binding(value, index, self.count, self.chain)

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
