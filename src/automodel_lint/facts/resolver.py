"""Model string -> facts, asking an ordered list of sources; the first answer wins.

    resolver = Resolver(table=table, offline=True)
    answers = resolver.resolve_all(requests)      # {ModelRequest: ModelFacts | Unresolved}, every request answered

Each source is a small object (see `facts.base`) in its own module; the order lives in `Resolver._sources` and
nowhere else, so a new source is one line there. Redirects (a PEFT adapter naming its base model) are followed through
all sources, with a guard against chains that loop.

The order (issue "Resolve any model id"): the project's own `[tool.automodel-lint.models]` ("config"), the lock file
("lock"), a local folder ("local"), the Hugging Face cache ("hf-cache"), automodel-lint's cache ("cache"), the bundled
snapshot ("snapshot"), the Hub ("hub"). `locked=True` keeps only the first three. Facts too thin to judge by
(`snapshot.thin`: documentary evidence only, or neither model type nor auto_map) are the answer only when no later
source has one: online, the Hub is asked first; so are snapshot facts with an auto_map (the Hub gives the commit
that HFA013's fix pins, and such code changes often). The name in brackets is
`ModelFacts.source`, the JSON output's `facts_source`. A request's `file_dir` matters only to the local source: all
others see each (id, revision, subfolder) once, however many files name it.

Keyword options of `Resolver` (all optional):
    table            the KnowledgeTable in use; its docstring checkpoints back the snapshot
    offline          True: no network (also when HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE is set)
    locked           True: only the project's models, the lock file and local folders (`check --locked`)
    project_models   the parsed `[tool.automodel-lint.models]` table: {id: {"model_type", "architectures", "auto_map"}}
    project_root     the folder of the project's pyproject.toml: the lock file is read from there
    lock             the lock file instead: a path or a `facts.lockfile.Lock` (overrides project_root's)
    cache_dir        automodel-lint's own cache folder (default: AUTOMODEL_LINT_CACHE_DIR, else the XDG cache folder)
    use_cache        False: neither read nor write automodel-lint's own cache
    request_timeout  seconds for one Hub request (default 3)
    network_budget   seconds for all the network work of this resolver, i.e. of one run (default 10)
    max_workers      concurrent Hub requests (default 8)
    endpoint         the Hub's URL (default: HF_ENDPOINT, else https://huggingface.co)
    hf_cache_dir     the Hugging Face cache folder (default: as huggingface_hub finds it from the environment)
    cwd              the folder relative local paths are tried in first (default: the process's cwd)
    warn             callable taking one message, for the few warnings (default: a line on stderr); each at most once
    progress         callable (done, total) while fetching from the Hub (default: a bar on stderr if it is a terminal)

Tokenizer facts (`resolve_tokenizers`, issue 16) come from the same sources in the same order, each through its
`tokenizer_lookup(request)` (the Hub: `lookup_tokenizers(requests)`, within the same network budget); the project's
own table and the bundled snapshot hold none. They are asked only for the requests given, never for every model id.
HF-cache facts that cannot tell whether a chat template exists are the answer only when the Hub cannot give one.

A lock file that exists but cannot be used raises `facts.lockfile.LockError` from the constructor when `locked`
(exit 2 material); otherwise it is ignored with a warning.
After `resolve_all`, `sha(request)` gives the Hub commit an answer came from, where known.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from automodel_lint.facts.base import Redirect, looks_like_repo_id, plausible_model_string, valid_repo_id
from automodel_lint.facts.cache import CacheSource, FactsCache
from automodel_lint.facts.local import LocalSource
from automodel_lint.facts.lockfile import LockError, LockSource, lock_path, read_lock
from automodel_lint.facts.project import ProjectSource
from automodel_lint.facts.snapshot import SnapshotSource, thin, withheld
from automodel_lint.options import env_offline
from automodel_lint.records import ModelFacts, ModelRequest, TokenizerFacts, Unresolved

Answer = ModelFacts | Unresolved
MAX_REDIRECTS = 8
DEFAULT_TIMEOUT = 3.0
DEFAULT_BUDGET = 10.0


def _stderr_warn(message: str) -> None:
    from automodel_lint.report.printable import printable  # a warning may name a path or an id from outside

    print(f"automodel-lint: warning: {printable(message)}", file=sys.stderr)


class Resolver:
    def __init__(
        self,
        *,
        table=None,
        offline: bool = False,
        locked: bool = False,
        project_models: Mapping[str, object] | None = None,
        project_root: str | os.PathLike | None = None,
        lock=None,
        cache_dir: str | os.PathLike | None = None,
        use_cache: bool = True,
        request_timeout: float | None = None,
        network_budget: float | None = None,
        max_workers: int = 8,
        endpoint: str | None = None,
        hf_cache_dir: str | None = None,
        cwd: str | os.PathLike | None = None,
        warn: Callable[[str], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ):
        self.table = table
        self.offline = offline or env_offline()
        self.locked = locked
        self.project_models = project_models or {}
        if lock is None and project_root is not None:
            lock = lock_path(project_root)
        self._warned: set[str] = set()
        self._warn = warn or _stderr_warn
        self.lock = self._read_lock(lock) if isinstance(lock, (str, os.PathLike)) else lock
        self.request_timeout = DEFAULT_TIMEOUT if request_timeout is None else request_timeout
        self.network_budget = DEFAULT_BUDGET if network_budget is None else network_budget
        self.max_workers = max_workers
        self.endpoint = endpoint
        self.hf_cache_dir = hf_cache_dir
        self.cwd = cwd
        self.progress = progress if progress is not None else _terminal_progress()
        self.cache = FactsCache(cache_dir, warn=self.warn) if use_cache and not locked else None
        self.shas: dict[ModelRequest, str] = {}  # keyed by the bare request (no file_dir)
        self._final: dict[ModelRequest, ModelRequest] = {}  # request -> the bare request its answer came from
        self.sources = self._sources()
        self._memo: dict[ModelRequest, ModelFacts | Unresolved | Redirect] = {}
        self._tokenizer_memo: dict[ModelRequest, TokenizerFacts | Unresolved] = {}

    def _read_lock(self, path):
        try:
            return read_lock(path)
        except LockError as exc:
            if self.locked:
                raise  # `check --locked` must not go on without its lock
            self.warn(f"{exc}; ignoring it")
            return None

    def warn(self, message: str) -> None:
        """Each distinct warning once per resolver."""
        if message not in self._warned:
            self._warned.add(message)
            self._warn(message)

    def _sources(self) -> list:
        """The resolution order, in one place."""
        head = [ProjectSource(self.project_models), LockSource(self.lock, self.shas), LocalSource(self.cwd)]
        if self.locked:
            return head
        from automodel_lint.facts.hfcache import HFCacheSource
        from automodel_lint.facts.hub import HubSource

        tail = [HFCacheSource(self.shas, self.hf_cache_dir)]
        if self.cache is not None:
            tail.append(CacheSource(self.cache, self.shas, self.offline))
        tail.append(SnapshotSource(self.table))
        tail.append(HubSource(endpoint=self.endpoint, cache=self.cache, shas=self.shas, offline=self.offline,
                              request_timeout=self.request_timeout, budget=self.network_budget,
                              max_workers=self.max_workers, progress=self.progress))
        return head + tail

    def sha(self, request: ModelRequest) -> str | None:
        """The Hub commit the request's answer was read at, where a source knew it."""
        return self.shas.get(self._final.get(request, _bare(request)))

    def resolve_tokenizers(self, requests: Iterable[ModelRequest]) -> dict[ModelRequest, TokenizerFacts | Unresolved]:
        """Tokenizer facts for each request, from the same sources in the same order as model facts; every request
        answered, an Unresolved's reason saying why the facts are unknown. Never raises for what inputs or the
        network do."""
        wanted = list(dict.fromkeys(requests))
        try:
            # Each reason says which facts are missing: `--show-unjudged` lists it beside model facts' reasons.
            return {r: Unresolved(a.model_id, f"tokenizer facts unknown: {a.reason}") if isinstance(a, Unresolved)
                    else a for r, a in zip(wanted, self._pass(wanted, tokenizers=True))}
        finally:
            if self.cache is not None:
                self.cache.flush()

    # -- resolution ------------------------------------------------------------------------------------------------

    def resolve(self, request: ModelRequest) -> Answer:
        return self.resolve_all([request])[request]

    def resolve_all(self, requests: Iterable[ModelRequest]) -> dict[ModelRequest, Answer]:
        """Every request answered: facts, or why not. Never raises for anything the inputs or the network do."""
        wanted = list(dict.fromkeys(requests))
        try:
            return self._resolve_all(wanted)
        finally:
            if self.cache is not None:
                self.cache.flush()

    def _resolve_all(self, wanted: list[ModelRequest]) -> dict[ModelRequest, Answer]:
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
            if isinstance(answer, ModelFacts) and len(chains[r]) == 1:
                answer = replace(answer, sha=self.shas.get(_bare(r)))  # a base model's commit pins no adapter
            out[r] = answer
            self._final[r] = _bare(chains[r][-1])
        return out

    def _pass(self, requests: list[ModelRequest], tokenizers: bool = False) -> list:
        """One answer per request from the first source that has one (memoised for the resolver's lifetime).
        `tokenizers`: tokenizer facts, from the sources that read tokenizer files."""
        memo = self._tokenizer_memo if tokenizers else self._memo
        todo = [r for r in dict.fromkeys(requests) if r not in memo]
        for r in todo:
            problem = plausible_model_string(r.model)
            if problem:
                memo[r] = Unresolved(r.model, problem)
        todo = [r for r in todo if r not in memo]
        held: dict[ModelRequest, object] = {}  # answers too thin to be the last word while a later source may know
        for source in self.sources:
            if not todo:
                break
            # Only the local source reads file_dir; the others answer each (id, revision, subfolder) once.
            asked = todo if getattr(source, "uses_file_dir", False) else list(dict.fromkeys(map(_bare, todo)))
            answers = _ask(source, asked, tokenizers)
            if answers is None:
                continue
            for r in todo:
                answer = answers.get(r if r in answers else _bare(r))
                if not self.offline and self._provisional(source, answer):
                    held.setdefault(r, answer)  # the Hub may know more
                elif answer is not None and not (r in held and isinstance(answer, Unresolved)):
                    memo[r] = answer
            todo = [r for r in todo if r not in memo]
        for r in todo:
            memo[r] = held.get(r) or Unresolved(r.model, self._fallback_reason(r, tokenizers))
        return [memo[r] for r in requests]

    @staticmethod
    def _provisional(source, answer) -> bool:
        """Thin snapshot facts, and snapshot facts of a checkpoint with its own code (auto_map): such code changes
        often, and only the Hub gives the commit a pin names (HFA013); HF-cache tokenizer facts that cannot tell
        whether a chat template exists."""
        if isinstance(answer, ModelFacts):
            return isinstance(source, SnapshotSource) and (thin(answer) or bool(answer.auto_map))
        return isinstance(answer, TokenizerFacts) and answer.source == "hf-cache" and answer.has_chat_template is None

    def _fallback_reason(self, request: ModelRequest, tokenizers: bool = False) -> str:
        if tokenizers:
            return self._tokenizer_fallback_reason(request)
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
        if not valid_repo_id(request.model):
            return "not a valid Hub model id"
        return "no source knows it"

    def _tokenizer_fallback_reason(self, request: ModelRequest) -> str:
        if not looks_like_repo_id(request.model):
            return "neither a local folder nor a valid Hub model id"
        if self.locked:
            return "not in the lock file (automodel-lint.lock); run `automodel-lint lock`"
        if self.offline:
            return "not in the lock file or a cache (offline), and the bundled snapshot holds none"
        if not valid_repo_id(request.model):
            return "not a valid Hub model id"
        return "no source knows it"


