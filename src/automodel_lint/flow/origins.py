"""The origin of an object: which `from_pretrained` call an expression certainly holds, the binding a name
reads (LibCST's ScopeProvider says which it can read; the collector's order and branches say which it does), and
the Origin record of a load (its model id, and what the code does to its object anywhere in the file)."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from automodel_lint.finder import _argument
from automodel_lint.flow.collect import Binding, Collected
from automodel_lint.flow.kinds import INITIALIZERS, SAME_OBJECT_FUNCTIONS, SAME_OBJECT_METHODS
from automodel_lint.records import CallSite, Origin, Span


def role_of(class_name: str, is_model_class) -> str | None:
    """What a `from_pretrained` of this transformers class builds: "tokenizer", "processor", "model", or None."""
    if class_name.endswith(("Tokenizer", "TokenizerFast")):
        return "tokenizer"
    if class_name.endswith("Processor"):
        return "processor"
    return "model" if is_model_class(class_name) else None



class Uncertain(Exception):
    """The flow to a use is not certain; the message says why."""


@dataclass
class Flow:
    found: Collected
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

    def reaching(self, name: cst.Name) -> Binding | None:
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
            revision=revision, subfolder=subfolder, line=span.line, column=span.column, value_note=note,
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
                found.append((attr, literal(value) if value is not None else None))
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


def literal(expr: cst.BaseExpression) -> str | None:
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
    return {arg.keyword.value: literal(arg.value) for arg in call.args if arg.keyword is not None}
