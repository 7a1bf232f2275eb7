"""Generate a knowledge table from a transformers source tree, read statically: nothing is imported or run.

    python -m automodel_lint.knowledge.build [--source DIR_OR_WHEEL] [--output FILE]

The source is a `transformers/` package folder (or the folder holding one, such as site-packages) or a wheel,
which is read in place through `zipfile`. Without `--source` the installed distribution's files are read.

How each part of the table (schema in `knowledge.table`) is derived:

config_classes
    `CONFIG_MAPPING_NAMES` as `models/auto/configuration_auto.py` leaves it. In 5.x that module imports the
    generated dict from `auto_mappings.py`, `update()`s it and rebuilds it with `gpt-sw3` in front; in 4.x it
    defines it. Both are followed by a small evaluator of module-level statements (`_Evaluator`) that knows the
    literal forms transformers uses (OrderedDict/dict calls, `**` and `*x.items()` splats, `.update()`,
    `|`) and raises `BuildError` when a name that the table needs was built some other way.

auto_classes
    Every public class of `modeling_auto.py` (framework "pt"), and in 4.x `modeling_tf_auto.py` ("tf") and
    `modeling_flax_auto.py` ("flax"), whose `_model_mapping`, set in its body or inherited from a class of the
    same file, is a `_LazyAutoMapping(config_names, X_MAPPING_NAMES)`. This takes in AutoBackbone and the
    deprecated aliases that subclass a private class (`AutoModelWithLMHead(_AutoModelWithLMHead)` in 4.x).
    `loads` replays `_LazyAutoMapping.__contains__`/`__getitem__` (the same in 4.57 and 5.x): the config class
    name is mapped back to a model type through `{v: k for k, v in config_names.items()}`, where the last type
    registered for a class wins, and that type is looked up in `X_MAPPING_NAMES`.

architectures
    Every class named in a `loads` value, with the Auto classes that can build it.

text_config_types
    `_BaseAutoModelClass.from_pretrained` (4.57 and 5.x, and `from_config` in 5.x) hands the model
    `config.get_text_config()` when `model_class.config_class == config.sub_configs.get("text_config")`. For each
    accepted model type we read, from `models/<module>/configuration_*.py`, the `text_config` entry of the
    config class's `sub_configs` (4.x: a plain dict; 5.x: a dict in the class body, else the
    `sub_configs_defaults` it is derived from, whose values are classes or `SubConfigSpec(config_class=...)`),
    following base classes across files. `AutoConfig` there never equals a model's `config_class`. For each class
    the type loads we read `config_class` from `models/<module>/modeling_*.py` with the priority of
    `PreTrainedModel.__init_subclass__`: own `config_class = X`, own `config: X` annotation, then the base
    classes' resolved value (bases are followed through imports into other files under models/). The type counts
    when any class of the `loads` entry matches (tuples are picked by the checkpoint's `architectures`). Names
    are compared after undoing import aliases. A 4.x config whose `sub_configs` is a property computing
    text_config from the instance counts as no match, and the build fails if its model's `config_class` is not
    the composite config itself (the only case where that is certain).

config_links
    What `PreTrainedConfig.from_pretrained` (4.57 and 5.x alike) does with a checkpoint's config.json: it takes
    the sub-dict named by the class's `base_config_key`, else a sub-dict whose model type is its own, and warns
    when the types still differ. For every config class of `config_classes` that has a `base_config_key`, a
    `sub_configs` (read as for text_config_types) or its own `from_pretrained` (ClvpEncoderConfig; not replayed),
    every sub-config class named there and every unregistered config class of `class_configs`, its `model_type`,
    `base_config_key` (a list in Clvp's case) and `sub_configs`, read from the class or its nearest in-source base.

class_configs
    The `config_class` (read as for text_config_types) of each class named in `loads`, kept where it is not the
    one config class of the model types that load it: 5.x loads exaone with `LlamaForCausalLM`, and
    `Emu3ForCausalLM` (Emu3TextConfig) only for the composite emu3. It is the config class a concrete
    `from_pretrained` uses; its model type is in `config_links` when no registered type has it.
    `scripts/check_class_configs_with_torch.py` compares every class against the runtime (needs torch).

checkpoints
    For config classes named in `config_classes` (sub-configs are skipped), the checkpoint of the class's
    `@auto_docstring(checkpoint="org/name")` decorator (5.x); failing that, the
    `[text](https://huggingface.co/org/name)` links of the docstring before its `Args:` section (4.x). Each id
    maps to the model type the runtime gives that config class. When several types name one id, those whose config
    class is a sub-config of another claimant's give way (5.x registers sub-configs such as `llama4_text` as model
    types, and their docstrings name the composite's checkpoint); if more than one claimant remains (a docstring
    copied into an unrelated model), the id is dropped.

tokenizers
    Every class of the `tokenization_*.py` files (top level and under models/) that derives from
    `PreTrainedTokenizerBase`, and every module-level alias of one (5.x: `LlamaTokenizerFast = LlamaTokenizer`,
    `PreTrainedTokenizerFast = TokenizersBackend`), with `padding_side` (the class attribute of the class or the
    nearest base, depth first; the root says "right") and `mask_token` (the default of the `mask_token` parameter
    of the nearest `__init__` that has one, or the `mask_token=` it passes to `super().__init__`; the root has
    none). Bases are followed through imports. Unlike the parts above, a value that is not a literal (Canine's
    `chr(MASK)`), a base that cannot be read, or two classes of one name that disagree leave that value out
    instead of failing the build: the rules then do not judge on it.

generation
    Which PyTorch classes cannot call `generate()`, and what `generate()` then raises (`knowledge.generation`: the
    classes' bases and methods, `PreTrainedModel`'s bases, `GenerationMixin.generate`'s class check and the forms of
    `can_generate`); before 4.23, where `generate()` checks no class, the part says why it is unknown. Each
    pipeline task whose pipeline class's `_forward` always calls `self.model.generate()` gets `"generates": true`.

Everything the table needs is read statically; a form the evaluator does not know raises `BuildError` naming
the file and the construct, so that nothing is silently left out.

Releases 4.10 through 5.24 are read whole. 4.0-4.9 name config and model classes as objects
(`OrderedDict([(BertConfig, BertModel), ...])`), which the evaluator does not follow: `build_release_table`
(used by `scripts/build_history.py`) then reads only their model types and names every other part in `unknown`.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import zipfile
from dataclasses import dataclass
from functools import cached_property
from importlib import metadata
from pathlib import Path, PurePosixPath

from automodel_lint import knowledge
from automodel_lint.knowledge import generation
from automodel_lint.knowledge.table import SCHEMA_VERSION, types_of_classes

GENERATED_BY = "automodel_lint.knowledge.build"
AUTO_MODULES = {
    "models.auto.modeling_auto": "pt",
    "models.auto.modeling_tf_auto": "tf",
    "models.auto.modeling_flax_auto": "flax",
}
CONFIG_MODULE = "models.auto.configuration_auto"
# The evaluator follows imports only inside this package: the mappings never come from elsewhere.
AUTO_PACKAGE = "models.auto"
READ_ONLY_METHODS = frozenset({"get", "items", "keys", "values", "copy", "index", "count"})
RUNTIME_CONFIG = "<computed at run time>"
# Sub-config entries that may hold a config of any model type.
ANY_CONFIG = frozenset({"AutoConfig", "PretrainedConfig", "PreTrainedConfig", RUNTIME_CONFIG})
HUB_LINK = re.compile(r"\[[^\]]*\]\(https://huggingface\.co/([^)\s#?]+)\)")
REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
NOT_AN_ORG = frozenset(
    {"papers", "docs", "datasets", "spaces", "blog", "models", "transformers", "collections", "tasks"}
)


class BuildError(Exception):
    """The source cannot be turned into a table (missing file, or a form the evaluator does not know)."""


class ClassNotFound(BuildError):
    """A class a mapping names is defined in no model file (4.23's MarkupLMForMaskedLM): the runtime raises on it."""


# ---------------------------------------------------------------------------------------------------- sources


class Source:
    """The files of one `transformers` package, by path relative to the package ("models/auto/...")."""

    label: str

    def read(self, rel: str) -> str:
        raise NotImplementedError

    def _list(self) -> list[str]:
        raise NotImplementedError

    @cached_property
    def files(self) -> tuple[str, ...]:
        """Every .py file of the package, sorted."""
        return tuple(sorted(self._list()))

    @cached_property
    def _file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    def exists(self, rel: str) -> bool:
        return rel in self._file_set

    def version(self) -> str:
        for node in _parse(self, "__init__.py").body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    return node.value.value
        raise BuildError(f"no __version__ in {self.label}/__init__.py")


class DirSource(Source):
    def __init__(self, root: Path):
        self.root = root
        self.label = str(root)

    def read(self, rel: str) -> str:
        try:
            return (self.root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BuildError(f"cannot read {self.root / rel}: {exc}") from None

    def _list(self) -> list[str]:
        try:
            return [p.relative_to(self.root).as_posix() for p in self.root.rglob("*.py")]
        except OSError as exc:
            raise BuildError(f"cannot list {self.root}: {exc}") from None


class WheelSource(Source):
    PREFIX = "transformers/"

    def __init__(self, path: Path):
        self.label = str(path)
        self.wheel_version = path.name.split("-")[1] if path.name.count("-") >= 2 else None
        try:
            self.zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise BuildError(f"cannot open wheel {path}: {exc}") from None

    def read(self, rel: str) -> str:
        try:
            return self.zip.read(self.PREFIX + rel).decode("utf-8")
        except (KeyError, OSError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise BuildError(f"cannot read {rel} from {self.label}: {exc}") from None

    def _list(self) -> list[str]:
        n = len(self.PREFIX)
        return [name[n:] for name in self.zip.namelist() if name.startswith(self.PREFIX) and name.endswith(".py")]

    def version(self) -> str:
        try:
            return super().version()
        except BuildError:
            if self.wheel_version:
                return self.wheel_version
            raise


def open_source(path: str | Path | None = None) -> Source:
    """A wheel, a `transformers/` folder or a folder that holds one; None: the installed distribution."""
    if path is None:
        return installed_source()
    path = Path(path)
    if path.is_file() and path.suffix == ".whl":
        return WheelSource(path)
    for root in (path, path / "transformers"):
        if (root / "models" / "auto").is_dir():
            return DirSource(root)
    raise BuildError(f"{path} is neither a transformers wheel nor a folder holding the transformers package")


def installed_source() -> Source:
    try:
        return open_source(knowledge.installed_transformers_source())
    except metadata.PackageNotFoundError:
        raise BuildError("transformers is not installed") from None


# ------------------------------------------------------------------------ static evaluation of the auto modules


class _Unknown(Exception):
    """An expression outside the forms the evaluator knows."""


@dataclass
class _Poisoned:
    """A module-level name whose value could not be computed; using it is an error, having it is not."""

    reason: str


_UNSET = object()


@dataclass
class _Class:
    name: str
    module: str
    bases: list[object]
    model_mapping: object = _UNSET  # a _LazyMapping, a _Poisoned, None, or _UNSET when the body does not set it

    def resolved_mapping(self) -> object:
        if self.model_mapping is not _UNSET:
            return self.model_mapping
        for base in self.bases:
            if isinstance(base, _Class) and (found := base.resolved_mapping()) is not None:
                return found
        return None


@dataclass
class _LazyMapping:
    config_names: dict
    model_names: dict
    names_variable: str


def _dotted_file(dotted: str, source: Source) -> str | None:
    for rel in (dotted.replace(".", "/") + ".py", dotted.replace(".", "/") + "/__init__.py"):
        if source.exists(rel):
            return rel
    return None


def _resolve_relative(module: str, node: ast.ImportFrom) -> str | None:
    """The package-relative dotted name an ImportFrom points at; None for imports from outside transformers."""
    if node.level == 0:
        name = node.module or ""
        return name[len("transformers."):] if name.startswith("transformers.") else None
    parts = module.split(".") if module else []
    keep = len(parts) - node.level
    if keep < 0:
        return None
    base = parts[:keep]
    return ".".join(base + ([node.module] if node.module else []))


class _Evaluator:
    """Runs the module-level statements of the auto modules on literal values only."""

    def __init__(self, source: Source):
        self.source = source
        self.namespaces: dict[str, dict] = {}

    def namespace(self, module: str) -> dict:
        if module not in self.namespaces:
            rel = _dotted_file(module, self.source)
            if rel is None:
                raise BuildError(f"{module.replace('.', '/')}.py is missing from {self.source.label}")
            ns: dict = {}
            self.namespaces[module] = ns  # before running: import cycles see the partial namespace, as Python's do
            for stmt in _parse(self.source, rel).body:
                self._statement(stmt, ns, module)
        return self.namespaces[module]

    def _statement(self, stmt: ast.stmt, ns: dict, module: str) -> None:
        if isinstance(stmt, ast.ImportFrom):
            self._import(stmt, ns, module)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                self._assign(target, stmt.value, ns)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            self._assign(stmt.target, ast.BinOp(ast.Name(stmt.target.id, ast.Load()), stmt.op, stmt.value), ns)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self._method_call(stmt.value, ns)
        elif isinstance(stmt, ast.ClassDef):
            ns[stmt.name] = self._class(stmt, ns, module)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            ns[stmt.name] = _Poisoned(f"{stmt.name} is a function")
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                self._delete(target, ns)
        elif not isinstance(stmt, (ast.Import, ast.Expr, ast.Pass)):
            # A name bound or changed under if/try/for/with may hold anything: poison it rather than guess.
            for name in _names_touched(stmt):
                ns[name] = _Poisoned(f"{name} is changed inside a `{type(stmt).__name__.lower()}` block")

    def _import(self, stmt: ast.ImportFrom, ns: dict, module: str) -> None:
        target = _resolve_relative(module, stmt)
        if target is None or not target.startswith(AUTO_PACKAGE + ".") or _dotted_file(target, self.source) is None:
            return
        other = self.namespace(target)
        for alias in stmt.names:
            if alias.name in other:
                ns[alias.asname or alias.name] = other[alias.name]

    def _assign(self, target: ast.expr, value: ast.expr, ns: dict) -> None:
        if isinstance(target, ast.Name):
            ns[target.id] = self._value_or_poison(value, ns)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            container = ns.get(target.value.id)
            try:
                if not isinstance(container, dict):
                    raise _Unknown(f"item assignment to {target.value.id}")
                container[self.eval(target.slice, ns)] = self.eval(value, ns)
            except _Unknown as exc:
                ns[target.value.id] = _Poisoned(str(exc))
        else:
            for name in _names_touched(ast.Assign([target], value)):
                ns[name] = _Poisoned(f"{name} is assigned through `{ast.unparse(target)}`")

    def _method_call(self, call: ast.Call, ns: dict) -> None:
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ns):
            return
        name = func.value.id
        receiver = ns[name]
        if func.attr in READ_ONLY_METHODS:
            return
        try:
            if func.attr != "update" or not isinstance(receiver, dict):
                raise _Unknown(f"{name}.{func.attr}(...) is not understood")
            receiver.update(self._dict_call(call, ns))
        except _Unknown as exc:
            ns[name] = _Poisoned(str(exc))

    def _delete(self, target: ast.expr, ns: dict) -> None:
        if isinstance(target, ast.Name):
            ns.pop(target.id, None)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id in ns:
            try:
                del ns[target.value.id][self.eval(target.slice, ns)]
            except (_Unknown, KeyError, TypeError) as exc:
                ns[target.value.id] = _Poisoned(f"del {ast.unparse(target)}: {exc}")

    def _class(self, node: ast.ClassDef, ns: dict, module: str) -> _Class:
        cls = _Class(node.name, module, [ns.get(b.id) if isinstance(b, ast.Name) else None for b in node.bases])
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and any(getattr(t, "id", None) == "_model_mapping" for t in stmt.targets):
                cls.model_mapping = self._value_or_poison(stmt.value, ns)
        return cls

    def _value_or_poison(self, node: ast.expr, ns: dict) -> object:
        try:
            return self.eval(node, ns)
        except _Unknown as exc:
            return _Poisoned(str(exc))

    def eval(self, node: ast.expr, ns: dict) -> object:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self._lookup(node.id, ns)
        if isinstance(node, ast.Tuple):
            return tuple(self._elements(node.elts, ns))
        if isinstance(node, ast.List):
            return self._elements(node.elts, ns)
        if isinstance(node, ast.Dict):
            return self._dict_display(node, ns)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            left, right = self.eval(node.left, ns), self.eval(node.right, ns)
            if isinstance(left, dict) and isinstance(right, dict):
                return {**left, **right}
        if isinstance(node, ast.Call):
            return self._call(node, ns)
        raise _Unknown(f"unsupported expression `{ast.unparse(node)[:80]}`")

    def _lookup(self, name: str, ns: dict) -> object:
        if name not in ns:
            raise _Unknown(f"{name} is not known statically")
        value = ns[name]
        if isinstance(value, _Poisoned):
            raise _Unknown(value.reason)
        return value

    def _elements(self, elts: list[ast.expr], ns: dict) -> list:
        out: list = []
        for elt in elts:
            if isinstance(elt, ast.Starred):
                out.extend(self._iterable(elt.value, ns))
            else:
                out.append(self.eval(elt, ns))
        return out

    def _iterable(self, node: ast.expr, ns: dict) -> list:
        value = self.eval(node, ns)
        if not isinstance(value, (list, tuple, dict)):
            raise _Unknown(f"`{ast.unparse(node)[:80]}` is not a literal collection")
        return list(value)

    def _dict_display(self, node: ast.Dict, ns: dict) -> dict:
        out: dict = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                out.update(self._mapping(value, ns))
            else:
                out[self.eval(key, ns)] = self.eval(value, ns)
        return out

    def _mapping(self, node: ast.expr, ns: dict) -> dict:
        value = self.eval(node, ns)
        if not isinstance(value, dict):
            raise _Unknown(f"`{ast.unparse(node)[:80]}` is not a literal mapping")
        return value

    def _call(self, node: ast.Call, ns: dict) -> object:
        func = node.func
        callee = func.value if isinstance(func, ast.Subscript) else func  # OrderedDict[str, str](...)
        if isinstance(callee, ast.Name) and callee.id in ("OrderedDict", "dict"):
            return self._dict_call(node, ns)
        if isinstance(callee, ast.Name) and callee.id in ("list", "tuple") and len(node.args) == 1:
            items = self._iterable(node.args[0], ns)
            return items if callee.id == "list" else tuple(items)
        if isinstance(func, ast.Attribute) and not node.args and func.attr in ("items", "keys", "values", "copy"):
            receiver = self._mapping(func.value, ns)
            return dict(receiver) if func.attr == "copy" else list(getattr(receiver, func.attr)())
        if isinstance(func, ast.Name) and func.id == "_LazyAutoMapping" and len(node.args) == 2:
            config, models = node.args
            return _LazyMapping(self._mapping(config, ns), self._mapping(models, ns), ast.unparse(models))
        if isinstance(func, ast.Name) and func.id == "auto_class_update" and node.args:
            return self.eval(node.args[0], ns)  # it decorates the class in place and returns it
        raise _Unknown(f"unsupported call `{ast.unparse(node)[:80]}`")

    def _dict_call(self, node: ast.Call, ns: dict) -> dict:
        if len(node.args) > 1:
            raise _Unknown(f"`{ast.unparse(node)[:80]}` has several positional arguments")
        out: dict = {}
        if node.args:
            value = self.eval(node.args[0], ns)
            pairs = value.items() if isinstance(value, dict) else value
            if not isinstance(pairs, (list, tuple, type({}.items()))):
                raise _Unknown(f"`{ast.unparse(node.args[0])[:80]}` is not a literal collection of pairs")
            for pair in pairs:
                if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                    raise _Unknown(f"`{ast.unparse(node)[:80]}` holds an item that is not a pair")
                out[pair[0]] = pair[1]
        for keyword in node.keywords:
            if keyword.arg is None:
                out.update(self._mapping(keyword.value, ns))
            else:
                out[keyword.arg] = self.eval(keyword.value, ns)
        return out


def _names_touched(stmt: ast.stmt) -> set[str]:
    """Names a statement binds, or calls a method on that may change them (`X.update(...)`)."""
    names = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.attr not in READ_ONLY_METHODS
        ):
            names.add(node.func.value.id)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.update(n.id for n in ast.walk(node.value) if isinstance(n, ast.Name))
    return names


def _parse(source: Source, rel: str) -> ast.Module:
    try:
        return ast.parse(source.read(rel), filename=rel)
    except SyntaxError as exc:
        raise BuildError(f"{rel} in {source.label} does not parse: {exc}") from None


def _required(ns: dict, name: str, module: str, kind: type) -> object:
    value = ns.get(name)
    if isinstance(value, _Poisoned):
        raise BuildError(f"{module}.{name}: {value.reason}")
    if not isinstance(value, kind):
        raise BuildError(f"{module}.{name} is missing or not a {kind.__name__}")
    return value


# ---------------------------------------------------------------------------- classes of the model folders


TOP_LEVEL_IMPORT = re.compile(r"^from[ \t]+\S+[ \t]+import[ \t]+(?:\([^)]*\)|[^\n]*)", re.M)
# A line at column 0 that is not blank, a comment or a closing bracket starts a new top-level statement.
STATEMENT_START = re.compile(r"^[^\s)\]}#]", re.M)


class _PyModule:
    """One model file. Configuration files are parsed whole. Modeling files are large, slow to parse and mostly
    not needed, so a class is cut out of the text from its `class` line to the next top-level statement and parsed
    alone (its decorators are not needed); a cut that does not parse as exactly that class (a column-0 line inside
    a string, say) falls back to the whole file.
    """

    def __init__(self, dotted: str, text: str, cut_classes: bool):
        self.dotted = dotted
        self.text = text
        self.cut_classes = cut_classes
        self.classes: dict[str, ast.ClassDef | None] = {}

    def original_name(self, name: str) -> str:
        return self.imports[name][1] if name in self.imports else name

    def cls(self, name: str) -> ast.ClassDef | None:
        if name not in self.classes:
            self.classes[name] = self._cut_class(name) if self.cut_classes else self._from_whole(name)
        return self.classes[name]

    @cached_property
    def imports(self) -> dict[str, tuple[str, str]]:
        """Local name -> (dotted module, name there), for the top-level `from ... import` statements."""
        out = {}
        for node in self._import_statements():
            target = _resolve_relative(self.dotted, node) if isinstance(node, ast.ImportFrom) else None
            if target is not None:
                for alias in node.names:
                    out[alias.asname or alias.name] = (target, alias.name)
        return out

    def _import_statements(self) -> list[ast.stmt]:
        if self.cut_classes:
            try:
                return ast.parse("\n".join(TOP_LEVEL_IMPORT.findall(self.text))).body
            except SyntaxError:
                pass
        return self._whole.body

    def _cut_class(self, name: str) -> ast.ClassDef | None:
        headers = list(re.finditer(rf"^class {re.escape(name)}\b", self.text, re.M))
        if not headers:
            return None
        header = headers[-1].start()  # a name bound twice keeps its last definition
        following = STATEMENT_START.search(self.text, self.text.find("\n", header) + 1)
        try:
            body = ast.parse(self.text[header : following.start() if following else len(self.text)]).body
        except SyntaxError:
            body = []
        if len(body) == 1 and isinstance(body[0], ast.ClassDef) and body[0].name == name:
            return body[0]
        return self._from_whole(name)

    def _from_whole(self, name: str) -> ast.ClassDef | None:
        return next((n for n in reversed(self._whole.body) if isinstance(n, ast.ClassDef) and n.name == name), None)

    @cached_property
    def _whole(self) -> ast.Module:
        try:
            return ast.parse(self.text)
        except SyntaxError as exc:
            raise BuildError(f"{self.dotted} does not parse: {exc}") from None


class _Classes:
    """Class definitions of `models/**/configuration_*.py` and `modeling_*.py`, found as the runtime finds them."""

    def __init__(self, source: Source, module_name_of):
        self.source = source
        self.module_name_of = module_name_of  # model type -> module under models/, as model_type_to_module_name
        self.modules: dict[str, _PyModule | None] = {}

    def module(self, dotted: str) -> _PyModule | None:
        if dotted not in self.modules:
            rel = _dotted_file(dotted, self.source)
            cut = rel is not None and PurePosixPath(rel).name.startswith("modeling_")
            self.modules[dotted] = None if rel is None else _PyModule(dotted, self.source.read(rel), cut)
        return self.modules[dotted]

    def find(self, class_name: str, model_type: str, prefix: str) -> tuple[_PyModule, ast.ClassDef]:
        """The class the runtime reaches for `model_type`: in its own module first, then anywhere (the top level)."""
        folder = "models/" + self.module_name_of(model_type).replace(".", "/")
        found = self._search(class_name, self._files(prefix, folder)) or self._search(class_name, self._files(prefix))
        if len(found) > 1:
            # 4.13-4.25's modeling_tf_xlm_roberta.py also defines a `class XLMRobertaForCausalLM`; the package's
            # __init__ exports the one of the file of the class's framework, which its name prefix tells.
            found = [(m, c) for m, c in found if _file_framework(m.dotted) == _name_framework(class_name)]
        if len(found) != 1:
            where = "nowhere" if not found else ", ".join(m.dotted for m, _ in found)
            error = BuildError if found else ClassNotFound
            raise error(f"class {class_name} (model type {model_type}) is defined {where} in {self.source.label}")
        return found[0]

    def _search(self, class_name: str, files: list[str]) -> list[tuple[_PyModule, ast.ClassDef]]:
        found = []
        for rel in files:
            mod = self.module(rel[: -len(".py")].replace("/", "."))
            if mod is not None and f"class {class_name}" in mod.text and (cls := mod.cls(class_name)) is not None:
                found.append((mod, cls))
        return found

    def _files(self, prefix: str, folder: str = "models") -> list[str]:
        """`prefix*.py` files directly in `folder`, or anywhere under models/ by default."""
        if folder == "models":
            every = [rel for files in self._by_folder.values() for rel in files]
            return [rel for rel in every if PurePosixPath(rel).name.startswith(prefix)]
        return [rel for rel in self._by_folder.get(folder, ()) if PurePosixPath(rel).name.startswith(prefix)]

    @cached_property
    def _by_folder(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for rel in self.source.files:
            if rel.startswith("models/"):
                out.setdefault(str(PurePosixPath(rel).parent), []).append(rel)
        return out

    def bases(self, mod: _PyModule, cls: ast.ClassDef):
        """The base classes defined under models/, in declaration order. The library's own bases
        (PreTrainedConfig, PreTrainedModel) implement the mechanism this module models, so they are not read."""
        for base in cls.bases:
            if not isinstance(base, ast.Name):
                continue
            if (local := mod.cls(base.id)) is not None:
                yield mod, local
            elif base.id in mod.imports and mod.imports[base.id][0].startswith("models."):
                target, name = mod.imports[base.id]
                other = self.module(target)
                if other is not None and (imported := other.cls(name)) is not None:
                    yield other, imported

    def lineage(self, mod: _PyModule, cls: ast.ClassDef) -> list[tuple[_PyModule, ast.ClassDef]]:
        """The class and its in-source ancestors, depth first: the MRO for the single inheritance configs use."""
        out = [(mod, cls)]
        for base_mod, base in self.bases(mod, cls):
            out.extend(self.lineage(base_mod, base))
        return out

    def model_config_class(self, mod: _PyModule, cls: ast.ClassDef) -> str | None:
        """`config_class` as `PreTrainedModel.__init_subclass__` settles it: own attribute, own annotation, bases."""
        own = _class_attribute(cls, "config_class") or _class_annotation(cls, "config")
        if own is not None:
            return mod.original_name(_class_name_of(own, mod, cls))
        for base_mod, base in self.bases(mod, cls):
            if (found := self.model_config_class(base_mod, base)) is not None:
                return found
        return None

    def sub_configs(self, mod: _PyModule, cls: ast.ClassDef) -> dict[str, str]:
        """`cls.sub_configs`: key -> the config class name it holds (RUNTIME_CONFIG when a property computes it)."""
        lineage = self.lineage(mod, cls)
        for attribute in ("sub_configs", "sub_configs_defaults"):  # a dict in the class body shadows the property
            for owner_mod, owner in lineage:
                if (method := _method(owner, attribute)) is not None:
                    return _sub_configs_of_method(method)
                if (value := _class_attribute(owner, attribute)) is not None:
                    return _sub_config_entries(value, owner_mod, owner, attribute)
        return {}


def _file_framework(dotted: str) -> str:
    name = dotted.rpartition(".")[2]
    return "tf" if name.startswith("modeling_tf_") else "flax" if name.startswith("modeling_flax_") else "pt"


def _name_framework(class_name: str) -> str:
    return "tf" if class_name.startswith("TF") else "flax" if class_name.startswith("Flax") else "pt"


def _class_attribute(cls: ast.ClassDef, name: str) -> ast.expr | None:
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(getattr(t, "id", None) == name for t in stmt.targets):
            value = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and getattr(stmt.target, "id", None) == name and stmt.value is not None:
            value = stmt.value
        else:
            continue
        return None if isinstance(value, ast.Constant) and value.value is None else value
    return None


def _string_attribute(lineage: list[tuple[_PyModule, ast.ClassDef]], name: str, lists: bool = False) -> str | list[str]:
    """A class attribute set to a string literal (or, with `lists`, a list of them), from the nearest class of the
    lineage that sets it ("" if none does: the library's own base classes set the attributes asked for to "")."""
    for mod, cls in lineage:
        value = _class_attribute(cls, name)
        if value is None:
            continue
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
        if lists and isinstance(value, (ast.List, ast.Tuple)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
        ):
            return [e.value for e in value.elts]
        raise BuildError(f"{mod.dotted}.{cls.name}.{name} is not a string literal: `{ast.unparse(value)[:80]}`")
    return ""


def _method(cls: ast.ClassDef, name: str) -> ast.FunctionDef | None:
    return next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == name), None)