def _ask(source, requests: list[ModelRequest], tokenizers: bool) -> dict | None:
    """A source's answers for these requests; None when it holds no facts of this kind."""
    if tokenizers:
        if hasattr(source, "lookup_tokenizers"):
            return source.lookup_tokenizers(requests)
        if hasattr(source, "tokenizer_lookup"):
            return {r: source.tokenizer_lookup(r) for r in requests}
        return None
    if hasattr(source, "lookup_many"):
        return source.lookup_many(requests)
    return {r: source.lookup(r) for r in requests}


def _bare(request: ModelRequest) -> ModelRequest:
    return request if request.file_dir is None else ModelRequest(request.model, request.revision, request.subfolder)


def _terminal_progress() -> Callable[[int, int], None] | None:
    """A one-line bar on stderr while more than a handful of ids are fetched, and only on a terminal."""
    try:
        if not sys.stderr.isatty():
            return None
    except (AttributeError, ValueError):
        return None

    def show(done: int, total: int) -> None:
        if total <= 5:
            return
        width = 30
        filled = width * done // total
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\rresolving model ids [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
        sys.stderr.flush()

    return show


def _with_provenance(facts: ModelFacts, provenance: str) -> ModelFacts:
    # The Hub's task was the base model's: `pipeline(model=<adapter>)` asks about the adapter's repository.
    return replace(facts, provenance=provenance, pipeline_tag=None)
