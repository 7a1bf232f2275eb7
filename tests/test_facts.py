"""Model facts offline: the bundled snapshot, local checkpoint folders, and hostile folders that must not hurt."""

from __future__ import annotations

import json
import os
import time

import pytest

from automodel_lint.facts import snapshot
from automodel_lint.facts.resolver import Resolver
from automodel_lint.knowledge.table import KnowledgeTable
from automodel_lint.records import ModelFacts, ModelRequest, Unresolved


def resolve(model, **kw):
    opts = {k: kw.pop(k) for k in ("cwd", "table") if k in kw}
    return Resolver(offline=True, use_cache=False, **opts).resolve(ModelRequest(model, **kw))


# -- the bundled snapshot ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("model, model_id, model_type, arch", [
    pytest.param("gpt2", "openai-community/gpt2", "gpt2", "GPT2LMHeadModel", id="legacy-gpt2"),
    pytest.param("google/flan-t5-base", "google/flan-t5-base", "t5", "T5ForConditionalGeneration", id="flan-t5"),
    pytest.param("facebook/bart-large-cnn", "facebook/bart-large-cnn", "bart", "BartForConditionalGeneration",
                 id="bart"),
    pytest.param("t5-small", "google-t5/t5-small", "t5", "T5ForConditionalGeneration", id="legacy-t5-small"),
    pytest.param("bert-base-uncased", "google-bert/bert-base-uncased", "bert", "BertForMaskedLM", id="alias-bert"),
    pytest.param("Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-7B-Instruct", "qwen2", "Qwen2ForCausalLM", id="qwen"),
    pytest.param("qwen/QWEN2.5-7b-instruct", "Qwen/Qwen2.5-7B-Instruct", "qwen2", "Qwen2ForCausalLM", id="qwen-case"),
    pytest.param("BERT-BASE-UNCASED", "google-bert/bert-base-uncased", "bert", "BertForMaskedLM", id="alias-case"),
])
def test_snapshot_lookup(model, model_id, model_type, arch):
    facts = snapshot.lookup(model)
    assert facts is not None
    assert (facts.model_id, facts.model_type, facts.source) == (model_id, model_type, "snapshot")
    assert arch in facts.architectures
    assert facts.evidence in ("config", "doc") and facts.provenance
    assert resolve(model) == facts


def test_snapshot_keeps_provenance():
    facts = snapshot.lookup("t5-small")
    assert "github:" in facts.provenance and "legacy alias" in facts.provenance
    phi2 = snapshot.lookup("microsoft/phi-2")
    assert phi2.model_type == "phi" and "phi-msft" in phi2.provenance  # the disagreement is shown, not used


def test_snapshot_auto_map_and_derived_type():
    phi3 = snapshot.lookup("microsoft/Phi-3-mini-4k-instruct")
    assert phi3.auto_map_dict()["AutoModelForCausalLM"] == "modeling_phi3.Phi3ForCausalLM"
    data = snapshot._data()
    key, entry = next((k, e) for k, e in data["models"].items() if e.get("derived"))
    assert "derived from architectures" in snapshot.lookup(key).provenance


def test_component_doc_types_are_withheld():
    # TrOCR checkpoints are documented under `trocr` but carry a vision-encoder-decoder config:
    # no answer beats a wrong one.
    assert snapshot.lookup("microsoft/trocr-base-handwritten") is None
    answer = resolve("microsoft/trocr-base-handwritten")
    assert isinstance(answer, Unresolved) and "vision-encoder-decoder" in answer.reason


def test_unknown_id_offline():
    answer = resolve("acme-nobody/never-published")
    assert answer == Unresolved("acme-nobody/never-published", "not in the bundled snapshot (offline)")


def test_table_checkpoints_back_the_snapshot():
    table = KnowledgeTable({"schema_version": 1, "transformers_version": "5.24.0", "config_classes": {},
                            "auto_classes": {}, "architectures": {},
                            "checkpoints": {"Acme/Doc-Only-Model": "llama", "gpt2": "not-this"}}, "bundled")
    facts = resolve("acme/doc-only-model", table=table)
    assert (facts.model_type, facts.evidence, facts.architectures, facts.source) == ("llama", "doc", (), "snapshot")
    assert resolve("gpt2", table=table).model_type == "gpt2"  # the Hub snapshot comes first


