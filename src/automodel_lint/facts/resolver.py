"""Model string -> facts, asking an ordered list of sources; the first answer wins.

    resolver = Resolver(table=table, offline=True)
    answers = resolver.resolve_all(requests)      # {ModelRequest: ModelFacts | Unresolved}, every request answered

Each source is a small object (see `facts.base`) in its own module; the order lives in `Resolver._sources` and
nowhere else, so a new source is one line there. Redirects (a PEFT adapter naming its base model) are followed through
all sources, with a guard against chains that loop.

Keyword options of `Resolver` (all optional):
    table            the KnowledgeTable in use; its docstring checkpoints back the snapshot
    offline          True: no network (also when HF_HUB_OFFLINE is set)
    locked           True: only the project's models, the lock file and local folders (`check --locked`)
    project_models   the parsed `[tool.automodel-lint.models]` table: {model id: {"model_type", "architectures", "auto_map"}}
    lock             the lock file: a path, or a `Lock` from `facts.lockfile.read_lock`
    cache_dir        automodel-lint's own cache folder (default: AUTOMODEL_LINT_CACHE_DIR, else the XDG cache folder)
    use_cache        False: neither read nor write automodel-lint's own cache
    request_timeout  seconds for one Hub request (default 3)
    network_budget   seconds for all the network work of one resolver (default 10)
    max_workers      concurrent Hub requests (default 8)
    endpoint         the Hub's URL (default: HF_ENDPOINT, else https://huggingface.co)
    cwd              the folder relative local paths are tried in first (default: the process's cwd)
    warn             callable taking one message, for the few warnings (default: one line on stderr)
    progress         callable (done, total) called while fetching from the Hub, or None
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping

from automodel_lint.facts.base import Redirect, looks_like_repo_id, plausible_model_string
from automodel_lint.facts.local import LocalSource
from automodel_lint.facts.snapshot import SnapshotSource, withheld
from automodel_lint.records import ModelFacts, ModelRequest, Unresolved

Answer = ModelFacts | Unresolved
MAX_REDIRECTS = 8
_TRUE = {"1", "on", "yes", "true"}


def env_offline() -> bool:
    """HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) as huggingface_hub reads it."""
    return any(os.environ.get(v, "").strip().lower() in _TRUE for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _stderr_warn(message: str) -> None:
    print(f"automodel-lint: warning: {message}", file=sys.stderr)


class Resolver:
    def __init__(
        self,
        *,
        table=None,
        offline: bool = False,
        locked: bool = False,
        project_models: Mapping[str, Mapping] | None = None,
        lock=None,
        cache_dir: str | os.PathLike | None = None,
        use_cache: bool = True,
        request_timeout: float = 3.0,
        network_budget: float = 10.0,
        max_workers: int = 8,
        endpoint: str | None = None,
        cwd: str | os.PathLike | None = None,
        warn: Callable[[str], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ):
        self.table = table
        self.offline = offline or env_offline()
        self.locked = locked
        self.project_models = project_models or {}
        self.lock = lock
        self.cache_dir = cache_dir
        self.use_cache = use_cache
        self.request_timeout = request_timeout
        self.network_budget = network_budget
        self.max_workers = max_workers
        self.endpoint = endpoint
        self.cwd = cwd
        self._warned: set[str] = set()
        self._warn = warn or _stderr_warn
        self.progress = progress
        self.sources = self._sources()
        self._memo: dict[ModelRequest, ModelFacts | Unresolved | Redirect] = {}

    def warn(self, message: str) -> None:
        """Each distinct warning once per resolver."""
        if message not in self._warned:
            self._warned.add(message)
            self._warn(message)

    def _sources(self) -> list:
        return [LocalSource(self.cwd), SnapshotSource(self.table)]

    # -- resolution ------------------------------------------------------------------------------------------------

    def resolve(self, request: ModelRequest) -> Answer:
        return self.resolve_all([request])[request]

    def resolve_all(self, requests: Iterable[ModelRequest]) -> dict[ModelRequest, Answer]:
        """Every request answered: facts, or why not. Never raises for anything the inputs or the network do."""
        wanted = list(dict.fromkeys(requests))
        current: dict[ModelRequest, ModelFacts | Unresolved | Redirect] = dict(zip(wanted, self._pass(wanted)))
        chains = {r: [r] for r in wanted}
        notes: dict[ModelRequest, list[str]] = {r: [] for r in wanted}
        for _ in range(MAX_REDIRECTS):
            moving = [r for r in wanted if isinstance(current[r], Redirect)]
            if not moving:
                break
            for r in moving:
                red = current[r]
                if red.target in chains[r]:
                    current[r] = Unresolved(r.model, f"PEFT adapter chain loops back to {red.target.model}")
                    continue
                chains[r].append(red.target)
                notes[r].append(red.note)
            targets = list(dict.fromkeys(current[r].target for r in moving if isinstance(current[r], Redirect)))
            for t, answer in zip(targets, self._pass(targets)):
                for r in moving:
                    if isinstance(current[r], Redirect) and current[r].target == t:
                        current[r] = answer
        out: dict[ModelRequest, Answer] = {}
        for r in wanted:
            answer = current[r]
            if isinstance(answer, Redirect):
                answer = Unresolved(r.model, "PEFT adapter chain is too long")
            elif notes[r]:
                chain = "; ".join(notes[r])
                if isinstance(answer, ModelFacts):
                    answer = _with_provenance(answer, f"{chain}; {answer.provenance or answer.source}")
                else:
                    answer = Unresolved(r.model, f"{answer.reason} (base model of a PEFT adapter: {chain})")
            out[r] = answer
        return out

    def _pass(self, requests: list[ModelRequest]) -> list[ModelFacts | Unresolved | Redirect]:
        """One answer per request from the first source that has one (memoised for the resolver's lifetime)."""
        todo = [r for r in dict.fromkeys(requests) if r not in self._memo]
        for r in todo:
            problem = plausible_model_string(r.model)
            if problem:
                self._memo[r] = Unresolved(r.model, problem)
        todo = [r for r in todo if r not in self._memo]
        for source in self.sources:
            if not todo:
                break
            if hasattr(source, "lookup_many"):
                answers = source.lookup_many(todo)
            else:
                answers = {r: source.lookup(r) for r in todo}
            for r, answer in answers.items():
                if answer is not None:
                    self._memo[r] = answer
            todo = [r for r in todo if r not in self._memo]
        for r in todo:
            self._memo[r] = Unresolved(r.model, self._fallback_reason(r))
        return [self._memo[r] for r in requests]

    def _fallback_reason(self, request: ModelRequest) -> str:
        if not looks_like_repo_id(request.model):
            return "neither a local folder with a config.json nor a valid Hub model id"
        if self.locked:
            return "not in the lock file (automodel-lint.lock)"
        if request.subfolder and self.offline:
            return "a subfolder's config is known only from the Hub or its cache (offline)"
        held = withheld(request.model)
        if held:
            return held
        if self.offline:
            return "not in the bundled snapshot (offline)"
        return "no source knows it"


def _with_provenance(facts: ModelFacts, provenance: str) -> ModelFacts:
    return ModelFacts(facts.model_id, facts.model_type, facts.architectures, facts.auto_map, facts.source,
                      facts.evidence, provenance)
