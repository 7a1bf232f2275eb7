"""HFA900: the file does not parse. Only documented here: the engine reports it, since no call was judged."""

from __future__ import annotations

from automodel_lint.rules.rule import Rule

RULE = Rule(
    "HFA900",
    "syntax-error",
    "error",
    "The file does not parse, so nothing in it was checked.",
    why=(
        "The file is not valid Python for the parser, so none of its calls were checked. Fix the syntax error (or"
        " exclude the file) to have it checked."
    ),
    fix_safety="none",
    wrong='from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("gpt2"\n',
    right='from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("gpt2")\n',
    fixed=None,
    judge=None,
)
