"""HFA013: the call runs the repository's own code (trust_remote_code=True) at whatever commit it holds that day."""

from __future__ import annotations

import re

from automodel_lint.records import Fix, Verdict
from automodel_lint.rules.case import Case
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import callee, shown

FULL_SHA = re.compile(r"[0-9a-f]{40}")
# Sources whose facts name a repository on the Hub; a local folder's code is the checkout's own.
NOT_HUB = frozenset({"local"})


def judge(case: Case) -> Verdict | None:
    """transformers' Auto classes and pipelines (4.57 and 5.x alike) import the repository's code when the call
    trusts it and the config's `auto_map` names the class asked for, or `AutoConfig` (the config is loaded first,
    with the same trust), whether or not the model type is built in. A concrete class never does."""
    site, facts = case.site, case.facts
    if site.trust_remote_code is not True or facts is None or facts.source in NOT_HUB or case.config_replaced:
        return None
    if site.method != "from_pretrained" and case.kind != "pipeline":
        return None  # from_config takes no revision=: its code follows the config object
    if case.kind == "class" or (case.kind == "pipeline" and site.model_class):
        return None
    if site.revision is not None and FULL_SHA.fullmatch(site.revision):
        return None
    if {"revision", "code_revision", "**"} & set(site.uncertain_kwargs):
        return None  # the caller may pass a commit, or pins the code with code_revision=
    custom = facts.auto_map_dict()
    served = [c for c in (*case.requested, "AutoConfig") if c in custom]
    if not served:
        return None
    refs = [custom[c] for c in served]
    elsewhere = sorted({r.partition("--")[0] for r in refs if "--" in r})
    revision = "no revision=" if site.revision is None else \
        f"revision={shown(site.revision)}, a branch or tag that moves,"
    what = ", ".join(f"{c} -> {r}" for c, r in zip(served, refs))
    detail = [
        f"trust_remote_code=True with {revision} makes transformers download and run {shown(site.model)}'s Python"
        f" code as the repository holds it when the call runs ({what}): whoever can push to it changes the code"
        " your program executes, and a fresh cache runs the newest."
    ]
    model_type = case.model_type
    table = case.table
    if model_type and table.knows_type(model_type) and any(table.loads(c, model_type) for c in case.requested):
        detail.append(f"transformers {table.version} has {model_type} built in: without trust_remote_code=True"
                      " it loads the checkpoint with its own code instead.")
    fix = None
    if elsewhere:
        detail.append(f"The code comes from another repository ({', '.join(elsewhere)}): revision= pins only this"
                      " one's config; pin that code with code_revision= as well. No fix.")
    elif facts.sha:
        fix = Fix("unsafe", keyword=("revision", f'"{facts.sha}"'))
        detail.append(f"The fix pins revision=\"{facts.sha}\", the commit the config was read at"
                      f" ({facts.source}); unsafe: later commits of the repository (weights too) are no longer"
                      " loaded. Read the code at that commit first.")
    else:
        detail.append(f"No fix: the commit the facts came from is not known ({facts.source}); a run with the network"
                      " (or `automodel-lint lock`) records it, or take one from the repository's history on the Hub.")
    return Verdict(
        RULE.code,
        f"{callee(site)} runs the code of {shown(site.model)} as the repository holds it on the day it loads:"
        " pin revision= to a commit sha",
        fix=fix,
        detail=" ".join(detail),
    )


RULE = Rule(
    "HFA013",
    "remote-code-not-pinned",
    "warning",
    "trust_remote_code=True on a load that runs the repository's own code, with no revision= naming a commit.",
    why=(
        "With trust_remote_code=True, transformers imports the Python files the checkpoint's `auto_map` names from"
        " the Hub and runs them. Without `revision=` set to a full commit sha it takes whatever the repository holds"
        " on the day it loads: a later push, or whoever takes over the account, changes the code your program"
        " executes, as the Hub's own documentation warns. Only loads that run repository code are reported (the"
        " config's auto_map names the class asked for, or AutoConfig); a concrete class, a local folder and a"
        " checkpoint without auto_map run none, whatever trust_remote_code says. Runs only with --preview until a"
        " real-code run shows no false positive."
    ),
    fix_safety="unsafe: pins revision= to the commit the facts were read at (lock file, cache or Hub), which also"
               " freezes the weights; none when that commit is unknown or the code lives in another repository",
    wrong=(
        "from transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("inclusionAI/Ling-flash-2.0", trust_remote_code=True)\n'
    ),
    right=(
        "from transformers import AutoModelForCausalLM\n\n"
        'READ_AT = "4bbd6d8b2a4ad3a4a1ad9e0e7a4e4c4a0b3c2d1e"  # the commit whose code you read\n'
        'model = AutoModelForCausalLM.from_pretrained("inclusionAI/Ling-flash-2.0", trust_remote_code=True,'
        " revision=READ_AT)\n"
    ),
    fixed=None,  # the bundled snapshot records no commit, so the example has no fix; a lock file or the Hub gives one
    judge=judge,
    preview=True,
)
