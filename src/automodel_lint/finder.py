"""Source -> call sites: `X.from_pretrained(...)` where X is, through the file's own imports, a transformers class,
and `pipeline(...)` where `pipeline` is transformers' factory.

One LibCST pass records the bindings of every scope and the candidate calls; the calls are resolved after
the pass, because a module constant may be bound below the function that reads it. A class that merely
looks like a transformers one (trl's `AutoModelForCausalLMWithValueHead`, a project's own
`AutoModelForCausalLM`) is not bound by a transformers import and is ignored.

A pipeline's call site has `called` = "pipeline:<task>" with the task as written ("pipeline:summarization",
"pipeline:translation_en_to_fr"), or "pipeline" when no task is passed (transformers then asks the Hub for
the model's `pipeline_tag`). Its `model` is the `model=` argument, unless `config=` names another repository
(the pipeline then reads the config from there, and the model's own facts do not decide the load).

`AutoX.from_config(config)` builds the same class `from_pretrained` would, from the config alone, and raises
the same "Unrecognized configuration class". Its site's `model` is the id of `AutoConfig.from_pretrained(id)`
when the config is that call, written in place or bound once to a name, and the `value_note` says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable, Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from automodel_lint.calls import CLASS_METHODS, FROM_CONFIG, FROM_PRETRAINED, PIPELINE
from automodel_lint.records import PIPELINE_PREFIX, CallSite, Span
from automodel_lint.values import (
    READ_ONLY_METHODS,
    UNKNOWN,
    ImportBinding,
    Overridable,
    Parameter,
    Scope,
    Unpacked,
    dotted,
    dotted_name,
    evaluate,
    literal_bool,
    qualified_name,
)

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
# Modules that export the concrete model classes: the top level, and a model's package or modeling module.
MODEL_MODULE = re.compile(r"transformers(\.models\.\w+(\.modeling_\w+)?)?")
PIPELINE_FUNCTIONS = frozenset({"transformers.pipeline", "transformers.pipelines.pipeline"})


@dataclass
class _Candidate:
    node: cst.Call
    scope: Scope


class _Collector(cst.CSTVisitor):
    """Records bindings per scope and every `<something>.from_pretrained(...)` call."""

    def __init__(self) -> None:
        self.module_scope = Scope("module", None)
        self.scope = self.module_scope
        self.candidates: list[_Candidate] = []
        self.calls: list[cst.Call] = []

    # Scopes

    def _push(self, kind: str, name: str | None = None) -> Scope:
        self.scope = Scope(kind, self.scope, name=name)
        return self.scope

    def _pop(self) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope.bind(node.name.value, None)
        outer = self.scope
        cls = self._push("class", node.name.value)
        cls.dataclass = any(_is_dataclass_decorator(d.decorator) for d in node.decorators)
        if outer.kind == "module":
            outer.facts().classes[node.name.value] = cls

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope.bind(node.name.value, None)
        self._push("function", node.name.value)
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
        owner = f"`{self.scope.name}()`" if self.scope.name else "a lambda"
        for param in every:
            name = param.name.value
            if param.default is not None and param.star == "":
                # A default is the value only when the caller passes nothing: judged, with that said.
                self.scope.bind(name, Overridable(param.default, f"the default value of parameter `{name}` of {owner}"))
            else:
                annotation = param.annotation.annotation if param.annotation is not None and param.star == "" else None
                self.scope.bind(name, Parameter(annotation))

    # Bindings

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name):
            self.scope.bind(target.value, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            parsed = _is_dataclass_parse(value)
            for index, element in enumerate(target.elements):
                # From a starred name on, positions no longer match the dataclasses.
                parsed = parsed and not isinstance(element, cst.StarredElement)
                if parsed and isinstance(element.value, cst.Name):
                    self.scope.bind(element.value.value, Unpacked(value, index))
                else:
                    self._bind_target(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, None)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            if target.value.value in ("self", "cls"):
                owner = self.scope.enclosing_class()
                if owner is not None:
                    owner.instance_assigned.add(target.attr.value)
            else:
                self.scope.facts().stored_attributes.add(target.attr.value)
        elif isinstance(target, cst.Attribute):
            self.scope.facts().stored_attributes.add(target.attr.value)
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            self.scope.facts().changed_names.add(target.value.value)

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
            module = dotted_name(alias.name) or ""
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
        module = dotted_name(node.module) or ""
        for alias in node.names:
            self._bind_alias(alias, f"{module}.{alias.name.value}" if isinstance(alias.name, cst.Name) else None)

    def _bind_alias(self, alias: cst.ImportAlias, qualified: str | None) -> None:
        name = alias.asname.name if alias.asname is not None else alias.name
        if isinstance(name, cst.Name):
            self.scope.bind(name.value, ImportBinding(qualified) if qualified else None)

    # Calls

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)  # every call, in source order: the n-th matches the n-th of `call_spans`
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in CLASS_METHODS:
            self.candidates.append(_Candidate(node, self.scope))
        elif isinstance(func, cst.Name) or (isinstance(func, cst.Attribute) and func.attr.value == PIPELINE.name):
            # Possibly transformers' pipeline under any name (`from transformers import pipeline as pipe`).
            self.candidates.append(_Candidate(node, self.scope))
        facts = self.scope.facts()
        if isinstance(func, cst.Attribute):
            facts.method_calls.setdefault(func.attr.value, []).append((node, self.scope))
            if isinstance(func.value, cst.Name) and func.attr.value not in READ_ONLY_METHODS:
                facts.changed_names.add(func.value.value)
        elif isinstance(func, cst.Name) and func.value == "setattr":
            facts.setattr_used = True
        for arg in node.args:
            if isinstance(arg.value, cst.Name):
                # A function handed a dict may change it.
                facts.changed_names.add(arg.value.value)


def resolve_callee(func: cst.BaseExpression, scope: Scope) -> str | None:
    """X for a callee that is certainly transformers' Auto class X, else None."""
    qualified = qualified_name(func, scope)
    if qualified is None:
        return None
    module, _, cls = qualified.rpartition(".")
    if module in AUTO_MODULES:
        return cls
    return None


