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
    branches: tuple = ()  # the `if` branches around the call, innermost last: (test, "body" or "orelse", scope)


class _Collector(cst.CSTVisitor):
    """Records bindings per scope and every `<something>.from_pretrained(...)` call."""

    def __init__(self) -> None:
        self.module_scope = Scope("module", None)
        self.scope = self.module_scope
        self.candidates: list[_Candidate] = []
        self.calls: list[cst.Call] = []
        self.branches: list[tuple[cst.BaseExpression, str, Scope]] = []
        self.assigned: dict[int, str] = {}  # id() of a call -> the one name it is assigned to (`model = X(...)`)
        self.import_guards = 0  # inside the body of a `try` whose handler catches ImportError

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
        outer = self.scope
        function = self._push("function", node.name.value)
        if outer.kind == "module":
            outer.facts().functions[node.name.value] = function
        self._bind_params(node.params)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._push("function")
        self._bind_params(node.params)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._pop()

    # A comprehension is a scope of its own: its loop variables shadow outer names, and from a class body it
    # cannot see the class's attributes.
    def _enter_comprehension(self, node: cst.CSTNode) -> None:
        self._push("comprehension")

    def _leave_comprehension(self, original_node: cst.CSTNode) -> None:
        self._pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _enter_comprehension
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = _leave_comprehension

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_target(node.target, None)

    def visit_Return(self, node: cst.Return) -> None:
        if self.scope.kind == "function":
            self.scope.returns.append(node.value)
        if isinstance(node.value, cst.Name):
            self.scope.facts().changed_names.add(node.value.value)  # the caller may change what it is handed

    # Guards: the branches a call stands in, and imports that may fail

    def visit_If_body(self, node: cst.If) -> None:
        self.branches.append((node.test, "body", self.scope))

    def leave_If_body(self, node: cst.If) -> None:
        self.branches.pop()

    def visit_If_orelse(self, node: cst.If) -> None:
        self.branches.append((node.test, "orelse", self.scope))

    def leave_If_orelse(self, node: cst.If) -> None:
        self.branches.pop()

    def visit_Try_body(self, node: cst.Try) -> None:
        if any(_catches_import_error(h.type) for h in node.handlers):
            self.import_guards += 1

    def leave_Try_body(self, node: cst.Try) -> None:
        if any(_catches_import_error(h.type) for h in node.handlers):
            self.import_guards -= 1

    def _bind_params(self, params: cst.Parameters) -> None:
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        owner = f"`{self.scope.name}()`" if self.scope.name else "a lambda"
        for param in every:
            name = param.name.value
            if param.default is not None and param.star == "":
                # A default is the value only when the caller passes nothing: judged, with that said. It is
                # evaluated where the `def` stands: a method's default reads the class body.
                note = f"the default value of parameter `{name}` of {owner}"
                self.scope.bind(name, Overridable(param.default, note, home=self.scope.parent))
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
                self.scope.facts().mutated_names.add(target.value.value)
        elif isinstance(target, cst.Attribute):
            self.scope.facts().stored_attributes.add(target.attr.value)
        elif isinstance(target, cst.Subscript):
            facts = self.scope.facts()
            if isinstance(target.value, cst.Name):
                facts.changed_names.add(target.value.value)
                facts.mutated_names.add(target.value.value)
            key = target.slice[0].slice if len(target.slice) == 1 else None
            if _is_globals_call(target.value):
                name = _simple_string(key.value) if isinstance(key, cst.Index) else UNKNOWN
                facts.globals_written.add(name if isinstance(name, str) else None)
            if isinstance(target.value, (cst.Name, cst.Attribute)):
                # Perhaps `os.environ[KEY] = ...`: resolved only when a fallback of `os.environ.get` is read.
                written = key.value if isinstance(key, cst.Index) else None
                facts.environ_writes.append((target.value, written, self.scope))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)
        if isinstance(node.value, cst.Name):
            self.scope.facts().changed_names.add(node.value.value)  # `table = MODELS`: changed under another name
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.assigned[id(node.value)] = node.targets[0].target.value

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target, None)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        # A walrus in a comprehension binds in the scope around it.
        inner, self.scope = self.scope, self.scope.binding_scope()
        self._bind_target(node.target, None)
        self.scope = inner

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
            # The name of an enclosing function is rebound from here: none of them holds it for certain.
            outer = self.scope.parent
            while outer is not None and outer.kind != "module":
                if outer.kind == "function":
                    outer.bind(item.name.value, None)
                outer = outer.parent

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.scope.bind(node.name.value, None)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = dotted_name(alias.name) or ""
            guarded = self.import_guards > 0
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.scope.bind(alias.asname.name.value, ImportBinding(module, guarded))
            else:
                head = module.split(".")[0]
                self.scope.bind(head, ImportBinding(head, guarded))

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
            self.scope.bind(name.value, ImportBinding(qualified, self.import_guards > 0) if qualified else None)

    # Calls

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)  # every call, in source order: the n-th matches the n-th of `call_spans`
        func = node.func
        branches = tuple(self.branches)
        if isinstance(func, cst.Attribute) and func.attr.value in CLASS_METHODS:
            self.candidates.append(_Candidate(node, self.scope, branches))
        elif isinstance(func, cst.Name) or (isinstance(func, cst.Attribute) and func.attr.value == PIPELINE.name):
            # Possibly transformers' pipeline under any name (`from transformers import pipeline as pipe`).
            self.candidates.append(_Candidate(node, self.scope, branches))
        facts = self.scope.facts()
        if isinstance(func, cst.Attribute):
            facts.method_calls.setdefault(func.attr.value, []).append((node, self.scope))
            if isinstance(func.value, cst.Name) and func.attr.value not in READ_ONLY_METHODS:
                facts.changed_names.add(func.value.value)
                facts.mutated_names.add(func.value.value)
            if func.attr.value not in READ_ONLY_METHODS and _is_globals_call(func.value):
                facts.globals_written.add(None)
            if func.attr.value in ENVIRON_WRITERS and isinstance(func.value, (cst.Name, cst.Attribute)):
                key = node.args[0].value if func.attr.value in ("setdefault", "__setitem__") and node.args else None
                facts.environ_writes.append((func.value, key, self.scope))
        elif isinstance(func, cst.Name) and func.value == "setattr":
            facts.setattr_used = True
        for arg in node.args:
            if isinstance(arg.value, cst.Name):
                # A function handed a dict may change it.
                facts.changed_names.add(arg.value.value)


