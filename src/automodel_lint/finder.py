"""Source -> call sites: `X.from_pretrained(...)` where X is, through the file's own imports, a transformers class,
and `pipeline(...)` where `pipeline` is transformers' factory.

One LibCST pass, which is also LibCST's scope analysis, records the value of every binding and the candidate
calls; the calls are resolved after the pass, because a module constant may be bound below the function that
reads it. A call that the code guards (an `if`, a conditional expression or an early `return`/`raise` on
`hasattr(transformers, ...)`, a version comparison or `is_tf_available()`, an import in `try`/`except
ImportError`) carries the guard, and is judged for the versions it runs on. A class that merely
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
from libcst.metadata import BaseMetadataProvider, MetadataWrapper, PositionProvider
from libcst.metadata.scope_provider import _ASSIGNMENT_LIKE_NODES, ScopeVisitor

from automodel_lint.calls import CLASS_METHODS, FROM_CONFIG, FROM_PRETRAINED, PIPELINE, REGISTERED
from automodel_lint.records import PIPELINE_PREFIX, CallSite, Span
from automodel_lint.values import (
    ARGV,
    READ_ONLY_METHODS,
    UNKNOWN,
    WRITE_AROUND,
    WRITE_HERE,
    WRITE_NONLOCAL,
    ClassInfo,
    FunctionInfo,
    ImportBinding,
    ModuleFacts,
    Overridable,
    Parameter,
    Scope,
    Unpacked,
    bound,
    dotted,
    dotted_name,
    evaluate,
    literal_bool,
    qualified_name,
    string_literal,
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
    branches: tuple = ()  # the `if` branches around the call, innermost last: (test, "body" or "orelse")
    scope: Scope | None = None  # where the call is evaluated, once LibCST's scopes are attached


class _Collector(ScopeVisitor):
    """Records the value of each binding and every `<something>.from_pretrained(...)` call, in the same pass as
    LibCST's scope analysis (whose visitor this extends: one walk of the tree instead of two).

    Which binding a name reads is left to LibCST's scopes; this pass records what each binding writes, keyed by
    the node LibCST's assignment names (a target `Name`, a `Param`, an import statement, a `def` or `class`),
    and which names are written (`stores`), which LibCST would otherwise learn from a pass of its own.
    Hooks that LibCST's visitor also has call it after their own work: it walks the children itself.
    """

    def __init__(self, provider: "_Scopes") -> None:
        super().__init__(provider)
        self.facts = ModuleFacts()
        self.candidates: list[_Candidate] = []
        self.calls: list[cst.Call] = []
        self.branches: list[tuple[cst.BaseExpression, str]] = []
        self.assigned: dict[int, str] = {}  # id() of a call -> the one name it is assigned to (`model = X(...)`)
        self.import_guards = 0  # inside the body of a `try` whose handler catches ImportError
        self.owners: list[ClassInfo | FunctionInfo | None] = []  # enclosing classes and functions (None: lambda)
        self.comprehensions = 0
        self.stores: set[int] = set()  # id() of every Name written: what LibCST's scope analysis records
        self.counted: set[int] = set()  # id() of calls already in `calls`, counted ahead of LibCST's walk
        # Per open block: how many early exits (`if not hasattr(...): return`) guard its remaining statements.
        self.exits: list[int] = [0]

    def _bind(self, node: cst.CSTNode, name: str, value: object) -> None:
        self.facts.bindings[(id(node), name)] = value

    def _store(self, target: cst.BaseExpression) -> None:
        """The names a target writes, as LibCST's ExpressionContextProvider would mark them STORE."""
        if isinstance(target, cst.Name):
            self.stores.add(id(target))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._store(element.value)
        elif isinstance(target, cst.StarredElement):
            self._store(target.value)

    # Definitions

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        info = ClassInfo(node, node.name.value, any(_is_dataclass_decorator(d.decorator) for d in node.decorators))
        info.bases = tuple((dotted(b.value) or [""])[-1] for b in node.bases)
        self._bind(node, node.name.value, info)
        self.facts.classes[id(node)] = info
        self.owners.append(info)
        self.exits.append(0)  # LibCST's visitor walks a class body's statements, not its block
        return super().visit_ClassDef(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.owners.pop()
        for _ in range(self.exits.pop()):
            self.branches.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        info = FunctionInfo(node, node.name.value)
        # LibCST's visitor walks the body before the decorators and the return annotation: count their calls
        # first, as the source has them.
        self._count_calls([*node.decorators, node.params, *([node.returns] if node.returns else [])])
        self._bind(node, node.name.value, info)
        self._bind_params(node.params, f"`{node.name.value}()`")
        self.owners.append(info)
        return super().visit_FunctionDef(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.owners.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._bind_params(node.params, "a lambda")
        self.owners.append(None)
        return super().visit_Lambda(node)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.owners.pop()

    def _enter_comprehension(self, node: cst.CSTNode) -> bool:
        self._count_calls([node])  # LibCST's visitor walks the first `for`'s iterable before the element
        self.comprehensions += 1
        self._store(node.for_in.target)  # LibCST's visitor walks the first `for` without visiting it
        return self._visit_comp_alike(node)

    def _leave_comprehension(self, original_node: cst.CSTNode) -> None:
        self.comprehensions -= 1

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _enter_comprehension
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = _leave_comprehension

    # What LibCST's visitor does for reads (accesses) alone is skipped: the finder asks only which writes reach a
    # name. It parses string annotations, looks up typing's special forms at every call and subscript, and counts
    # assignments with an isinstance test on every node (the order of writes, which reads use).

    def _handle_string_annotation(self, node: cst.BaseExpression) -> bool:
        return False  # (and the nodes of a parsed annotation must not count as calls of the module)

    def leave_Call(self, original_node: cst.Call) -> None:
        pass

    def visit_Name(self, node: cst.Name) -> None:
        # LibCST's own hook asks ExpressionContextProvider (a pass of its own) whether the name is written, and
        # records a read otherwise; the finder's pass knows the writes.
        if id(node) in self.stores:
            self.scope.record_assignment(node.value, node)

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        return True

    def leave_Subscript(self, original_node: cst.Subscript) -> None:
        pass

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.provider.set_metadata(original_node, self.scope)
        if type(original_node) in ASSIGNMENT_LIKE:
            self.scope._assignment_count += 1
        cst.CSTVisitor.on_leave(self, original_node)

    def visit_Return(self, node: cst.Return) -> None:
        if self.owners and isinstance(self.owners[-1], FunctionInfo):
            self.owners[-1].returns.append(node.value)
        if isinstance(node.value, cst.Name):
            self.facts.changed_names.add(node.value.value)  # the caller may change what it is handed

    def _method_class(self) -> ClassInfo | None:
        """The class whose method this statement is in (for `self.X = ...`)."""
        if len(self.owners) >= 2 and isinstance(self.owners[-1], FunctionInfo):
            owner = self.owners[-2]
            return owner if isinstance(owner, ClassInfo) else None
        return None

    # Guards: the branches a call stands in, and imports that may fail

    # An `if` statement, and a conditional expression (`A.from_pretrained(x) if hasattr(transformers, "A") else
    # ...`): each branch runs under its test.
    def _enter_body(self, node: cst.If | cst.IfExp) -> None:
        self.branches.append((node.test, "body"))

    def _enter_orelse(self, node: cst.If | cst.IfExp) -> None:
        self.branches.append((node.test, "orelse"))

    def _leave_branch(self, node: cst.If | cst.IfExp) -> None:
        self.branches.pop()

    visit_If_body = visit_IfExp_body = _enter_body
    visit_If_orelse = visit_IfExp_orelse = _enter_orelse
    leave_If_body = leave_IfExp_body = leave_If_orelse = leave_IfExp_orelse = _leave_branch

    def leave_If(self, original_node: cst.If) -> None:
        # `if not is_tf_available(): raise ...`: the rest of the block runs only where the test is false.
        if original_node.orelse is None and _ends_in_exit(original_node.body):
            self.branches.append((original_node.test, "orelse"))
            self.exits[-1] += 1

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.exits.append(0)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        for _ in range(self.exits.pop()):
            self.branches.pop()

    def visit_Try_body(self, node: cst.Try) -> None:
        if any(_catches_import_error(h.type) for h in node.handlers):
            self.import_guards += 1

    def leave_Try_body(self, node: cst.Try) -> None:
        if any(_catches_import_error(h.type) for h in node.handlers):
            self.import_guards -= 1

    def _bind_params(self, params: cst.Parameters, owner: str) -> None:
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        for param in every:
            name = param.name.value
            if param.default is not None and param.star == "":
                # A default is the value only when the caller passes nothing: judged, with that said.
                note = f"the default value of parameter `{name}` of {owner}"
                self._bind(param, name, Overridable(param.default, note))
            else:
                annotation = param.annotation.annotation if param.annotation is not None and param.star == "" else None
                self._bind(param, name, Parameter(annotation))

    # Bindings: a name's write is LibCST's; its value (when certain) and every write through a container,
    # attribute or `globals()` are recorded here.

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None, store: bool = True) -> None:
        if store:
            self._store(target)
        if isinstance(target, cst.Name):
            if value is not None:
                self._bind(target, target.value, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            parsed = _is_dataclass_parse(value)
            for index, element in enumerate(target.elements):
                # From a starred name on, positions no longer match the dataclasses.
                parsed = parsed and not isinstance(element, cst.StarredElement)
                if parsed and isinstance(element.value, cst.Name):
                    self._bind(element.value, element.value.value, Unpacked(value, index))
                elif not isinstance(element.value, cst.Name):
                    self._bind_target(element.value, None, store=False)  # its names are stored above
        elif isinstance(target, cst.StarredElement) and not isinstance(target.value, cst.Name):
            self._bind_target(target.value, None, store=False)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            if target.value.value in ("self", "cls"):
                owner = self._method_class()
                if owner is not None:
                    owner.instance_assigned.add(target.attr.value)
            else:
                self.facts.stored_attributes.add(target.attr.value)
                self.facts.mutated_names.add(target.value.value)
        elif isinstance(target, cst.Attribute):
            self.facts.stored_attributes.add(target.attr.value)
        elif isinstance(target, cst.Subscript):
            facts = self.facts
            if isinstance(target.value, cst.Attribute) and target.value.attr.value == ARGV:
                facts.stored_attributes.add(ARGV)  # `sys.argv[1:] = [...]`
            if isinstance(target.value, cst.Name):
                facts.changed_names.add(target.value.value)
                facts.mutated_names.add(target.value.value)
            key = target.slice[0].slice if len(target.slice) == 1 else None
            if _is_globals_call(target.value):
                name = string_literal(key.value) if isinstance(key, cst.Index) else UNKNOWN
                facts.globals_written.add(name if isinstance(name, str) else None)
            if isinstance(target.value, (cst.Name, cst.Attribute)):
                # Perhaps `os.environ[KEY] = ...`: resolved only when a fallback of `os.environ.get` is read.
                written = key.value if isinstance(key, cst.Index) else None
                facts.environ_writes.append((target.value, written))

    def _unmodelled(self, target: cst.BaseExpression, node: cst.CSTNode, kind: str = WRITE_HERE) -> None:
        """Names written where LibCST's scopes record no assignment: uncertain wherever they are read."""
        if isinstance(target, cst.Name):
            self.facts.pending_writes.append((target.value, node, kind))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._unmodelled(element.value, node)
        elif isinstance(target, cst.StarredElement):
            self._unmodelled(target.value, node)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)
        if isinstance(node.value, cst.Name):
            self.facts.changed_names.add(node.value.value)  # `table = MODELS`: changed under another name
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.assigned[id(node.value)] = node.targets[0].target.value

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._store(node.target)  # a bare annotation makes the name local all the same
        if node.value is not None:
            self._bind_target(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target, None)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._store(node.target)
        if self.comprehensions:
            # A walrus in a comprehension binds in the scope around it; LibCST places it in the comprehension.
            self._unmodelled(node.target, node.target, WRITE_AROUND)

    def visit_For(self, node: cst.For) -> bool:
        self._bind_target(node.target, None)
        return super().visit_For(node)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name, None)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._store(node.name)  # `except E as name` (and `with`, `import`: LibCST reads those itself)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._store(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._bind_target(node.target, None, store=False)  # `del name` is no store for LibCST: added below
        self._unmodelled(node.target, node)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        # LibCST sends a `nonlocal` name's writes to the function just around; Python, to the nearest one that
        # binds it, which may be further out.
        for item in node.names:
            self.facts.pending_writes.append((item.name.value, node, WRITE_NONLOCAL))
        return super().visit_Nonlocal(node)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._unmodelled(node.name, node)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self._unmodelled(node.name, node)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self._unmodelled(node.rest, node)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = dotted_name(alias.name) or ""
            guarded = self.import_guards > 0
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind(node, alias.asname.name.value, ImportBinding(module, guarded))
            else:
                head = module.split(".")[0]
                self._bind(node, head, ImportBinding(head, guarded))
        return super().visit_Import(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        # A relative import's target is not known here: its names stay uncertain.
        if not (node.relative or node.module is None or isinstance(node.names, cst.ImportStar)):
            module = dotted_name(node.module) or ""
            for alias in node.names:
                name = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(name, cst.Name) and isinstance(alias.name, cst.Name):
                    qualified = f"{module}.{alias.name.value}"
                    self._bind(node, name.value, ImportBinding(qualified, self.import_guards > 0))
        return super().visit_ImportFrom(node)

    # Calls

    def _count_calls(self, nodes: list[cst.CSTNode]) -> None:
        """Put the calls in `nodes` into `calls` in source order, ahead of LibCST's walk of them."""
        order = _CallOrder(self)
        for node in nodes:
            node.visit(order)

    def visit_Call(self, node: cst.Call) -> None:
        if id(node) not in self.counted:
            self.calls.append(node)  # every call, in source order: the n-th matches the n-th of `call_spans`
        func = node.func
        branches = tuple(self.branches)
        if isinstance(func, cst.Attribute) and func.attr.value in CLASS_METHODS:
            self.candidates.append(_Candidate(node, branches))
        elif isinstance(func, cst.Name) or (isinstance(func, cst.Attribute) and func.attr.value == PIPELINE.name):
            # Possibly transformers' pipeline under any name (`from transformers import pipeline as pipe`).
            self.candidates.append(_Candidate(node, branches))
        facts = self.facts
        if isinstance(func, cst.Attribute):
            facts.method_calls.setdefault(func.attr.value, []).append(node)
            if isinstance(func.value, cst.Name) and func.attr.value not in READ_ONLY_METHODS:
                facts.changed_names.add(func.value.value)
                facts.mutated_names.add(func.value.value)
            if func.attr.value not in READ_ONLY_METHODS and _is_globals_call(func.value):
                facts.globals_written.add(None)
            if func.attr.value not in READ_ONLY_METHODS and (dotted(func.value) or [""])[-1] == ARGV:
                facts.stored_attributes.add(ARGV)  # `sys.argv.extend([...])`
            if func.attr.value in ENVIRON_WRITERS and isinstance(func.value, (cst.Name, cst.Attribute)):
                for key in _keys_written(node):
                    facts.environ_writes.append((func.value, key))
        if (dotted(func) or [""])[-1] in ("setenv", "putenv") and node.args:
            # `monkeypatch.setenv("X", ...)`, `os.putenv(...)`: the variable is set, whatever the object.
            facts.environ_writes.append((None, node.args[0].value))
        if isinstance(func, cst.Name) and func.value == "setattr":
            facts.setattr_used = True
            if node.args and _is_module_object(node.args[0].value):
                # `setattr(sys.modules[__name__], "NAME", ...)`: a module name written from afar.
                name = string_literal(node.args[1].value) if len(node.args) > 1 else UNKNOWN
                facts.globals_written.add(name if isinstance(name, str) else None)
        for arg in node.args:
            if isinstance(arg.value, cst.Name):
                # A function handed a dict may change it.
                facts.changed_names.add(arg.value.value)
            if (dotted(arg.value) or [""])[-1] == "environ":
                # `mock.patch.dict(os.environ, {...})`: the call may set any variable.
                facts.environ_writes.append((arg.value, None))
        return True


# Methods of a mapping that set or remove keys: on `os.environ`, a fallback of `os.environ.get` may not apply.
ENVIRON_WRITERS = frozenset({"setdefault", "update", "pop", "popitem", "clear", "__setitem__", "__delitem__"})
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def _catches_import_error(kind: cst.BaseExpression | None) -> bool:
    """`except:`, `except ImportError`, `except (ImportError, ...)`, or a base class of it."""
    if kind is None:
        return True
    names = [e.value for e in kind.elements] if isinstance(kind, cst.Tuple) else [kind]
    return any((dotted(n) or [""])[-1] in IMPORT_ERRORS for n in names)


def _keys_written(call: cst.Call) -> list[cst.BaseExpression | None]:
    """The keys a mapping method call sets or removes; None stands for keys it cannot name."""
    method = call.func.attr.value
    if method in ("setdefault", "__setitem__", "pop", "__delitem__") and call.args and not call.args[0].star:
        return [call.args[0].value]
    if method == "update" and call.args:
        keys: list[cst.BaseExpression | None] = []
        for arg in call.args:
            if arg.keyword is not None:
                keys.append(cst.SimpleString(repr(arg.keyword.value)))  # `update(NAME=...)`
            elif not arg.star and isinstance(arg.value, cst.Dict):
                keys.extend(e.key if isinstance(e, cst.DictElement) else None for e in arg.value.elements)
            else:
                keys.append(None)
        return keys
    return [None]


def _ends_in_exit(body: cst.BaseSuite) -> bool:
    """The block ends with `return`, `raise`, `continue` or `break`: what follows it runs only when it did not."""
    last = body.body[-1] if body.body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1] if last.body else None
    return isinstance(last, (cst.Return, cst.Raise, cst.Continue, cst.Break))


