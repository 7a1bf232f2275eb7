"""Rules about later uses of loaded objects (HFA009-HFA012): positive, negative and undecided cases, preview
gating, and the plumbing (noqa, select, fixes, tokenizer facts asked only when a rule reads them)."""

import textwrap

import pytest

from automodel_lint import knowledge
from automodel_lint.analysis import analyse_source
from automodel_lint.engine import judge_all
from automodel_lint.facts.resolver import Resolver
from automodel_lint.knowledge import KnowledgeTable
from automodel_lint.options import Options
from automodel_lint.records import TokenizerFacts, Unresolved

HEAD = (
    "from peft import LoraConfig, TaskType, get_peft_model\n"
    "from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer\n"
    "from transformers import DataCollatorForLanguageModeling\n"
)
OPT = "facebook/opt-125m"


@pytest.fixture
def tokenizers(monkeypatch):
    """Tokenizer facts by model id, as a resolver would answer them; the ids asked for are recorded."""
    known: dict = {}
    asked: list = []

    def resolve_tokenizers(self, requests):
        requests = list(requests)
        asked.extend(r.model for r in requests)
        return {r: known.get(r.model) or Unresolved(r.model, "no tokenizer_config.json seen") for r in requests}

    monkeypatch.setattr(Resolver, "resolve_tokenizers", resolve_tokenizers)
    known["asked"] = asked
    return known


@pytest.fixture
def class_defaults(monkeypatch):
    defaults: dict = {}
    real = KnowledgeTable.tokenizer_default
    monkeypatch.setattr(KnowledgeTable, "tokenizer_default",
                        lambda self, cls, name: defaults.get((cls, name), real(self, cls, name)))
    return defaults


def run(body: str, preview: bool = True, **options):
    source = HEAD + textwrap.dedent(body)
    table = knowledge.bundled_tables()[-1]
    results, _ = judge_all([analyse_source("m.py", source.encode(), uses=True)], Options(offline=True, preview=preview,
                                                                                **options), table)
    (result,) = results
    return result.diagnostics, result.unjudged


def codes(body: str, **options):
    return [(d.code, d.span.line) for d in run(body, **options)[0]]


# HFA009

PEFT_WRONG = """
    model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")
    config = LoraConfig(task_type="SEQ_2_SEQ_LM")
    model = get_peft_model(model, config)
"""


def test_peft_task_type_of_the_other_kind_is_reported_with_the_right_one():
    (d,), unjudged = run(PEFT_WRONG)
    assert (d.code, d.span.line, d.severity, d.fix) == ("HFA009", 7, "error", None)
    assert d.suggestion == "task_type=TaskType.CAUSAL_LM" and "decoder_input_ids" in d.detail
    assert unjudged == []


def test_preview_rules_run_only_with_preview():
    assert run(PEFT_WRONG, preview=False) == ([], [])


def test_a_preview_rule_not_selected_does_not_run():
    assert run(PEFT_WRONG, select=frozenset({"HFA001"})) == ([], [])


def test_noqa_silences_a_use_diagnostic():
    assert run(PEFT_WRONG.replace("config)\n", "config)  # noqa: HFA009\n"))[0] == []


def test_other_task_types_are_not_judged_by_the_kind():
    assert codes("""
        model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")
        model = get_peft_model(model, LoraConfig(task_type=TaskType.SEQ_CLS))
    """) == []


def test_a_model_of_unknown_kind_is_listed_as_not_judged():
    diagnostics, (load, unjudged) = run("""
        model = AutoModelForCausalLM.from_pretrained("acme/unknown-model")
        model = get_peft_model(model, LoraConfig(task_type=TaskType.SEQ_2_SEQ_LM))
    """)
    assert diagnostics == [] and (load.span.line, unjudged.span.line) == (5, 6)
    assert unjudged.reason.startswith("get_peft_model(): HFA009: \"acme/unknown-model\":")


def test_the_kind_is_the_built_class_s_not_only_the_checkpoint_s():
    """AutoModelForSeq2SeqLM on T5 builds an encoder-decoder: SEQ_2_SEQ_LM fits."""
    assert codes("""
        model = AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-small")
        model = get_peft_model(model, LoraConfig(task_type=TaskType.SEQ_2_SEQ_LM))
    """) == []


