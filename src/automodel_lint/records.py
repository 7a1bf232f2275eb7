"""Plain data passed between the stages: call sites, model facts, diagnostics.

Each stage takes the records of the one before and returns its own; no stage reaches back. Kept free of
LibCST and huggingface_hub imports so that every stage can load this module for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """1-based line and column of a call expression, end exclusive as LibCST reports it."""

    line: int
    column: int
    end_line: int
    end_column: int


# `CallSite.called` of a `pipeline(...)` call: "pipeline:<task>", or "pipeline" when no task is given.
PIPELINE_PREFIX = "pipeline"


def pipeline_task(called: str) -> str | None:
    """The task of a pipeline call site's `called` ("pipeline:ner" -> "ner"); None for a class or a bare pipeline."""
    prefix = PIPELINE_PREFIX + ":"
    return called[len(prefix):] if called.startswith(prefix) else None


def is_pipeline(called: str) -> bool:
    return called == PIPELINE_PREFIX or called.startswith(PIPELINE_PREFIX + ":")


@dataclass(frozen=True)
class CallSite:
    """One `X.from_pretrained(...)` call whose X is a transformers class and whose model value is certain."""

    path: str
    span: Span
    called: str  # the class as resolved through the file's imports, e.g. "AutoModelForCausalLM" for `ALM`
    written: str  # the callee as written: "ALM", "tr.AutoModelForCausalLM"
    model: str | None  # the statically certain model id or path; None when not certain (only HFA004 applies)
    trust_remote_code: bool | None = None  # None: not passed, or not a literal
    revision: str | None = None
    subfolder: str | None = None
    value_note: str | None = None  # why the value may differ at run time ("the default value of ..."), else None
    uncertain_kwargs: tuple[str, ...] = ()  # keywords passed with values that are not certain ("**" for **kwargs)
    callee_assigned: bool = False  # the class is named through an assignment (`Model = AutoModel`), not an import
    via: str | None = None  # how the model reaches a call that does not name it (`from_config` of its config)
    method: str = "from_pretrained"  # "from_pretrained", "from_config" (random weights) or "pipeline"
    # What the branch the call stands in requires: "requires:TFAutoModel" (an import in `try`/`except ImportError`,
    # or `hasattr(transformers, ...)`), "below:5.0.0" / "upto:4.57" (a comparison on transformers.__version__).
    guard: str | None = None
    intent: str | None = None  # a keyword that asks for the load as written: "is_decoder=True"
    model_class: str | None = None  # for a pipeline given a model object: the Auto class that object was built with


@dataclass(frozen=True)
class Origin:
    """Where an object a use site works on came from: the `X.from_pretrained(id)` call that built it (flow/)."""

    role: str  # "model", "tokenizer" or "processor", by the class called
    called: str  # the class as resolved through the file's imports: "AutoTokenizer", "AutoModelForCausalLM"
    model: str  # the certain model id or path
    revision: str | None = None
    subfolder: str | None = None
    line: int = 0  # where the call is, for a reader
    value_note: str | None = None  # as CallSite.value_note: why the id may differ at run time
    keywords: tuple[tuple[str, str | None], ...] = ()  # literal keywords of the call (`padding_side="left"`)
    # What the code does to the object after it is built, anywhere in the file: `obj.attr = value` as (attr, the
    # literal value or None), and methods called on it with their first argument's source (`add_special_tokens`).
    attributes: tuple[tuple[str, str | None], ...] = ()
    methods: tuple[tuple[str, str], ...] = ()
    handed_to: tuple[str, ...] = ()  # the functions the object is given to as an argument (they may change it)
    # The call's column on `line`, for a reader; not part of what the load is (equal loads are one load).
    column: int = field(default=1, compare=False)

    def keyword(self, name: str) -> str | None:
        return dict(self.keywords).get(name)


@dataclass(frozen=True)
class UseSite:
    """A later use of a loaded object (`get_peft_model(model, ...)`, `tok.apply_chat_template(...)`), judged on the
    checkpoint the object came from. `reason` set: the flow is not certain, and the use is listed as not judged."""

    path: str
    span: Span  # the use's call
    use: str  # "get_peft_model", "DataCollatorForLanguageModeling", "apply_chat_template", "generate", "pipeline"
    origins: tuple[tuple[str, Origin], ...] = ()  # (what the object is to the use: "model", "tokenizer"; its origin)
    # What the use's call says, as (name, literal value as written or None when not a literal); the flow's
    # docstring lists the names of each use.
    arguments: tuple[tuple[str, str | None], ...] = ()
    reason: str | None = None

    def origin(self, role: str) -> Origin | None:
        return dict(self.origins).get(role)

    def argument(self, name: str) -> str | None:
        return dict(self.arguments).get(name)

    def has_argument(self, name: str) -> bool:
        return name in dict(self.arguments)

    def to_json(self) -> dict:
        from dataclasses import asdict

        data = asdict(self)
        data["span"] = list(data["span"].values())
        return data

    @classmethod
    def from_json(cls, data: dict) -> "UseSite":
        def pairs(items) -> tuple:
            return tuple(tuple(item) for item in items)

        origins = tuple(
            (role, Origin(**{**o, "keywords": pairs(o["keywords"]), "attributes": pairs(o["attributes"]),
                             "methods": pairs(o["methods"]), "handed_to": tuple(o.get("handed_to", ()))}))
            for role, o in data["origins"]
        )
        return cls(data["path"], Span(*data["span"]), data["use"], origins, pairs(data["arguments"]), data["reason"])