def _is_module_object(node: cst.BaseExpression) -> bool:
    """`sys.modules[...]` or `importlib.import_module(...)`: a module, whose names `setattr` rebinds."""
    if isinstance(node, cst.Subscript):
        return dotted_name(node.value) == "sys.modules"
    return isinstance(node, cst.Call) and (dotted(node.func) or [""])[-1] in ("import_module", "__import__")


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


@lru_cache(maxsize=None)
def known_model_class(name: str) -> bool:
    """Whether a bundled table knows an Auto class to build `name`: the concrete classes HFA006 can judge."""
    from automodel_lint import knowledge

    return any(name in table.data["architectures"] for table in knowledge.bundled_newest_first())


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
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)  # the finder never changes the tree: no copy
    provider = _Scopes()
    # Run without the wrapper's resolver, which walks the whole tree once more for batchable providers even
    # when there are none.
    scopes = provider._gen(wrapper)
    collector = provider.collector
    if not collector.candidates:
        return []
    facts = collector.facts
    facts.attach(scopes)
    positions = _positions(wrapper, collector.calls, call_spans)
    for cand in collector.candidates:
        cand.scope = facts.scope_of(cand.node)
    concrete = known_model_class
    registered = _registered(facts)
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
        if _extended(site, registered):
            # `AutoX.register(SomeConfig, SomeModel)`: what the class loads is no longer the built-in table's alone.
            site = replace(site, model=None, value_note=None, via=None, model_class=None,
                           uncertain_kwargs=(*site.uncertain_kwargs, REGISTERED))
        sites.append(site)
    # In source order (LibCST's scope visitor walks a function's decorators after its body).
    return sorted(sites, key=lambda site: (site.span.line, site.span.column))