# HFA010


def test_collator_fix_adds_mlm_false_and_is_safe_for_a_decoder_only_tokenizer():
    (d,), _ = run("""
        tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
        collator = DataCollatorForLanguageModeling(tok)
    """)
    assert d.code == "HFA010" and d.fix.applicability == "safe" and d.fix.keyword == ("mlm", "False")


def test_collator_fix_is_unsafe_for_an_encoder_decoder_and_withheld_with_kwargs():
    (d,), _ = run("""
        tok = AutoTokenizer.from_pretrained("google/flan-t5-small")
        collator = DataCollatorForLanguageModeling(tok)
    """)
    assert d.fix.applicability == "unsafe"
    diagnostics, (unjudged,) = run("""
        tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
        collator = DataCollatorForLanguageModeling(tok, **extra)
    """)
    assert diagnostics == [] and "may pass `mlm`" in unjudged.reason


def test_collator_with_mlm_given_or_a_masked_lm_tokenizer_is_clean():
    assert codes("""
        tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
        a = DataCollatorForLanguageModeling(tok, mlm=False)
        b = DataCollatorForLanguageModeling(tok, False)
        bert = AutoTokenizer.from_pretrained("google-bert/bert-base-uncased")
        c = DataCollatorForLanguageModeling(bert)
    """) == []


def test_collator_on_a_default_id_says_so_and_its_fix_is_unsafe():
    (d,), _ = run("""
        def main(name="openai-community/gpt2"):
            model = AutoModelForCausalLM.from_pretrained(name)
            tok = AutoTokenizer.from_pretrained(name)
            return DataCollatorForLanguageModeling(tok)
    """)
    assert "(judged on \"openai-community/gpt2\", the default value of parameter `name`" in d.message
    assert d.fix.applicability == "unsafe"


def test_collator_needs_no_tokenizer_facts(tokenizers):
    run("""
        tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
        collator = DataCollatorForLanguageModeling(tok)
    """)
    assert tokenizers["asked"] == []


# HFA012

CHAT = """
    tok = AutoTokenizer.from_pretrained("facebook/opt-125m")
    text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)
"""


def test_chat_template_on_a_checkpoint_without_one_is_reported(tokenizers):
    tokenizers[OPT] = TokenizerFacts(OPT, "GPT2Tokenizer", None, False, False)
    (d,), _ = run(CHAT)
    assert (d.code, d.span.line) == ("HFA012", 6) and "not set" in d.detail
    assert tokenizers["asked"] == [OPT]


def test_chat_template_on_a_chat_checkpoint_is_clean(tokenizers):
    tokenizers[OPT] = TokenizerFacts(OPT, "GPT2Tokenizer", None, True, False)
    assert run(CHAT) == ([], [])


def test_chat_template_given_in_the_code_is_clean(tokenizers):
    tokenizers[OPT] = TokenizerFacts(OPT, "GPT2Tokenizer", None, False, False)
    assert run(CHAT.replace("tokenize=False", "tokenize=False, chat_template=TEMPLATE")) == ([], [])
    assert run(CHAT.replace("text =", "tok.chat_template = TEMPLATE\n    text =")) == ([], [])


def test_chat_template_with_unknown_facts_is_not_judged(tokenizers):
    diagnostics, (use, load) = run(CHAT)
    assert diagnostics == [] and "no tokenizer_config.json seen" in use.reason
    # The load whose facts no source gave is listed too, at its own call: the use and the load are both not judged.
    assert (load.span.line, load.span.column) == (5, 7)
    assert load.reason == 'AutoTokenizer.from_pretrained("facebook/opt-125m"): no tokenizer_config.json seen'
    tokenizers[OPT] = TokenizerFacts(OPT, None, None, None, None)
    diagnostics, (unjudged,) = run(CHAT)
    assert diagnostics == [] and "is not known" in unjudged.reason


# HFA011

GENERATE = """
    tok = AutoTokenizer.from_pretrained("facebook/opt-125m")
    model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")
    inputs = tok(["a", "bc"], padding=True, return_tensors="pt")
    out = model.generate(**inputs)
"""


