"""Call site + model facts + knowledge table -> at most one verdict per call.

The rules are a table: each row carries its code, severity, documentation (a wrong and a right example,
which the tests also run) and a judge. The judges run in table order and the first verdict wins, so a
call gets one diagnostic, the most fundamental one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Callable

from automodel_lint import families
from automodel_lint.knowledge import KnowledgeTable
from automodel_lint.records import CallSite, ModelFacts, Verdict, is_pipeline, pipeline_task


@dataclass
class Case:
    """Everything a judge may read about one call, with the derived facts computed once."""

    site: CallSite
    facts: ModelFacts | None
    table: KnowledgeTable
    history: tuple[KnowledgeTable, ...] = ()  # other bundled tables, to recognise removed classes

    @property
    def model_type(self) -> str | None:
        if self.facts is None:
            return None
        if self.facts.model_type:
            return self.facts.model_type
        return self.table_type_of(self.facts.architectures)

    def table_type_of(self, architectures: tuple[str, ...]) -> str | None:
        for arch in architectures:
            for entry in self.table.auto_classes.values():
                for model_type, classes in entry["loads"].items():
                    if arch in classes:
                        return model_type
        return None

    @cached_property
    def own_architecture(self) -> str | None:
        """The first of the config's `architectures` that transformers knows: what the checkpoint was trained as."""
        if self.facts is None:
            return None
        return next((a for a in self.facts.architectures if self.table.knows_architecture(a)), None)

    @cached_property
    def own_loaders(self) -> list[str]:
        return self.table.auto_classes_for_architecture(self.own_architecture) if self.own_architecture else []

    @property
    def kind(self) -> str:
        """"auto" (an Auto class), "pipeline", or "class" (a concrete model class)."""
        called = self.site.called
        if is_pipeline(called):
            return "pipeline"
        if self.table.is_auto_class(called) or any(t.is_auto_class(called) for t in self.history):
            return "auto"
        return "class"

    @cached_property
    def pipeline(self) -> tuple[str, dict | None]:
        """The runtime's answer for this pipeline call's task: ("ok", info), ("removed", info), ("unknown", None),
        or ("inferred", None) when no task is written and transformers asks the Hub."""
        task = pipeline_task(self.site.called)
        if task is None:
            tag = self.facts.pipeline_tag if self.facts else None  # from the Hub: what transformers would run
            if not tag:
                return "inferred", None
            task = tag
        return self.table.pipeline_task(task)

    @property
    def requested(self) -> tuple[str, ...]:
        """The Auto classes the call asks to load with, in the order the runtime tries them."""
        if self.kind == "auto":
            return (self.site.called,)
        if self.kind == "pipeline":
            status, info = self.pipeline
            return tuple(info["pt"]) if status == "ok" else ()
        return ()

    @property
    def config_replaced(self) -> bool:
        """`config=` passed: the load is decided by that config, not by the checkpoint's own."""
        return "config" in self.site.uncertain_kwargs

    def newer_table_knowing(self, model_type: str) -> KnowledgeTable | None:
        """The oldest bundled table newer than the one in use that knows this model type."""
        newer = [t for t in self.history if _version_key(t.version) > _version_key(self.table.version) and t.knows_type(model_type)]
        return min(newer, key=lambda t: _version_key(t.version)) if newer else None

    def describe(self) -> str:
        """`a decoder-only gpt2 checkpoint (GPT2LMHeadModel)`: what the model is, in the reader's terms."""
        kind = families.checkpoint_kind(self.own_loaders)
        if kind is None and self.model_type:
            kind = _type_kind(self.table, self.model_type)  # a base model, or only the type is known
        words = " ".join(w for w in (kind, self.model_type or "custom", "checkpoint") if w)
        arch = self.own_architecture or (self.facts.architectures[0] if self.facts and self.facts.architectures else None)
        text = f"{_article(words)} {words}"
        return f"{text} ({arch})" if arch else text


def shown(model: str | None) -> str:
    """A model string as it may appear in a message: quoted, control characters escaped, long ones cut."""
    text = model or ""
    if len(text) > 120:
        text = text[:117] + "..."
    if text.isprintable():
        return f'"{text}"'
    return repr(text)


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else -1 for p in version.split("."))


def _article(words: str) -> str:
    return "an" if words[:1].lower() in "aeiou" else "a"