def _sub_configs_of_method(method: ast.FunctionDef) -> dict[str, str]:
    """4.x DETR-like configs compute `sub_configs` in a property: only the keys it names are known."""
    keys = {n.value for n in ast.walk(method) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return {key: RUNTIME_CONFIG for key in sorted(keys) if key.endswith("_config")}


def _class_annotation(cls: ast.ClassDef, name: str) -> ast.expr | None:
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and getattr(stmt.target, "id", None) == name:
            return stmt.annotation
    return None


def _class_name_of(node: ast.expr, mod: _PyModule, cls: ast.ClassDef) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    raise BuildError(f"{mod.dotted}.{cls.name}: cannot read a class from `{ast.unparse(node)[:80]}`")


def _sub_config_entries(value: ast.expr, mod: _PyModule, cls: ast.ClassDef, attribute: str) -> dict[str, str]:
    if not isinstance(value, ast.Dict) or None in value.keys:
        raise BuildError(f"{mod.dotted}.{cls.name}.{attribute} is not a dict display: `{ast.unparse(value)[:80]}`")
    out = {}
    for key, entry in zip(value.keys, value.values):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            raise BuildError(f"{mod.dotted}.{cls.name}.{attribute} has the key `{ast.unparse(key)}`")
        if isinstance(entry, ast.Call) and getattr(entry.func, "id", None) == "SubConfigSpec":
            positional = entry.args[0] if entry.args else None
            entry = next((k.value for k in entry.keywords if k.arg == "config_class"), positional)
            if entry is None:
                raise BuildError(f"{mod.dotted}.{cls.name}: SubConfigSpec without a config class")
        out[key.value] = mod.original_name(_class_name_of(entry, mod, cls))
    return out


# ------------------------------------------------------------------------------------------------ the table


class _Builder:
    def __init__(self, source: Source):
        self.source = source
        self.evaluator = _Evaluator(source)
        config_ns = self.evaluator.namespace(CONFIG_MODULE)
        self.config_names: dict = _required(config_ns, "CONFIG_MAPPING_NAMES", CONFIG_MODULE, dict)
        self.special_modules: dict = _required(config_ns, "SPECIAL_MODEL_TYPE_TO_MODULE_NAME", CONFIG_MODULE, dict)
        # Before transformers 4.30 there was no models/deprecated/ folder, nor this list.
        self.deprecated: list = (
            _required(config_ns, "DEPRECATED_MODELS", CONFIG_MODULE, list) if "DEPRECATED_MODELS" in config_ns else []
        )
        self.classes = _Classes(source, self.module_name_of)
        self.type_of_config = {c: t for t, c in self.config_names.items()}
        self.sub_config_cache: dict[str, dict[str, str]] = {}

    def module_name_of(self, model_type: str) -> str:
        """`configuration_auto.model_type_to_module_name`."""
        name = self.special_modules.get(model_type, model_type.replace("-", "_"))
        return f"deprecated.{name}" if name in self.deprecated else name

    def build(self) -> dict:
        autos = self.auto_classes()
        types_of = types_of_classes(autos)
        class_configs = self.class_configs(types_of)
        return {
            "schema_version": SCHEMA_VERSION,
            "transformers_version": self.source.version(),
            "generated_by": GENERATED_BY,
            "config_classes": dict(self.config_names),
            "auto_classes": autos,
            "architectures": _architectures(autos),
            "text_config_types": self.text_config_types(autos),
            "config_links": self.config_links(types_of, class_configs),
            "class_configs": class_configs,
            "checkpoints": self.checkpoints(),
            "pipelines": read_pipelines(self.source, autos, self.classes),
            "tokenizers": read_tokenizers(self.source),
            "generation": generation.read_generation(self.source, self.classes, types_of, _pt_classes(autos)),
        }

    def auto_classes(self) -> dict[str, dict]:
        out = {}
        for module, framework in AUTO_MODULES.items():
            if _dotted_file(module, self.source) is None:
                continue
            for name, value in self.evaluator.namespace(module).items():
                if name.startswith("_") or not isinstance(value, _Class) or value.module != module:
                    continue
                mapping = value.resolved_mapping()
                if isinstance(mapping, _Poisoned):
                    raise BuildError(f"{module}.{name}._model_mapping: {mapping.reason}")
                if isinstance(mapping, _LazyMapping):
                    out[name] = {"mapping": mapping.names_variable, "framework": framework, "loads": _loads(mapping)}
        if not out:
            raise BuildError(f"no Auto class found in {self.source.label}")
        return dict(sorted(out.items()))

    def text_config_types(self, autos: dict[str, dict]) -> dict[str, list[str]]:
        out = {}
        for auto, entry in autos.items():
            types = [t for t, classes in entry["loads"].items() if self._gets_text_config(t, classes)]
            if types:
                out[auto] = sorted(types)
        return out

    def _gets_text_config(self, model_type: str, model_classes: list[str]) -> bool:
        config_class = self.config_names[model_type]
        text_config = self._sub_configs(config_class).get("text_config")
        if text_config is None or text_config == "AutoConfig":
            return False
        # The model class is fetched from the module of the type the reverse mapping chose, as `__getitem__` does.
        owner_type = self.type_of_config[config_class]
        model_configs = {
            self._model_config_class(name, owner_type) for name in model_classes if self._defined(name, owner_type)
        }
        if text_config == RUNTIME_CONFIG:
            # The text config's class is only known at run time, but it is never the composite config itself.
            if model_configs != {config_class}:
                raise BuildError(
                    f"{config_class}.sub_configs is computed at run time, and {model_type} loads {model_classes}"
                )
            return False
        return text_config in model_configs

    def config_links(self, types_of: dict[str, frozenset[str]], class_configs: dict[str, str]) -> dict[str, dict]:
        """How `PreTrainedConfig.from_pretrained` reaches into a composite checkpoint's config, for every config
        class that has a `base_config_key` or `sub_configs`, every sub-config class named there, and every config
        class of `class_configs` that is no registered type's (its model type is known only from here)."""
        out: dict[str, dict] = {}
        queue = sorted(self.type_of_config.items())
        queue += sorted((config, min(types_of[cls])) for cls, config in class_configs.items())
        while queue:
            config_class, near_type = queue.pop()
            if config_class in out or config_class in ANY_CONFIG:
                continue
            mod, cls = self.classes.find(config_class, near_type, "configuration_")
            lineage = self.classes.lineage(mod, cls)
            key = _string_attribute(lineage, "base_config_key", lists=True)
            subs = self._sub_configs_at(config_class, mod, cls)
            own_loader = any(_method(owner, "from_pretrained") is not None for _, owner in lineage)
            registered = config_class in self.type_of_config
            if registered and not key and not subs and not own_loader:
                continue
            entry: dict = {"model_type": _string_attribute(lineage, "model_type")}
            if key:
                entry["base_config_key"] = key
            if own_loader:
                entry["own_from_pretrained"] = True
            if subs:
                entry["sub_configs"] = dict(sorted(subs.items()))
            out[config_class] = entry
            queue.extend((sub, near_type) for sub in subs.values())
        return dict(sorted(out.items()))

    def class_configs(self, types_of: dict[str, frozenset[str]]) -> dict[str, str]:
        """Each concrete class's `config_class` (what its own `from_pretrained` reads config.json with), where it is
        not the one config class of the types that load it: `LlamaForCausalLM` is also loaded for exaone, and
        `Emu3ForCausalLM` (Emu3TextConfig) only for the composite emu3, through `get_text_config()`."""
        out = {}
        for model_class, types in sorted(types_of.items()):
            if not self._defined(model_class, min(types)):
                continue  # the runtime cannot load it, so it has no config to read
            configs = {self.config_names[t] for t in types}
            found = self._model_config_class(model_class, min(types))
            if found is None:
                raise BuildError(f"{model_class} has no config_class")
            if configs != {found}:
                out[model_class] = found
        return out

    def _sub_configs_at(self, config_class: str, mod: _PyModule, cls: ast.ClassDef) -> dict[str, str]:
        if config_class not in self.sub_config_cache:
            self.sub_config_cache[config_class] = self.classes.sub_configs(mod, cls)
        return self.sub_config_cache[config_class]

    def _sub_configs(self, config_class: str) -> dict[str, str]:
        if config_class not in self.sub_config_cache:
            mod, cls = self.classes.find(config_class, self.type_of_config[config_class], "configuration_")
            return self._sub_configs_at(config_class, mod, cls)
        return self.sub_config_cache[config_class]

    def _defined(self, model_class: str, model_type: str) -> bool:
        try:
            self.classes.find(model_class, model_type, "modeling_")
        except ClassNotFound:
            return False
        return True

    def _model_config_class(self, model_class: str, model_type: str) -> str | None:
        mod, cls = self.classes.find(model_class, model_type, "modeling_")
        return self.classes.model_config_class(mod, cls)

    def checkpoints(self) -> dict[str, str]:
        claims: dict[str, dict[str, str]] = {}  # checkpoint -> {model type: config class}
        for config_class, model_type in self.type_of_config.items():
            mod, cls = self.classes.find(config_class, model_type, "configuration_")
            for checkpoint in _documented_checkpoints(cls):
                claims.setdefault(checkpoint, {})[model_type] = config_class
        out = {}
        for checkpoint, claimants in sorted(claims.items()):
            owners = self._outermost(claimants)
            if len(owners) == 1:
                out[checkpoint] = owners[0]
        return out

    def _outermost(self, claimants: dict[str, str]) -> list[str]:
        """The claimants that are not a sub-config of another: 5.x registers sub-configs (`llama4_text`) as model
        types, and their docstrings name the composite's checkpoint."""
        inner = {name for config in claimants.values() for name in self._sub_configs(config).values()}
        return [model_type for model_type, config in claimants.items() if config not in inner]


def _loads(mapping: _LazyMapping) -> dict[str, list[str]]:
    """`type(config) in mapping` and `mapping[type(config)]` for every model type of the config mapping."""
    reverse = {c: t for t, c in mapping.config_names.items()}
    out = {}
    for model_type, config_class in mapping.config_names.items():
        owner = reverse[config_class]
        if owner in mapping.model_names:
            value = mapping.model_names[owner]
            out[model_type] = list(value) if isinstance(value, (list, tuple)) else [value]
    return dict(sorted(out.items()))


def _pt_classes(autos: dict[str, dict]) -> set[str]:
    return {cls for entry in autos.values() if entry["framework"] == "pt" for classes in entry["loads"].values()
            for cls in classes}


def _architectures(autos: dict[str, dict]) -> dict[str, list[str]]:
    out: dict[str, set[str]] = {}
    for auto, entry in autos.items():
        for classes in entry["loads"].values():
            for cls in classes:
                out.setdefault(cls, set()).add(auto)
    return {cls: sorted(autos_) for cls, autos_ in sorted(out.items())}


def _documented_checkpoints(cls: ast.ClassDef) -> list[str]:
    for decorator in cls.decorator_list:
        if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "auto_docstring":
            for keyword in decorator.keywords:
                if keyword.arg == "checkpoint" and isinstance(keyword.value, ast.Constant):
                    return [keyword.value.value] if REPO_ID.fullmatch(str(keyword.value.value)) else []
    intro = re.split(r"^\s*Args:\s*$", ast.get_docstring(cls) or "", maxsplit=1, flags=re.M)[0]
    ids = []
    for path in HUB_LINK.findall(intro):
        path = path.rstrip("/")
        if REPO_ID.fullmatch(path) and path.split("/")[0] not in NOT_AN_ORG and path not in ids:
            ids.append(path)
    return ids


# ------------------------------------------------------------------------------------------------ pipelines


PIPELINES_MODULE = "pipelines/__init__.py"
PIPELINES_BASE = "pipelines/base.py"


def read_pipelines(source: Source, autos: dict[str, dict], classes: _Classes) -> dict:
    """`pipeline()`'s task registry, read from `pipelines/__init__.py` (and `base.py` for the translation form).

    tasks       SUPPORTED_TASKS: each task's PyTorch model classes ("pt", in the order `load_model` tries them),
                its pipeline class ("impl": a class in 4.x, a dotted string in 5.x) and its input "type".
    aliases     TASK_ALIASES.
    removed     5.x's REMOVED_TASKS: task -> transformers' own advice (`_resolve_deprecated_task` raises).
    redirects   tasks `_resolve_deprecated_task` renames: `if task == "old": ... return "new"`.
    translation "prefix" when `translation_XX_to_YY` names the translation task (4.x `check_task`, 5.x's removal).

    A task whose pipeline class calls `self.model.generate(...)` on every call has `"generates": true`
    (`knowledge.generation.pipeline_generates`).
    """
    if not source.exists(PIPELINES_MODULE):
        return {}
    tree = _parse(source, PIPELINES_MODULE)
    assigned = {
        t.id: node.value
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None
        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(t, ast.Name)
    }
    if "SUPPORTED_TASKS" not in assigned:
        raise BuildError(f"{PIPELINES_MODULE} in {source.label} has no module-level SUPPORTED_TASKS")
    tasks = {}
    for task, info in _literal_dict_items(assigned["SUPPORTED_TASKS"], "SUPPORTED_TASKS"):
        fields = dict(_literal_dict_items(info, f"SUPPORTED_TASKS[{task!r}]"))
        pt = _class_names(fields.get("pt"), task)
        unknown = [c for c in pt if c not in autos]
        if unknown:
            raise BuildError(f"pipeline task {task!r} names model classes that are not Auto classes: {unknown}")
        impl = fields.get("impl")
        tasks[task] = {
            "pt": pt,
            "impl": _impl_name(impl),
            "type": fields["type"].value if isinstance(fields.get("type"), ast.Constant) else None,
        }
        if generation.pipeline_generates(source, classes, impl):
            tasks[task]["generates"] = True
    aliases = {}
    if "TASK_ALIASES" in assigned:
        items = _literal_dict_items(assigned["TASK_ALIASES"], "TASK_ALIASES")
        aliases = {k: _string(v, "TASK_ALIASES") for k, v in items}
    removed = {}
    if "REMOVED_TASKS" in assigned:
        items = _literal_dict_items(assigned["REMOVED_TASKS"], "REMOVED_TASKS")
        removed = {k: _string(v, "REMOVED_TASKS") for k, v in items}
    redirects = {}
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    resolver = next((n for n in functions if n.name == "_resolve_deprecated_task"), None)
    if resolver is not None:
        for node in ast.walk(resolver):
            if isinstance(node, ast.If) and (old := _task_equals(node.test)) is not None:
                returned = [r.value.value for r in ast.walk(node) if isinstance(r, ast.Return)
                            and isinstance(r.value, ast.Constant) and isinstance(r.value.value, str)]
                if len(returned) == 1:
                    redirects[old] = returned[0]
    text = source.read(PIPELINES_MODULE) + (source.read(PIPELINES_BASE) if source.exists(PIPELINES_BASE) else "")
    return {
        "tasks": dict(sorted(tasks.items())),
        "aliases": dict(sorted(aliases.items())),
        "removed": dict(sorted(removed.items())),
        "redirects": dict(sorted(redirects.items())),
        "translation": "prefix" if re.search(r"""startswith\(["']translation""", text) else None,
    }


def _literal_dict_items(node: ast.expr, what: str) -> list[tuple[str, ast.expr]]:
    if not isinstance(node, ast.Dict) or any(k is None for k in node.keys):
        raise BuildError(f"pipelines: {what} is not a dict display")
    out = []
    for key, value in zip(node.keys, node.values):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            raise BuildError(f"pipelines: {what} has the key `{ast.unparse(key)}`")
        out.append((key.value, value))
    return out


def _string(node: ast.expr, what: str) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    raise BuildError(f"pipelines: a value of {what} is not a string: `{ast.unparse(node)[:80]}`")


def _class_names(node: ast.expr | None, task: str) -> list[str]:
    """`(AutoModelForX, ...) if is_torch_available() else ()`: the classes of the branch taken when torch is there."""
    if node is None:
        return []
    if isinstance(node, ast.IfExp):
        node = node.body
    if not isinstance(node, (ast.Tuple, ast.List)) or not all(isinstance(e, ast.Name) for e in node.elts):
        raise BuildError(
            f"pipelines: the model classes of {task!r} are not a tuple of names: `{ast.unparse(node)[:80]}`"
        )
    return [e.id for e in node.elts]


def _impl_name(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rpartition(".")[2]
    return None


def _task_equals(test: ast.expr) -> str | None:
    """`task == "literal"` -> "literal"."""
    if (
        isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "task"
        and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
        and isinstance(test.comparators[0], ast.Constant) and isinstance(test.comparators[0].value, str)
    ):
        return test.comparators[0].value
    return None


# ------------------------------------------------------------------------------------------------ tokenizers

TOKENIZER_ROOT = "PreTrainedTokenizerBase"  # sets `padding_side = "right"`; its special tokens default to None
TOKENIZER_ROOT_MODULE = "tokenization_utils_base"
# Bases outside the tokenization files that set neither attribute read here.
NEUTRAL_BASES = frozenset({"object", "ABC", "Generic", "PushToHubMixin"})
_UNKNOWN_DEFAULT = object()


class _Tokenizers:
    """Every tokenizer class of the `tokenization_*.py` files (top level, and under models/), with its bases."""

    def __init__(self, source: Source):
        self.source = source
        self.modules: dict[str, _PyModule] = {}
        for rel in source.files:
            name = PurePosixPath(rel).name
            if name.startswith("tokenization_") and (rel.count("/") == 0 or rel.startswith("models/")):
                dotted = rel[: -len(".py")].replace("/", ".")
                self.modules[dotted] = _PyModule(dotted, source.read(rel), cut_classes=False)

    def classes(self) -> list[tuple[str, _PyModule, ast.ClassDef]]:
        """(name, module, class) for each class and each module-level alias (`BertTokenizerFast = BertTokenizer`)."""
        out = []
        for mod in self.modules.values():
            for node in mod._whole.body:
                if isinstance(node, ast.ClassDef):
                    out.append((node.name, mod, node))
                elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                        and isinstance(node.value, ast.Name) and (found := self.find(mod, node.value.id)) is not None:
                    out.append((node.targets[0].id, *found))
        return out

    def find(self, mod: _PyModule, name: str, depth: int = 0) -> tuple[_PyModule, ast.ClassDef] | None:
        """The class a name means in a module: defined or aliased there, or imported (re-exports followed)."""
        if depth > 5:
            return None
        for node in reversed(mod._whole.body):
            if isinstance(node, ast.ClassDef) and node.name == name:
                return mod, node
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
                return self.find(mod, node.value.id, depth + 1) if isinstance(node.value, ast.Name) else None
        if name in mod.imports:
            target, original = mod.imports[name]
            other = self.modules.get(target)
            if other is None and (rel := _dotted_file(target, self.source)) is not None:
                other = self.modules.setdefault(target, _PyModule(target, self.source.read(rel), cut_classes=False))
            return self.find(other, original, depth + 1) if other is not None else None
        return None

    def bases(self, mod: _PyModule, cls: ast.ClassDef) -> list[tuple[_PyModule, ast.ClassDef]] | None:
        """The base classes in declaration order; None when one cannot be read (then nothing inherited is known)."""
        out = []
        for base in cls.bases:
            name = base.id if isinstance(base, ast.Name) else None
            found = self.find(mod, name) if name else None
            if found is not None:
                out.append(found)
            elif name not in NEUTRAL_BASES:
                return None
        return out

    def is_tokenizer(self, mod: _PyModule, cls: ast.ClassDef, depth: int = 0) -> bool:
        if cls.name == TOKENIZER_ROOT and mod.dotted == TOKENIZER_ROOT_MODULE:
            return True
        return depth < 20 and any(self.is_tokenizer(m, c, depth + 1) for m, c in self.bases(mod, cls) or ())

    def default(self, mod: _PyModule, cls: ast.ClassDef, read, depth: int = 0) -> object:
        """The first value `read(class)` gives along the MRO (depth first, as single inheritance and these mixins
        make it); _UNKNOWN_DEFAULT when a class on the way cannot be read."""
        own = read(mod, cls)
        if own is not None or depth > 20:
            return own
        bases = self.bases(mod, cls)
        if bases is None:
            return _UNKNOWN_DEFAULT
        for base_mod, base in bases:
            found = self.default(base_mod, base, read, depth + 1)
            if found is not None:
                return found
        return None


def _own_padding_side(mod: _PyModule, cls: ast.ClassDef) -> object:
    """`padding_side = "left"` (or annotated) in the class body; _UNKNOWN_DEFAULT for a value that is no literal."""
    value = _class_attribute(cls, "padding_side")
    if value is None:
        return None
    if isinstance(value, ast.Constant) and value.value in ("left", "right"):
        return value.value
    return _UNKNOWN_DEFAULT


def _own_mask_token(mod: _PyModule, cls: ast.ClassDef) -> object:
    """Whether the class's own `__init__` gives a mask token by default: its `mask_token` parameter's default, or
    what it passes as `mask_token=` to `super().__init__`. None when it says nothing (its bases decide); the root
    class has none (its special tokens default to None)."""
    if cls.name == TOKENIZER_ROOT and mod.dotted == TOKENIZER_ROOT_MODULE:
        return False
    init = _method(cls, "__init__")
    if init is None:
        return None
    args = init.args
    positional = args.posonlyargs + args.args
    defaults = dict(zip([a.arg for a in positional][len(positional) - len(args.defaults):], args.defaults))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    if "mask_token" in defaults:
        return _is_token(defaults["mask_token"])
    if any(a.arg == "mask_token" for a in positional + args.kwonlyargs):
        return _UNKNOWN_DEFAULT  # a required mask token: whatever the caller passes
    for node in ast.walk(init):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__":
            passed = next((k.value for k in node.keywords if k.arg == "mask_token"), None)
            if passed is not None:
                return _is_token(passed)
    return None


def _is_token(node: ast.expr) -> object:
    """A default that is a token (a non-empty string, or `AddedToken("<mask>", ...)`), None (no token), or unknown."""
    if isinstance(node, ast.Constant):
        if node.value is None:
            return False
        return bool(node.value) if isinstance(node.value, str) else _UNKNOWN_DEFAULT
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "AddedToken" and node.args \
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return bool(node.args[0].value)
    return _UNKNOWN_DEFAULT


def read_tokenizers(source: Source) -> dict[str, dict]:
    """Each tokenizer class's defaults, by the name `tokenizer_config.json`'s `tokenizer_class` gives it:
    `padding_side` (its own class attribute or the nearest base's; PreTrainedTokenizerBase says "right") and
    `mask_token` (True when its `__init__` gives a mask token by default). A value that cannot be read
    statically, or that two classes of one name disagree on, is left out: the table then does not know it."""
    tokenizers = _Tokenizers(source)
    found: dict[str, dict[str, object]] = {}
    for name, mod, cls in tokenizers.classes():
        if not tokenizers.is_tokenizer(mod, cls):
            continue
        values = {"padding_side": tokenizers.default(mod, cls, _own_padding_side),
                  "mask_token": tokenizers.default(mod, cls, _own_mask_token)}
        entry = found.setdefault(name, {})
        for key, value in values.items():
            if value is None or value is _UNKNOWN_DEFAULT or entry.get(key, value) != value:
                entry[key] = _UNKNOWN_DEFAULT
            else:
                entry[key] = value
    return {name: {k: v for k, v in entry.items() if v is not _UNKNOWN_DEFAULT}
            for name, entry in sorted(found.items())}


def build_table(source: Source) -> dict:
    return _Builder(source).build()


# The parts of a table after its header, in the order `_Builder.build` writes them.
PARTS = (
    "config_classes", "auto_classes", "architectures", "text_config_types", "config_links", "class_configs",
    "checkpoints", "pipelines", "tokenizers", "generation",
)


def build_release_table(source: Source) -> dict:
    """The whole table, or for a release the builder cannot read (4.0-4.9 name config and model classes as
    objects, not strings) only its model types and tokenizers, with `unknown` giving each missing part the
    builder's reason."""
    try:
        return build_table(source)
    except BuildError as exc:
        reason = " ".join(str(exc).replace(source.label, "the wheel").split())
    table = {
        "schema_version": SCHEMA_VERSION,
        "transformers_version": source.version(),
        "generated_by": GENERATED_BY,
        "config_classes": _config_classes_of_objects(source),
        "tokenizers": read_tokenizers(source),  # read from the tokenization files, which these releases have too
    }
    table["unknown"] = {part: reason for part in PARTS if part not in table}
    return table


def _config_classes_of_objects(source: Source) -> dict[str, str]:
    """4.0-4.9's `CONFIG_MAPPING = OrderedDict([("bert", BertConfig), ...])`, as model type -> class name."""
    rel = CONFIG_MODULE.replace(".", "/") + ".py"
    for node in _parse(source, rel).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["CONFIG_MAPPING"]:
            call = node.value
            pairs = call.args[0] if isinstance(call, ast.Call) and len(call.args) == 1 else None
            if isinstance(pairs, ast.List) and all(_is_type_and_class(p) for p in pairs.elts):
                return {p.elts[0].value: p.elts[1].id for p in pairs.elts}
            raise BuildError(f"{rel}: CONFIG_MAPPING is not a list of (model type, config class) pairs")
    raise BuildError(f"{rel} has neither CONFIG_MAPPING_NAMES nor CONFIG_MAPPING")


def _is_type_and_class(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[1], ast.Name)
        and isinstance(node.elts[0], ast.Constant) and isinstance(node.elts[0].value, str)
    )


def dumps(table: dict) -> str:
    """Compact and deterministic: the builder already orders every dict (config_classes as the runtime does)."""
    return json.dumps(table, separators=(",", ":"), ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m automodel_lint.knowledge.build", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--source", help="a transformers wheel or package folder (default: the installed one)")
    parser.add_argument("--output", help="where to write the table (default: stdout)")
    args = parser.parse_args(argv)
    try:
        text = dumps(build_table(open_source(args.source)))
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
