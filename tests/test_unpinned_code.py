"""HFA013: a trusted load that runs repository code, with no commit pinned; its fix pins the commit the facts came
from (Hub, cache, lock), and no load that runs no repository code is reported."""

from __future__ import annotations

import json

import pytest

from fakehub_facts import FakeHub
from test_resolver import isolated  # noqa: F401  (an autouse fixture: loopback only, fresh caches)

from automodel_lint import knowledge
from automodel_lint.fixer import fix_source, select_fixes
from automodel_lint.engine import analyse_source, judge_all
from automodel_lint.options import Options
from automodel_lint.records import CallSite, Fix, ModelFacts, Span
from automodel_lint.rules import Case, unpinned_code

SHA = "c" * 40
QWEN = ModelFacts("Qwen/Qwen-7B-Chat", "qwen", ("QWenLMHeadModel",),
                  (("AutoConfig", "configuration_qwen.QWenConfig"),
                   ("AutoModelForCausalLM", "modeling_qwen.QWenLMHeadModel")), source="hub", sha=SHA)


def verdict(facts=QWEN, called="AutoModelForCausalLM", **site):
    site.setdefault("trust_remote_code", True)
    call = CallSite("x.py", Span(1, 1, 1, 2), called, called, facts.model_id, **site)
    return unpinned_code.judge(Case(call, facts, knowledge.bundled_tables()[-1]))


def test_the_fix_pins_the_commit_the_facts_came_from():
    found = verdict()
    assert found.fix == Fix("unsafe", keyword=("revision", f'"{SHA}"'))
    assert found.message == ('AutoModelForCausalLM runs the code of "Qwen/Qwen-7B-Chat" as the repository holds it on'
                             " the day it loads: pin revision= to a commit sha")
    assert "the commit the config was read at (hub)" in found.detail


@pytest.mark.parametrize("site, facts, why", [
    ({"trust_remote_code": None}, QWEN, "not trusted: HFA003's business, or no remote code runs"),
    ({"trust_remote_code": False}, QWEN, "refused"),
    ({"revision": SHA}, QWEN, "pinned"),
    ({"uncertain_kwargs": ("revision",)}, QWEN, "the caller passes a revision"),
    ({"uncertain_kwargs": ("**",)}, QWEN, "**kwargs may hold one"),
    ({"method": "from_config"}, QWEN, "from_config takes no revision"),
    ({}, ModelFacts("lab/gpt2", "gpt2", ("GPT2LMHeadModel",), source="hub", sha=SHA), "no auto_map"),
    ({}, ModelFacts("ckpt", "qwen", (), QWEN.auto_map, source="local"), "a local folder's code"),
])
def test_loads_that_run_no_unpinned_hub_code_are_not_reported(site, facts, why):
    assert verdict(facts, **site) is None, why


def test_a_concrete_class_never_runs_repository_code():
    assert verdict(called="LlamaForCausalLM") is None


def test_a_branch_or_a_short_sha_is_not_a_pin():
    assert verdict(revision="main").fix.keyword == ("revision", f'"{SHA}"')
    assert "a branch or tag that moves" in verdict(revision="c0ffee1").detail


def test_no_sha_known_means_no_fix_and_says_so():
    found = verdict(ModelFacts(**{**QWEN.__dict__, "source": "snapshot", "sha": None}))
    assert found.fix is None and "No fix: the commit the facts came from is not known (snapshot)" in found.detail


def test_code_in_another_repository_has_no_fix():
    facts = ModelFacts("lab/nova", "nova", (), (("AutoModelForCausalLM", "acme/nova-base--modeling.Nova"),),
                       source="hub", sha=SHA)
    found = verdict(facts)
    assert found.fix is None and "another repository (acme/nova-base)" in found.detail


def test_only_the_config_code_runs_for_a_class_the_auto_map_lacks():
    facts = ModelFacts("lab/phi", "phi3", ("Phi3ForCausalLM",), (("AutoConfig", "configuration_phi3.Phi3Config"),),
                       source="hub", sha=SHA)
    assert "AutoConfig -> configuration_phi3.Phi3Config" in verdict(facts, called="AutoModel").detail


def test_hub_sha_reaches_the_diagnostic_through_the_engine_and_the_results_cache(tmp_path, monkeypatch):
    config = {"model_type": "qwen", "architectures": ["QWenLMHeadModel"],
              "auto_map": {"AutoModelForCausalLM": "modeling_qwen.QWenLMHeadModel"}}
    source = (b"from transformers import AutoModelForCausalLM\n\n"
              b'm = AutoModelForCausalLM.from_pretrained("lab/qwen-chat", trust_remote_code=True)\n')
    with FakeHub({"lab/qwen-chat": config}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        results, _ = judge_all([analyse_source("a.py", source)], Options(cache_dir=str(tmp_path), preview=True),
                               knowledge.bundled_tables()[-1])
    (found,) = [d for r in results for d in r.diagnostics]
    sha = FakeHub.sha_of("lab/qwen-chat")
    assert found.code == "HFA013" and found.fix.keyword == ("revision", f'"{sha}"')
    # --fix --unsafe-fixes pins the call; a safe-only run leaves it
    assert select_fixes([found], unsafe=False)[0] == []
    outcome = fix_source(source, select_fixes([found], unsafe=True)[0])
    assert outcome.error is None and outcome.fixed.decode().endswith(
        f'm = AutoModelForCausalLM.from_pretrained("lab/qwen-chat", trust_remote_code=True, revision="{sha}")\n')
    # offline, from automodel-lint's own cache: the same commit
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    results, _ = judge_all([analyse_source("a.py", source)],
                           Options(cache_dir=str(tmp_path), offline=True, preview=True),
                           knowledge.bundled_tables()[-1])
    (again,) = [d for r in results for d in r.diagnostics]
    assert again.fix == found.fix and again.facts_source == "cache"
    stored = json.loads((tmp_path / "hub-facts.json").read_text())
    assert stored["entries"]["lab/qwen-chat@"]["sha"] == FakeHub.sha_of("lab/qwen-chat")


def test_online_the_hub_answers_for_a_snapshot_checkpoint_with_its_own_code(tmp_path):
    from test_resolver import make

    from automodel_lint.records import ModelRequest

    phi = {"model_type": "phi3", "architectures": ["Phi3ForCausalLM"],
           "auto_map": {"AutoConfig": "configuration_phi3.Phi3Config"}}
    request = ModelRequest("microsoft/Phi-3-mini-4k-instruct")
    with FakeHub({request.model: phi}) as hub:
        online = make(hub).resolve(request)
    assert (online.source, online.sha) == ("hub", FakeHub.sha_of(request.model))  # the commit a pin names
    offline = make(offline=True, use_cache=False).resolve(request)
    assert offline.source == "snapshot" and offline.sha is None
    with FakeHub({}, mode="500") as hub:
        assert make(hub, use_cache=False).resolve(request).source == "snapshot"  # the Hub failing: the snapshot