@dataclass(frozen=True)
class Suggestion:
    classes: tuple[str, ...]  # best first
    certain: bool  # exactly one class of the preferred tier loads the checkpoint's own architecture

    @property
    def best(self) -> str | None:
        return self.classes[0] if self.classes else None

    @property
    def fix(self) -> str | None:
        if not self.classes:
            return None
        return "safe" if self.certain and len(self.classes) == 1 else "unsafe"

    def advice(self) -> str:
        if not self.classes:
            return ""
        others = f" (or {', '.join(self.classes[1:])})" if len(self.classes) > 1 else ""
        return f"; use {self.classes[0]}{others}"


def suggest(case: Case, tiers: tuple[tuple[str, ...], ...]) -> Suggestion:
    """The classes of the first tier that load the checkpoint's own architecture.

    Without a known architecture (facts from documentation only), fall back to the classes that accept
    the model type at all; such a suggestion is never certain enough for a safe fix.
    """
    for tier in tiers:
        if case.own_architecture:
            found = tuple(c for c in tier if c in case.own_loaders and c not in families.NEVER_SUGGESTED)
            if found:
                return Suggestion(found, certain=True)
    model_type = case.model_type
    if model_type:
        for tier in tiers:
            found = tuple(c for c in tier if case.table.loads(c, model_type) and c not in families.NEVER_SUGGESTED)
            if found:
                return Suggestion(found, certain=False)
    return Suggestion((), certain=False)


# Judges. Each returns a Verdict or None; `Case` holds what they read.


def judge_removed(case: Case) -> Verdict | None:
    """HFA004: a class that transformers 5 no longer has."""
    called = case.site.called
    if case.table.major < 5 or case.table.is_auto_class(called):
        return None
    old = next((t for t in case.history if t.is_auto_class(called)), None)
    if old is None:
        return None
    twin = RENAMED.get(called) or _pytorch_twin(called)
    twin_tier = (twin,) if twin and case.table.is_auto_class(twin) else ()
    if case.facts is None:
        # Whatever the checkpoint, a TF/Flax class's PyTorch twin is what the code meant.
        suggestion = Suggestion(twin_tier, certain=bool(twin_tier))
    else:
        suggestion = suggest(case, (twin_tier, families.TEXT_GENERATION, families.LM_CLASSES))
    what = f"; {shown(case.site.model)} is {case.describe()}" if case.facts else ""
    return Verdict(
        "HFA004",
        f"{called} was removed in transformers 5 (the table in use is {case.table.version}){what}"
        f"{suggestion.advice()}{_withheld(suggestion)}",
        suggestion.best,
        suggestion.fix,
    )


# Classes transformers 5 renamed rather than dropped: the new name is the suggestion for every checkpoint
# the old class loaded.
RENAMED = {"AutoModelForVision2Seq": "AutoModelForImageTextToText"}


def _pytorch_twin(name: str) -> str | None:
    for prefix in ("TF", "Flax"):
        if name.startswith(prefix) and name[len(prefix) :][:1].isupper():
            return name[len(prefix) :]
    return None


def judge_custom_code(case: Case) -> Verdict | None:
    """HFA003: only the checkpoint's own code serves this class, and the call does not trust it.

    A model type that transformers has built in is loaded by the built-in class whatever the `auto_map` says,
    unless the call passes trust_remote_code=True; so the repository's code is only needed where no built-in
    class loads the type.
    """
    site, facts = case.site, case.facts
    if facts is None or not facts.auto_map or not case.requested or case.config_replaced:
        return None
    model_type = case.model_type
    if model_type and case.table.knows_type(model_type) and any(case.table.loads(c, model_type) for c in case.requested):
        return None
    custom = facts.auto_map_dict()
    served = next((c for c in case.requested if c in custom), None)
    if served is None or site.trust_remote_code is True or _trust_uncertain(site):
        return None
    remote = custom[served]
    where = f"the repository's own code ({remote})"
    if "--" in remote:
        repo, _, code = remote.partition("--")
        where = f"code from another repository, {repo} ({code}), which its auto_map names"
    passed = "passes trust_remote_code=False" if site.trust_remote_code is False else "does not pass trust_remote_code=True"
    newer = case.newer_table_knowing(model_type) if model_type else None
    built_in = ""
    if newer is not None and any(newer.loads(c, model_type) for c in case.requested):
        built_in = f"; transformers >= {newer.version} has {model_type} built in and needs no remote code"
    return Verdict(
        "HFA003",
        f"{_callee(site)} can load {shown(site.model)} only with {where}, and the call {passed}, so transformers"
        f" raises{built_in}; read that code before you trust it (no fix: trusting remote code is your decision)",
    )


