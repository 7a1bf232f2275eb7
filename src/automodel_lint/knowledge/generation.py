"""Which model classes can call `generate()`, and which pipelines call it, read statically from a release's source.

The table's `generation` part (see `knowledge.table`), for every PyTorch class an Auto class loads:

raises
    What `model.generate(...)` does on a class that cannot generate, as the release's source says:
    "AttributeError" from 4.52 on, where `PreTrainedModel` no longer inherits `GenerationMixin` (read from its
    bases in modeling_utils.py): a class that neither inherits `GenerationMixin` nor defines `generate` has no
    such method. "TypeError" where `PreTrainedModel` inherits it and `GenerationMixin.generate` first calls
    `self._validate_model_class()`, which raises `TypeError` ("... is not compatible with `.generate()`, as it
    doesn't have a language model head") when `not self.can_generate()` (4.23-4.51).
cannot
    The classes that certainly cannot generate. With "AttributeError": neither the class nor any ancestor
    inherits `GenerationMixin` or defines `generate`. With "TypeError": in addition, none defines
    `prepare_inputs_for_generation`: every `can_generate()` of 4.23-4.51 answers False for such a class (4.23-4.35
    look for an overridden `prepare_inputs_for_generation`, 4.36-4.44 also for an overridden `generate`, 4.45-4.51
    for `GenerationMixin` among the bases, an own `generate` or an overridden `prepare_inputs_for_generation`).
    The build checks that `can_generate` reads nothing else, or the part is unknown.
unread
    Classes with an ancestor the build cannot read (a base that is no class of the package, nor `nn.Module`):
    not judged.
unknown
    Instead of the above, why the release's check cannot be read: before 4.23 `generate()` checks no class, and a
    `can_generate` that reads anything else than the forms above is not replayed.

A pipeline task's `generates` (in `pipelines.tasks`) is true when its pipeline class's `_forward` (its own or the
nearest base's in transformers.pipelines) calls `self.model.generate(...)` in a statement of the method's own body,
with no `return` before it: every call of the pipeline reaches it.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from automodel_lint.knowledge.build import Source, _Classes, _PyModule

MIXIN = "GenerationMixin"
ROOT = "PreTrainedModel"
ROOT_MODULE = "modeling_utils"
GENERATE = "generate"
PREPARE = "prepare_inputs_for_generation"
# torch's module base holds neither method; it is named as an attribute (`nn.Module`) or imported.
TORCH_MODULE = frozenset({"nn.Module", "torch.nn.Module", "Module"})
# What the 4.23-4.51 `can_generate`s read of the class: anything else and the rule above is not known to hold.
CAN_GENERATE_READS = frozenset({
    "__bases__", "__name__", "can_generate", GENERATE, PREPARE, MIXIN, ROOT, "str", "hasattr", "logger",
    "warning", "warning_once", "cls", "self", "base", "is_torchdynamo_compiling", "__func__",
})
GENERATION_MODULES = ("generation/utils.py", "generation_utils.py")
FIRST_CHECKED = "4.23"


class _Unread(Exception):
    """An ancestor of a class that the build cannot read."""


def read_generation(source: "Source", classes: "_Classes", types_of: dict[str, frozenset[str]],
                    pt_classes: set[str]) -> dict:
    """The `generation` part: how `generate()` fails, and the classes that cannot generate (module docstring). A
    release whose library files cannot be read gets the part's `unknown`, never a failed build."""
    from automodel_lint.knowledge.build import BuildError, ClassNotFound

    if not source.exists("modeling_utils.py"):
        return {"unknown": "the source has no modeling_utils.py"}
    root = None
    try:
        root = _root(source)
        why = _validation_unknown(source) if root is not None and _inherits(root) else None
    except BuildError as exc:
        why = " ".join(str(exc).replace(source.label, "the source").split())
    if root is None or why:
        return {"unknown": why or "modeling_utils.py defines no PreTrainedModel"}
    inherits = _inherits(root)
    raises = "TypeError" if inherits else "AttributeError"
    cannot, unread = {}, {}
    reader = _Lineage(classes)
    for name in sorted(pt_classes):
        try:
            mod, cls = classes.find(name, min(types_of[name]), "modeling_")
            found = reader.methods(mod, cls)
        except ClassNotFound:
            continue  # defined nowhere: the runtime cannot load it
        except (_Unread, BuildError):
            unread[name] = True  # a base, or a file on the way, that cannot be read: this class is not judged
            continue
        if MIXIN in found or GENERATE in found or (inherits and PREPARE in found):
            continue
        cannot[name] = True
    return {"raises": raises, "cannot": cannot, "unread": unread}