def test_right_padding_from_the_checkpoint_config_is_reported(tokenizers):
    tokenizers[OPT] = TokenizerFacts(OPT, "GPT2Tokenizer", "right", False, False)
    (d,), _ = run(GENERATE)
    assert (d.code, d.span.line, d.severity) == ("HFA011", 8, "warning") and "tokenizer_config.json" in d.message


def test_right_padding_from_the_class_default_is_reported(tokenizers, class_defaults):
    tokenizers[OPT] = TokenizerFacts(OPT, "GPT2Tokenizer", None, False, False)
    class_defaults[("GPT2Tokenizer", "padding_side")] = "right"
    (d,), _ = run(GENERATE)
    assert "the default of GPT2Tokenizer" in d.message
    class_defaults[("GPT2Tokenizer", "padding_side")] = "left"
    assert run(GENERATE) == ([], [])


def test_padding_side_set_in_the_code_wins_over_the_facts(tokenizers):
    tokenizers[OPT] = TokenizerFacts(OPT, "GPT2Tokenizer", "right", False, False)
    assert run(GENERATE.replace("125m\")\n", "125m\", padding_side=\"left\")\n", 1)) == ([], [])
    assert run(GENERATE.replace("inputs =", "tok.padding_side = 'left'\n    inputs =")) == ([], [])
    assert run(GENERATE.replace("padding=True", "padding=True, padding_side='left'")) == ([], [])


def test_padding_side_unknown_is_not_judged(tokenizers):
    tokenizers[OPT] = TokenizerFacts(OPT, "SomeCustomTokenizer", None, False, False)
    diagnostics, (unjudged,) = run(GENERATE)
    assert diagnostics == [] and "padding side is not known" in unjudged.reason


def test_right_padding_with_an_encoder_decoder_or_one_text_is_clean(tokenizers):
    tokenizers[OPT] = TokenizerFacts(OPT, "GPT2Tokenizer", "right", False, False)
    assert run(GENERATE.replace('["a", "bc"]', "prompt")) == ([], [])
    t5 = GENERATE.replace("facebook/opt-125m", "google/flan-t5-small").replace("AutoModelForCausalLM",
                                                                                "AutoModelForSeq2SeqLM")
    assert run(t5)[0] == []


# HFA014


def test_generate_on_a_base_model_is_reported_with_its_generating_class():
    (d,), _ = run("""
        from transformers import AutoModel
        model = AutoModel.from_pretrained("openai-community/gpt2").to("cuda")
        model.generate(max_new_tokens=5)
    """)
    assert (d.code, d.suggestion, d.span.line) == ("HFA014", "AutoModelForCausalLM", 7) and "GPT2Model" in d.message


def test_generate_on_a_generator_or_a_peft_wrapper_is_clean():
    assert codes("""
        model = AutoModelForCausalLM.from_pretrained("openai-community/gpt2")
        model.generate(max_new_tokens=5)
        seq2seq = AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-small")
        seq2seq.generate(max_new_tokens=5)
    """) == []
    assert run("""
        from transformers import AutoModel
        model = AutoModel.from_pretrained("openai-community/gpt2")
        model = get_peft_model(model, LoraConfig(task_type=TaskType.CAUSAL_LM))
        model.generate(max_new_tokens=5)
    """)[0] == []  # what generates is the PeftModel, which the flow does not follow


def test_generate_on_a_classifier_of_an_encoder_names_no_class():
    (d,), _ = run("""
        from transformers import AutoModelForSequenceClassification
        model = AutoModelForSequenceClassification.from_pretrained("google-bert/bert-base-uncased")
        model.generate()
    """)
    assert d.code == "HFA014" and d.suggestion is None and "not a generator" in d.message