def _callee(site: CallSite) -> str:
    task = pipeline_task(site.called)
    if is_pipeline(site.called):
        return f'pipeline("{task}")' if task is not None else "pipeline()"
    return site.called


def _trust_uncertain(site: CallSite) -> bool:
    return "trust_remote_code" in site.uncertain_kwargs or "**" in site.uncertain_kwargs


def judge_unloadable(case: Case) -> Verdict | None:
    """HFA001: transformers raises `Unrecognized configuration class ... for this kind of AutoModel`."""
    site, facts = case.site, case.facts
    model_type = case.model_type
    if facts is None or not model_type or not case.table.is_auto_class(site.called) or case.config_replaced:
        return None
    custom = facts.auto_map_dict()
    if site.called in custom:
        return None  # served by remote code: HFA003's business
    known = case.table.knows_type(model_type)
    if known and case.table.loads(site.called, model_type):
        return None
    if not known and not custom:
        return None  # a newer transformers may know this type: never guess
    if known:
        suggestion = suggest(case, (families.group(site.called),))
        cannot = ""
        if not suggestion.classes:
            cannot = (
                f", and transformers has no {site.called} class for model type {model_type}: the checkpoint does not fit"
                " this task; pick one that does (no fix: no class fits)"
            )
    else:
        # Custom model: only the classes its `auto_map` names exist for it at all.
        model_classes = sorted(c for c in custom if _is_model_class(case, c))
        offered = tuple(c for c in families.group(site.called) if c in custom) or tuple(model_classes)
        suggestion = Suggestion(offered, certain=False)
        cannot = f"; its own code (auto_map) provides only {', '.join(model_classes) or 'no model class'}"
    fix_note = _withheld(suggestion) if known else " (no fix: the other class runs the repository's own code)"
    return Verdict(
        "HFA001",
        f'{site.called} cannot load {shown(site.model)}: {case.describe()}{cannot}{suggestion.advice()}'
        f"{fix_note if suggestion.classes else ''}",
        suggestion.best,
        suggestion.fix if known else None,
    )


def _is_model_class(case: Case, name: str) -> bool:
    """An Auto model class (not AutoConfig or AutoTokenizer) in any table we know."""
    return case.table.is_auto_class(name) or any(t.is_auto_class(name) for t in case.history)


def judge_wrong_family(case: Case) -> Verdict | None:
    """HFA002: the class loads the checkpoint, but as another kind of language model, and nothing is raised."""
    site = case.site
    if case.kind != "auto" or case.config_replaced:
        return None
    found = _partial_load(case, site.called)
    if found is None:
        return None
    loaded, effect, use, suggestion = found
    return Verdict(
        "HFA002",
        f'{site.called} loads {shown(site.model)} as {loaded}, but it is {case.describe()}: this {effect}'
        f"{'; ' + use if use else ''}{suggestion.advice()}",
        suggestion.best,
        "unsafe" if suggestion.classes else None,
    )


def _partial_load(case: Case, called: str) -> tuple[str, str, str | None, Suggestion] | None:
    """What HFA002 reports: `called` loads the checkpoint, but as another LM kind than it was trained as."""
    model_type = case.model_type
    if called not in families.LM_CLASSES or not model_type or not case.own_architecture:
        return None
    loaded = case.table.loaded_class(called, model_type, case.facts.architectures)
    if loaded is None or called in case.own_loaders:
        return None
    if model_type in case.table.text_config_types(called):
        return None  # transformers loads the text part of a multimodal checkpoint on purpose
    use = families.LEGITIMATE_PARTIAL_USE.get((called, model_type))
    if any(c in families.LM_CLASSES for c in case.own_loaders):
        suggestion = suggest(case, (families.group(called), families.widened(called)))
        kind = families.checkpoint_kind(case.own_loaders)
        effect = families.PARTIAL_LOAD_EFFECT.get((called, kind), f"not the {case.own_architecture} it was trained as")
        return loaded, effect, use, suggestion
    if "AutoModel" not in case.own_loaders:
        return None  # a task head (a classifier): what it was trained as is not a language model
    # A base model (BartModel, BertModel): its type says what kind of language model it is. Reported only where the
    # effect was measured and the type's own LM class builds another class than the one called.
    own = _type_lm(case.table, model_type)
    if own is None or (called, own[1]) not in families.PARTIAL_LOAD_EFFECT:
        return None
    if case.table.loaded_class(own[0], model_type, case.facts.architectures) == loaded:
        return None
    return loaded, families.PARTIAL_LOAD_EFFECT[(called, own[1])], use, Suggestion((own[0],), certain=False)


