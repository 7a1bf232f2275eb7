"""Facts from the local Hugging Face cache: whatever `huggingface_hub` downloaded before resolves with no network.

The cache folder is found the way huggingface_hub finds it (HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, HF_HOME/hub,
$XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub), and the file itself through
`huggingface_hub.try_to_load_from_cache`, which applies `revision=` (branch refs, tags, commit shas). huggingface_hub
is imported only when a `models--org--name` folder for the id exists: most runs never pay for that import.
"""

from __future__ import annotations

import os
import stat

from automodel_lint.facts.base import facts_from_config, looks_like_repo_id, read_json_file, valid_repo_id
from automodel_lint.facts.local import redirect_from_adapter_config
from automodel_lint.facts.tokenizer import (
    ABSENT, NAMED_TEMPLATES, SPECIAL_TOKENS_MAP, TEMPLATE_FILES, TOKENIZER_CONFIG, UNSEEN, facts_from_files,
)
from automodel_lint.records import ModelFacts, ModelRequest, TokenizerFacts, Unresolved

SOURCE = "hf-cache"


def hub_cache_dir() -> str:
    """The folder huggingface_hub downloads models to, from the environment as it reads it."""
    env = os.environ
    if env.get("HF_HUB_CACHE"):
        path = env["HF_HUB_CACHE"]
    elif env.get("HUGGINGFACE_HUB_CACHE"):
        path = env["HUGGINGFACE_HUB_CACHE"]
    else:
        home = env.get("HF_HOME") or os.path.join(env.get("XDG_CACHE_HOME") or os.path.join("~", ".cache"),
                                                   "huggingface")
        path = os.path.join(home, "hub")
    return os.path.expandvars(os.path.expanduser(path))