def _extended(site: CallSite, registered: set[str]) -> bool:
    """The file registers something that can change what the call loads: its own Auto class, a config type
    (`AutoConfig.register`, `CONFIG_MAPPING.register`: every Auto class may then meet it), a mapping of
    transformers' directly, or, for a pipeline (which picks its class itself), any Auto class."""
    if not registered:
        return False
    if "AutoConfig" in registered or any("MAPPING" in name for name in registered):
        return True
    return site.called in registered or site.method == PIPELINE.name


def _registered(facts: ModuleFacts) -> set[str]:
    """The transformers Auto classes this file extends with `AutoX.register(...)`."""
    found = set()
    for call in facts.method_calls.get("register", ()):
        assert isinstance(call.func, cst.Attribute)
        scope = facts.scope_of(call)
        called = resolve_callee(call.func.value, scope) if scope is not None else None
        if called is not None:
            found.add(called)
    return found


def _guard(cand: _Candidate, site: CallSite) -> str | None:
    """What the code checked before the call: the innermost `if` that names a guard, else a guarded import."""
    facts = cand.scope.facts()
    for test, branch in reversed(cand.branches):
        scope = facts.scope_of(test)
        guard = _branch_guard(test, branch, scope) if scope is not None else None
        if guard is not None and guard.startswith(FRAMEWORK_GUARD):
            # `is_tf_available()` checked for TensorFlow: it guards the TF classes only, not a removed torch class.
            prefix = guard[len(FRAMEWORK_GUARD):]
            ours = site.method != PIPELINE.name and site.called.startswith(prefix)
            guard = f"requires:{site.called}" if ours else None
        if guard is not None:
            return guard
    func = cand.node.func
    if site.method == PIPELINE.name or not isinstance(func, cst.Attribute):
        return None
    parts = dotted(func.value)
    # `try: from transformers import TFAutoModel` / `except ImportError: ...`: the call runs only where it imports.
    for write in cand.scope.writes(parts[0]) if parts else ():
        binding = write.value
        imported = binding.qualified.rpartition(".")[2] if isinstance(binding, ImportBinding) else None
        if imported == site.called and binding.guarded:
            return f"requires:{site.called}"
    return None