def resolve_model_class(func: cst.BaseExpression, scope: Scope) -> str | None:
    """X for a callee that is certainly a class exported by transformers or by one of its model modules."""
    qualified = qualified_name(func, scope)
    if qualified is None:
        return None
    module, _, cls = qualified.rpartition(".")
    return cls if MODEL_MODULE.fullmatch(module) else None


def _is_dataclass_parse(value: cst.BaseExpression | None) -> bool:
    """`parser.parse_args_into_dataclasses(...)`, whose tuple holds one instance per dataclass, in order."""
    return (
        isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "parse_args_into_dataclasses" and isinstance(value.func.value, cst.Name)
    )


def _is_dataclass_decorator(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Call):
        node = node.func
    parts = dotted(node)
    return bool(parts) and parts[-1] == "dataclass"


@lru_cache(maxsize=1)
def _known_model_classes() -> frozenset[str]:
    """Every concrete class a bundled table knows an Auto class to build: the classes HFA006 can judge."""
    from automodel_lint import knowledge

    return frozenset(name for table in knowledge.bundled_tables() for name in table.data["architectures"])


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
        if key == "config" and not (isinstance(arg.value, cst.Name) and arg.value.value == "None"):
            # A config object decides what the class builds; the checkpoint's own config.json no longer does.
            found["uncertain"].append(key)
        elif key == "trust_remote_code":
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
    module: cst.Module,
    path: str,
    is_target: Callable[[str], bool],
    call_spans: Sequence[Span] | None = None,
) -> list[CallSite]:
    """Every call of a transformers class's `from_pretrained`, and of transformers' `pipeline`; `model` is None
    where its value is not certain.

    `is_target` accepts the Auto classes to report; the concrete model classes the bundled tables know are
    found too, only where they are imported from transformers.
    `call_spans`, when the caller has them (the stdlib parser's positions of every call, in source order),
    spare LibCST's position metadata, which costs a second pass over the whole module.
    """
    collector = _Collector()
    module.visit(collector)
    if not collector.candidates:
        return []
    positions = _positions(module, collector.calls, call_spans)
    concrete = _known_model_classes().__contains__
    sites: list[CallSite] = []
    for cand in collector.candidates:
        if isinstance(cand.node.func, cst.Attribute) and cand.node.func.attr.value == FROM_PRETRAINED.name:
            site = _site(cand, path, is_target, concrete, positions)
        elif isinstance(cand.node.func, cst.Attribute) and cand.node.func.attr.value == FROM_CONFIG.name:
            site = _config_site(cand, path, is_target, positions)
        else:
            site = _pipeline_site(cand, path, positions)
        if site is not None:
            sites.append(site)
    return sites


def _positions(module: cst.Module, calls: list[cst.Call], call_spans: Sequence[Span] | None) -> dict:
    if call_spans is not None and len(call_spans) == len(calls):
        return {id(node): span for node, span in zip(calls, call_spans)}
    found = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {
        id(node): Span(found[node].start.line, found[node].start.column + 1, found[node].end.line,
                       found[node].end.column + 1)
        for node in calls
    }


def _span(node: cst.Call, positions) -> Span:
    return positions[id(node)]


def _model_value(expr: cst.BaseExpression | None, scope: Scope) -> tuple[str | None, str | None]:
    """The certain model value and, when it is a default a caller may override, the note that says so."""
    if expr is None:
        return None, None
    notes: list[str] = []
    value = evaluate(expr, scope, notes=notes)
    if not isinstance(value, str):
        return None, None
    unique = list(dict.fromkeys(notes))
    return value, ("; ".join(unique) if unique else None)


def _site(
    cand: _Candidate, path: str, is_target: Callable[[str], bool], concrete: Callable[[str], bool], positions
) -> CallSite | None:
    func = cand.node.func
    assert isinstance(func, cst.Attribute)
    called = resolve_callee(func.value, cand.scope)
    if called is None or not is_target(called):
        called = resolve_model_class(func.value, cand.scope)
        if called is None or not (is_target(called) or concrete(called)):
            return None
    model, note = _model_value(_argument(cand.node, MODEL_ARG, 0), cand.scope)
    return _class_site(cand, path, positions, called, model, note)