# Methods of a mapping that set or remove keys: on `os.environ`, a fallback of `os.environ.get` may not apply.
ENVIRON_WRITERS = frozenset({"setdefault", "update", "pop", "popitem", "clear", "__setitem__", "__delitem__"})
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def _catches_import_error(kind: cst.BaseExpression | None) -> bool:
    """`except:`, `except ImportError`, `except (ImportError, ...)`, or a base class of it."""
    if kind is None:
        return True
    names = [e.value for e in kind.elements] if isinstance(kind, cst.Tuple) else [kind]
    return any((dotted(n) or [""])[-1] in IMPORT_ERRORS for n in names)


def _simple_string(node: cst.BaseExpression) -> "str | object":
    return evaluate(node, Scope("module", None)) if isinstance(node, cst.SimpleString) else UNKNOWN


def _is_globals_call(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in ("globals", "vars")


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
        and value.func.attr.value == "parse_args_into_dataclasses"
        and isinstance(value.func.value, (cst.Name, cst.Call))  # `parser.` or `HfArgumentParser((A, B)).`
    )


def _is_dataclass_decorator(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Call):
        node = node.func
    parts = dotted(node)
    return bool(parts) and parts[-1] == "dataclass"


@lru_cache(maxsize=1)
def known_model_classes() -> frozenset[str]:
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


# Keywords that ask for another model than the checkpoint's as trained, on purpose: a decoder warm-started
# from an encoder checkpoint (transformers' documented use of AutoModelForCausalLM on BERT).
STATED_INTENT = ("is_decoder", "add_cross_attention")
ASSISTANT = "assistant_model"  # `generate(..., assistant_model=model)`: a draft model, loaded partly on purpose
# Keywords of `AutoConfig.from_pretrained` that change what kind of model the config builds (a size such as
# `n_layer=2` does not).
CONFIG_KIND_KWARGS = frozenset({*STATED_INTENT, "is_encoder_decoder", "model_type", "architectures"})


