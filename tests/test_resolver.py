"""The full resolver: project overrides, the lock file, the Hugging Face cache, automodel-lint's cache and the Hub.

The Hub is tests/fakehub_facts.py on 127.0.0.1; every test runs with a socket guard that fails on any other host.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from fakehub_facts import FakeHub

from automodel_lint import cli, engine
from automodel_lint.commands import resolve as resolve_command
from automodel_lint.facts.cache import FILE_NAME, FactsCache
from automodel_lint.facts.lockfile import LOCK_NAME, LockError, read_lock, write_lock
from automodel_lint.facts.resolver import Resolver
from automodel_lint.records import ModelFacts, ModelRequest, Unresolved

TOKEN = "hf_TESTsecretTOKENvalue0123456789"
SRC = str(Path(__file__).resolve().parent.parent / "src")
LLAMA = {"model_type": "llama", "architectures": ["LlamaForCausalLM"]}
T5 = {"model_type": "t5", "architectures": ["T5ForConditionalGeneration"]}


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Fresh caches, a token that must never be printed, no offline flag from the caller, and only loopback sockets."""
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-home" / "hub"))
    monkeypatch.setenv("AUTOMODEL_LINT_CACHE_DIR", str(tmp_path / "lint-cache"))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # a test that forgets its endpoint fails fast, locally
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    # huggingface_hub reads HF_HUB_OFFLINE once, at import: another test may have imported it with the flag set.
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    contacted = []
    real_connect = socket.socket.connect

    def guarded(sock, address):
        contacted.append(address)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"a test tried to reach {address!r}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield contacted
    assert all(a[0] in ("127.0.0.1", "::1", "localhost") for a in contacted if isinstance(a, tuple))


def make(hub=None, **kw):
    warnings = kw.pop("warnings", None)
    kw.setdefault("request_timeout", 1.0)
    return Resolver(endpoint=hub.url if hub else None, warn=(warnings.append if warnings is not None else None),
                    progress=lambda done, total: None, **kw)


def hub_ids(hub):
    return {p.split("?")[0] for _, p in hub.log}


# -- order of the sources ---------------------------------------------------------------------------------------------

def test_project_models_come_first(tmp_path):
    (tmp_path / "gpt2").mkdir()
    (tmp_path / "gpt2" / "config.json").write_text(json.dumps(T5))
    r = make(project_models={"GPT2": LLAMA, "acme/bad": {"model_type": 3}}, cwd=tmp_path, offline=True)
    facts = r.resolve(ModelRequest("gpt2"))
    assert (facts.source, facts.model_type, facts.architectures) == ("config", "llama", ("LlamaForCausalLM",))
    assert "model_type must be a string" in r.resolve(ModelRequest("acme/bad")).reason


def test_file_dir_does_not_multiply_hub_requests():
    with FakeHub({"lab/m": LLAMA}) as hub:
        reqs = [ModelRequest("lab/m", file_dir=f"dir{i}") for i in range(20)]
        out = make(hub).resolve_all(reqs)
    assert all(isinstance(out[r], ModelFacts) for r in reqs)
    assert len(hub.log) == 1


# -- the Hub ----------------------------------------------------------------------------------------------------------

def test_hub_answers_with_sha_and_sends_the_token():
    with FakeHub({"Lab/Chat-Llama": LLAMA}) as hub:
        r = make(hub)
        facts = r.resolve(ModelRequest("lab/chat-llama"))
    assert (facts.source, facts.model_type, facts.model_id) == ("hub", "llama", "Lab/Chat-Llama")
    assert r.sha(ModelRequest("lab/chat-llama")) == FakeHub.sha_of("Lab/Chat-Llama")
    assert "expand=config" in hub.log[0][1] and "expand=sha" in hub.log[0][1]
    assert hub.auth == [f"Bearer {TOKEN}"]


