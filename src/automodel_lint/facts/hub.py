"""Facts from the Hugging Face Hub, for every id no offline source knew: all of a run's ids at once, concurrently.

Requests go through huggingface_hub's own HTTP session (httpx in 1.x and 2.x, requests in 0.x: `_stream` speaks both)
and headers (so HF_TOKEN, proxies and the user agent are the library's), to the routes `HfApi.model_info` and
`hf_hub_download` use:
    GET {endpoint}/api/models/{id}[/revision/{rev}]?expand=config&expand=transformersInfo&expand=sha
    GET {endpoint}/{id}/resolve/{rev}/[{subfolder}/]config.json     (subfolders, and repos whose info has no config)
and for tokenizer facts (issue 16), only for the ids a tokenizer is used from:
    GET {endpoint}/api/models/{id}[/revision/{rev}]?expand=siblings&expand=sha      (the repo's file list)
    GET {endpoint}/{id}/resolve/{sha}/[{subfolder}/]tokenizer_config.json         (when the list has it)
    GET {endpoint}/{id}/resolve/{sha}/[{subfolder}/]special_tokens_map.json       (when listed and still needed)
never a vocabulary. They are made here rather than through those two functions because a linter must bound them: a
byte cap on every answer (a 50 MB body is cut at 2 MB), a wall-clock deadline per request and for the whole run, and
no writes into the user's Hugging Face cache.

Budget: each request gets at most `request_timeout` seconds (default 3) and all of them together `budget` seconds
(default 10), after which the remaining ids are Unresolved; the first connection failure marks the network dead, so a
machine without network (hosted pre-commit runners) spends one failed connect, not one per id. Both are wall-clock
promises, kept even against a server that sends one byte a second (which no per-read timeout trips): requests run on
daemon threads that the caller stops waiting for at the request's or the run's deadline, and that nothing joins at
exit, so a stuck socket can never keep the process alive.
Telemetry is off for these requests: with it on, huggingface_hub builds its user agent by fetching
`{HF_ENDPOINT}/api/agent-harnesses` (outside our budget) and writing the answer to `$HF_HOME/.agent_harnesses.json`.
The endpoint's credentials (`http://user:password@host`) are used for the requests and never shown or stored: every
provenance and reason names `without_credentials(endpoint)`.
Answers: 401/403 (gated or private) and 404 are Unresolved with the reason, and cached for a day; 429 is retried after
its Retry-After when that fits the budget; 5xx, timeouts, resets, malformed or oversized bodies and configs that are
not JSON objects are Unresolved and not cached. The token is never part of a message.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import quote, urlsplit, urlunsplit

from automodel_lint.facts.base import Redirect, facts_from_config, parse_json_bytes, valid_repo_id
from automodel_lint.facts.cache import FactsCache
from automodel_lint.facts.encoding import ACCEPT_ENCODING, BodyError, Decoder, raw_chunks, too_large
from automodel_lint.facts.local import redirect_from_adapter_config
from automodel_lint.facts.tokenizer import (
    ABSENT, NAMED_TEMPLATES, SPECIAL_TOKENS_MAP, TEMPLATE_FILES, TOKENIZER_CONFIG, UNSEEN, facts_from_files,
)
from automodel_lint.records import ModelFacts, ModelRequest, TokenizerFacts, Unresolved

SOURCE = "hub"
DEFAULT_ENDPOINT = "https://huggingface.co"
MAX_BODY = 2_000_000
MAX_ATTEMPTS = 3
GRACE = 0.2  # seconds a request may overrun its deadline before the caller stops waiting for it

Answer = ModelFacts | Unresolved | Redirect | TokenizerFacts
# What a worker found for one id, for the calling thread to record: (answer, sha, what to do with the cache).
Outcome = tuple[Answer, str | None, str]
KEEP, DEFINITE, TRANSIENT, FRESH = "keep", "definite", "transient", "fresh"


def without_credentials(url: str) -> str:
    """The URL without its `user:password@`, for every place an endpoint is shown or stored."""
    try:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
    except ValueError:
        return "(an endpoint that is not a valid URL)"
    return urlunsplit(parts._replace(netloc=host)) if host != parts.netloc else url


class _Failure(Exception):
    """One request's end, as an Unresolved reason; `definite` answers (401/403/404) are cached."""

    def __init__(self, reason: str, *, definite: bool = False, status: int | None = None, code: str | None = None):
        super().__init__(reason)
        self.reason, self.definite, self.status, self.code = reason, definite, status, code


