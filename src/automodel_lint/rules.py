"""Call site + model facts + knowledge table -> at most one verdict per call.

The rules are a table: each row carries its code, severity, documentation (a wrong and a right example,
which the tests also run) and a judge. The judges run in table order and the first verdict wins, so a
call gets one diagnostic, the most fundamental one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from automodel_lint import families
from automodel_lint.knowledge import KnowledgeTable
from automodel_lint.records import CallSite, ModelFacts, Verdict


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

    def describe(self) -> str:
        """`a decoder-only gpt2 checkpoint (GPT2LMHeadModel)`: what the model is, in the reader's terms."""
        kind = families.checkpoint_kind(self.own_loaders)
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
    """HFA003: only the checkpoint's own code serves this class, and the call does not trust it."""
    site, facts = case.site, case.facts
    if facts is None or not facts.auto_map:
        return None
    model_type = case.model_type
    if model_type and case.table.knows_type(model_type) and case.table.loads(site.called, model_type):
        return None
    remote = facts.auto_map_dict().get(site.called)
    if remote is None or site.trust_remote_code is True or _trust_uncertain(site):
        return None
    return Verdict(
        "HFA003",
        f'{site.called} can load {shown(site.model)} only with the repository\'s own code ({remote}), and the call does'
        " not pass trust_remote_code=True, so transformers raises; read that code before you pass it"
        " (no fix: trusting remote code is your decision)",
    )


def _trust_uncertain(site: CallSite) -> bool:
    return "trust_remote_code" in site.uncertain_kwargs or "**" in site.uncertain_kwargs


def judge_unloadable(case: Case) -> Verdict | None:
    """HFA001: transformers raises `Unrecognized configuration class ... for this kind of AutoModel`."""
    site, facts = case.site, case.facts
    model_type = case.model_type
    if facts is None or not model_type or not case.table.is_auto_class(site.called):
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
    model_type = case.model_type
    if site.called not in families.LM_CLASSES or not model_type or not case.own_architecture:
        return None
    loaded = case.table.loaded_class(site.called, model_type, case.facts.architectures)
    if loaded is None or site.called in case.own_loaders:
        return None
    if not any(c in families.LM_CLASSES for c in case.own_loaders):
        return None
    if model_type in case.table.text_config_types(site.called):
        return None  # transformers loads the text part of a multimodal checkpoint on purpose
    suggestion = suggest(case, (families.group(site.called), families.widened(site.called)))
    kind = families.checkpoint_kind(case.own_loaders)
    effect = families.PARTIAL_LOAD_EFFECT.get((site.called, kind), f"not the {case.own_architecture} it was trained as")
    use = families.LEGITIMATE_PARTIAL_USE.get((site.called, model_type))
    return Verdict(
        "HFA002",
        f'{site.called} loads {shown(site.model)} as {loaded}, but it is {case.describe()}: this {effect}'
        f"{'; ' + use if use else ''}{suggestion.advice()}",
        suggestion.best,
        "unsafe" if suggestion.classes else None,
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
            return rule, verdict
    return None