def _literal_kwargs(call: cst.Call, scope: Scope) -> dict:
    found: dict = {"trust_remote_code": None, "revision": None, "subfolder": None, "uncertain": [], "intent": None}
    for arg in call.args:
        if arg.keyword is None:
            if arg.star == "**":
                found["uncertain"].append("**")
            continue
        key = arg.keyword.value
        if key == "config" and not (isinstance(arg.value, cst.Name) and arg.value.value == "None"):
            # A config object decides what the class builds; the checkpoint's own config.json no longer does.
            found["uncertain"].append(key)
        elif key == "code_revision":
            found["uncertain"].append(key)  # the repository's code is pinned apart from its weights: HFA013 stays out
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
        elif key in STATED_INTENT and literal_bool(arg.value) and found["intent"] is None:
            found["intent"] = f"{key}=True"
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
    concrete = known_model_classes().__contains__
    registered = _registered(collector.module_scope)
    assistants = {
        arg.value.value for call in collector.calls for arg in call.args
        if arg.keyword is not None and arg.keyword.value == ASSISTANT and isinstance(arg.value, cst.Name)
    }
    sites: list[CallSite] = []
    for cand in collector.candidates:
        if isinstance(cand.node.func, cst.Attribute) and cand.node.func.attr.value == FROM_PRETRAINED.name:
            site = _site(cand, path, is_target, concrete, positions)
        elif isinstance(cand.node.func, cst.Attribute) and cand.node.func.attr.value == FROM_CONFIG.name:
            site = _config_site(cand, path, is_target, positions)
        else:
            site = _pipeline_site(cand, path, positions)
        if site is None:
            continue
        site = replace(site, guard=_guard(cand, site))
        if site.intent is None and collector.assigned.get(id(cand.node)) in assistants:
            site = replace(site, intent=f"{ASSISTANT}=")  # the model is the assistant of assisted generation
        if registered and ("AutoConfig" in registered or site.called in registered or site.method == PIPELINE.name):
            # `AutoX.register(SomeConfig, SomeModel)`: what the class loads is no longer the built-in table's alone.
            site = replace(site, model=None, value_note=None, via=None, model_class=None)
        sites.append(site)
    return sites


def _registered(module_scope: Scope) -> set[str]:
    """The transformers Auto classes this file extends with `AutoX.register(...)`."""
    found = set()
    for call, scope in module_scope.facts().method_calls.get("register", ()):
        assert isinstance(call.func, cst.Attribute)
        called = resolve_callee(call.func.value, scope)
        if called is not None:
            found.add(called)
    return found


def _guard(cand: _Candidate, site: CallSite) -> str | None:
    """What the code checked before the call: the innermost `if` that names a guard, else a guarded import."""
    for test, branch, scope in reversed(cand.branches):
        guard = _branch_guard(test, branch, scope)
        if guard is not None:
            return guard
    func = cand.node.func
    if site.method == PIPELINE.name or not isinstance(func, cst.Attribute):
        return None
    parts = dotted(func.value)
    home = cand.scope.lookup_scope(parts[0]) if parts else None
    if home is None:
        return None
    # `try: from transformers import TFAutoModel` / `except ImportError: ...`: the call runs only where it imports.
    for binding in home.values.get(parts[0], ()):
        imported = binding.qualified.rpartition(".")[2] if isinstance(binding, ImportBinding) else None
        if imported == site.called and binding.guarded:
            return f"requires:{site.called}"
    return None


# Comparison operators, as seen with transformers' version on the left; the flipped one when it is on the right.
_VERSION_OPS = {cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">", cst.GreaterThanEqual: ">="}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
# (operator, branch) -> the guard of a branch that runs only below (or up to) the version compared with.
_OLDER_BRANCH = {("<", "body"): "below", ("<=", "body"): "upto", (">=", "orelse"): "below", (">", "orelse"): "upto"}