def test_hf_endpoint_from_the_environment(monkeypatch):
    with FakeHub({"lab/m": T5}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        facts = Resolver(progress=lambda d, t: None).resolve(ModelRequest("lab/m"))
    assert facts.source == "hub" and hub.log


def test_revision_route_subfolder_and_adapter_repo():
    facts = {"lab/m": T5, "lab/pipe": {"model_type": "x", "subfolders": {"text_encoder": {"model_type": "clip_text_model"}}},
             "lab/adapter": {"adapter_of": "lab/m"}, "lab/noinfo": {"model_type": "bert", "fault": "no-info-config"}}
    with FakeHub(facts) as hub:
        out = make(hub).resolve_all([ModelRequest("lab/m", revision="v1.0"), ModelRequest("lab/pipe", subfolder="text_encoder"),
                                     ModelRequest("lab/adapter"), ModelRequest("lab/noinfo")])
    got = {r.model: a for r, a in out.items()}
    assert got["lab/m"].model_type == "t5"
    assert any("/api/models/lab/m/revision/v1.0" in p for _, p in hub.log)
    assert got["lab/pipe"].model_type == "clip_text_model"
    assert got["lab/adapter"].model_id == "lab/m" and "PEFT adapter" in got["lab/adapter"].provenance
    assert got["lab/noinfo"].model_type == "bert"


@pytest.mark.parametrize("fault, reason", [
    ("401", "gated or private on the Hub (HTTP 401)"),
    ("403", "gated or private on the Hub (HTTP 403)"),
    ("404", "not found on the Hub (HTTP 404)"),
    ("500", "the Hub answered HTTP 500"),
    ("slow", "did not answer within"),
    ("reset", "the Hub connection failed"),
    ("garbage", "not valid JSON"),
    ("huge", "larger than 2 MB"),
    ("huge-stream", "larger than 2 MB"),
    ("gzip-bomb", "larger than 2 MB"),
    ("brotli", "an encoding that was not asked for (br)"),
    ("nonobject", "config.json is not a JSON object"),
    ("429-always", "rate-limited by the Hub (HTTP 429)"),
])
def test_hub_faults_are_unresolved_with_the_reason(fault, reason, capsys):
    with FakeHub({"lab/m": dict(LLAMA, fault=fault)}, slow=5) as hub:
        t = time.perf_counter()
        answer = make(hub, request_timeout=0.5).resolve(ModelRequest("lab/m"))
        took = time.perf_counter() - t
    assert isinstance(answer, Unresolved) and reason in answer.reason, answer
    assert took < 3, took
    out = capsys.readouterr()
    assert TOKEN not in answer.reason + out.out + out.err


def test_a_gzip_answer_is_read_and_only_encodings_read_are_offered():
    with FakeHub({"lab/m": T5}, mode="gzip") as hub:
        facts = make(hub).resolve(ModelRequest("lab/m"))
    assert facts.model_type == "t5" and facts.source == "hub"
    assert hub.accept_encoding and set(hub.accept_encoding) == {"gzip, deflate"}  # never br or zstd


def test_a_gzip_bomb_never_expands_past_the_cap():
    """200 MB of zeros in 200 KB of gzip: the HTTP client would decode each network read whole (64 KB of it can be
    64 MB); read raw and inflated with a limit, the run never holds more than a few MB of it."""
    import tracemalloc

    with FakeHub({"lab/m": dict(LLAMA, fault="gzip-bomb")}) as hub:
        resolver = make(hub, request_timeout=5)
        tracemalloc.start()
        try:
            answer = resolver.resolve(ModelRequest("lab/m"))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert isinstance(answer, Unresolved) and "larger than 2 MB" in answer.reason
    assert peak < 20_000_000, peak


def test_429_retry_after_within_budget():
    with FakeHub({"lab/m": dict(T5, fault="429")}, retry_after=0.3) as hub:
        t = time.perf_counter()
        facts = make(hub).resolve(ModelRequest("lab/m"))
    assert facts.model_type == "t5" and len(hub.log) == 2 and time.perf_counter() - t >= 0.3


def test_definite_answers_are_cached_transient_ones_are_not():
    with FakeHub({"lab/gone": {"fault": "404"}, "lab/err": {"fault": "500"}}) as hub:
        make(hub).resolve_all([ModelRequest("lab/gone"), ModelRequest("lab/err")])
        second = make(hub).resolve_all([ModelRequest("lab/gone"), ModelRequest("lab/err")])
    assert sum(1 for _, p in hub.log if "lab/gone" in p) == 1
    assert sum(1 for _, p in hub.log if "lab/err" in p) == 2
    assert second[ModelRequest("lab/gone")].reason.endswith("(cached)")


def test_offline_never_touches_the_network(monkeypatch):
    with FakeHub({"lab/m": T5}) as hub:
        a = make(hub, offline=True).resolve(ModelRequest("lab/m"))
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        b = make(hub).resolve(ModelRequest("lab/m"))
    assert hub.log == []
    assert a.reason == b.reason == "not in the bundled snapshot (offline)"


@pytest.mark.parametrize("model", ["a--b", "org/name/extra", "../x", "-x", "x" * 200, "a b"])
def test_invalid_ids_never_reach_the_network(model):
    with FakeHub({}) as hub:
        answer = make(hub).resolve(ModelRequest(model))
    assert isinstance(answer, Unresolved) and hub.log == []


def test_budget_bounds_the_whole_run():
    facts = {f"lab/slow-{i}": {"fault": "slow"} for i in range(20)}
    with FakeHub(facts, slow=10) as hub:
        t = time.perf_counter()
        out = make(hub, request_timeout=1.0, network_budget=1.5).resolve_all([ModelRequest(m) for m in facts])
        took = time.perf_counter() - t
    assert took < 2.5, took
    assert all(isinstance(a, Unresolved) for a in out.values())


def test_dead_network_ends_fast():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = Resolver(endpoint=f"http://127.0.0.1:{port}", progress=lambda d, t: None)
    t = time.perf_counter()
    out = r.resolve_all([ModelRequest(f"dead-lab-{i}/model-{i}") for i in range(50)])
    assert time.perf_counter() - t < 3
    assert all(isinstance(a, Unresolved) and "unreachable" in a.reason for a in out.values())


def test_fifty_ids_cold_then_offline_from_the_cache():
    facts = {f"acceptance-lab-{i}/model-{i}": (LLAMA if i % 2 else T5) for i in range(50)}
    reqs = [ModelRequest(m) for m in facts]
    with FakeHub(facts) as hub:
        # What is tested is the cache, not speed: a loaded 2-core machine can take over a second per loopback answer.
        out = make(hub, request_timeout=15.0, network_budget=60.0).resolve_all(reqs)
    assert all(isinstance(a, ModelFacts) and a.source == "hub" for a in out.values())
    assert len(hub.log) == 50
    again = make(offline=True).resolve_all(reqs)
    assert all(isinstance(a, ModelFacts) and a.source == "cache" for a in again.values())
    assert {r: a.model_type for r, a in again.items()} == {r: a.model_type for r, a in out.items()}


# -- automodel-lint's cache -------------------------------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


def test_cache_expiry(tmp_path):
    clock = Clock()
    cache = FactsCache(tmp_path / "c", clock=clock)
    pos, neg = ModelRequest("lab/pos"), ModelRequest("lab/neg")
    cache.put(pos, ModelFacts("lab/pos", "t5", source="hub", evidence="config"), sha="a" * 40)
    cache.put(neg, Unresolved("lab/neg", "not found on the Hub (HTTP 404)"))
    assert cache.flush()
    fresh = FactsCache(tmp_path / "c", clock=clock)
    assert fresh.answer(pos).source == "cache" and fresh.sha(pos) == "a" * 40
    assert isinstance(fresh.answer(neg), Unresolved)
    clock.now += 2 * 86400
    assert fresh.answer(pos) is not None and fresh.answer(neg) is None
    clock.now += 30 * 86400
    assert fresh.answer(pos) is None  # refreshed when online ...
    assert "older than 30 days" in fresh.answer(pos, allow_stale=True).provenance  # ... still used offline


def test_corrupt_or_foreign_cache_is_set_aside_once(tmp_path):
    for body in (b"{not json", json.dumps({"schema_version": 99, "entries": {}}).encode()):
        d = tmp_path / f"c{len(body)}"
        d.mkdir()
        (d / FILE_NAME).write_bytes(body)
        warnings = []
        with FakeHub({"lab/m": T5}) as hub:
            r = make(hub, cache_dir=d, warnings=warnings)
            assert r.resolve_all([ModelRequest("lab/m"), ModelRequest("lab/m", revision="x")])
        assert len(warnings) == 1 and "moved it to" in warnings[0]
        assert [p.name for p in d.iterdir() if p.name.startswith(FILE_NAME + ".bad-")]
        assert json.loads((d / FILE_NAME).read_text())["schema_version"] == 2


def test_unwritable_cache_dir_warns_once_and_works(tmp_path):
    (tmp_path / "file").write_text("")
    warnings = []
    with FakeHub({"lab/a": T5, "lab/b": LLAMA}) as hub:
        r = make(hub, cache_dir=tmp_path / "file" / "cache", warnings=warnings)
        a = r.resolve(ModelRequest("lab/a"))
        b = r.resolve(ModelRequest("lab/b"))
    assert a.model_type == "t5" and b.model_type == "llama"
    assert len(warnings) == 1 and "running without the cache" in warnings[0]


def test_cache_file_is_not_world_writable(tmp_path):
    old = os.umask(0)
    try:
        cache = FactsCache(tmp_path / "c")
        cache.put(ModelRequest("x/y"), ModelFacts("x/y", "t5"))
        cache.flush()
    finally:
        os.umask(old)
    assert (tmp_path / "c" / FILE_NAME).stat().st_mode & 0o022 == 0


WRITER = """
import sys
sys.path.insert(0, {src!r})
from automodel_lint.facts.cache import FactsCache
from automodel_lint.records import ModelFacts, ModelRequest
n, cache_dir, per = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for round in range(per):
    c = FactsCache(cache_dir)
    for i in range(20):
        c.put(ModelRequest(f"w{{n}}/r{{round}}-{{i}}"), ModelFacts(f"w{{n}}/r{{round}}-{{i}}", "t5", ("T5Model",)), sha="f" * 40)
    assert c.flush()
"""


def test_eight_concurrent_writers_leave_a_valid_cache(tmp_path):
    script = WRITER.format(src=SRC)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(n), str(tmp_path / "c"), "5"]) for n in range(8)]
    assert [p.wait(timeout=120) for p in procs] == [0] * 8
    data = json.loads((tmp_path / "c" / FILE_NAME).read_text())
    assert len(data["entries"]) == 8 * 5 * 20
    assert not [p for p in (tmp_path / "c").iterdir() if p.name.endswith(".tmp")]