@dataclass(frozen=True)
class ModelRequest:
    """One model value to resolve, once per run however many calls name it."""

    model: str
    revision: str | None = None
    subfolder: str | None = None
    file_dir: str | None = None  # the linted file's folder: a relative local path is tried there after the cwd


@dataclass(frozen=True)
class ModelFacts:
    """What a checkpoint's config says, and where that was read."""

    model_id: str  # the id as resolved (canonical Hub id, or the path)
    model_type: str | None
    architectures: tuple[str, ...] = ()
    auto_map: tuple[tuple[str, str], ...] = ()  # (Auto class name, "module.Class" or "repo--module.Class")
    source: str = "snapshot"  # the JSON `facts_source`: "config", "snapshot", "cache", "hub", ...
    evidence: str | None = None  # "config" when real config.json content was seen, "doc" for a documented link
    provenance: str | None = None  # where the source read it, for `resolve` and for reviewers
    pipeline_tag: str | None = None  # the Hub's task for the model: what `pipeline(model=...)` with no task runs
    sha: str | None = None  # the Hub commit the facts were read at, where a source knew it (what HFA013 pins)

    def auto_map_dict(self) -> dict[str, str]:
        return dict(self.auto_map)


@dataclass(frozen=True)
class TokenizerFacts:
    """What a checkpoint's tokenizer files say: `tokenizer_config.json`, `special_tokens_map.json` and the repo's
    file list; never a vocabulary. None in a field means the files do not say (or were not seen)."""

    model_id: str
    tokenizer_class: str | None = None  # `tokenizer_class` of tokenizer_config.json
    padding_side: str | None = None  # as the checkpoint sets it; None: the class default applies (knowledge table)
    has_chat_template: bool | None = None  # a `chat_template` in the config or a chat template file in the repo
    has_mask_token: bool | None = None  # a `mask_token` in the config or the special tokens map
    source: str = "hub"  # as ModelFacts.source
    provenance: str | None = None


@dataclass(frozen=True)
class Unresolved:
    """A model value that no source could answer: never judged, listed in the summary."""

    model_id: str
    reason: str


@dataclass(frozen=True)
class Fix:
    """What a verdict's fix must do: call `new_class` instead of the called class, and keep the imports right;
    or, for a rule about the call's arguments, set one keyword argument (`keyword`)."""

    applicability: str  # "safe" (`--fix` applies it) or "unsafe" (only with `--unsafe-fixes`)
    new_class: str | None = None
    # The old class no longer exists in transformers: every import of it may go (it fails on import), and a
    # package's __init__ need not keep re-exporting it.
    old_class_removed: bool = False
    # (name, Python source of the value): add this keyword to the call, or replace the value of the one there;
    # e.g. ("mlm", "False"), ("revision", '"<sha>"'). Set by rules on arguments, with new_class None.
    keyword: tuple[str, str] | None = None


@dataclass(frozen=True)
class Verdict:
    """A rule's judgement of one call, before it is placed in a file."""

    code: str
    message: str  # the first line a person reads at a glance: the class, the model, its kind, what to use
    suggestion: str | None = None
    fix: Fix | None = None
    severity: str | None = None  # the rule's, unless this verdict is less certain than the rule's usual case
    detail: str | None = None  # the teaching text: what transformers does with it, why a fix is withheld or unsafe


@dataclass(frozen=True)
class Diagnostic:
    path: str
    span: Span
    code: str
    severity: str  # "error" or "warning"
    message: str
    model: str | None = None
    called: str | None = None
    suggestion: str | None = None
    fix: Fix | None = None
    facts_source: str | None = None
    cell: int | None = None  # notebooks: the 1-based cell number; span lines then count within that cell
    detail: str | None = None  # the teaching text behind `message` (Verdict.detail)

    @property
    def applicability(self) -> str | None:
        """The fix's "safe" or "unsafe", or None when there is no fix."""
        return None if self.fix is None else self.fix.applicability

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "model": self.model,
            "called": self.called,
            "suggestion": self.suggestion,
            "fix": None if self.fix is None else {"applicability": self.applicability},
            "facts_source": self.facts_source,
            "cell": self.cell,
        }


@dataclass(frozen=True)
class Unjudged:
    """A call found but not judged, and why: a call no rule could decide must never read as a passed one."""

    path: str
    span: Span
    reason: str  # the model id and why it was not judged ("'org/x': not in the bundled snapshot (offline); ...")
    cell: int | None = None  # notebooks: as Diagnostic.cell

    def to_json(self) -> dict:
        return {"path": self.path, "line": self.span.line, "column": self.span.column, "reason": self.reason,
                "cell": self.cell}


@dataclass
class FileResult:
    """Everything one file produced: its diagnostics and what kept it from being judged in full."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: str | None = None  # why the file was not parsed (too large, unreadable), for the summary
    unjudged: list[Unjudged] = field(default_factory=list)  # its calls that no rule could decide, and why
