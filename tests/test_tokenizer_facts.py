"""Tokenizer facts (issue 16): each source in the resolver's order, the loopback Hub, budgets, broken and hostile files,
the lock file and both caches with their old schemas.

The Hub is tests/fakehub_facts.py on 127.0.0.1; the socket guard of test_resolver fails any other host.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from fakehub_facts import FakeHub
from test_resolver import LLAMA, T5, fake_hf_cache, isolated, make  # noqa: F401  (isolated: an autouse fixture)

from automodel_lint import cli, engine
from automodel_lint.facts.cache import FILE_NAME, FactsCache
from automodel_lint.facts.lockfile import LOCK_NAME, read_lock, write_lock
from automodel_lint.facts.tokenizer import ABSENT, UNSEEN, facts_from_files
from automodel_lint.records import ModelRequest, TokenizerFacts, Unresolved

CHAT = {**LLAMA, "tokenizer": {"config": {"tokenizer_class": "LlamaTokenizer", "padding_side": "right",
                                          "chat_template": "{% for m in messages %}{{ m.content }}{% endfor %}"}}}
BASE = {**LLAMA, "tokenizer": {"config": {"tokenizer_class": "GPT2Tokenizer"}, "special": {"eos_token": "</s>"}}}
JINJA = {**LLAMA, "tokenizer": {"config": {"tokenizer_class": "Qwen2Tokenizer"}, "files": ["chat_template.jinja"]}}
MASKED = {**T5, "tokenizer": {"config": {"tokenizer_class": "BertTokenizer"}, "special": {"mask_token": "[MASK]"}}}


def tokenizer_paths(hub):
    return sorted(p.split("?")[0] for _, p in hub.log)


# -- reading the files ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("config, special, files, named, expected", [
    ({"chat_template": "{{ x }}", "padding_side": "left"}, ABSENT, False, False, ("left", True, None)),
    ({"chat_template": [{"name": "default", "template": "x"}]}, ABSENT, False, False, (None, True, None)),
    ({"chat_template": ""}, ABSENT, False, False, (None, True, None)),  # renders nothing, raises nothing
    ({"chat_template": None}, ABSENT, False, False, (None, False, None)),
    ({"chat_template": [{"name": "tool_use", "template": "x"}]}, ABSENT, False, False, (None, None, None)),
    ({}, ABSENT, True, False, (None, True, None)),  # chat_template.jinja
    ({}, ABSENT, False, True, (None, None, None)),  # only named templates: the call may name one
    ({}, ABSENT, False, False, (None, False, None)),
    ({}, ABSENT, None, None, (None, None, None)),  # the file list is not known
    ({"mask_token": {"content": "<mask>", "lstrip": True}}, UNSEEN, False, False, (None, False, True)),
    ({"mask_token": None}, {"mask_token": "<mask>"}, False, False, (None, False, False)),
    ({}, {"mask_token": "<mask>"}, False, False, (None, False, True)),
    ({"padding_side": "middle"}, ABSENT, False, False, (None, False, None)),
])
def test_facts_from_the_files(config, special, files, named, expected):
    facts = facts_from_files("m", config, special, files, named, source="local", provenance="here")
    assert (facts.padding_side, facts.has_chat_template, facts.has_mask_token) == expected


def test_hostile_values_are_dropped_not_shown():
    facts = facts_from_files("m", {"tokenizer_class": "Llama\x1b]0;owned\x07Tokenizer"}, ABSENT, False, False,
                             source="local", provenance="here")
    assert facts.tokenizer_class is None
    assert isinstance(facts_from_files("m", ["a list"], ABSENT, False, False, source="local", provenance="x"),
                      Unresolved)


# -- the Hub ----------------------------------------------------------------------------------------------------------

def test_hub_serves_tokenizer_facts_for_the_requests_asked_only():
    with FakeHub({"lab/chat": CHAT, "lab/base": BASE, "lab/jinja": JINJA, "lab/masked": MASKED,
                  "lab/other": LLAMA}) as hub:
        r = make(hub)
        got = r.resolve_tokenizers([ModelRequest("lab/chat"), ModelRequest("lab/base"), ModelRequest("lab/jinja"),
                                    ModelRequest("lab/masked")])
        paths = tokenizer_paths(hub)
    chat, base, jinja, masked = got.values()
    assert (chat.tokenizer_class, chat.padding_side, chat.has_chat_template) == ("LlamaTokenizer", "right", True)
    assert (base.tokenizer_class, base.has_chat_template, base.has_mask_token) == ("GPT2Tokenizer", False, None)
    assert jinja.has_chat_template is True and masked.has_mask_token is True
    assert chat.source == "hub" and FakeHub.sha_of("lab/chat") in chat.provenance
    assert not any("lab/other" in p for p in paths)  # a model nobody uses a tokenizer of is never asked
    # one file list, the tokenizer config, the special tokens map only where listed and still needed: no vocabulary
    assert [p for p in paths if "lab/base" in p] == [
        "/api/models/lab/base", f"/lab/base/resolve/{FakeHub.sha_of('lab/base')}/special_tokens_map.json",
        f"/lab/base/resolve/{FakeHub.sha_of('lab/base')}/tokenizer_config.json"]
    assert [p for p in paths if "lab/chat" in p] == [
        "/api/models/lab/chat", f"/lab/chat/resolve/{FakeHub.sha_of('lab/chat')}/tokenizer_config.json"]


def test_model_facts_alone_ask_for_no_tokenizer_files():
    with FakeHub({"lab/chat": CHAT}) as hub:
        make(hub).resolve_all([ModelRequest("lab/chat")])
    assert not any("tokenizer" in p or "siblings" in p for _, p in hub.log)


def test_broken_tokenizer_config_from_the_hub_is_unresolved_with_the_reason():
    broken = {**LLAMA, "tokenizer": {"config": '{"tokenizer_class": '}}
    listed = {**LLAMA, "tokenizer": {"config": ["a", "list"]}}
    with FakeHub({"lab/broken": broken, "lab/list": listed}) as hub:
        got = make(hub).resolve_tokenizers([ModelRequest("lab/broken"), ModelRequest("lab/list")])
    assert got[ModelRequest("lab/broken")].reason == (
        "tokenizer facts unknown: tokenizer_config.json is not valid JSON (Hub answer)")
    assert got[ModelRequest("lab/list")].reason == "tokenizer facts unknown: tokenizer_config.json is not a JSON object"


def test_subfolder_revision_and_an_oversized_config():
    sub = {**LLAMA, "tokenizer": {"config": {"tokenizer_class": "CLIPTokenizer"}, "folder": "tokenizer/",
                                  "files": ["chat_template.jinja"]}}
    huge = {**LLAMA, "tokenizer": {"config": "[" + " " * 3_000_000 + "]"}}
    with FakeHub({"lab/diffusion": sub, "lab/huge": huge}) as hub:
        got = make(hub).resolve_tokenizers([ModelRequest("lab/diffusion", revision="v1", subfolder="tokenizer"),
                                            ModelRequest("lab/diffusion"), ModelRequest("lab/huge")])
        paths = tokenizer_paths(hub)
    in_sub, at_root, big = got.values()
    assert (in_sub.tokenizer_class, in_sub.has_chat_template) == ("CLIPTokenizer", True)
    assert (at_root.tokenizer_class, at_root.has_chat_template) == (None, False)
    assert "/api/models/lab/diffusion/revision/v1" in paths
    assert big.reason == "tokenizer facts unknown: the Hub's answer is larger than 2 MB"


def test_a_repo_without_tokenizer_files_says_so():
    with FakeHub({"lab/bare": LLAMA}) as hub:
        facts = make(hub).resolve_tokenizers([ModelRequest("lab/bare")])[ModelRequest("lab/bare")]
    assert (facts.tokenizer_class, facts.has_chat_template, facts.has_mask_token) == (None, False, None)


def test_tokenizer_requests_share_the_runs_network_budget():
    with FakeHub({f"lab/m{i}": CHAT for i in range(4)}, mode="dribble", slow=6.0, interval=0.2) as hub:
        r = make(hub, network_budget=1.5, request_timeout=1.0)
        start = time.monotonic()
        r.resolve_all([ModelRequest("lab/m0")])
        got = r.resolve_tokenizers([ModelRequest(f"lab/m{i}") for i in range(4)])
        took = time.monotonic() - start
    assert took < 2.5, took  # one budget for the run, not one per kind of facts
    assert all(isinstance(a, Unresolved) for a in got.values())
    assert all("network budget" in a.reason or "did not answer" in a.reason for a in got.values())


def test_offline_with_no_source_says_why_the_tokenizer_is_unknown(isolated):
    got = make(offline=True).resolve_tokenizers([ModelRequest("lab/nowhere"), ModelRequest("../x\x00")])
    assert got[ModelRequest("lab/nowhere")].reason == (
        "tokenizer facts unknown: not in the lock file or a cache (offline), and the bundled snapshot holds none")
    assert got[ModelRequest("../x\x00")].reason == "tokenizer facts unknown: model name contains control characters"
    assert isolated == []


# -- the local folder -------------------------------------------------------------------------------------------------

def test_local_folder_files_and_links_never_followed(tmp_path):
    good = tmp_path / "ckpt"
    good.mkdir()
    (good / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "T5Tokenizer"}))
    (good / "chat_template.jinja").write_text("{{ messages }}")
    secret = tmp_path / "outside.json"
    secret.write_text(json.dumps({"tokenizer_class": "Planted", "chat_template": "x"}))
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "tokenizer_config.json").symlink_to(secret)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "tokenizer_config.json").write_text("{nope")
    got = make(offline=True, cwd=tmp_path).resolve_tokenizers(
        [ModelRequest("ckpt"), ModelRequest("linked"), ModelRequest("broken")])
    ckpt = got[ModelRequest("ckpt")]
    assert (ckpt.source, ckpt.tokenizer_class, ckpt.has_chat_template) == ("local", "T5Tokenizer", True)
    assert got[ModelRequest("linked")].reason == (
        "tokenizer facts unknown: tokenizer_config.json is a symbolic link, which is not followed")
    assert got[ModelRequest("broken")].reason == "tokenizer facts unknown: tokenizer_config.json is not valid JSON"


# -- the Hugging Face cache -------------------------------------------------------------------------------------------

def hf_cache_tokenizer(root: Path, repo: str, sha: str, files: dict[str, object], missing: tuple[str, ...]) -> Path:
    folder = fake_hf_cache(root, repo, {sha: LLAMA}, {"main": sha})
    for name, data in files.items():
        (folder / "snapshots" / sha / name).write_text(json.dumps(data))
    for name in missing:
        (folder / ".no_exist" / sha).mkdir(parents=True, exist_ok=True)
        (folder / ".no_exist" / sha / name).touch()
    return folder


def test_hf_cache_answers_what_an_earlier_load_left(tmp_path):
    hub_cache = tmp_path / "hf-home" / "hub"
    hf_cache_tokenizer(hub_cache, "corp/base", "1" * 40, {"tokenizer_config.json": {"tokenizer_class": "X"}},
                       ("special_tokens_map.json", "chat_template.jinja", "chat_template.json"))
    facts = make(offline=True).resolve_tokenizers([ModelRequest("corp/base")])[ModelRequest("corp/base")]
    assert (facts.source, facts.tokenizer_class, facts.has_chat_template) == ("hf-cache", "X", False)


def test_hf_cache_that_cannot_tell_about_templates_defers_to_the_hub(tmp_path):
    hf_cache_tokenizer(tmp_path / "hf-home" / "hub", "lab/chat", "2" * 40,
                       {"tokenizer_config.json": {"tokenizer_class": "Old"}}, ())
    with FakeHub({"lab/chat": CHAT}) as hub:
        online = make(hub).resolve_tokenizers([ModelRequest("lab/chat")])[ModelRequest("lab/chat")]
    assert (online.source, online.has_chat_template) == ("hub", True)
    offline = make(offline=True).resolve_tokenizers([ModelRequest("lab/chat")])[ModelRequest("lab/chat")]
    assert (offline.source, offline.has_chat_template) == ("hf-cache", None)  # the best answer there is


def test_hf_cache_link_out_of_its_repository_is_not_read(tmp_path):
    folder = hf_cache_tokenizer(tmp_path / "hf-home" / "hub", "corp/evil", "3" * 40, {}, ())
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({"tokenizer_class": "Planted"}))
    (folder / "snapshots" / ("3" * 40) / "tokenizer_config.json").symlink_to(outside)
    got = make(offline=True).resolve_tokenizers([ModelRequest("corp/evil")])[ModelRequest("corp/evil")]
    assert isinstance(got, Unresolved) and "offline" in got.reason and "Planted" not in repr(got)


# -- automodel-lint's cache: kept, read offline, the old schema still read --------------------------------------------

def test_hub_answers_are_cached_and_read_offline(tmp_path):
    with FakeHub({"lab/chat": CHAT}) as hub:
        make(hub).resolve_tokenizers([ModelRequest("lab/chat")])
    data = json.loads((tmp_path / "lint-cache" / FILE_NAME).read_text())
    assert data["schema_version"] == 2 and data["tokenizers"]["lab/chat@"]["tokenizer"]["has_chat_template"] is True
    again = make(offline=True).resolve_tokenizers([ModelRequest("lab/chat")])[ModelRequest("lab/chat")]
    assert (again.source, again.tokenizer_class, again.padding_side) == ("cache", "LlamaTokenizer", "right")


def test_schema_1_cache_is_read_and_rewritten_as_2(tmp_path):
    d = tmp_path / "c"
    d.mkdir()
    old = {"schema_version": 1, "entries": {"lab/a@": {"fetched": time.time(), "sha": "4" * 40, "facts": {
        "model_id": "lab/a", "model_type": "llama", "architectures": ["LlamaForCausalLM"], "auto_map": {}}}}}
    (d / FILE_NAME).write_text(json.dumps(old))
    warnings = []
    with FakeHub({"lab/chat": CHAT}) as hub:
        r = make(hub, cache_dir=d, warnings=warnings)
        assert r.resolve(ModelRequest("lab/a")).source == "cache" and not hub.log
        r.resolve_tokenizers([ModelRequest("lab/chat")])
    assert warnings == []
    data = json.loads((d / FILE_NAME).read_text())
    assert data["schema_version"] == 2 and set(data["entries"]) == {"lab/a@"} and set(data["tokenizers"]) == {
        "lab/chat@"}
    assert not [p for p in d.iterdir() if ".bad-" in p.name]


def test_cache_info_and_clear_count_tokenizer_entries(tmp_path, capsys):
    cache = FactsCache(tmp_path / "c")
    cache.put_tokenizer(ModelRequest("a"), TokenizerFacts("a", has_chat_template=False))
    cache.put(ModelRequest("a"), Unresolved("a", "not found on the Hub (HTTP 404)"))
    cache.flush()
    assert cli.main(["cache", "info", "--cache-dir", str(tmp_path / "c")]) == 0
    assert "tokenizers: 1 entries" in capsys.readouterr().out
    assert FactsCache(tmp_path / "c").clear() == 2


# -- the lock file ----------------------------------------------------------------------------------------------------

def test_lock_keeps_tokenizer_facts_and_locked_mode_reads_them(tmp_path):
    reqs = [ModelRequest("lab/chat"), ModelRequest("lab/base")]
    with FakeHub({"lab/chat": CHAT, "lab/base": BASE}) as hub:
        r = make(hub)
        answers, tokenizers = r.resolve_all(reqs), r.resolve_tokenizers(reqs)
    path = tmp_path / LOCK_NAME
    write_lock(path, answers, tokenizers=tokenizers)
    lock = read_lock(path)
    assert json.loads(path.read_text())["lock_version"] == 2 and set(lock.tokenizers) == {"lab/chat@", "lab/base@"}
    locked = make(locked=True, lock=path).resolve_tokenizers(reqs + [ModelRequest("lab/none")])
    assert locked[reqs[0]].source == "lock" and locked[reqs[0]].has_chat_template is True
    assert locked[reqs[1]].has_chat_template is False
    assert locked[ModelRequest("lab/none")].reason.startswith("tokenizer facts unknown: not in the lock file")
    # a new write that could not reach the Hub keeps what the old lock knew
    write_lock(path, {}, keep=lock, tokenizers={reqs[0]: Unresolved("lab/chat", "the Hub is unreachable")})
    assert set(read_lock(path).tokenizers) == {"lab/chat@", "lab/base@"}


def test_version_1_lock_is_read_with_no_tokenizer_facts(tmp_path):
    path = tmp_path / LOCK_NAME
    path.write_text(json.dumps({"lock_version": 1, "models": {"lab/a@": {
        "model": "lab/a", "model_id": "lab/a", "model_type": "llama", "architectures": ["LlamaForCausalLM"],
        "auto_map": {}, "resolved_from": "hub", "sha": "5" * 40}}}))
    r = make(locked=True, lock=path)
    facts = r.resolve(ModelRequest("lab/a"))
    assert (facts.source, facts.sha) == ("lock", "5" * 40)
    assert isinstance(r.resolve_tokenizers([ModelRequest("lab/a")])[ModelRequest("lab/a")], Unresolved)


def test_malformed_tokenizer_entry_in_the_lock_is_unresolved(tmp_path):
    path = tmp_path / LOCK_NAME
    path.write_text(json.dumps({"lock_version": 2, "models": {}, "tokenizers": {
        "lab/a@": {"tokenizer": {"model_id": "lab/a", "padding_side": "sideways"}}}}))
    got = make(locked=True, lock=path).resolve_tokenizers([ModelRequest("lab/a")])[ModelRequest("lab/a")]
    assert got.reason == (
        "tokenizer facts unknown: its tokenizer entry in the lock file is malformed; run `automodel-lint lock`")


def test_lock_command_records_the_tokenizers_of_the_ids_the_code_names(capsys, monkeypatch, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(engine, "collect_requests", lambda paths: {ModelRequest("lab/chat", file_dir=".")})
    with FakeHub({"lab/chat": CHAT}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        assert cli.main(["lock", "."]) == 0
    lock = read_lock(tmp_path / LOCK_NAME)
    assert lock.tokenizers["lab/chat@"]["tokenizer"]["tokenizer_class"] == "LlamaTokenizer"
    assert os.path.getsize(tmp_path / LOCK_NAME) < 4000