KILLED = """
import sys
sys.path.insert(0, {src!r})
from automodel_lint.facts.cache import FactsCache
from automodel_lint.records import ModelFacts, ModelRequest
cache_dir = sys.argv[1]
round = 0
while True:
    round += 1
    c = FactsCache(cache_dir)
    for i in range(3000):
        c.put(ModelRequest(f"k/r{{round}}-{{i}}"), ModelFacts(f"k/r{{round}}-{{i}}", "llama", ("LlamaForCausalLM",) * 5))
    c.flush()
    print(round, flush=True)
"""


def test_sigkill_during_write_leaves_old_or_new(tmp_path):
    script = KILLED.format(src=SRC)
    path = tmp_path / "c" / FILE_NAME
    for delay in (0.35, 0.6, 0.9, 1.3):
        proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "c")], stdout=subprocess.PIPE)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if path.exists():
            data = json.loads(path.read_text())  # never half a file
            assert data["schema_version"] == 2 and len(data["entries"]) % 3000 == 0
    assert path.exists()


# -- the Hugging Face cache -------------------------------------------------------------------------------------------

def fake_hf_cache(root: Path, repo: str, configs: dict[str, dict], refs: dict[str, str]) -> Path:
    """`models--org--name/snapshots/<sha>/config.json` and `refs/<branch>`, as huggingface_hub lays them out."""
    folder = root / ("models--" + repo.replace("/", "--"))
    for sha, config in configs.items():
        snap = folder / "snapshots" / sha
        snap.mkdir(parents=True)
        (snap / "config.json").write_text(json.dumps(config))
    (folder / "refs").mkdir(parents=True, exist_ok=True)
    for ref, sha in refs.items():
        (folder / "refs" / ref).write_text(sha)
    return folder