def _class_site(cand: _Candidate, path: str, positions, called: str, model: str | None, note: str | None) -> CallSite:
    """The site of `X.from_pretrained(...)` or `X.from_config(...)`, its keywords read from the call itself."""
    func = cand.node.func
    assert isinstance(func, cst.Attribute)
    kwargs = _literal_kwargs(cand.node, cand.scope)
    return CallSite(
        path=path,
        span=_span(cand.node, positions),
        called=called,
        written=cst.Module([]).code_for_node(func.value),
        model=model,
        trust_remote_code=kwargs["trust_remote_code"],
        revision=kwargs["revision"],
        subfolder=kwargs["subfolder"],
        value_note=note,
        uncertain_kwargs=tuple(kwargs["uncertain"]),
        # Found without following assignments: the class is named by an import the fixer can edit.
        callee_assigned=qualified_name(func.value, cand.scope, follow_assignments=False) is None,
    )


def _config_site(cand: _Candidate, path: str, is_target: Callable[[str], bool], positions) -> CallSite | None:
    """`AutoX.from_config(config)`: judged on the checkpoint whose config it is, when that is certain."""
    func = cand.node.func
    assert isinstance(func, cst.Attribute)
    called = resolve_callee(func.value, cand.scope)  # concrete classes have no public from_config
    if called is None or not is_target(called):
        return None
    read = _config_read(_argument(cand.node, "config", 0), cand.scope)
    model = note = revision = subfolder = None
    if read is not None:
        config_call, home = read
        model, note = _model_value(_argument(config_call, MODEL_ARG, 0), home)
        config_kwargs = _literal_kwargs(config_call, home)
        if "revision" in config_kwargs["uncertain"] or "subfolder" in config_kwargs["uncertain"]:
            model, note = None, None
        revision, subfolder = config_kwargs["revision"], config_kwargs["subfolder"]
    site = _class_site(cand, path, positions, called, model, note)
    # The checkpoint is named in the config's call: its revision and subfolder are read there.
    return replace(
        site,
        revision=revision,
        subfolder=subfolder,
        via="the config AutoConfig.from_pretrained reads from it, given to from_config" if model is not None else None,
        # The config is this call's subject, not a replacement of the checkpoint's own.
        uncertain_kwargs=tuple(k for k in site.uncertain_kwargs if k != "config"),
    )


def _config_read(expr: cst.BaseExpression | None, scope: Scope) -> tuple[cst.Call, Scope] | None:
    """The `AutoConfig.from_pretrained(...)` call that `expr` certainly holds, and the scope its arguments are read
    in: the call itself, or a name bound once to it and whose model type or architectures nothing reassigns."""
    home = scope
    if isinstance(expr, cst.Name):
        home = scope.lookup_scope(expr.value)
        if home is None:
            return None
        expr = home.single(expr.value)
        # `config.model_type = ...` anywhere in the file: what the config says is no longer only the checkpoint's.
        if scope.facts().stored_attributes & {"model_type", "architectures"} or scope.facts().setattr_used:
            return None
    if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
        return None
    if expr.func.attr.value != FROM_PRETRAINED.name:
        return None
    owner = qualified_name(expr.func.value, home)
    if owner is None or owner.rpartition(".")[2] != "AutoConfig" or not owner.startswith("transformers."):
        return None
    return expr, home


def _pipeline_site(cand: _Candidate, path: str, positions) -> CallSite | None:
    """`pipeline(task, model=...)`: recorded when the task is certain (or absent, with a certain model)."""
    if qualified_name(cand.node.func, cand.scope) not in PIPELINE_FUNCTIONS:
        return None
    task_expr = _argument(cand.node, "task", 0)
    task = evaluate(task_expr, cand.scope) if task_expr is not None else None
    kwargs = _literal_kwargs(cand.node, cand.scope)
    if task is UNKNOWN or (task_expr is None and _has_star(cand.node)):
        # Recorded with no model, so that it is counted as a call found and not judged, never as a passed one.
        task, model, note = None, None, None
        kwargs["uncertain"].append("task")
    else:
        model, note = _model_value(_argument(cand.node, "model", 1), cand.scope)
    config = _argument(cand.node, "config", 2)
    if config is not None and not (isinstance(config, cst.Name) and config.value == "None"):
        model, note = None, None
    return CallSite(
        path=path,
        span=_span(cand.node, positions),
        called=f"{PIPELINE_PREFIX}:{task}" if task is not None else PIPELINE_PREFIX,
        written=cst.Module([]).code_for_node(cand.node.func),
        model=model,
        trust_remote_code=kwargs["trust_remote_code"],
        revision=kwargs["revision"],
        subfolder=None,
        value_note=note,
        uncertain_kwargs=tuple(kwargs["uncertain"]),
    )


def _has_star(call: cst.Call) -> bool:
    return any(arg.star for arg in call.args)