# Pipelines (HFA005)


def judge_pipeline(case: Case) -> Verdict | None:
    """HFA005: a pipeline task that transformers removed, or whose model classes do not fit the checkpoint."""
    if case.kind != "pipeline":
        return None
    status, info = case.pipeline
    if status == "removed":
        return _removed_task(case, info)
    if status != "ok" or case.facts is None or case.config_replaced:
        return None  # an unknown task may be a custom or registered pipeline; an inferred one is the Hub's
    model_type = case.model_type
    task, classes = info["task"], tuple(info["pt"])
    callee = _callee(case.site)
    if model_type and not case.table.knows_type(model_type):
        return _custom_does_not_fit(case, callee, task, classes)
    if not model_type:
        return None
    first = next((c for c in classes if case.table.loads(c, model_type)), None)
    if first is None:
        return _task_does_not_fit(case, callee, task, classes, model_type)
    partial = _partial_load(case, first)
    if partial is None:
        return None
    loaded, effect, use, suggestion = partial
    better = _tasks_for(case, task, suggestion.best)
    return Verdict(
        "HFA005",
        f'{callee} loads {shown(case.site.model)} with {first} as {loaded}, but it is {case.describe()}: this {effect}'
        f"{'; ' + use if use else ''}{_task_advice(better, suggestion)}",
        None,  # a suggestion replaces the callee, and `pipeline(...)` is not a class call
        None,
    )


def _custom_does_not_fit(case: Case, callee: str, task: str, classes: tuple[str, ...]) -> Verdict | None:
    """A model type transformers does not know: only its auto_map can serve the task's classes. Without an
    auto_map it is HFA007's (a newer transformers) or nobody's business."""
    custom = case.facts.auto_map_dict()
    if not custom or any(c in custom for c in classes):
        return None
    provided = sorted(c for c in custom if _is_model_class(case, c))
    return Verdict(
        "HFA005",
        f"{callee} cannot use {shown(case.site.model)}: {case.describe()}; its own code (auto_map) provides only"
        f" {', '.join(provided) or 'no model class'}, none of the {task} pipeline's classes ({', '.join(classes)}),"
        " and transformers has no class of its own for it",
        None,
        None,
    )


def _removed_task(case: Case, info: dict) -> Verdict:
    task = info["task"]
    old = next((t for t in case.history if t.pipeline_task(task)[0] == "ok"), None)
    old_classes = tuple(c for c in (old.pipeline_task(task)[1]["pt"] if old else ()) if case.table.is_auto_class(c))
    what = ""
    if case.facts is not None and case.model_type:
        suggestion = suggest(case, (old_classes, families.TEXT_GENERATION, families.LM_CLASSES))
        what = f"; {shown(case.site.model)} is {case.describe()}"
    else:
        suggestion = Suggestion(old_classes, certain=False)
    instead = ""
    if suggestion.best:
        then = "call generate()" if suggestion.best in families.TEXT_GENERATION else "decode its outputs yourself"
        instead = f"; load the model with {suggestion.best} and {then}"
    return Verdict(
        "HFA005",
        f'{_callee(case.site)} raises KeyError: transformers {case.table.version} removed the "{task}" pipeline'
        f' ({info["advice"].rstrip(".")}){what}{instead}',
        None,
        None,
    )


def _task_does_not_fit(case: Case, callee: str, task: str, classes: tuple[str, ...], model_type: str) -> Verdict:
    own = case.own_architecture
    if own:
        # `load_model` then tries the config's own architectures: the load works, the task does not.
        after = (
            f"; the pipeline falls back to the checkpoint's own {own}, which the {task} pipeline does not support"
            " (it logs an error and runs it anyway)"
        )
    else:
        after = "; the pipeline cannot load it"
    suggestion = suggest(case, (families.TEXT_GENERATION, families.LM_CLASSES, tuple(case.own_loaders)))
    better = _tasks_for(case, task, suggestion.best)
    return Verdict(
        "HFA005",
        f"{callee} cannot use {shown(case.site.model)}: {case.describe()}; its model classes ({', '.join(classes)})"
        f" do not accept model type {model_type}{after}{_task_advice(better, suggestion)}",
        None,
        None,
    )