def test_generate_is_judged_by_each_release_s_own_check():
    source = HEAD + textwrap.dedent("""
        from transformers import AutoModel, AutoModelForMaskedLM
        model = AutoModel.from_pretrained("openai-community/gpt2")
        model.generate(max_new_tokens=5)
        masked = AutoModelForMaskedLM.from_pretrained("google-bert/bert-base-uncased")
        masked.generate()
    """)

    def judged(version):
        results, _ = judge_all([analyse_source("m.py", source.encode(), uses=True)],
                               Options(offline=True, preview=True), knowledge.table_for_version(version))
        return results[0]

    # 4.44: generate() raises TypeError on GPT2Model; BertForMaskedLM overrides prepare_inputs_for_generation, so
    # its can_generate() is True. 5.24 (the table the other tests use): both have no generate() at all.
    (d,) = judged("4.44").diagnostics
    assert (d.code, d.span.line) == ("HFA014", 7) and "raises TypeError" in d.detail
    assert [d.span.line for d in run(source[len(HEAD):])[0]] == [7, 9]
    # 4.22's generate() checks no class: not judged, and the reason says why.
    result = judged("4.22")
    assert result.diagnostics == [] and all("4.23" in u.reason for u in result.unjudged)
    assert len(result.unjudged) == 2


CHAT_BOT = """
    from transformers import AutoModel, AutoTokenizer, pipeline
    class Bot:
        def __init__(self, task):
            self.tokenizer = AutoTokenizer.from_pretrained("openai-community/gpt2")
            self.model = AutoModel.from_pretrained("openai-community/gpt2").to("cuda")
            self.pipe = pipeline("text-generation", model=self.model, tokenizer=self.tokenizer)
"""


def test_a_generating_pipeline_given_a_model_object_that_cannot_generate():
    (d,), unjudged = run(CHAT_BOT)
    assert (d.code, d.suggestion, d.span.line) == ("HFA014", "AutoModelForCausalLM", 10)
    assert "pipeline('text-generation') given GPT2Model" in d.message and "first call raises" in d.message
    assert "TextGenerationPipeline" in d.detail


def test_a_pipeline_that_does_not_generate_or_an_uncertain_task_is_not_reported():
    assert run(CHAT_BOT.replace('"text-generation"', '"feature-extraction"'))[0] == []
    assert run(CHAT_BOT.replace('pipeline("text-generation", model=self.model', 'pipeline(model=self.model'))[0] == []
    diagnostics, unjudged = run(CHAT_BOT.replace('pipeline("text-generation"', "pipeline(task"))
    assert diagnostics == [] and any("task is not certain" in u.reason for u in unjudged)
    fixed = CHAT_BOT.replace("AutoModel.from_pretrained", "AutoModelForCausalLM.from_pretrained").replace(
        "import AutoModel,", "import AutoModel, AutoModelForCausalLM,")
    assert run(fixed)[0] == []


def test_an_object_the_finder_follows_whose_fitting_class_cannot_generate_is_hfa014(monkeypatch):
    # As 4.57 does with its deprecated causal LMs (MegaForCausalLM): the task's own class, which cannot generate.
    real = KnowledgeTable.generate_failure
    monkeypatch.setattr(KnowledgeTable, "generate_failure",
                        lambda self, cls: "AttributeError" if cls == "GPT2LMHeadModel" else real(self, cls))
    (d,), _ = run("""
        from transformers import pipeline
        model = AutoModelForCausalLM.from_pretrained("openai-community/gpt2")
        generator = pipeline("text-generation", model=model)
    """)
    assert (d.code, d.span.line, d.suggestion) == ("HFA014", 7, None) and "GPT2LMHeadModel cannot do" in d.message


def test_a_generating_pipeline_falling_back_to_a_classifier_says_it_raises(tmp_path):
    import json
    import subprocess
    import sys

    (tmp_path / "pyproject.toml").write_text('[tool.automodel-lint.models]\n"acme/sst2" = { model_type = "distilbert",'
                                             ' architectures = ["DistilBertForSequenceClassification"] }\n')
    (tmp_path / "m.py").write_text('from transformers import pipeline\n\n'
                                   'gen = pipeline("text-generation", model="acme/sst2")\n')
    out = subprocess.run([sys.executable, "-m", "automodel_lint", "check", "--offline", "--no-cache", "--output-format",
                          "json", "--target-transformers", "5.24", "m.py"], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120).stdout
    (d,) = json.loads(out)
    assert d["code"] == "HFA005" and "the pipeline falls back to the checkpoint's own" in d["detail"]
    assert "DistilBertForSequenceClassification cannot do, so the first call raises" in d["detail"]


