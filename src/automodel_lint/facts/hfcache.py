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
from automodel_lint.records import ModelFacts, ModelRequest, Unresolved

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

    def lookup(self, request: ModelRequest) -> ModelFacts | Unresolved | None:
        if not looks_like_repo_id(request.model):
            return None
        repo_id = self.folders().get(request.model.lower())
        if repo_id is None or not valid_repo_id(repo_id):
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
