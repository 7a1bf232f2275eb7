"""HFA003: only the checkpoint's own code serves the class, and the call does not trust it."""

from __future__ import annotations

from automodel_lint.records import CallSite, Verdict
from automodel_lint.rules.case import Case
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import callee, shown


def judge(case: Case) -> Verdict | None:
    """A model type that transformers has built in is loaded by the built-in class whatever the `auto_map` says,
    unless the call passes trust_remote_code=True; so the repository's code is only needed where no built-in
    class loads the type.
    """
    site, facts = case.site, case.facts
    if facts is None or not facts.auto_map or not case.requested or case.config_replaced:
        return None
    model_type = case.model_type
    table = case.table
    if model_type and table.knows_type(model_type) and any(table.loads(c, model_type) for c in case.requested):
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
    if site.trust_remote_code is False:
        passed = "passes trust_remote_code=False"
    else:
        passed = "does not pass trust_remote_code=True"
    newer = case.newer_table_knowing(model_type) if model_type else None
    built_in = ""
    if newer is not None and any(newer.loads(c, model_type) for c in case.requested):
        built_in = f"; transformers >= {newer.version} has {model_type} built in and needs no remote code"
    return Verdict(
        RULE.code,
        f"{callee(site)} can load {shown(site.model)} ({case.kind_words()}) only with its own code, and the call"
        " does not trust it: transformers raises",
        detail=(
            f"{callee(site)} can load {shown(site.model)} only with {where}, and the call {passed}, so transformers"
            f" raises{built_in}. Read that code before you trust it, and pin a revision. No fix: trusting remote code"
            " is your decision."
        ),
    )


def _trust_uncertain(site: CallSite) -> bool:
    return "trust_remote_code" in site.uncertain_kwargs or "**" in site.uncertain_kwargs


RULE = Rule(
    "HFA003",
    "remote-code-not-trusted",
    "error",
    "The class exists for this checkpoint only in its own code (auto_map), and trust_remote_code=True is not passed.",
    why=(
        "The checkpoint's config names this class only in its `auto_map`: the class is the repository's own Python"
        " code, not part of transformers. Without `trust_remote_code=True` transformers refuses to run it and raises."
        " No fix is offered: passing trust_remote_code runs code from the model repository on your machine, so read"
        " that code first, and pin a `revision`."
    ),
    fix_safety="none: trusting remote code is the user's decision",
    wrong=(
        "from transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("inclusionAI/Ling-flash-2.0")\n'
    ),
    right=(
        "from transformers import AutoModelForCausalLM\n\n"
        'READ_AT = "4bbd6d8b2a4ad3a4a1ad9e0e7a4e4c4a0b3c2d1e"  # the commit whose modeling code you read\n'
        'model = AutoModelForCausalLM.from_pretrained("inclusionAI/Ling-flash-2.0", trust_remote_code=True,'
        " revision=READ_AT)\n"
    ),
    fixed=None,
    judge=judge,
)
