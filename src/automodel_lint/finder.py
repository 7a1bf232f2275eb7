"""Source -> call sites: `X.from_pretrained(...)` where X is, through the file's own imports, a transformers class.

One LibCST pass records the bindings of every scope and the candidate calls; the calls are resolved after
the pass, because a module constant may be bound below the function that reads it. A class that merely
looks like a transformers one (trl's `AutoModelForCausalLMWithValueHead`, a project's own
`AutoModelForCausalLM`) is not bound by a transformers import and is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from automodel_lint.records import CallSite, Span
from automodel_lint.values import UNKNOWN, Scope, evaluate, literal_bool

# Modules whose attributes include the Auto classes (transformers re-exports them at the top level).
AUTO_MODULES = frozenset(
    {
        "transformers",
        "transformers.models.auto",
        "transformers.models.auto.modeling_auto",
        "transformers.models.auto.modeling_tf_auto",
        "transformers.models.auto.modeling_flax_auto",
        "transformers.modeling_auto",  # transformers 3.x
    }
)
MODEL_ARG = "pretrained_model_name_or_path"


@dataclass(frozen=True)
class ImportBinding:
    """A name bound by an import, with the dotted path it stands for."""

    qualified: str


@dataclass
class _Candidate:
    node: cst.Call
    scope: Scope


def _dotted(node: cst.BaseExpression) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return parts[::-1]


def _module_name(node: cst.Attribute | cst.Name) -> str:
    return ".".join(_dotted(node) or ())


class _Collector(cst.CSTVisitor):
    """Records bindings per scope and every `<something>.from_pretrained(...)` call."""

    def __init__(self) -> None:
        self.module_scope = Scope("module", None)
        self.scope = self.module_scope
        self.candidates: list[_Candidate] = []

    # Scopes

    def _push(self, kind: str) -> None:
        self.scope = Scope(kind, self.scope)

    def _pop(self) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope.bind(node.name.value, None)
        self._push("class")

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope.bind(node.name.value, None)
        self._push("function")
        self._bind_params(node.params)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._push("function")
        self._bind_params(node.params)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._pop()

    def _bind_params(self, params: cst.Parameters) -> None:
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        for param in every:
            self.scope.bind(param.name.value, None)

    # Bindings

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name):
            self.scope.bind(target.value, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, None)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            if target.value.value in ("self", "cls"):
                owner = self.scope.enclosing_class()
                if owner is not None:
                    owner.instance_assigned.add(target.attr.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target, None)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, None)

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target, None)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name, None)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name, None)

    def visit_Del(self, node: cst.Del) -> None:
        self._bind_target(node.target, None)

    def visit_Global(self, node: cst.Global) -> None:
        self.scope.globals_.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.scope.bind(item.name.value, None)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.scope.bind(node.name.value, None)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = _module_name(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.scope.bind(alias.asname.name.value, ImportBinding(module))
            else:
                head = module.split(".")[0]
                self.scope.bind(head, ImportBinding(head))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            if not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    self._bind_alias(alias, None)
            return
        module = _module_name(node.module)
        for alias in node.names:
            self._bind_alias(alias, f"{module}.{alias.name.value}" if isinstance(alias.name, cst.Name) else None)

    def _bind_alias(self, alias: cst.ImportAlias, qualified: str | None) -> None:
        name = alias.asname.name if alias.asname is not None else alias.name
        if isinstance(name, cst.Name):
            self.scope.bind(name.value, ImportBinding(qualified) if qualified else None)

    # Calls

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "from_pretrained":
            self.candidates.append(_Candidate(node, self.scope))


def _import_of(name: str, scope: Scope) -> str | None:
    """The dotted path an imported name stands for, if every binding of it in its scope is that import.

    `try: from transformers import X` / `except ImportError: X = None` binds X twice; the None branch
    cannot call `from_pretrained`, so it does not make the import uncertain.
    """
    home = scope.lookup_scope(name)
    if home is None:
        return None
    bound = [v for v in home.values[name] if not (isinstance(v, cst.Name) and v.value == "None")]
    qualified = {v.qualified for v in bound if isinstance(v, ImportBinding)}
    if len(qualified) == 1 and len(bound) == sum(isinstance(v, ImportBinding) for v in bound):
        return qualified.pop()
    return None


def resolve_callee(func: cst.BaseExpression, scope: Scope) -> str | None:
    """`transformers.X` for a callee that is certainly transformers' X, else None."""
    parts = _dotted(func)
    if not parts:
        return None
    head = _import_of(parts[0], scope)
    if head is None:
        return None
    qualified = ".".join([head, *parts[1:]])
    module, _, cls = qualified.rpartition(".")
    if module in AUTO_MODULES:
        return cls
    return None


def _argument(call: cst.Call, keyword: str, position: int | None) -> cst.BaseExpression | None:
    positional = 0
    for arg in call.args:
        if arg.star:
            # `*args` / `**kwargs` before or around the model argument: its position is no longer certain.
            if position is not None and positional <= position:
                return None
            continue
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return arg.value
            continue
        if position is not None and positional == position:
            return arg.value
        positional += 1
    return None


def _literal_kwargs(call: cst.Call, scope: Scope) -> dict:
    found: dict = {"trust_remote_code": None, "revision": None, "subfolder": None, "uncertain": []}
    for arg in call.args:
        if arg.keyword is None:
            if arg.star == "**":
                found["uncertain"].append("**")
            continue
        key = arg.keyword.value
        if key == "trust_remote_code":
            value = literal_bool(arg.value)
            if value is None:
                found["uncertain"].append(key)
            found[key] = value
        elif key in ("revision", "subfolder"):
            text = evaluate(arg.value, scope)
            if text is UNKNOWN:
                found["uncertain"].append(key)
            else:
                found[key] = text
    return found


def find_calls(
    module: cst.Module, path: str, is_target: Callable[[str], bool]
) -> list[CallSite]:
    """Every call of a transformers class's `from_pretrained`; `model` is None where its value is not certain."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    collector = _Collector()
    wrapper.visit(collector)
    if not collector.candidates:
        return []
    positions = wrapper.resolve(PositionProvider)
    sites: list[CallSite] = []
    for cand in collector.candidates:
        site = _site(cand, path, is_target, positions)
        if site is not None:
            sites.append(site)
    return sites


def _site(cand: _Candidate, path: str, is_target: Callable[[str], bool], positions) -> CallSite | None:
    func = cand.node.func
    assert isinstance(func, cst.Attribute)
    called = resolve_callee(func.value, cand.scope)
    if called is None or not is_target(called):
        return None
    model_expr = _argument(cand.node, MODEL_ARG, 0)
    model = evaluate(model_expr, cand.scope) if model_expr is not None else UNKNOWN
    kwargs = _literal_kwargs(cand.node, cand.scope)
    pos = positions[cand.node]
    return CallSite(
        path=path,
        span=Span(pos.start.line, pos.start.column + 1, pos.end.line, pos.end.column + 1),
        called=called,
        written=cst.Module([]).code_for_node(func.value),
        model=model if isinstance(model, str) else None,
        trust_remote_code=kwargs["trust_remote_code"],
        revision=kwargs["revision"],
        subfolder=kwargs["subfolder"],
        uncertain_kwargs=tuple(kwargs["uncertain"]),
    )


def targets(names: Iterable[str]) -> Callable[[str], bool]:
    allowed = frozenset(names)
    return allowed.__contains__