# Comparison operators, as seen with transformers' version on the left; the flipped one when it is on the right.
_VERSION_OPS = {cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">", cst.GreaterThanEqual: ">="}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
# (operator, branch) -> the guard of a branch that runs only below (or up to) the version compared with.
_OLDER_BRANCH = {("<", "body"): "below", ("<=", "body"): "upto", (">=", "orelse"): "below", (">", "orelse"): "upto"}


# transformers' checks for a framework, and the prefix of the classes that need it.
FRAMEWORK_CHECKS = {"is_tf_available": "TF", "is_flax_available": "Flax"}
FRAMEWORK_GUARD = "framework:"
FRAMEWORK_MODULES = frozenset({"transformers", "transformers.utils", "transformers.utils.import_utils",
                               "transformers.file_utils"})


def _branch_guard(test: cst.BaseExpression, branch: str, scope: Scope) -> str | None:
    """`hasattr(transformers, "X")` -> "requires:X"; `version.parse(transformers.__version__) < version.parse("5")`
    -> "below:5" for the branch that runs on the older versions; transformers' `is_tf_available()` ->
    "framework:TF" (the TF classes it guards). `not` flips the branch; `and` (true) and `or` (false) hold both."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _branch_guard(test.expression, "orelse" if branch == "body" else "body", scope)
    if isinstance(test, cst.BooleanOperation) and (
        (isinstance(test.operator, cst.And) and branch == "body")
        or (isinstance(test.operator, cst.Or) and branch == "orelse")
    ):
        return _branch_guard(test.left, branch, scope) or _branch_guard(test.right, branch, scope)
    if isinstance(test, cst.Call) and not test.args and branch == "body":
        module, _, check = (qualified_name(test.func, scope) or "").rpartition(".")
        if module in FRAMEWORK_MODULES and check in FRAMEWORK_CHECKS:
            return FRAMEWORK_GUARD + FRAMEWORK_CHECKS[check]
    if (
        isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and test.func.attr.value == "startswith"
        and len(test.args) == 1 and branch == "body" and _mentions_version(test.func.value, scope)
    ):
        # `transformers.__version__.startswith("4.")`: the branch runs on 4.x only. A longer prefix is textual
        # ("4.5" also starts "4.57"), so only a major version is read.
        prefix = evaluate(test.args[0].value, scope)
        bound = prefix.rstrip(".") if isinstance(prefix, str) else ""
        return f"upto:{bound}" if re.fullmatch(r"\d+", bound) else None
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


class _CallOrder(cst.CSTVisitor):
    """Appends the calls of a subtree to the collector's `calls` in source order (once each)."""

    def __init__(self, collector: _Collector) -> None:
        self.collector = collector

    def visit_Call(self, node: cst.Call) -> None:
        if id(node) not in self.collector.counted:
            self.collector.counted.add(id(node))
            self.collector.calls.append(node)


