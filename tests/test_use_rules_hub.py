"""The rules about uses end to end against the loopback Hub: model facts and tokenizer files come from
tests/fakehub_facts.py on 127.0.0.1, as a real run reads them (`check --preview`)."""

from __future__ import annotations

import textwrap

from fakehub_facts import FakeHub
from test_resolver import LLAMA, isolated  # noqa: F401  (isolated: an autouse fixture)
from test_tokenizer_facts import BASE, CHAT

from automodel_lint.engine import check_paths
from automodel_lint.options import Options

SOURCE = textwrap.dedent("""\
    from transformers import AutoModelForCausalLM, AutoTokenizer

    def answer(model_id, prompts):
        tokenizer = AutoTokenizer.from_pretrained("lab/base")
        model = AutoModelForCausalLM.from_pretrained("lab/base")
        text = tokenizer.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)
        inputs = tokenizer(["a", "bc"], padding=True, return_tensors="pt")
        return model.generate(**inputs)

    def chat():
        tokenizer = AutoTokenizer.from_pretrained("lab/chat")
        model = AutoModelForCausalLM.from_pretrained("lab/chat")
        text = tokenizer.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)
        inputs = tokenizer(["a", "bc"], padding=True, return_tensors="pt")
        return model.generate(**inputs)
""")


def test_use_rules_read_the_hub_s_tokenizer_files(tmp_path, monkeypatch):
    (tmp_path / "serve.py").write_text(SOURCE)
    monkeypatch.chdir(tmp_path)
    with FakeHub({"lab/base": BASE, "lab/chat": CHAT}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        report = check_paths(["serve.py"], Options(preview=True, cache_dir=str(tmp_path / "cache")))
        quiet = check_paths(["serve.py"], Options(cache_dir=str(tmp_path / "cache")))
    got = [(d.span.line, d.code) for d in report.diagnostics]
    # lab/base: no chat template (HFA012); GPT2Tokenizer pads on the right by its class default (HFA011).
    # lab/chat: a chat template, and its tokenizer_config.json says padding_side "right" (HFA011).
    assert got == [(6, "HFA012"), (8, "HFA011"), (15, "HFA011")]
    messages = {d.span.line: d.message for d in report.diagnostics}
    assert "the default of GPT2Tokenizer" in messages[8] and "tokenizer_config.json" in messages[15]
    assert report.unjudged == [] and quiet.diagnostics == []
    # Calls found: two model loads, four uses and the two tokenizer loads whose facts the rules read, all judged;
    # without --preview no rule reads a use or a tokenizer: the two model loads.
    assert (report.sites, quiet.sites) == (8, 2)
