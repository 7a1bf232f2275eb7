"""HFA008: the checkpoint's model type is one that transformers 5 removed: nothing in transformers 5 loads it."""

from __future__ import annotations

from automodel_lint import families
from automodel_lint.knowledge import version_key
from automodel_lint.records import Verdict
from automodel_lint.rules.case import Case
from automodel_lint.rules.rule import Rule
from automodel_lint.rules.suggestion import callee, shown


def judge(case: Case) -> Verdict | None:
    """Types the older bundled table knows and the one in use (5.x) does not: derived from the two tables."""
    site, facts, table = case.site, case.facts, case.table
    if facts is None or not facts.model_type or table.major < 5 or table.knows_type(facts.model_type):
        return None
    if case.config_replaced or (facts.auto_map and site.trust_remote_code is not False):
        return None  # another config decides, or the repository's own code may serve the type when trusted
    model_type = facts.model_type
    current = version_key(table.version)
    old = max(
        (t for t in case.history if version_key(t.version) < current and t.knows_type(model_type)),
        key=lambda t: version_key(t.version),
        default=None,
    )
    if old is None:
        return None  # unknown to every table: a custom or newer type, not a removed one
    loaders = [c for c in families.CHECKPOINT_KIND if old.loads(c, model_type)] or [
        c for c in old.auto_classes if old.framework(c) == "pt" and old.loads(c, model_type)
    ]
    before = f" ({', '.join(loaders[:3])} {'loads' if len(loaders) == 1 else 'load'} it there)" if loaders else ""
    return Verdict(
        RULE.code,
        f"{callee(site)} cannot load {shown(site.model)}: transformers 5 removed model type {model_type};"
        " needs transformers < 5",
        detail=(
            f"transformers {old.version} knows model type {model_type}{before}; transformers {table.version} does"
            f" not, so loading {shown(site.model)} raises (\"... has model type `{model_type}` but Transformers does"
            " not recognize this architecture\"). Nothing in transformers 5 loads it. No fix: keep transformers < 5"
            " for this code, or choose a checkpoint of a model type transformers 5 has."
        ),
    )


RULE = Rule(
    "HFA008",
    "removed-model-type",
    "error",
    "The checkpoint's model type was removed in transformers 5 (retribert, transfo-xl, realm, nezha, ...).",
    why=(
        "transformers 5 removed deprecated models: their model types (the ones the 4.x table knows and the 5.x table"
        " does not) are no longer recognised, so every class and pipeline raises on such a checkpoint. Nothing in"
        " transformers 5 loads it: the code needs transformers < 5, or another checkpoint. A checkpoint that brings"
        " its own code (auto_map) may still load with trust_remote_code=True, so it is not reported."
    ),
    fix_safety="none: keeping transformers < 5 or choosing another checkpoint is the user's decision",
    wrong=(
        "from transformers import AutoModel\n\n"
        'model = AutoModel.from_pretrained("yjernite/retribert-base-uncased")\n'
    ),
    right=(
        "from transformers import AutoModel\n\n"
        "# retribert needs transformers < 5: a model transformers 5 still has\n"
        'model = AutoModel.from_pretrained("google-bert/bert-base-uncased")\n'
    ),
    fixed=None,
    judge=judge,
)