ASSIGNMENT_LIKE = frozenset(_ASSIGNMENT_LIKE_NODES)  # LibCST's own list; the classes are final, so `type() in`


class _Scopes(BaseMetadataProvider):
    """LibCST's scope analysis (ScopeProvider's own visitor) and the finder's pass, in one walk of the module.

    ScopeProvider itself costs three: the wrapper walks the whole tree around its visitor (it is a batchable
    provider), and it reads ExpressionContextProvider (a pass of its own) only to know which names are written,
    which the finder's pass records anyway (`_Collector.visit_Name`). `tests/test_finder.py` checks that the
    assignments come out the same.
    """

    def _gen_impl(self, module: cst.Module) -> None:
        self.collector = _Collector(self)
        module.visit(self.collector)


def _positions(wrapper: MetadataWrapper, calls: list[cst.Call], call_spans: Sequence[Span] | None) -> dict:
    """Where every call is: the caller's spans when it has them, else LibCST's position metadata."""
    if call_spans is not None and len(call_spans) == len(calls):
        return {id(node): span for node, span in zip(calls, call_spans)}
    found = wrapper.resolve(PositionProvider)
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
        facts = scope.facts()
        # `config.is_decoder = True`, `config.update(...)` (and `x.model_type = ...` on any name, since the config
        # may be reached under another): what the config says is no longer only the checkpoint's.
        if expr.value in facts.mutated_names or facts.stored_attributes & {"model_type", "architectures"}:
            return None
        found = bound(expr.value, scope)
        if facts.setattr_used or found is None:
            return None
        expr, home = found.value, found.home
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
    found = bound(expr.value, scope)
    value, home = (found.value, found.home) if found is not None else (None, None)
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