def _root(source: "Source") -> ast.ClassDef | None:
    from automodel_lint.knowledge.build import _parse

    return next((n for n in _parse(source, "modeling_utils.py").body if isinstance(n, ast.ClassDef) and n.name == ROOT),
                None)


def _inherits(root: ast.ClassDef) -> bool:
    return any(_base_name(b) == MIXIN for b in root.bases)


def _validation_unknown(source: "Source") -> str | None:
    """Why the `TypeError` check of a release whose `PreTrainedModel` inherits GenerationMixin is not known; None
    when `generate` validates the class through a `can_generate` of the known forms."""
    from automodel_lint.knowledge.build import _parse

    rel = next((r for r in GENERATION_MODULES if source.exists(r)), None)
    if rel is None:
        return "no generation module"
    mixin = next((n for n in _parse(source, rel).body if isinstance(n, ast.ClassDef) and n.name == MIXIN), None)
    methods = {f.name: f for f in (mixin.body if mixin else ()) if isinstance(f, ast.FunctionDef)}
    validate, generate = methods.get("_validate_model_class"), methods.get(GENERATE)
    if validate is None or generate is None:
        return f"generate() checks no model class before transformers {FIRST_CHECKED}"
    if not any(_is_self_call(n, "_validate_model_class") for n in ast.walk(generate)):
        return "generate() does not call _validate_model_class()"
    if not any(isinstance(n, ast.Raise) and "TypeError" in ast.unparse(n) for n in ast.walk(validate)):
        return "_validate_model_class() does not raise TypeError"
    if any(isinstance(n, ast.Call) and ast.unparse(n) == f"hasattr(self, '{PREPARE}')" for n in ast.walk(validate)):
        # 4.23-4.25: the class must define the method somewhere, and GenerationMixin does not.
        return f"GenerationMixin defines {PREPARE}" if PREPARE in methods else None
    if not any(_is_self_call(n, "can_generate") for n in ast.walk(validate)):
        return "_validate_model_class() does not ask can_generate()"
    can = next((f for f in _root(source).body if isinstance(f, ast.FunctionDef) and f.name == "can_generate"), None)
    if can is None:
        return "PreTrainedModel has no can_generate()"
    body = [s for s in can.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    read = {n.id for s in body for n in ast.walk(s) if isinstance(n, ast.Name)}
    read |= {n.attr for s in body for n in ast.walk(s) if isinstance(n, ast.Attribute)}
    read |= {n.value for s in body for n in ast.walk(s) if isinstance(n, ast.Constant) and isinstance(n.value, str)
             and n.value.isidentifier()}
    if read - CAN_GENERATE_READS:
        return f"can_generate() reads {', '.join(sorted(read - CAN_GENERATE_READS))}, which is not replayed"
    return None


def _is_self_call(node: ast.AST, method: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method


def _base_name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else ast.unparse(node) if isinstance(node, ast.Attribute) else None


class _Lineage:
    """What a model class and its ancestors bring: GenerationMixin among the bases, `generate`, and
    `prepare_inputs_for_generation`; followed through imports within the package up to PreTrainedModel."""

    def __init__(self, classes: "_Classes"):
        self.classes = classes
        self.cache: dict[tuple[str, str], frozenset[str]] = {}

    def methods(self, mod: "_PyModule", cls: ast.ClassDef, depth: int = 0) -> frozenset[str]:
        key = (mod.dotted, cls.name)
        if key == (ROOT_MODULE, ROOT):
            return frozenset()  # the library's root: its share is the part's "raises"
        if key not in self.cache:
            if depth > 30:
                raise _Unread(cls.name)
            found = {name for name in (GENERATE, PREPARE) if _binds(cls, name)}
            for base in cls.bases:
                found |= self._base(mod, base, depth)
            self.cache[key] = frozenset(found)
        return self.cache[key]

    def _base(self, mod: "_PyModule", base: ast.expr, depth: int) -> frozenset[str]:
        name = _base_name(base)
        if name in TORCH_MODULE and not (isinstance(base, ast.Name) and mod.cls(name) is not None):
            return frozenset()
        if not isinstance(base, ast.Name):
            raise _Unread(name or ast.unparse(base))
        if mod.original_name(base.id).endswith(MIXIN):
            # can_generate() tests the bases' names for the substring (WhisperGenerationMixin): taken as generating,
            # the safe side, whatever the class holds.
            return frozenset({MIXIN})
        if (local := mod.cls(base.id)) is not None:
            return self.methods(mod, local, depth + 1)
        found = self._imported(mod, base.id)
        if found is None and base.id == ROOT and re.search(rf"^from transformers import .*\b{ROOT}\b", mod.text, re.M):
            found = ROOT
        if found is None:
            raise _Unread(base.id)
        if found in (MIXIN, ROOT):
            return frozenset({MIXIN}) if found == MIXIN else frozenset()
        return self.methods(*found, depth + 1)

    def _imported(self, mod: "_PyModule", name: str, depth: int = 0):
        """The class an imported name means (re-exports followed): (module, class), MIXIN, ROOT, or None."""
        if name not in mod.imports or depth > 5:
            return None
        target, original = mod.imports[name]
        if original == MIXIN:
            return MIXIN
        if original == ROOT and target in ("", ROOT_MODULE):  # `from transformers import PreTrainedModel` too
            return ROOT
        other = self.classes.module(target)
        if other is None:
            return None
        imported = other.cls(original)
        return (other, imported) if imported is not None else self._imported(other, original, depth + 1)


def _binds(cls: ast.ClassDef, name: str) -> bool:
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
            return True
        if isinstance(stmt, ast.Assign) and any(getattr(t, "id", None) == name for t in stmt.targets):
            return True
    return False


# ------------------------------------------------------------------------------------------------ pipelines

PIPELINES = "pipelines"


def pipeline_generates(source: "Source", classes: "_Classes", impl: ast.expr | None) -> bool:
    """Whether every call of the pipeline class `impl` (a name imported in pipelines/__init__.py, or 5.x's dotted
    string) reaches `self.model.generate(...)` (module docstring)."""
    from automodel_lint.knowledge.build import BuildError

    try:
        return _pipeline_generates(source, classes, impl)
    except BuildError:
        return False  # a pipeline file that cannot be read: the task is not said to generate


def _pipeline_generates(source: "Source", classes: "_Classes", impl: ast.expr | None) -> bool:
    from automodel_lint.knowledge.build import _dotted_file, _parse

    if isinstance(impl, ast.Constant) and isinstance(impl.value, str):
        dotted, _, name = impl.value.rpartition(".")
        dotted = dotted.removeprefix("transformers.")
    elif isinstance(impl, ast.Name):
        imports = {}
        for node in _parse(source, f"{PIPELINES}/__init__.py").body:
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                imports.update({a.asname or a.name: (f"{PIPELINES}.{node.module}", a.name) for a in node.names})
        if impl.id not in imports:
            return False
        dotted, name = imports[impl.id]
    else:
        return False
    if _dotted_file(dotted, source) is None:
        return False
    mod = classes.module(dotted)
    cls = mod.cls(name) if mod is not None else None
    for _ in range(10):
        if cls is None:
            return False
        forward = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "_forward"), None)
        if forward is not None:
            return _always_generates(forward)
        base = next((b.id for b in cls.bases if isinstance(b, ast.Name)), None)
        if base is None:
            return False
        if (local := mod.cls(base)) is not None:
            cls = local
        elif base in mod.imports and mod.imports[base][0].startswith(PIPELINES + "."):
            target, original = mod.imports[base]
            mod = classes.module(target)
            cls = mod.cls(original) if mod is not None else None
        else:
            return False
    return False


def _always_generates(forward: ast.FunctionDef) -> bool:
    for stmt in forward.body:
        if isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign, ast.Return)) and any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == GENERATE
            and ast.unparse(n.func.value) == "self.model" for n in ast.walk(stmt)
        ):
            return True
        if any(isinstance(n, ast.Return) for n in ast.walk(stmt)):
            return False  # a call may return before it generates
    return False