def _tasks_for(case: Case, exclude: str, auto_class: str | None) -> list[str]:
    """Tasks of the table in use that load the checkpoint with `auto_class`, the class suggested for it (BART's
    architecture is also a fill-mask model; a summariser wants the generation task, not that one)."""
    if not case.own_architecture or not auto_class or auto_class not in case.own_loaders:
        return []
    tasks = case.table.pipelines.get("tasks", {})
    return [t for t, info in sorted(tasks.items()) if t != exclude and auto_class in info["pt"]]


def _task_advice(tasks: list[str], suggestion: Suggestion) -> str:
    if tasks:
        return "; use " + " or ".join(f'pipeline("{t}")' for t in tasks[:3])
    if suggestion.best:
        then = "call generate()" if suggestion.best in families.TEXT_GENERATION else "decode its outputs yourself"
        return f"; no pipeline task of this transformers fits it: load it with {suggestion.best} and {then}"
    return ""


# Concrete model classes (HFA006)


def judge_model_class(case: Case) -> Verdict | None:
    """HFA006: a concrete class given a checkpoint of another model type.

    transformers only warns ("You are using a model of type gpt2 to instantiate a model of type t5"), builds the
    class's config from a config.json written for another model, and initialises at random every weight whose
    name does not match (a weight whose shape differs makes it raise). Left alone, because the runtime does not warn or the load is meant: types that
    share a config class; composite checkpoints whose sub-config the class's config picks out (CLIPTextModel on a
    CLIP checkpoint, replayed from the table's config links); composites whose parts may be of any type; a
    decoder warm-started from an encoder checkpoint; pairs where neither type is a text model.
    """
    site, facts, table = case.site, case.facts, case.table
    if case.kind != "class" or facts is None or case.config_replaced:
        return None
    model_type = case.model_type
    class_types = table.model_types_of_class(site.called)
    if not model_type or not class_types or not table.knows_type(model_type) or model_type in class_types:
        return None
    class_config = table.class_config(site.called)
    class_type = table.config_model_type(class_config) if class_config else None
    if not class_type or table.config_class(model_type) == class_config or model_type in families.COMPOSITE_TYPES:
        return None
    if table.type_seen_by(class_config, model_type) in (None, class_type):
        return None
    text = [any(table.loads(a, t) for a in families.TEXT_LM_CLASSES) for t in (class_type, model_type)]
    if not any(text):
        return None
    class_type_kind = _type_kind(table, class_type)
    class_kind = families.checkpoint_kind(table.auto_classes_for_architecture(site.called)) or class_type_kind
    own_kind = families.checkpoint_kind(case.own_loaders) or _type_kind(table, model_type)
    if (class_kind, own_kind) in families.WARM_STARTS and (
        class_type in families.WARM_START_TYPES or class_type_kind == "masked-LM encoder"
    ):
        return None
    use = _same_head(case) or case.own_architecture or suggest(case, (families.TEXT_GENERATION, families.LM_CLASSES)).best
    tick = "`" if table.major >= 5 else ""  # the warning's own words, which 5.x put in backquotes
    warned = (
        f"transformers only warns (\"You are using a model of type {tick}{model_type}{tick} to instantiate a model of"
        f" type {tick}{class_type}{tick}\")"
    )
    # Certain garbage: language models of different kinds, or a text model and one that is not.
    certain = text[0] != text[1] or (
        class_kind != own_kind and class_kind in families.TEXT_KINDS and own_kind in families.TEXT_KINDS
    )
    if certain:
        words = " ".join(w for w in (class_kind, class_type) if w)
        what = f"{_article(words)} {words} class"
        effect = " and initialises the weights it cannot match at random"
    else:
        what = f"{_article(class_type)} {class_type} class"
        effect = (f", reads the config as {_article(class_type)} {class_type} config (dropping the settings {class_type}"
                  f" does not have) and initialises at random every weight whose name differs; a weight whose shape"
                  f" differs makes the load raise unless ignore_mismatched_sizes=True")
    return Verdict(
        "HFA006",
        f"{site.called} is {what} and cannot use {shown(site.model)}: {case.describe()}; {warned}{effect}"
        f"{'; use ' + use if use else ''}",
        use,
        "unsafe" if use else None,
        # Two models of one kind may be one network under two names (T5 classes on mT5): transformers' warning,
        # passed on, is as far as the tables can see.
        None if certain else "warning",
    )