class HubSource:
    name = SOURCE

    def __init__(self, *, endpoint: str | None, cache: FactsCache | None, shas: dict, offline: bool,
                 request_timeout: float = 3.0, budget: float = 10.0, max_workers: int = 8,
                 progress: Callable[[int, int], None] | None = None, clock: Callable[[], float] = time.monotonic):
        import os

        self.endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        self.shown_endpoint = without_credentials(self.endpoint)
        self.cache = cache
        self.shas = shas
        self.offline = offline
        self.request_timeout = request_timeout
        self.budget = budget
        self.max_workers = max(1, max_workers)
        self.progress = progress
        self.clock = clock
        self._deadline: float | None = None
        self._dead: str | None = None  # why the network is considered down, once a connection failed
        # Guards everything the worker threads share; the calling thread waits on it for their news.
        self._lock = threading.Condition()
        self._in_flight: dict[int, tuple[float, float]] = {}  # worker thread -> (its request's deadline, timeout)

    # -- the resolver's entry point --------------------------------------------------------------------------------

    def lookup_many(self, requests: list[ModelRequest]) -> dict[ModelRequest, Answer | None]:
        return self._ask(requests, self._resolve, tokenizers=False)

    def lookup_tokenizers(self, requests: list[ModelRequest]) -> dict[ModelRequest, TokenizerFacts | Unresolved | None]:
        """Tokenizer facts, within the same wall-clock budget as model facts (one deadline per run)."""
        return self._ask(requests, self._resolve_tokenizer, tokenizers=True)

    def _ask(self, requests: list[ModelRequest], resolve, tokenizers: bool) -> dict[ModelRequest, Answer | None]:
        out: dict[ModelRequest, Answer | None] = {}
        todo = []
        for r in requests:
            cached = (self.cache.tokenizer_answer(r) if tokenizers else self.cache.answer(r)) if self.cache else None
            if isinstance(cached, Unresolved):
                out[r] = cached  # a fresh cached 404 or 401: do not ask again today
            elif self.offline:
                out[r] = None
            elif not valid_repo_id(r.model):
                out[r] = None  # the resolver says why: not a valid id
            else:
                todo.append(r)
        if not todo:
            return out
        if self._deadline is None:
            self._deadline = self.clock() + self.budget
        found = self._gather(todo, _headers(), resolve)
        for r in todo:
            out[r] = self._record(r, found[r], tokenizers) if r in found else Unresolved(
                r.model, f"no answer from the Hub within the {self.budget:g} s network budget")
        return out

    def _gather(self, todo: list[ModelRequest], headers: dict[str, str], resolve) -> dict[ModelRequest, Outcome]:
        """Each id's outcome, fetched on daemon threads, waiting for none past its request's deadline or the run's.

        A worker stuck past its deadline (a server dribbling bytes) is abandoned, not joined: its id is answered
        here, a new worker takes over the queue, and whatever the stuck one finds later is dropped.
        """
        queue = list(reversed(todo))
        found: dict[ModelRequest, Outcome] = {}
        working: dict[int, ModelRequest] = {}  # worker thread -> the id it is on

        def work() -> None:
            _signals_to_the_main_thread()
            me = threading.get_ident()
            while True:
                with self._lock:
                    if not queue:
                        return
                    request = working[me] = queue.pop()
                outcome = self._one(request, headers, resolve)
                with self._lock:
                    if working.get(me) is not request:
                        return  # abandoned, or the run is over: nobody is waiting for this answer any more
                    del working[me]
                    found[request] = outcome
                    self._lock.notify_all()

        def start() -> None:
            threading.Thread(target=work, name="automodel-hub", daemon=True).start()

        with self._lock:
            for _ in range(min(self.max_workers, len(todo))):
                start()
            shown = 0
            while len(found) < len(todo):
                now = self.clock()
                if now >= self._deadline:
                    break
                wake = self._deadline
                for worker, request in list(working.items()):
                    limit, timeout = self._in_flight.get(worker, (self._deadline, 0.0))
                    if now < limit + GRACE:
                        wake = min(wake, limit + GRACE)
                        continue
                    del working[worker]
                    found[request] = (Unresolved(request.model, _too_slow(timeout)), None, TRANSIENT)
                    if queue:
                        start()
                if self.progress and len(found) != shown:
                    shown = len(found)
                    self.progress(shown, len(todo))
                if len(found) < len(todo):
                    self._lock.wait(max(0.0, wake - now))
            queue.clear()
            working.clear()
        return found

    def _record(self, request: ModelRequest, outcome: Outcome, tokenizers: bool = False) -> Answer:
        """On the calling thread, which alone touches the cache and the shas: keep what a worker found."""
        answer, sha, kind = outcome
        if kind == TRANSIENT and self.cache:
            # A transient failure: an old answer is better than none (stale positives are kept for this).
            stale = (self.cache.tokenizer_answer if tokenizers else self.cache.answer)(request, allow_stale=True)
            if stale is not None and not isinstance(stale, Unresolved):
                return stale
        if kind == FRESH and sha and not tokenizers:
            self.shas[request] = sha  # the commit of the model's facts: what a pin names (HFA013)
        if kind in (FRESH, DEFINITE) and self.cache:
            (self.cache.put_tokenizer if tokenizers else self.cache.put)(request, answer, sha)
        return answer

    # -- one id ----------------------------------------------------------------------------------------------------

    def _one(self, request: ModelRequest, headers: dict[str, str], resolve) -> Outcome:
        try:
            answer, sha = resolve(request, headers)
        except _Failure as exc:
            return Unresolved(request.model, exc.reason), None, DEFINITE if exc.definite else TRANSIENT
        except Exception as exc:  # the network layer is not ours: whatever it raises ends this id, not the run
            return Unresolved(request.model, f"Hub request failed ({type(exc).__name__})"), None, KEEP
        if isinstance(answer, Unresolved):
            return answer, None, KEEP  # a config that is not usable now may be fixed upstream tomorrow: not cached
        return answer, sha, FRESH

    def _resolve(self, request: ModelRequest, headers: dict[str, str]) -> tuple[Answer, str | None]:
        repo = request.model
        if not request.subfolder:
            info = self._model_info(request, headers)
            sha = info.get("sha") if isinstance(info.get("sha"), str) else None
            repo = info.get("id") if isinstance(info.get("id"), str) and info["id"].lower() == repo.lower() else repo
            config = info.get("config")
            if isinstance(config, dict) and (config.get("model_type") or config.get("architectures")):
                where = f"{self.shown_endpoint}/api/models/{repo}" + (f" (sha {sha})" if sha else "")
                facts = facts_from_config(config, repo, source=SOURCE, provenance=where)
                tag = info.get("pipeline_tag")
                if isinstance(facts, ModelFacts) and isinstance(tag, str) and tag.isprintable() and len(tag) < 100:
                    facts = replace(facts, pipeline_tag=tag)
                return facts, sha
            peft = config.get("peft") if isinstance(config, dict) else None
            if isinstance(peft, dict) and peft.get("base_model_name_or_path"):
                return redirect_from_adapter_config(peft, request, f"{repo} (Hub)"), sha
        # No usable config in the model info (or a subfolder): read config.json itself.
        prefix = f"{request.subfolder.strip('/')}/" if request.subfolder else ""
        try:
            data, sha = self._file(repo, request.revision, prefix + "config.json", headers)
        except _Failure as exc:
            if exc.code != "EntryNotFound":
                raise
            try:
                data, sha = self._file(repo, request.revision, prefix + "adapter_config.json", headers)
            except _Failure as exc2:
                if exc2.code == "EntryNotFound":
                    raise _Failure("the repo has no config.json", definite=True) from None
                raise
            return redirect_from_adapter_config(data, request, f"{repo} (Hub)"), sha
        where = f"{self.shown_endpoint}/{repo}/resolve/{request.revision or 'main'}/{prefix}config.json" + (
            f" (sha {sha})" if sha else "")
        return facts_from_config(data, repo, source=SOURCE, provenance=where), sha

    def _resolve_tokenizer(self, request: ModelRequest, headers: dict[str, str]) -> tuple[Answer, str | None]:
        """Tokenizer facts from the repo's file list and its two small tokenizer files, read at the listed commit."""
        info = self._model_info(request, headers, ("siblings", "sha"))
        sha = info.get("sha") if isinstance(info.get("sha"), str) else None
        repo = info.get("id") if isinstance(info.get("id"), str) and info["id"].lower() == request.model.lower() \
            else request.model
        siblings = info.get("siblings")
        if not isinstance(siblings, list):
            raise _Failure("the Hub's model info lists no files")
        names = {s["rfilename"] for s in siblings if isinstance(s, dict) and isinstance(s.get("rfilename"), str)}
        prefix = f"{request.subfolder.strip('/')}/" if request.subfolder else ""
        at = sha or request.revision
        config = self._file(repo, at, prefix + TOKENIZER_CONFIG, headers)[0] if prefix + TOKENIZER_CONFIG in names \
            else ABSENT
        special = ABSENT if prefix + SPECIAL_TOKENS_MAP not in names else UNSEEN
        if special is UNSEEN and not (isinstance(config, dict) and "mask_token" in config):
            special = self._file(repo, at, prefix + SPECIAL_TOKENS_MAP, headers)[0]  # only where it may decide
        templates = any(prefix + n in names for n in TEMPLATE_FILES)
        named = any(n.startswith(f"{prefix}{NAMED_TEMPLATES}/") for n in names)
        where = f"{self.shown_endpoint}/{repo} tokenizer files" + (f" (sha {sha})" if sha else "")
        return facts_from_files(repo, config, special, templates, named, source=SOURCE, provenance=where), sha

    def _model_info(self, request: ModelRequest, headers: dict[str, str],
                    expand: tuple[str, ...] = ("config", "transformersInfo", "sha", "pipeline_tag")) -> dict:
        url = f"{self.endpoint}/api/models/{request.model}"
        if request.revision:
            url += f"/revision/{quote(request.revision, safe='')}"
        body, _ = self._get(url, [("expand", e) for e in expand], headers)
        data, problem = parse_json_bytes(body, "the Hub's model info")
        if problem:
            raise _Failure(f"{problem} (Hub answer)")
        if not isinstance(data, dict):
            raise _Failure("the Hub's model info is not a JSON object")
        return data

    def _file(self, repo: str, revision: str | None, filename: str,
              headers: dict[str, str]) -> tuple[object, str | None]:
        url = f"{self.endpoint}/{repo}/resolve/{quote(revision or 'main', safe='')}/{quote(filename)}"
        body, answer_headers = self._get(url, None, headers)
        data, problem = parse_json_bytes(body, filename.rsplit("/", 1)[-1])
        if problem:
            raise _Failure(f"{problem} (Hub answer)")
        sha = answer_headers.get("x-repo-commit")
        return data, sha if isinstance(sha, str) and sha else None

    # -- HTTP ------------------------------------------------------------------------------------------------------

    def _get(self, url: str, params, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
        from huggingface_hub.utils import get_session

        for attempt in range(MAX_ATTEMPTS):
            if self._dead:
                raise _Failure(self._dead)
            left = self._deadline - self.clock() if self._deadline is not None else self.request_timeout
            if left <= 0.05:
                raise _Failure(f"no answer from the Hub within the {self.budget:g} s network budget")
            timeout = min(self.request_timeout, left)
            status, body, resp_headers = self._fetch(get_session(), url, params, headers, timeout)
            if status == 200:
                return body, resp_headers
            code = resp_headers.get("x-error-code")
            if status == 429:
                wait_s = _retry_after(resp_headers.get("retry-after"))
                left = self._deadline - self.clock() if self._deadline is not None else 0
                if wait_s is not None and wait_s < left - 0.1 and attempt + 1 < MAX_ATTEMPTS:
                    time.sleep(wait_s)
                    continue
                raise _Failure("rate-limited by the Hub (HTTP 429)", status=429)
            if status in (401, 403):
                raise _Failure(f"gated or private on the Hub (HTTP {status}); a token with access may help",
                               definite=True, status=status)
            if status == 404:
                if code == "RevisionNotFound":
                    raise _Failure("revision not found on the Hub (HTTP 404)", definite=True, status=404, code=code)
                if code == "EntryNotFound":
                    raise _Failure("file not found on the Hub (HTTP 404)", definite=True, status=404, code=code)
                raise _Failure("not found on the Hub (HTTP 404)", definite=True, status=404, code=code)
            raise _Failure(f"the Hub answered HTTP {status}", status=status)
        raise _Failure("rate-limited by the Hub (HTTP 429)", status=429)

    def _fetch(self, session, url, params, headers, timeout) -> tuple[int, bytes, dict[str, str]]:
        """(status, body, lower-cased headers), the body cut at MAX_BODY and the whole exchange at `timeout` seconds."""
        start = self.clock()
        me = threading.get_ident()
        with self._lock:
            self._in_flight[me] = (start + timeout, timeout)
            self._lock.notify_all()  # the caller's wait may have to end sooner now
        try:
            with _stream(session, url, params, headers, timeout) as resp:
                resp_headers = {k.lower(): v for k, v in resp.headers.items()}
                if resp.status_code != 200:
                    return resp.status_code, b"", resp_headers
                length = resp_headers.get("content-length", "")
                if length.isdigit() and int(length) > MAX_BODY:
                    raise _Failure(too_large(MAX_BODY))
                # The cap holds for the bytes on the wire and for what they decode to (see facts/encoding.py).
                decoder = Decoder(resp_headers.get("content-encoding", ""), MAX_BODY)
                chunks = []
                for chunk in raw_chunks(resp):
                    if self.clock() - start > timeout:
                        raise _Failure(_too_slow(timeout))
                    chunks.append(decoder.decode(chunk))
                return 200, b"".join(chunks), resp_headers
        except _Failure:
            raise
        except BodyError as exc:
            raise _Failure(str(exc)) from None
        except Exception as exc:
            raise self._transport_failure(exc, timeout) from None
        finally:
            with self._lock:
                self._in_flight.pop(me, None)

    def _transport_failure(self, exc: Exception, timeout: float) -> _Failure:
        names = {c.__name__ for c in type(exc).__mro__}
        inner = _wrapped_names(exc)
        if "OfflineModeIsEnabled" in names:
            return _Failure("offline mode is enabled (HF_HUB_OFFLINE)")
        # requests (huggingface_hub 0.x) calls every failure below it a ConnectionError: a read that timed out
        # mid-body and a reset wrap urllib3's ReadTimeoutError and ProtocolError; only a failed connect
        # (NewConnectionError, ConnectTimeoutError, a name that does not resolve) means the network is down.
        if "ReadTimeoutError" in inner or "ReadTimeout" in names:
            return _Failure(_too_slow(timeout))
        requests_connect = "RequestException" in names and inner & _CONNECT_FAILURES
        plain_connect = "RequestException" not in names and "ConnectionError" in names
        if "ConnectError" in names or "ConnectTimeout" in names or requests_connect or plain_connect:
            reason = f"the Hub is unreachable ({self.shown_endpoint}: {type(exc).__name__})"
            with self._lock:
                self._dead = self._dead or reason
            return _Failure(reason)
        if "TimeoutException" in names or "Timeout" in names:
            return _Failure(_too_slow(timeout))
        return _Failure(f"the Hub connection failed ({type(exc).__name__})")


# urllib3's names, under a requests ConnectionError, for a connection that was never made.
_CONNECT_FAILURES = {"NewConnectionError", "ConnectTimeoutError", "NameResolutionError", "ConnectionRefusedError"}


def _wrapped_names(exc: BaseException) -> set[str]:
    """The class names of the exceptions `exc` wraps (its args, their `reason`, causes), a few levels deep."""
    names: set[str] = set()
    todo, seen = [exc], set()
    while todo and len(seen) < 20:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current is not exc:
            names.update(c.__name__ for c in type(current).__mro__)
        nested = [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        nested += [e for e in (getattr(current, "reason", None), current.__cause__, current.__context__)
                   if isinstance(e, BaseException)]
        todo += nested
    return names


def _stream(session, url, params, headers, timeout):
    """A streamed GET on huggingface_hub's session, as a context manager: an httpx.Client (huggingface_hub 1.x and
    2.x) streams with `.stream()`, a requests.Session (0.x, beside transformers 4) with `stream=True`."""
    if callable(getattr(session, "stream", None)):  # requests.Session.stream is a bool setting, not a method
        return session.stream("GET", url, params=params, headers=headers, timeout=timeout)
    return session.get(url, params=params, headers=headers, timeout=timeout, stream=True, allow_redirects=True)


def _too_slow(timeout: float) -> str:
    return f"the Hub did not answer within {timeout:.1f} s"


def _headers() -> dict[str, str]:
    """huggingface_hub's headers (token, user agent), built with its telemetry off (see the module's docstring), and
    the encodings the body may come in."""
    from huggingface_hub import constants
    from huggingface_hub.utils import build_hf_headers

    from automodel_lint import __version__

    telemetry_off = constants.HF_HUB_DISABLE_TELEMETRY
    constants.HF_HUB_DISABLE_TELEMETRY = True  # the library's switch (HF_HUB_DISABLE_TELEMETRY=1), for this call only
    try:
        return {**build_hf_headers(library_name="automodel-lint", library_version=__version__),
                "Accept-Encoding": ACCEPT_ENCODING}
    finally:
        constants.HF_HUB_DISABLE_TELEMETRY = telemetry_off


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # an HTTP date: not worth parsing for a budget of seconds
    return seconds if seconds >= 0 else None


def _signals_to_the_main_thread() -> None:
    """Blocks Ctrl-C and SIGTERM in this worker: the kernel then hands them to the main thread, where
    `files.write_atomic` holds them during a write. Taken by a worker, the signal would reach Python's handler only
    when the main thread next checks, possibly after the hold has ended."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
