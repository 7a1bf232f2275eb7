"""Tokenizer facts from a checkpoint's tokenizer files, whichever source read them (issue 16).

Only `tokenizer_config.json`, `special_tokens_map.json` and whether chat template files are present are read; never a
vocabulary. Each source says what it saw of each file as a `Seen` value: the parsed JSON, `ABSENT` (the repository
has no such file) or `UNSEEN` (the source cannot tell), and `facts_from_files` turns that into `TokenizerFacts`:

    tokenizer_class     `tokenizer_class` of tokenizer_config.json, when it is a plain class name
    padding_side        "left" / "right" as the config sets it; None: the class default applies (knowledge table)
    has_chat_template   a default template: `chat_template` in the config (any string, or a list with one named
                        "default"), or chat_template.jinja / chat_template.json in the repository. Templates that are
                        only named (a list without "default", additional_chat_templates/) leave it None:
                        `apply_chat_template` needs their name, which the call may pass. False only when every place
                        was seen and holds none.
    has_mask_token      True when either file names a mask token, False when one sets it to null; None when
                        neither says (the class's default applies: knowledge table).

A file that is there but unusable (not JSON, not an object) makes the answer Unresolved with the reason: a tokenizer
half read is not judged.
"""

from __future__ import annotations

import re

from automodel_lint.records import TokenizerFacts, Unresolved

TOKENIZER_CONFIG = "tokenizer_config.json"
SPECIAL_TOKENS_MAP = "special_tokens_map.json"
TEMPLATE_FILES = ("chat_template.jinja", "chat_template.json")  # transformers loads either as the default template
NAMED_TEMPLATES = "additional_chat_templates"  # a folder of named templates (`<name>.jinja`)
# Every file a source may read or look for, relative to the tokenizer's folder.
FILES = (TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP, *TEMPLATE_FILES)



class _Mark:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


ABSENT = _Mark("ABSENT")  # the repository has no such file
UNSEEN = _Mark("UNSEEN")  # the source cannot tell whether it has one

# A class name as transformers' `tokenizer_class_from_name` could find it; anything else is not shown or used.
_CLASS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")


def facts_from_files(model_id: str, config: object, special: object, template_files: bool | None,
                     named_templates: bool | None, *, source: str, provenance: str) -> TokenizerFacts | Unresolved:
    """TokenizerFacts from what a source saw. `config`/`special`: parsed JSON, ABSENT or UNSEEN; `template_files`:
    chat_template.jinja or chat_template.json is present (None: cannot tell); `named_templates`: the repository
    has additional_chat_templates/ (None: cannot tell)."""
    for name, data in ((TOKENIZER_CONFIG, config), (SPECIAL_TOKENS_MAP, special)):
        if data is not ABSENT and data is not UNSEEN and not isinstance(data, dict):
            return Unresolved(model_id, f"{name} is not a JSON object")
    conf = config if isinstance(config, dict) else {}
    cls = conf.get("tokenizer_class")
    side = conf.get("padding_side")
    return TokenizerFacts(
        model_id=model_id,
        tokenizer_class=cls if isinstance(cls, str) and _CLASS_NAME.fullmatch(cls) else None,
        padding_side=side if side in ("left", "right") else None,
        has_chat_template=_has_template(config, template_files, named_templates),
        has_mask_token=_has_mask(conf.get("mask_token", UNSEEN), special),
        source=source,
        provenance=provenance,
    )


def _has_template(config: object, template_files: bool | None, named_templates: bool | None) -> bool | None:
    written = config.get("chat_template") if isinstance(config, dict) else None
    if isinstance(written, str) or template_files:
        return True  # even "": transformers raises only for a template that is None
    if isinstance(written, list) and written:
        # The older multi-template form: [{"name": ..., "template": ...}]; "default" is what a call without a name gets.
        names = {t.get("name") for t in written if isinstance(t, dict)}
        return True if "default" in names else None
    if named_templates:
        return None
    if config is UNSEEN or template_files is None or named_templates is None:
        return None
    return False


def _has_mask(in_config: object, special: object) -> bool | None:
    for value in (in_config, special.get("mask_token", UNSEEN) if isinstance(special, dict) else UNSEEN):
        if value is None:
            return False
        if isinstance(value, str) and value:
            return True
        if isinstance(value, dict) and isinstance(value.get("content"), str) and value["content"]:
            return True  # an AddedToken as saved: {"content": "<mask>", "lstrip": true, ...}
    return None


def facts_to_json(facts: TokenizerFacts) -> dict:
    """For the lock file and the caches."""
    return {"model_id": facts.model_id, "tokenizer_class": facts.tokenizer_class, "padding_side": facts.padding_side,
            "has_chat_template": facts.has_chat_template, "has_mask_token": facts.has_mask_token,
            "provenance": facts.provenance}


def facts_from_json(data: object, source: str) -> TokenizerFacts | None:
    """The inverse of `facts_to_json`, type-checked (the file may have been edited by hand): None if unusable."""
    if not isinstance(data, dict) or not isinstance(data.get("model_id"), str):
        return None
    cls, side = data.get("tokenizer_class"), data.get("padding_side")
    flags = [data.get("has_chat_template"), data.get("has_mask_token")]
    if (cls is not None and not (isinstance(cls, str) and _CLASS_NAME.fullmatch(cls))) \
            or side not in (None, "left", "right") or any(f not in (None, True, False) for f in flags):
        return None
    provenance = data.get("provenance") if isinstance(data.get("provenance"), str) else None
    return TokenizerFacts(data["model_id"], cls, side, flags[0], flags[1], source, provenance)
