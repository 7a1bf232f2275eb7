"""HFA007: the transformers in use does not know the model type, a newer release does (named from the history)."""

from __future__ import annotations

from automodel_lint import knowledge
from automodel_lint.knowledge import version_key
from automodel_lint.records import Verdict
from automodel_lint.rules.case import Case
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import callee, shown


def judge(case: Case) -> Verdict | None:
    site, facts = case.site, case.facts
    if facts is None or not facts.model_type or case.table.knows_type(facts.model_type) or case.config_replaced:
        return None
    if facts.auto_map and site.trust_remote_code is not False:
        return None  # trusted, the repository's own code serves the type on any version: no upgrade needed
    first = knowledge.first_version_knowing(facts.model_type)  # the release history's answer ("4.51")
    if first is None or version_key(first) <= version_key(case.table.version):
        newer = case.newer_table_knowing(facts.model_type)  # a type gone and back, or one the history cannot date
        if newer is None:
            return None
        first = newer.version
    return Verdict(
        RULE.code,
        f"{callee(site)} cannot load {shown(site.model)} with transformers {case.table.version}: model type"
        f" {facts.model_type} needs transformers >= {first}",
        detail=(
            f"transformers {case.table.version} does not know model type {facts.model_type}, so loading"
            f" {shown(site.model)} raises; transformers {first} is the first release that knows it."
            " No fix: upgrading transformers is your decision."
        ),
    )


RULE = Rule(
    "HFA007",
    "needs-newer-transformers",
    "error",
    "The transformers version in use does not know the checkpoint's model type; a newer one does.",
    why=(
        "transformers reads `model_type` from config.json and raises `KeyError`/`ValueError` (\"The checkpoint you"
        " are trying to load has model type X but Transformers does not recognize this architecture\") when the"
        " installed version does not know it. The table in use is the installed transformers' (a 4.x project is"
        " judged with the 4.x table); the message names the first release that knows the type. A checkpoint"
        " that brings its own code (auto_map) may still load with trust_remote_code=True, so it is not reported."
    ),
    fix_safety="none: upgrading transformers is the user's decision",
    wrong=(
        "from transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("deepseek-ai/DeepSeek-V3.2-Exp")\n'
    ),
    right=(
        "from transformers import AutoModelForCausalLM\n\n"
        "# requires transformers 5: pin it in the project's dependencies\n"
        'model = AutoModelForCausalLM.from_pretrained("openai-community/gpt2")\n'
    ),
    fixed=None,
    judge=judge,
    example_table="4.57.6",
)