def _type_lm(table: KnowledgeTable, model_type: str) -> tuple[str, str] | None:
    """The language-model class a model type is loaded with, and its kind, as TYPE_KIND orders them."""
    return next(((auto, kind) for auto, kind in families.TYPE_KIND.items() if table.loads(auto, model_type)), None)


def _type_kind(table: KnowledgeTable, model_type: str) -> str | None:
    found = _type_lm(table, model_type)
    return found[1] if found else None


def _same_head(case: Case) -> str | None:
    """The class with the called class's head for the checkpoint's type: what an Auto class that builds the called
    class builds for the checkpoint (BartForConditionalGeneration on Pegasus: PegasusForConditionalGeneration)."""
    architectures = case.facts.architectures if case.facts else ()
    autos = case.table.auto_classes_for_architecture(case.site.called)
    # AutoModel and AutoModelForPreTraining build many heads; the task classes say which head was meant.
    for auto in sorted(autos, key=lambda a: a in families.NEVER_SUGGESTED):
        found = case.table.loaded_class(auto, case.model_type or "", architectures)
        if found:
            return found
    return None


# transformers versions (HFA007)


def judge_newer_transformers(case: Case) -> Verdict | None:
    """HFA007: the table in use does not know the model type, a newer bundled table does."""
    site, facts = case.site, case.facts
    if facts is None or not facts.model_type or case.table.knows_type(facts.model_type) or case.config_replaced:
        return None
    if facts.auto_map and site.trust_remote_code is not False:
        return None  # the repository's own code may serve it (HFA003 says when it cannot)
    newer = case.newer_table_knowing(facts.model_type)
    if newer is None:
        return None
    return Verdict(
        "HFA007",
        f"{_callee(site)} cannot load {shown(site.model)} with transformers {case.table.version}: model type"
        f" {facts.model_type} is not known to it, and transformers {newer.version} knows it: needs transformers >="
        f" {newer.version} (the oldest bundled table that knows it; no fix: upgrading is your decision)",
    )


def _withheld(suggestion: Suggestion) -> str:
    if suggestion.fix == "unsafe":
        if len(suggestion.classes) > 1:
            return " (fix is unsafe: several classes fit)"
        return " (fix is unsafe: the checkpoint's architecture is not known, only its model type)"
    return ""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str
    fix: str  # how the fix applies: "safe when unambiguous", "unsafe", "none"
    wrong: str  # a whole module that gives exactly this diagnostic (tests/test_rules.py runs it)
    right: str  # the same module written right: no diagnostic
    judge: Callable[[Case], Verdict | None] | None  # None: reported by the engine, not judged per call
    details: str = ""  # what transformers does at run time, for `explain` and SARIF help
    example_table: str | None = None  # the transformers version the examples are judged with (None: the newest)