class HFCacheSource:
    name = SOURCE

    def __init__(self, shas: dict, cache_dir: str | None = None):
        self.cache_dir = cache_dir
        self.shas = shas
        self._folders: dict[str, str] | None = None

    def folders(self) -> dict[str, str]:
        """lower-cased repo id -> the id as cached (Hub ids are case-insensitive; the folder keeps the casing used)."""
        if self._folders is None:
            self.cache_dir = self.cache_dir or hub_cache_dir()
            try:
                names = os.listdir(self.cache_dir)
            except (OSError, ValueError):
                names = []
            self._folders = {n[len("models--"):].replace("--", "/").lower(): n[len("models--"):].replace("--", "/")
                             for n in names if n.startswith("models--")}
        return self._folders

    def repo(self, request: ModelRequest) -> str | None:
        """The id as cached, when the cache has a folder for it."""
        if not looks_like_repo_id(request.model):
            return None
        repo_id = self.folders().get(request.model.lower())
        return repo_id if repo_id is not None and valid_repo_id(repo_id) else None

    def lookup(self, request: ModelRequest) -> ModelFacts | Unresolved | None:
        repo_id = self.repo(request)
        if repo_id is None:
            return None
        prefix = f"{request.subfolder.strip('/')}/" if request.subfolder else ""
        path = self._cached(repo_id, prefix + "config.json", request.revision)
        if path is not None:
            data, problem = read_json_file(path)
            if problem:
                return None  # a damaged cache file must not hide what the snapshot or the Hub knows
            facts = facts_from_config(data, repo_id, source=SOURCE, provenance=path)
            if isinstance(facts, Unresolved):
                return None
            self._note_sha(request, path)
            return facts
        adapter = self._cached(repo_id, prefix + "adapter_config.json", request.revision)
        if adapter is not None:
            data, problem = read_json_file(adapter)
            if not problem:
                answer = redirect_from_adapter_config(data, request, f"{repo_id} (Hugging Face cache)")
                if not isinstance(answer, Unresolved):
                    return answer
        return None

    def tokenizer_lookup(self, request: ModelRequest) -> TokenizerFacts | None:
        """Facts from the files an earlier tokenizer load left: its tokenizer_config.json, or the cache's record
        that the repository has none (`.no_exist`). A tokenizer never loaded from this cache is not answered here.

        Whether a default template file exists is known only from those records (transformers that looks for
        chat_template.jinja records its absence); additional_chat_templates/ counts as absent when the snapshot
        has no such folder and chat_template.jinja was looked for (both are fetched by the same loads)."""
        repo_id = self.repo(request)
        if repo_id is None:
            return None
        prefix = f"{request.subfolder.strip('/')}/" if request.subfolder else ""
        seen = {}
        for name in (TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP):
            state = self._state(repo_id, prefix + name, request.revision)
            if isinstance(state, str):
                data, problem = self._read_inside(repo_id, state)
                state = UNSEEN if problem else data  # a damaged cache file must not hide what the Hub knows
            seen[name] = state
        if seen[TOKENIZER_CONFIG] is UNSEEN:
            return None
        states = [self._state(repo_id, prefix + n, request.revision) for n in TEMPLATE_FILES]
        templates = True if any(isinstance(s, str) for s in states) else (
            False if all(s is ABSENT for s in states) else None)
        named: bool | None = None
        snapshot = self._snapshot_dir(repo_id, prefix, request.revision)
        if snapshot is not None and os.path.isdir(os.path.join(snapshot, NAMED_TEMPLATES)):
            named = True
        elif snapshot is not None and templates is not None:
            named = False
        answer = facts_from_files(repo_id, seen[TOKENIZER_CONFIG], seen[SPECIAL_TOKENS_MAP], templates, named,
                                  source=SOURCE, provenance=f"{repo_id} (Hugging Face cache)")
        if isinstance(answer, Unresolved):
            return None
        return answer

    def _read_inside(self, repo_id: str, path: str) -> tuple[object, str | None]:
        """A cached file is a link into the repository's blobs: followed only when it stays in that folder."""
        folder = os.path.realpath(os.path.join(self.cache_dir, "models--" + repo_id.replace("/", "--")))
        if not os.path.realpath(path).startswith(folder + os.sep):
            return None, "a cached file that leads out of its repository's folder"
        return read_json_file(path)

    def _snapshot_dir(self, repo_id: str, prefix: str, revision: str | None) -> str | None:
        """The snapshot folder of the revision (the tokenizer's folder in it, for a subfolder), if it exists."""
        # Any file of the revision that is cached gives its folder.
        for name in (TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP, *TEMPLATE_FILES):
            state = self._state(repo_id, prefix + name, revision)
            if isinstance(state, str):
                return os.path.dirname(state)
        return None

    def _state(self, repo_id: str, filename: str, revision: str | None):
        """The cached file's path, ABSENT when the cache records that the repository has none, else UNSEEN."""
        from huggingface_hub import try_to_load_from_cache

        try:
            path = try_to_load_from_cache(repo_id, filename, cache_dir=self.cache_dir, revision=revision)
        except (ValueError, OSError):
            return UNSEEN
        if path is not None and not isinstance(path, str):
            return ABSENT  # huggingface_hub's _CACHED_NO_EXIST
        try:
            return path if path is not None and stat.S_ISREG(os.stat(path).st_mode) else UNSEEN
        except OSError:
            return UNSEEN

    def _cached(self, repo_id: str, filename: str, revision: str | None) -> str | None:
        from huggingface_hub import try_to_load_from_cache

        try:
            path = try_to_load_from_cache(repo_id, filename, cache_dir=self.cache_dir, revision=revision)
        except (ValueError, OSError):
            return None
        if not isinstance(path, str):
            return None
        try:
            return path if stat.S_ISREG(os.stat(path).st_mode) else None
        except OSError:
            return None

    def _note_sha(self, request: ModelRequest, path: str) -> None:
        parts = os.path.normpath(path).split(os.sep)
        if "snapshots" in parts:
            sha = parts[parts.index("snapshots") + 1]
            if len(sha) == 40:
                self.shas[request] = sha
