"""Rule documentation: `automodel-lint explain CODE`, and the descriptions and help of the SARIF rules.

    explain(code) -> str            # the full text `explain` prints; KeyError for an unknown code
    full_description(rule) -> str   # the summary and what happens at run time
    help_text(rule) -> str          # what to do, with the wrong and the right example
    help_markdown(rule) -> str      # the same, for viewers that render markdown (GitHub code scanning)

Everything is rendered from the rules table (`rules.RULES`: summary, fix, wrong, right); the only text
kept here is DETAILS, the prose that explains what transformers does at run time and when a report may
not apply. It belongs in the table as a `details` field of `Rule` (the rule and its docs are one unit);
it lives here only until that field exists, and is read from the rule first.
"""

from __future__ import annotations

import textwrap

from automodel_lint.rules import RULES_BY_CODE, Rule

DETAILS = {
    "HFA001": (
        "Each Auto class accepts only the model types that transformers maps to it. Loading a checkpoint of any"
        " other type raises `ValueError: Unrecognized configuration class ... for this kind of AutoModel` when"
        " the program runs, not before. The checkpoint's own `architectures` (its config.json) name the class"
        " it was trained as; the suggested Auto class is the one that loads that architecture, from the same family"
        " where one exists (text generation: CausalLM, Seq2SeqLM, ImageTextToText, SpeechSeq2Seq, MultimodalLM)."
        " When no class of the family loads the checkpoint (distilbert has no seq2seq head), the checkpoint is the"
        " problem and nothing is suggested."
    ),
    "HFA002": (
        "The class loads the checkpoint without an error, but as another kind of language model than it was"
        " trained as. AutoModelForCausalLM on a BART, mBART, Marian or Pegasus checkpoint loads only the decoder,"
        " drops the encoder and initialises the decoder's embeddings and output layer anew: `.generate()` runs and"
        " returns noise. On BERT, RoBERTa or ELECTRA it runs a bidirectional encoder as a left-to-right generator."
        " Some partial loads are deliberate (a Whisper decoder as the assistant model of assisted generation); the"
        " message names such a use when one is known, so you can tell whether it applies. Task heads and AutoModel"
        " are never reported: a new head on a pretrained body is ordinary fine-tuning."
    ),
    "HFA003": (
        "The checkpoint's config names this class only in its `auto_map`: the class is the repository's own Python"
        " code, not part of transformers. Without `trust_remote_code=True` transformers refuses to run it and raises."
        " No fix is offered: passing trust_remote_code runs code from the model repository on your machine, so read"
        " that code first, and pin a `revision`."
    ),
    "HFA004": (
        "transformers 5 removed AutoModelWithLMHead, AutoModelForVision2Seq and every TFAutoModel*/FlaxAutoModel*"
        " class; the import alone fails on 5.x. The replacement depends on the checkpoint: AutoModelWithLMHead on t5"
        " becomes AutoModelForSeq2SeqLM, on gpt2 AutoModelForCausalLM, on bert AutoModelForMaskedLM;"
        " AutoModelForVision2Seq becomes AutoModelForImageTextToText; a TF or Flax class becomes its PyTorch twin."
    ),
    "HFA900": (
        "The file is not valid Python for the parser, so none of its calls were checked. Fix the syntax error (or"
        " exclude the file) to have it checked."
    ),
}


def _indented(code: str) -> str:
    return textwrap.indent(code.rstrip("\n"), "    ")


def details(rule: Rule) -> str:
    return getattr(rule, "details", None) or DETAILS.get(rule.code, "")


def full_description(rule: Rule) -> str:
    more = details(rule)
    return f"{rule.summary} {more}" if more else rule.summary


def help_text(rule: Rule) -> str:
    return (
        f"{rule.code} ({rule.name}): {rule.summary}\n\n"
        f"Wrong:\n{_indented(rule.wrong)}\n\nRight:\n{_indented(rule.right)}\n\n"
        f"Fix: {rule.fix}. Silence one call with `# noqa: {rule.code}`."
    )


def help_markdown(rule: Rule) -> str:
    return (
        f"**{rule.code}** ({rule.name}): {rule.summary}\n\n{details(rule)}\n\n"
        f"Wrong:\n\n```python\n{rule.wrong}\n```\n\nRight:\n\n```python\n{rule.right}\n```\n\n"
        f"Fix: {rule.fix}. Silence one call with `# noqa: {rule.code}`."
    )


def explain(code: str) -> str:
    rule = RULES_BY_CODE[code.strip().upper()]
    lines = [
        f"{rule.code}: {rule.name} ({rule.severity})",
        "",
        rule.summary,
    ]
    more = details(rule)
    if more:
        lines += ["", more]
    lines += [
        "",
        "Wrong:",
        _indented(rule.wrong),
        "",
        "Right:",
        _indented(rule.right),
        "",
        f"Fix: {rule.fix}.",
        f"Silence one call with `# noqa: {rule.code}` on its first or last line; a whole file with a line"
        f" `# automodel-lint: noqa`.",
    ]
    return "\n".join(lines) + "\n"