RULES: tuple[Rule, ...] = (
    Rule(
        "HFA004",
        "removed-auto-class",
        "error",
        "An Auto class that transformers 5 removed (AutoModelWithLMHead, AutoModelForVision2Seq, TF/Flax classes).",
        "safe when exactly one class fits, else unsafe",
        'from transformers import AutoModelWithLMHead\n\nmodel = AutoModelWithLMHead.from_pretrained("gpt2")\n',
        'from transformers import AutoModelForCausalLM\n\nmodel = AutoModelForCausalLM.from_pretrained("gpt2")\n',
        judge_removed,
    ),
    Rule(
        "HFA003",
        "remote-code-not-trusted",
        "error",
        "The class exists for this checkpoint only in its own code (auto_map), and trust_remote_code=True is not passed.",
        "none: trusting remote code is the user's decision",
        'from transformers import AutoModelForCausalLM\n\n'
        'model = AutoModelForCausalLM.from_pretrained("inclusionAI/Ling-flash-2.0")\n',
        'from transformers import AutoModelForCausalLM\n\n'
        '# after reading the repository\'s modeling code\n'
        'model = AutoModelForCausalLM.from_pretrained("inclusionAI/Ling-flash-2.0", trust_remote_code=True)\n',
        judge_custom_code,
    ),
    Rule(
        "HFA001",
        "unloadable-checkpoint",
        "error",
        "The Auto class cannot load this model type: transformers raises `Unrecognized configuration class`.",
        "safe when exactly one class of the same family loads the checkpoint's architecture, else unsafe or none",
        'from transformers import AutoModelForSeq2SeqLM\n\nmodel = AutoModelForSeq2SeqLM.from_pretrained("gpt2")\n',
        'from transformers import AutoModelForCausalLM\n\nmodel = AutoModelForCausalLM.from_pretrained("gpt2")\n',
        judge_unloadable,
    ),
    Rule(
        "HFA002",
        "wrong-model-family",
        "warning",
        "The class loads the checkpoint as another kind of language model (e.g. only the decoder of an encoder-decoder).",
        "unsafe: it changes what a working program loads",
        'from transformers import AutoModelForCausalLM\n\nmodel = AutoModelForCausalLM.from_pretrained("facebook/bart-large-cnn")\n',
        'from transformers import AutoModelForSeq2SeqLM\n\nmodel = AutoModelForSeq2SeqLM.from_pretrained("facebook/bart-large-cnn")\n',
        judge_wrong_family,
        details=(
            "The Auto class accepts the model type and builds its own head for it, so nothing is raised: on a BART"
            " checkpoint AutoModelForCausalLM builds BartForCausalLM, keeps the decoder, drops every encoder"
            " tensor and initialises lm_head and the decoder's embeddings at random (measured with transformers"
            " 5.24 on tiny checkpoints); on BERT it builds BertLMHeadModel, a bidirectional encoder asked to generate"
            " left to right. What the checkpoint was trained as comes from its config's architectures; for a base"
            " model (BartModel, BertModel, which only AutoModel loads) from its model type, and then only where the"
            " effect was measured and the type's own language-model class builds another class than the one called"
            " (BART's fill-mask class is its whole encoder-decoder, so AutoModelForMaskedLM on bart-base is fine)."
            " A checkpoint of a task head (a classifier) is not judged by its type. Loading the text part of a"
            " multimodal checkpoint, which transformers does on purpose, is never reported."
        ),
    ),
    Rule(
        "HFA007",
        "needs-newer-transformers",
        "error",
        "The transformers version in use does not know the checkpoint's model type; a newer one does.",
        "none: upgrading transformers is the user's decision",
        'from transformers import AutoModelForCausalLM\n\n'
        'model = AutoModelForCausalLM.from_pretrained("deepseek-ai/DeepSeek-V3.2-Exp")\n',
        'from transformers import AutoModelForCausalLM\n\n'
        '# requires transformers 5: pin it in the project\'s dependencies\n'
        'model = AutoModelForCausalLM.from_pretrained("openai-community/gpt2")\n',
        judge_newer_transformers,
        details=(
            "transformers reads `model_type` from config.json and raises `KeyError`/`ValueError` (\"The checkpoint you are"
            " trying to load has model type X but Transformers does not recognize this architecture\") when the"
            " installed version does not know it. The table in use is the installed transformers' (a 4.x project is"
            " judged with the 4.x table); the message names the oldest bundled table that knows the type. A checkpoint"
            " that brings its own code (auto_map) may still load with trust_remote_code=True, so it is not reported."
        ),
        example_table="4.57.6",
    ),
    Rule(
        "HFA005",
        "pipeline-task-mismatch",
        "error",
        "A pipeline task that transformers removed, or whose model classes cannot load the checkpoint as it was trained.",
        "none: the right change is another task or loading the model yourself",
        'from transformers import AutoTokenizer, pipeline\n\n'
        'tokenizer = AutoTokenizer.from_pretrained("facebook/bart-large-cnn")\n'
        'summarizer = pipeline("summarization", model="facebook/bart-large-cnn", tokenizer=tokenizer)\n',
        'from transformers import AutoModelForSeq2SeqLM, AutoTokenizer\n\n'
        'tokenizer = AutoTokenizer.from_pretrained("facebook/bart-large-cnn")\n'
        'model = AutoModelForSeq2SeqLM.from_pretrained("facebook/bart-large-cnn")\n'
        '# summary = tokenizer.decode(model.generate(**tokenizer(text, return_tensors="pt"))[0])\n',
        judge_pipeline,
        details=(
            "`pipeline(task, model=...)` loads the model with the task's Auto classes in order, then with the classes"
            " named in the checkpoint's `architectures`; a checkpoint none of the task's classes accepts is loaded as"
            " its own architecture, and the pipeline logs \"The model ... is not supported for <task>\" and runs it"
            " anyway. transformers 5 removed the summarization, translation, text2text-generation, question-answering,"
            " visual-question-answering and image-to-image pipelines (`KeyError`); load the model with the Auto class"
            " that fits it and call generate(). Tasks are read from the transformers source in use, aliases included;"
            " a task name transformers does not know may be a custom pipeline and is not judged, nor is"
            " `pipeline(model=...)` alone, whose task transformers asks the Hub for."
        ),
    ),
    Rule(
        "HFA006",
        "model-class-type-mismatch",
        "error",
        "A concrete model class given a checkpoint of another model type.",
        "unsafe: the class with the same head for the checkpoint's type, else its own architecture",
        'from transformers import BartForConditionalGeneration\n\n'
        'model = BartForConditionalGeneration.from_pretrained("google/pegasus-large")\n',
        'from transformers import PegasusForConditionalGeneration\n\n'
        'model = PegasusForConditionalGeneration.from_pretrained("google/pegasus-large")\n',
        judge_model_class,
        details=(
            "A concrete class reads the checkpoint's config.json with its own config class; when the model types"
            " differ transformers only warns (\"You are using a model of type pegasus to instantiate a model of type"
            " bart. This is not supported for all configurations of models and can yield errors.\" in 4.x; 5.x"
            " quotes the types in backquotes and adds that this may be expected for a checkpoint that shares a subset"
            " of the architecture), builds the class from settings written for another model and initialises at"
            " random every weight whose name differs (a weight whose shape differs raises RuntimeError unless"
            " ignore_mismatched_sizes=True, in 4.57 and 5.24 alike). Between language models of different kinds"
            " (T5ForConditionalGeneration on gpt2), or a text model and one that is not (ViTModel on BERT), the"
            " result is garbage: an error. Otherwise it is reported as a"
            " warning, as transformers does: at best the same network under another name (T5 classes on mT5), often"
            " a broken one (BART classes on Pegasus raise on the shape of the position embeddings; BertForMaskedLM"
            " on RoBERTa initialises every weight at random, as RoBERTa's are all named roberta.*). Measured on tiny"
            " random checkpoints: LlamaForCausalLM on Mistral and T5 classes on mT5 miss no weight."
            " Not reported, because the runtime does not warn or the load is meant: model types that share a config"
            " class or that transformers itself loads with the class (exaone with LlamaForCausalLM); composite"
            " checkpoints whose sub-config the class's config picks out (CLIPTextModel on a CLIP checkpoint, through"
            " `base_config_key` or a sub-config of the class's own type, replayed from the table's config links);"
            " composites whose parts may be of any type (llava, encoder-decoder, rag); a decoder warm-started from an"
            " encoder checkpoint (BertGenerationEncoder on bert); pairs where neither type is a text model, since"
            " vision and audio models share parts of architectures on purpose (a sam2_video checkpoint in"
            " Sam2Model, the runtime's own example)."
        ),
    ),
    Rule(
        "HFA900",
        "syntax-error",
        "error",
        "The file does not parse, so nothing in it was checked.",
        "none",
        'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("gpt2"\n',
        'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("gpt2")\n',
        None,
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def judge(case: Case) -> tuple[Rule, Verdict] | None:
    for rule in RULES:
        if rule.judge is None:
            continue
        verdict = rule.judge(case)
        if verdict is not None:
            site = case.site
            if site.value_note or site.via:
                # Say what was judged, so a reader can tell if it applies.
                said = "; ".join(n for n in (site.value_note, site.via) if n)
                verdict = replace(verdict, message=f"{verdict.message} (judged on {shown(site.model)}, {said})")
            if site.value_note:
                # The value may differ at run time: a fix chosen for the default may be wrong for the values
                # callers pass, so never a safe one.
                verdict = replace(verdict, fix="unsafe" if verdict.fix else None)
            return rule, verdict
    return None