def test_snapshot_loads_fast():
    snapshot._data.cache_clear()
    t = time.perf_counter()
    snapshot.lookup("gpt2")
    assert time.perf_counter() - t < 0.5
    t = time.perf_counter()
    for _ in range(1000):
        snapshot.lookup("Qwen/Qwen2.5-7B-Instruct")
    assert time.perf_counter() - t < 0.2


# -- local folders ----------------------------------------------------------------------------------------------------

def write_config(folder, config, name="config.json"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(config if isinstance(config, str) else json.dumps(config))
    return folder


T5 = {"model_type": "t5", "architectures": ["T5ForConditionalGeneration"]}


def test_local_relative_to_cwd(tmp_path, monkeypatch):
    write_config(tmp_path / "models" / "mine", T5)
    monkeypatch.chdir(tmp_path)
    facts = resolve("models/mine")
    assert (facts.model_type, facts.source, facts.evidence, facts.model_id) == ("t5", "local", "config", "models/mine")
    assert facts.architectures == ("T5ForConditionalGeneration",)


def test_local_cwd_option_and_shadowing_a_hub_id(tmp_path):
    # A folder named like a Hub id wins, as it does at run time.
    write_config(tmp_path / "gpt2", {"model_type": "bart"})
    assert resolve("gpt2", cwd=tmp_path).model_type == "bart"


def test_local_relative_to_file_dir(tmp_path, monkeypatch):
    write_config(tmp_path / "proj" / "ckpt", {"model_type": "llama", "architectures": ["LlamaForCausalLM"]})
    monkeypatch.chdir(tmp_path)
    facts = resolve("ckpt", file_dir=str(tmp_path / "proj"))
    assert facts.model_type == "llama" and facts.source == "local"
    assert isinstance(resolve("ckpt"), Unresolved)  # not from the cwd


def test_local_subfolder(tmp_path):
    write_config(tmp_path / "pipe" / "text_encoder", {"model_type": "clip_text_model"})
    write_config(tmp_path / "pipe", {"model_type": "other"})
    assert resolve("pipe", subfolder="text_encoder", cwd=tmp_path).model_type == "clip_text_model"


def test_local_auto_map_keeps_only_class_strings(tmp_path):
    write_config(tmp_path / "custom", {"model_type": "acme", "auto_map": {
        "AutoModelForCausalLM": "modeling_acme.AcmeForCausalLM", "AutoTokenizer": ["tok.Slow", "tok.Fast"], "Bad": 3}})
    facts = resolve("custom", cwd=tmp_path)
    assert facts.auto_map == (("AutoModelForCausalLM", "modeling_acme.AcmeForCausalLM"),)


def test_peft_adapter_resolves_to_local_base(tmp_path):
    write_config(tmp_path / "base", T5)
    write_config(tmp_path / "adapter", {"base_model_name_or_path": str(tmp_path / "base")}, "adapter_config.json")
    facts = resolve("adapter", cwd=tmp_path)
    assert facts.model_type == "t5" and "PEFT adapter" in facts.provenance


def test_peft_adapter_chain_to_hub_base(tmp_path):
    write_config(tmp_path / "a1", {"base_model_name_or_path": "a2"}, "adapter_config.json")
    write_config(tmp_path / "a2", {"base_model_name_or_path": "facebook/bart-large-cnn"}, "adapter_config.json")
    facts = resolve("a1", cwd=tmp_path)
    assert (facts.model_type, facts.source, facts.model_id) == ("bart", "snapshot", "facebook/bart-large-cnn")
    assert facts.provenance.count("PEFT adapter") == 2


@pytest.mark.parametrize("chain", [["a"], ["a", "b"], ["a", "b", "c"]])
def test_peft_adapter_cycle(tmp_path, chain):
    for name, nxt in zip(chain, chain[1:] + chain[:1]):
        write_config(tmp_path / name, {"base_model_name_or_path": nxt}, "adapter_config.json")
    answer = resolve("a", cwd=tmp_path)
    assert isinstance(answer, Unresolved) and "loops" in answer.reason


def test_peft_adapter_without_base(tmp_path):
    write_config(tmp_path / "ad", {"base_model_name_or_path": None}, "adapter_config.json")
    assert isinstance(resolve("ad", cwd=tmp_path), Unresolved)


# -- hostile folders and strings: Unresolved or sane facts, never an exception ---------------------------------------

@pytest.mark.parametrize("body, expect", [
    pytest.param("[]", "not a JSON object", id="list"),
    pytest.param('"text"', "not a JSON object", id="string"),
    pytest.param('{"model_type": 5, "architectures": "x"}', "neither model_type nor architectures", id="wrong-types"),
    pytest.param('{"model_type": "t5", "architectures": null}', ("t5", ()), id="null-architectures"),
    pytest.param('{"model_type": "t5", "architectures": ["A", 3]}', ("t5", ()), id="mixed-architectures"),
    pytest.param('{"model_type": null, "architectures": ["BertModel"]}', (None, ("BertModel",)), id="null-type"),
    pytest.param("[" * 100_000 + "]" * 100_000, "nested too deeply", id="100k-deep"),
    pytest.param('{"a": ' * 100_000 + "1" + "}" * 100_000, "nested too deeply", id="100k-deep-objects"),
    pytest.param("{not json", "not valid JSON", id="garbage"),
    pytest.param('{"model_type": "t5", "auto_map": [1]}', ("t5", ()), id="auto-map-list"),
    pytest.param(b"\xff\xfe{", "not valid JSON", id="not-utf8"),
    pytest.param(" " * 2_000_000 + "{}", "larger than 1 MB", id="2MB"),
])
def test_hostile_config(tmp_path, body, expect):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.json").write_bytes(body if isinstance(body, bytes) else body.encode())
    answer = resolve("m", cwd=tmp_path)
    if isinstance(expect, str):
        assert isinstance(answer, Unresolved) and expect in answer.reason, answer
    else:
        assert (answer.model_type, answer.architectures) == expect


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_config_is_never_opened(tmp_path):
    (tmp_path / "f").mkdir()
    os.mkfifo(tmp_path / "f" / "config.json")
    t = time.perf_counter()
    answer = resolve("f", cwd=tmp_path)
    assert isinstance(answer, Unresolved) and "not a regular file" in answer.reason
    assert time.perf_counter() - t < 2


def test_config_json_that_is_a_directory(tmp_path):
    (tmp_path / "d" / "config.json").mkdir(parents=True)
    assert "not a regular file" in resolve("d", cwd=tmp_path).reason


def test_symlink_loop_config(tmp_path):
    (tmp_path / "s").mkdir()
    os.symlink(tmp_path / "s" / "config.json", tmp_path / "s" / "config.json")
    assert isinstance(resolve("s", cwd=tmp_path), Unresolved)


@pytest.mark.parametrize("model", [
    "", "   ", "a\x1b[31mb", "x" * 10_000, "https://evil.example/x", "file:///etc", "nul\x00byte",
    "../../etc/passwd", "/dev/zero", "/", "org/name/extra", "a--b", "name.", "-name",
])
def test_implausible_strings_are_unresolved(tmp_path, model):
    answer = resolve(model, cwd=tmp_path)
    assert isinstance(answer, Unresolved) and answer.reason


def test_control_chars_rejected_before_disk_access(tmp_path, monkeypatch):
    touched = []
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: touched.append(p) or real_stat(p, *a, **k))
    for model in ("a\x00b", "y" * 1001, "http://host/x"):
        resolve(model, cwd=tmp_path)
    assert touched == []


def test_resolve_all_dedupes_and_answers_every_request(tmp_path):
    write_config(tmp_path / "m", T5)
    reqs = [ModelRequest("gpt2"), ModelRequest("gpt2"), ModelRequest("m"), ModelRequest("zz-none/none"),
            ModelRequest("m", subfolder="nope")]
    out = Resolver(offline=True, use_cache=False, cwd=tmp_path).resolve_all(reqs)
    assert set(out) == set(reqs)
    assert isinstance(out[ModelRequest("m")], ModelFacts) and isinstance(out[ModelRequest("zz-none/none")], Unresolved)
    assert isinstance(out[ModelRequest("m", subfolder="nope")], Unresolved)