def test_hf_cache_with_refs_and_revisions(tmp_path):
    main, old = "1" * 40, "2" * 40
    fake_hf_cache(tmp_path / "hf-home" / "hub", "Corp/Tiny-Model", {main: LLAMA, old: T5}, {"main": main, "v1": old})
    with FakeHub({}) as hub:
        r = make(hub)
        got = r.resolve_all([ModelRequest("Corp/Tiny-Model"), ModelRequest("corp/tiny-model", revision="v1"),
                             ModelRequest("Corp/Tiny-Model", revision=old)])
    assert hub.log == []
    a, b, c = got.values()
    assert (a.source, a.model_type, r.sha(ModelRequest("Corp/Tiny-Model"))) == ("hf-cache", "llama", main)
    assert b.model_type == "t5" and c.model_type == "t5"


def test_hf_cache_honours_hf_home(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_CACHE")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "elsewhere"))
    fake_hf_cache(tmp_path / "elsewhere" / "hub", "corp/m", {"3" * 40: T5}, {"main": "3" * 40})
    assert make(offline=True).resolve(ModelRequest("corp/m")).source == "hf-cache"


def test_hf_cache_not_consulted_means_no_huggingface_hub_import():
    code = (f"import sys; sys.path.insert(0, {SRC!r})\n"
            "from automodel_lint.facts.resolver import Resolver\nfrom automodel_lint.records import ModelRequest\n"
            "Resolver(offline=True).resolve_all([ModelRequest('gpt2'), ModelRequest('t5-small')])\n"
            "print('huggingface_hub' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


# -- the lock file ----------------------------------------------------------------------------------------------------

def test_lock_round_trip(tmp_path):
    facts = {"lab/a": LLAMA, "lab/b": T5}
    reqs = [ModelRequest("lab/a"), ModelRequest("lab/b", revision="v2"), ModelRequest("gpt2"), ModelRequest("lab/none")]
    with FakeHub(facts) as hub:
        r = make(hub)
        answers = r.resolve_all(reqs)
    path = tmp_path / LOCK_NAME
    write_lock(path, answers, {q: r.sha(q) for q in reqs if r.sha(q)})
    first = path.read_bytes()
    write_lock(path, dict(reversed(list(answers.items()))), {q: r.sha(q) for q in reqs if r.sha(q)})
    assert path.read_bytes() == first  # stable bytes, whatever the order
    lock = read_lock(path)
    assert set(lock.models) == {"lab/a@", "lab/b@v2", "gpt2@"}
    assert lock.models["lab/a@"]["sha"] == FakeHub.sha_of("lab/a")
    locked = make(locked=True, lock=path).resolve_all(reqs)
    for q in reqs[:3]:
        assert locked[q].source == "lock"
        assert (locked[q].model_type, locked[q].architectures) == (answers[q].model_type, answers[q].architectures)
    assert locked[reqs[3]].reason == "not in the lock file (automodel-lint.lock)"


def test_locked_mode_reads_the_lock_beside_pyproject_and_uses_nothing_else(tmp_path):
    (tmp_path / LOCK_NAME).write_text(json.dumps({"lock_version": 1, "models": {
        "lab/a@": {"model_id": "lab/a", "model_type": "t5", "architectures": [], "sha": "9" * 40}}}))
    r = make(locked=True, project_root=tmp_path)
    assert r.resolve(ModelRequest("LAB/A")).model_type == "t5"
    assert "not in the lock file" in r.resolve(ModelRequest("gpt2")).reason  # not even the snapshot


@pytest.mark.parametrize("body", ["[]", "{", json.dumps({"lock_version": 7, "models": {}})])
def test_bad_lock_file_is_an_error(tmp_path, body):
    (tmp_path / LOCK_NAME).write_text(body)
    with pytest.raises(LockError):
        make(locked=True, project_root=tmp_path)
    warnings = []
    assert make(project_root=tmp_path, offline=True, warnings=warnings).resolve(ModelRequest("gpt2")).source == "snapshot"
    assert len(warnings) == 1 and "ignoring it" in warnings[0]


# -- commands ---------------------------------------------------------------------------------------------------------

class FakeTable:
    version = "5.24.0"
    checkpoints: dict = {}
    auto_classes = {"AutoModel": {}, "AutoModelForCausalLM": {}, "AutoModelForSeq2SeqLM": {}}
    _loads = {("AutoModel", "t5"): ["T5Model"], ("AutoModelForSeq2SeqLM", "t5"): ["T5ForConditionalGeneration"]}

    def knows_type(self, mt):
        return mt == "t5"

    def loads(self, auto, mt):
        return self._loads.get((auto, mt))

    def loaded_class(self, auto, mt, archs=()):
        return (self.loads(auto, mt) or [None])[0]

    def auto_classes_for_architecture(self, arch):
        return ["AutoModelForSeq2SeqLM"] if arch == "T5ForConditionalGeneration" else []


def test_resolve_command(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    from automodel_lint.target import Target

    monkeypatch.setattr(resolve_command, "_target", lambda options: Target("9.9.9", "a test table", FakeTable()))
    with FakeHub({"lab/s2s": T5}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        assert cli.main(["resolve", "lab/s2s"]) == 0
        text = capsys.readouterr().out
        assert cli.main(["resolve", "lab/s2s", "--output-format", "json"]) == 0  # the second time: from the cache
        data = json.loads(capsys.readouterr().out)
        assert cli.main(["resolve", "lab/missing"]) == 1
    lines = text.splitlines()
    first = next(i for i, ln in enumerate(lines) if "AutoModelForSeq2SeqLM" in ln)
    assert first < next(i for i, ln in enumerate(lines) if ln.strip().startswith("AutoModel "))
    assert data["facts_source"] == "cache" and data["auto_classes"][0]["class"] == "AutoModelForSeq2SeqLM"
    assert data["sha"] == FakeHub.sha_of("lab/s2s")
    assert "not found on the Hub" in capsys.readouterr().err


def test_lock_command_with_a_stub_collector(capsys, monkeypatch, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.chdir(tmp_path)
    seen = []

    def collect(paths):
        seen.append(paths)
        return {ModelRequest("lab/a", file_dir="."), ModelRequest("lab/b", file_dir="sub"), ModelRequest("lab/none")}

    monkeypatch.setattr(engine, "collect_requests", collect)
    with FakeHub({"lab/a": LLAMA, "lab/b": T5}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        assert cli.main(["lock", "."]) == 1  # lab/none stays unresolved, and is named
        err = capsys.readouterr().err
    assert "1 model id could not be resolved" in err and "lab/none" in err
    lock = read_lock(tmp_path / LOCK_NAME)
    assert set(lock.models) == {"lab/a@", "lab/b@"} and seen == [["."]]
    # CI: locked, no network at all
    locked = Resolver(locked=True, project_root=tmp_path).resolve(ModelRequest("lab/b"))
    assert locked.source == "lock" and locked.model_type == "t5"


def test_cache_commands(capsys, tmp_path):
    with FakeHub({"lab/a": LLAMA}) as hub:
        make(hub, cache_dir=tmp_path / "c").resolve(ModelRequest("lab/a"))
    assert cli.main(["cache", "info", "--cache-dir", str(tmp_path / "c")]) == 0
    assert "1 resolved" in capsys.readouterr().out
    assert cli.main(["cache", "clear", "--cache-dir", str(tmp_path / "c")]) == 0
    assert "removed 1 entries" in capsys.readouterr().out
    assert not (tmp_path / "c" / FILE_NAME).exists()


# -- property: no model string makes the resolver raise ---------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=20)), st.one_of(st.none(), st.text(max_size=20)))
def test_no_string_crashes_the_offline_resolver(model, revision, subfolder):
    answer = Resolver(offline=True, use_cache=False).resolve(ModelRequest(model, revision, subfolder))
    assert isinstance(answer, (ModelFacts, Unresolved))


# -- the Hub's pipeline_tag: the task of `pipeline(model=...)` with no task ---------------------------------------

def test_pipeline_tag_from_the_hub_survives_the_cache(tmp_path):
    bart = {"model_type": "bart", "architectures": ["BartForConditionalGeneration"], "pipeline_tag": "summarization"}
    with FakeHub({"lab/bart-sum": bart}) as hub:
        facts = make(hub, cache_dir=tmp_path).resolve(ModelRequest("lab/bart-sum"))
    assert facts.pipeline_tag == "summarization"
    again = make(None, cache_dir=tmp_path, offline=True).resolve(ModelRequest("lab/bart-sum"))
    assert (again.source, again.pipeline_tag) == ("cache", "summarization")


def test_pipeline_without_a_task_is_judged_by_the_hubs_tag(tmp_path, monkeypatch):
    from automodel_lint import knowledge
    from automodel_lint.engine import analyse_source, judge_all
    from automodel_lint.options import Options

    bart = {"model_type": "bart", "architectures": ["BartForConditionalGeneration"], "pipeline_tag": "summarization"}
    source = b'from transformers import pipeline\n\nsummarize = pipeline(model="lab/bart-sum")\n'
    with FakeHub({"lab/bart-sum": bart}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        results, _ = judge_all([analyse_source("a.py", source)], Options(cache_dir=str(tmp_path)),
                               knowledge.bundled_tables()[-1])
    found = [d for r in results for d in r.diagnostics]
    # transformers 5 removed the summarization pipeline: this call raises although no task is written.
    assert [(d.code, d.span.line) for d in found] == [("HFA005", 3)]
    assert "summarization" in found[0].message


QWEN_CONFIG = {"model_type": "qwen", "architectures": ["QWenLMHeadModel"],
               "auto_map": {"AutoModelForCausalLM": "modeling_qwen.QWenLMHeadModel"}}


def test_thin_snapshot_facts_are_not_the_last_word_when_the_hub_answers():
    # The snapshot knows Qwen/Qwen-7B-Chat only by its architecture: no model type, no auto_map.
    with FakeHub({"Qwen/Qwen-7B-Chat": QWEN_CONFIG}) as hub:
        facts = make(hub).resolve(ModelRequest("Qwen/Qwen-7B-Chat"))
    assert (facts.source, facts.model_type, facts.auto_map_dict()) == (
        "hub", "qwen", {"AutoModelForCausalLM": "modeling_qwen.QWenLMHeadModel"})


def test_thin_snapshot_facts_stand_when_the_hub_cannot_answer():
    with FakeHub({"Qwen/Qwen-7B-Chat": QWEN_CONFIG}, mode="500") as hub:
        facts = make(hub).resolve(ModelRequest("Qwen/Qwen-7B-Chat"))
    assert facts.source == "snapshot" and facts.architectures == ("QWenLMHeadModel",)
    offline = make(offline=True).resolve(ModelRequest("Qwen/Qwen-7B-Chat"))
    assert offline.source == "snapshot" and not offline.model_type
