"""Facts from a local checkpoint folder: the model string names a directory holding `config.json`.

Where `from_pretrained` would look: the working directory first (the runtime resolves relative paths there), then the
linted file's folder (`ModelRequest.file_dir`: scripts are often run from their own folder). `subfolder=` is joined
on. A folder with `adapter_config.json` and no `config.json` is a PEFT adapter: the answer is a `Redirect` to its
`base_model_name_or_path`, which the resolver follows through every source (and through chains of adapters).

Hostile folders are expected (a linter runs on code it did not write): see `base.read_json_file`.
"""

from __future__ import annotations

import os
import stat

from automodel_lint.facts.base import Redirect, facts_from_config, plausible_model_string, read_json_file
from automodel_lint.facts.tokenizer import (
    ABSENT, NAMED_TEMPLATES, SPECIAL_TOKENS_MAP, TEMPLATE_FILES, TOKENIZER_CONFIG, facts_from_files,
)
from automodel_lint.records import ModelFacts, ModelRequest, TokenizerFacts, Unresolved


def _is_dir(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _exists(path: str) -> bool:
    try:
        os.stat(path)
    except (OSError, ValueError):
        return False
    return True


class LocalSource:
    """`lookup(request)`: facts from a local folder, or None when the string names no such folder."""

    name = "local"
    uses_file_dir = True  # the only source for which the linted file's folder matters

    def __init__(self, cwd: str | os.PathLike | None = None):
        self.cwd = os.fspath(cwd) if cwd is not None else None

    def candidates(self, request: ModelRequest) -> list[str]:
        model = request.model
        if os.path.isabs(model):
            bases = [model]
        else:
            bases = [os.path.join(self.cwd or os.getcwd(), model)]
            if request.file_dir:
                bases.append(os.path.join(request.file_dir, model))
        if request.subfolder:
            bases = [os.path.join(b, request.subfolder) for b in bases]
        return bases

    def folders(self, request: ModelRequest) -> list[str]:
        """The candidate folders, or none for a string that cannot be a path."""
        if plausible_model_string(request.model) is not None:
            return []
        if request.subfolder is not None and plausible_model_string(request.subfolder) is not None:
            return []
        return list(dict.fromkeys(self.candidates(request)))

    def lookup(self, request: ModelRequest) -> ModelFacts | Unresolved | Redirect | None:
        for folder in self.folders(request):
            if not _is_dir(folder):
                continue
            config = os.path.join(folder, "config.json")
            if _exists(config):
                data, problem = read_json_file(config)
                if problem:
                    return Unresolved(request.model, problem)
                return facts_from_config(data, request.model, source=self.name, provenance=config)
            adapter = os.path.join(folder, "adapter_config.json")
            if _exists(adapter):
                return adapter_redirect(adapter, request)
        return None

    def tokenizer_lookup(self, request: ModelRequest) -> TokenizerFacts | Unresolved | None:
        """A local folder is the tokenizer's, as transformers takes any folder the string names. Its files are read
        without following links: a checkout may plant one pointing anywhere."""
        for folder in self.folders(request):
            if not _is_dir(folder):
                continue
            seen = {}
            for name in (TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP):
                path = os.path.join(folder, name)
                if not os.path.lexists(path):
                    seen[name] = ABSENT
                    continue
                data, problem = read_json_file(path, follow=False)
                if problem:
                    return Unresolved(request.model, problem)
                seen[name] = data
            templates = any(os.path.lexists(os.path.join(folder, n)) for n in TEMPLATE_FILES)
            named = os.path.lexists(os.path.join(folder, NAMED_TEMPLATES))
            return facts_from_files(request.model, seen[TOKENIZER_CONFIG], seen[SPECIAL_TOKENS_MAP], templates, named,
                                    source=self.name, provenance=folder)
        return None


def adapter_redirect(adapter_path: str, request: ModelRequest) -> Redirect | Unresolved:
    """A PEFT adapter config -> a Redirect to its base model (local or Hub), or why it names none."""
    data, problem = read_json_file(adapter_path)
    if problem:
        return Unresolved(request.model, problem)
    return redirect_from_adapter_config(data, request, adapter_path)


def redirect_from_adapter_config(data: object, request: ModelRequest, where: str) -> Redirect | Unresolved:
    if not isinstance(data, dict):
        return Unresolved(request.model, "adapter_config.json is not a JSON object")
    base = data.get("base_model_name_or_path")
    if not isinstance(base, str) or plausible_model_string(base) is not None:
        return Unresolved(request.model, "adapter_config.json names no usable base_model_name_or_path")
    revision = data.get("revision")
    target = ModelRequest(base, revision=revision if isinstance(revision, str) and revision else None,
                          file_dir=request.file_dir)
    return Redirect(target, f"PEFT adapter {where} -> base model {base}")
