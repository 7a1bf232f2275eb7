"""Why a call that got no diagnostic was not judged either: the difference between "passed" and "not checked".

A call is judged when a rule gave it a verdict, or when the facts were enough for every rule to decide and
none objected. Everything else is listed (`check --show-unjudged`) and counted in the summary, so that
"All checks passed" is said only of calls that were checked. The calls are the model loads (this module says why
one was not judged), the uses a running rule judges, and the tokenizer loads whose facts such a rule reads (the
engine's `_judge_uses` says why those were not).
"""

from __future__ import annotations

from automodel_lint.calls import REGISTERED
from automodel_lint.records import CallSite, ModelFacts, Unresolved

# What a reader can do about an id no source answered, wherever such an id is named (check, --locked, lock, flake8).
UNRESOLVED_ADVICE = ("declare it in [tool.automodel-lint.models] in pyproject.toml,"
                     " or run `automodel-lint lock` with network access")


def unresolved_line(ids: list[str]) -> str:
    """One sentence naming ids no source answered, with what to do about them."""
    return f"{_count(ids)} not resolved ({_listed(ids)}): {UNRESOLVED_ADVICE}"


def unknown_tokenizers_line(ids: list[str]) -> str:
    """One sentence naming ids whose tokenizer facts no source gave, with what to do about them."""
    return (f"tokenizer facts unknown for {_count(ids)} ({_listed(ids)}), uses that need them not judged: run"
            " `automodel-lint lock` with network access, which records them")


def _count(ids: list[str]) -> str:
    return f"{len(ids)} model id{'' if len(ids) == 1 else 's'}"


def _listed(ids: list[str]) -> str:
    return ", ".join(repr(i) for i in ids)


def facts_gap(facts: ModelFacts, table) -> str | None:
    """Why these facts cannot decide a call, or None: without a model type (stated, or known from the
    architectures) and without an auto_map, no rule can tell which class loads the checkpoint."""
    from automodel_lint.rules import Case

    if facts.auto_map or facts.model_type:
        return None
    if not facts.architectures:
        return "the facts lack model type and architectures"
    probe = CallSite("", None, "", "", facts.model_id)  # type: ignore[arg-type]
    if Case(probe, facts, table).model_type:
        return None
    return (f"facts incomplete: architectures {', '.join(facts.architectures)} but no model type and no auto_map"
            " (custom code?)")


def reason(site: CallSite, answer: ModelFacts | Unresolved | None, table) -> str | None:
    """Why `site`, which no rule objected to, was not judged; None when it was (its facts decided every rule).
    Made printable: the reason quotes config.json and the network's words."""
    why = _reason(site, answer, table)
    return None if why is None else printable(why)


def printable(text: str) -> str:
    """`text` with every character that is not printable escaped: a reason quotes config.json and the network."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode() for c in text)


def _reason(site: CallSite, answer: ModelFacts | Unresolved | None, table) -> str | None:
    from automodel_lint.rules import Case
    from automodel_lint.rules.suggestion import shown

    if site.model is None:
        if REGISTERED in site.uncertain_kwargs:
            extended = "an Auto class the pipeline may pick" if site.method == "pipeline" else site.called
            return f"{extended} is extended in this file with register(): the built-in table does not decide the load"
        if "task" in site.uncertain_kwargs:
            return "the pipeline's task is not certain statically"
        return "the model value is not certain statically"
    model = shown(site.model)
    if isinstance(answer, Unresolved):
        return f"{model}: {answer.reason}; {UNRESOLVED_ADVICE}"
    if answer is None:
        return f"{model}: no facts"
    gap = facts_gap(answer, table)
    if gap:
        return f"{model}: {gap}"
    case = Case(site, answer, table)
    if case.config_replaced:
        return f"{model}: passed `config=`, which decides the load and is not certain statically"
    if "**" in site.uncertain_kwargs:
        return f"{model}: passed `**kwargs`, which may carry `config=` or `trust_remote_code`"
    if case.kind == "pipeline":
        status, _ = case.pipeline
        if status == "unknown":
            return f"{model}: the task is not one transformers knows (a custom pipeline?)"
        if status == "inferred":
            return f"{model}: no task given, and the model's pipeline_tag is not known offline"
    return None
