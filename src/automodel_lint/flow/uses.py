"""Use sites: each call that may be a use (get_peft_model, the collator, apply_chat_template, generate, pipeline)
built into a UseSite with the origins of its objects and what its call says, or with the reason its flow is
uncertain."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, ScopeProvider

from automodel_lint.finder import _argument
from automodel_lint.flow.collect import Collector
from automodel_lint.flow.kinds import CHAT_TEMPLATE, COLLATOR, COLLATORS, GENERATE, GET_PEFT_MODEL, PEFT_FUNCTIONS, \
    PIPELINE, PIPELINES
from automodel_lint.flow.origins import Flow, Uncertain, literal
from automodel_lint.records import CallSite, Span, UseSite


def find_uses(module: cst.Module, path: str, sites: list[CallSite], is_model_class,
              call_spans: list[Span] | None = None) -> list[UseSite]:
    """Every use this module follows in `module` (the file, not the pre-pass's reduction: `reduced` keeps its
    lines), each with the origins of its objects, or with the reason its flow is uncertain. `call_spans`, the
    stdlib's positions of every call in source order, spare LibCST's position pass, as in the finder."""
    visitor = Collector()
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
    flow = Flow(visitor.found, scopes, {(s.span.line, s.span.column): s for s in sites}, spans, is_model_class)
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


def _use_site(flow: Flow, call: cst.Call, path: str) -> UseSite | None:
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


def _origins(flow: Flow, objects: list[tuple[str, cst.BaseExpression | None]]):
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


def _peft_use(flow: Flow, call: cst.Call, path: str) -> UseSite | None:
    if flow.qualified(call.func) not in PEFT_FUNCTIONS:
        return None
    origins = _origins(flow, [("model", _argument(call, "model", 0))])
    if origins is None or origins[0][1].role != "model":
        return None
    config = _peft_config(flow, _argument(call, "peft_config", 1))
    if config is None:
        return None
    return UseSite(path, flow.span(call), GET_PEFT_MODEL, origins, config)


def _peft_config(flow: Flow, expr: cst.BaseExpression | None) -> tuple | None:
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


def _holds_node(target: cst.BaseExpression, name: cst.Name, flow: Flow) -> bool:
    return isinstance(target, cst.Name) and target.value == name.value and flow.scopes.get(target) is flow.scopes.get(
        name)


def _collator_use(flow: Flow, call: cst.Call, path: str) -> UseSite | None:
    if flow.qualified(call.func) not in COLLATORS:
        return None
    origins = _origins(flow, [("tokenizer", _argument(call, "tokenizer", 0))])
    if origins is None:
        return None
    if any(a.star for a in call.args):
        raise Uncertain("`*args` or `**kwargs` may pass `mlm`")
    mlm = _argument(call, "mlm", 1)
    arguments = [("mlm", literal(mlm))] if mlm is not None else []
    return UseSite(path, flow.span(call), COLLATOR, origins, tuple(arguments))


def _object_use(flow: Flow, call: cst.Call, path: str, role: str, arguments) -> UseSite | None:
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    origins = _origins(flow, [(role, func.value)])
    if origins is None or origins[0][1].role != role:
        return None
    return UseSite(path, flow.span(call), _use_name(call), origins, tuple(arguments))


def _pipeline_use(flow: Flow, call: cst.Call, path: str) -> UseSite | None:
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


def _generate_use(flow: Flow, call: cst.Call, path: str) -> UseSite | None:
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


def _padded_input(flow: Flow, call: cst.Call) -> tuple[tuple, tuple] | None:
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
    if padding is None or literal(padding) not in _PADS:
        return None
    origins = _origins(flow, [("tokenizer", tokenized.func)])
    if origins is None or origins[0][1].role != "tokenizer":
        return None
    arguments = [("padding", literal(padding)), ("batch", "yes" if _is_batch(flow, tokenized) else "no")]
    side = _argument(tokenized, "padding_side", None)
    if side is not None:
        arguments.append(("padding_side", literal(side)))
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


def _is_batch(flow: Flow, tokenized: cst.Call) -> bool:
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