def test_pipeline_imported_under_another_name_is_judged_too():
    aliased = CHAT_BOT.replace("AutoTokenizer, pipeline", "AutoTokenizer, pipeline as hf_pipeline").replace(
        "self.pipe = pipeline(", "self.pipe = hf_pipeline(")
    assert [(d.code, d.span.line) for d in run(aliased)[0]] == [("HFA014", 10)]


def test_an_object_the_finder_follows_is_one_hfa005_that_says_the_pipeline_raises():
    diagnostics, _ = run("""
        from transformers import AutoModel, pipeline
        model = AutoModel.from_pretrained("openai-community/gpt2")
        generator = pipeline("text-generation", model=model)
        extractor = pipeline("fill-mask", model=model)
    """)
    first, second = diagnostics
    assert (first.code, first.span.line) == ("HFA005", 7) and "the first call raises" in first.message
    assert (second.code, second.span.line) == ("HFA005", 8) and "runs it anyway" in second.message


def test_a_use_in_a_notebook_is_reported_at_its_cell_and_kept_warm(tmp_path, monkeypatch):
    import json

    from automodel_lint.engine import check_paths

    def cell(*lines):
        return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": list(lines)}

    notebook = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# demo"]},
        cell("from transformers import AutoTokenizer, DataCollatorForLanguageModeling\n",
             'tok = AutoTokenizer.from_pretrained("openai-community/gpt2")'),
        cell("print(1)\n", "collator = DataCollatorForLanguageModeling(tok)"),
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    monkeypatch.chdir(tmp_path)
    options = Options(offline=True, preview=True, result_cache=True)
    for _ in range(2):  # cold, then from the results cache
        (d,) = check_paths(["nb.ipynb"], options).diagnostics
        assert (d.code, d.cell, d.span.line, d.span.column) == ("HFA010", 3, 2, 12)
    assert check_paths(["nb.ipynb"], Options(offline=True, result_cache=True)).diagnostics == []


def test_a_file_cached_by_a_run_without_preview_is_read_again_for_its_uses(tmp_path, monkeypatch):
    from automodel_lint.engine import check_paths

    (tmp_path / "train.py").write_text(HEAD + 'tok = AutoTokenizer.from_pretrained("openai-community/gpt2")\n'
                                       "collator = DataCollatorForLanguageModeling(tok)\n")
    monkeypatch.chdir(tmp_path)
    assert check_paths(["train.py"], Options(offline=True, result_cache=True)).diagnostics == []
    report = check_paths(["train.py"], Options(offline=True, preview=True, result_cache=True))
    assert [(d.code, d.span.line) for d in report.diagnostics] == [("HFA010", 5)]
    assert report.sites == 1  # the use: a tokenizer load is no call site of the rules about classes


def test_a_tokenizer_handed_to_another_function_may_have_changed(tokenizers):
    tokenizers[OPT] = TokenizerFacts(OPT, "GPT2Tokenizer", "right", False, False)
    diagnostics, (unjudged,) = run(CHAT.replace("text =", "setup_chat_format(model, tok)\n    text ="))
    assert diagnostics == [] and "handed to setup_chat_format(), which may change its chat template" in unjudged.reason
    diagnostics, (unjudged,) = run(GENERATE.replace("inputs =", "configure(tok)\n    inputs ="))
    assert diagnostics == [] and "handed to configure()" in unjudged.reason
    # Printing it, or passing the side in the call itself, leaves nothing open.
    assert [d.code for d in run(GENERATE.replace("inputs =", "print(tok)\n    inputs ="))[0]] == ["HFA011"]


def test_a_mask_token_given_at_load_means_a_masked_objective():
    assert codes("""
        tok = AutoTokenizer.from_pretrained("openai-community/gpt2", mask_token="<mask>")
        collator = DataCollatorForLanguageModeling(tok)
    """) == []


def test_every_rule_about_uses_is_a_preview_rule():
    """engine.use_rules_of skips importing the rules without --preview: true only while this holds."""
    from automodel_lint.rules import RULES

    assert all(rule.preview for rule in RULES if rule.judge_use is not None)