def _branch_guard(test: cst.BaseExpression, branch: str, scope: Scope) -> str | None:
    """`hasattr(transformers, "X")` -> "requires:X"; `version.parse(transformers.__version__) < version.parse("5")`
    -> "below:5" for the branch that runs on the older versions."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And) and branch == "body":
        return _branch_guard(test.left, branch, scope) or _branch_guard(test.right, branch, scope)
    is_hasattr = isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value == "hasattr"
    if is_hasattr and branch == "body":
        if len(test.args) == 2 and qualified_name(test.args[0].value, scope) == "transformers":
            name = evaluate(test.args[1].value, scope)
            return f"requires:{name}" if isinstance(name, str) else None
        return None
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    left, target = test.left, test.comparisons[0]
    op = _VERSION_OPS.get(type(target.operator))
    if op is None:
        return None
    if _mentions_version(target.comparator, scope):
        left, op = target.comparator, _FLIPPED[op]
        other = test.left
    else:
        other = target.comparator
    if not _mentions_version(left, scope):
        return None
    bound = _version_literal(other, scope)
    kind = _OLDER_BRANCH.get((op, branch))
    return f"{kind}:{bound}" if kind and bound else None


def _mentions_version(node: cst.CSTNode, scope: Scope) -> bool:
    if isinstance(node, (cst.Attribute, cst.Name)) and qualified_name(node, scope) == "transformers.__version__":
        return True
    return any(_mentions_version(child, scope) for child in node.children)


def _version_literal(node: cst.CSTNode, scope: Scope) -> str | None:
    """The version a comparison is made with: the first string or integer written in it ("5.0.0", `5`)."""
    if isinstance(node, cst.Integer):
        return node.value
    if isinstance(node, (cst.SimpleString, cst.Name)):
        text = evaluate(node, scope)
        return text if isinstance(text, str) and re.fullmatch(r"\d+(\.\d+)*", text) else None
    return next((v for v in map(lambda c: _version_literal(c, scope), node.children) if v), None)


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
    site = _class_site(cand, path, positions, called, model, note)
    if "config" in site.uncertain_kwargs and model is not None and _own_config(cand, model):
        # `config=AutoConfig.from_pretrained(same id)`, unchanged: the load is the one without it.
        site = replace(site, uncertain_kwargs=tuple(k for k in site.uncertain_kwargs if k != "config"))
    return site


def _own_config(cand: _Candidate, model: str) -> bool:
    """The `config=` of the call is the checkpoint's own config, read from the same id and left as it was."""
    read = _config_read(_argument(cand.node, "config", None), cand.scope)
    if read is None:
        return False
    config_call, home = read
    config_kwargs = _literal_kwargs(config_call, home)
    same, _ = _model_value(_argument(config_call, MODEL_ARG, 0), home)
    site_kwargs = _literal_kwargs(cand.node, cand.scope)
    where = ("revision", "subfolder")
    return same == model and all(config_kwargs[k] == site_kwargs[k] for k in where) and not config_kwargs["uncertain"]


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
        intent=kwargs["intent"],
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
        method=FROM_CONFIG.name,
    )


def _config_read(expr: cst.BaseExpression | None, scope: Scope) -> tuple[cst.Call, Scope] | None:
    """The `AutoConfig.from_pretrained(...)` call that `expr` certainly holds, and the scope its arguments are read
    in: the call itself, or a name bound once to it and whose model type or architectures nothing reassigns."""
    home = scope
    if isinstance(expr, cst.Name):
        home = scope.lookup_scope(expr.value)
        if home is None:
            return None
        facts = scope.facts()
        # `config.is_decoder = True`, `config.update(...)` (and `x.model_type = ...` on any name, since the config
        # may be reached under another): what the config says is no longer only the checkpoint's.
        if expr.value in facts.mutated_names or facts.stored_attributes & {"model_type", "architectures"}:
            return None
        if facts.setattr_used:
            return None
        expr = home.single(expr.value)
    if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
        return None
    if expr.func.attr.value != FROM_PRETRAINED.name:
        return None
    if any(a.star or (a.keyword is not None and a.keyword.value in CONFIG_KIND_KWARGS) for a in expr.args):
        return None  # `AutoConfig.from_pretrained(id, is_decoder=True)`: a config changed on the way in
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
        task, model, note, model_class = None, None, None, None
        kwargs["uncertain"].append("task")
    else:
        model_expr = _argument(cand.node, "model", 1)
        model, note = _model_value(model_expr, cand.scope)
        model_class = None
        built = _built_model(model_expr, cand.scope)
        if built is not None:
            model_class, model, note = built
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
        method=PIPELINE.name,
        model_class=model_class,
    )


def _built_model(expr: cst.BaseExpression | None, scope: Scope) -> tuple[str, str, str | None] | None:
    """For `pipeline(task, model=model)` with `model = AutoX.from_pretrained(id)` bound once: (AutoX, id, note)."""
    if not isinstance(expr, cst.Name):
        return None
    home = scope.lookup_scope(expr.value)
    value = home.single(expr.value) if home is not None else None
    if not isinstance(value, cst.Call) or not isinstance(value.func, cst.Attribute):
        return None
    if value.func.attr.value != FROM_PRETRAINED.name:
        return None
    called = resolve_callee(value.func.value, home)
    kwargs = _literal_kwargs(value, home)
    if called is None or kwargs["uncertain"] or kwargs["intent"]:
        return None
    model, note = _model_value(_argument(value, MODEL_ARG, 0), home)
    return (called, model, note) if model is not None else None


def _has_star(call: cst.Call) -> bool:
    return any(arg.star for arg in call.args)
