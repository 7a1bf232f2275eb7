"""Breadth (issue 6): pipelines, concrete model classes, custom code, values a caller may override, and the
table of the transformers in use (a 4.x project gets no 5.x-only advice)."""

import pytest

from conftest import judged, one, sites


# Two dataclasses and transformers' argument parser, for the HfArgumentParser cases.
HF_ARGS = "from dataclasses import dataclass\nfrom transformers import HfArgumentParser\n@dataclass\nclass A:\n    m: str = 'a'\n@dataclass\nclass B:\n    n: str = 'b'\n"


def diagnose(source, version="5.24.0"):
    """(code, suggestion, applicability, text): the text is the first line and the teaching text after it."""
    return [(d.code, d.suggestion, d.applicability, f"{d.message}\n{d.detail}") for d in judged(source, version)]


def codes(source, version="5.24.0"):
    return [code for code, *_ in diagnose(source, version)]


# ------------------------------------------------------------------------------------------ finding pipelines


@pytest.mark.parametrize(
    "source, called, model",
    [
        pytest.param("from transformers import pipeline\npipeline('ner', model='m')\n", "pipeline:ner", "m", id="positional-task"),
        pytest.param("from transformers import pipeline\npipeline(task='ner', model='m')\n", "pipeline:ner", "m", id="keyword-task"),
        pytest.param("from transformers import pipeline\npipeline('ner', 'm')\n", "pipeline:ner", "m", id="positional-model"),
        pytest.param("from transformers import pipeline\npipeline(model='m')\n", "pipeline", "m", id="no-task"),
        pytest.param("from transformers import pipeline\npipeline('summarization')\n", "pipeline:summarization", None, id="no-model"),
        pytest.param("from transformers import pipeline as p\np('ner', model='m')\n", "pipeline:ner", "m", id="alias"),
        pytest.param("from transformers.pipelines import pipeline as p\np('ner', model='m')\n", "pipeline:ner", "m", id="pipelines-module"),
        pytest.param("import transformers as tr\ntr.pipeline('ner', model='m')\n", "pipeline:ner", "m", id="module-alias"),
        pytest.param("import transformers.pipelines\ntransformers.pipelines.pipeline('ner', model='m')\n", "pipeline:ner", "m", id="submodule"),
        pytest.param("from transformers import pipeline\npipeline('ner', model='m', config='c')\n", "pipeline:ner", None, id="config-elsewhere"),
        pytest.param("from transformers import pipeline\npipeline('ner', model=loaded_model)\n", "pipeline:ner", None, id="model-object"),
    ],
)
def test_pipeline_calls(source, called, model):
    site = one(source)
    assert (site.called, site.model) == (called, model)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("from diffusers import pipeline\npipeline('ner', model='m')\n", id="other-package"),
        pytest.param("def pipeline(*a, **k):\n    pass\npipeline('ner', model='m')\n", id="own-function"),
    ],
)
def test_not_transformers_pipelines(source):
    assert sites(source) == []


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("from transformers import pipeline\npipeline(task, model='m')\n", id="uncertain-task"),
        pytest.param("from transformers import pipeline\npipeline(**kwargs)\n", id="only-kwargs"),
        pytest.param("from transformers import pipeline\npipeline(model=name)\n", id="nothing-certain"),
    ],
)
def test_uncertain_pipelines_are_found_with_no_model(source):
    # Found, so that they count as calls not judged; no model, so that nothing judges them on a guess.
    site = one(source)
    assert (site.called, site.model) == ("pipeline", None)


# ------------------------------------------------------------------------------------- finding concrete classes


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("from transformers import T5ForConditionalGeneration as C\n", id="top-level"),
        pytest.param("from transformers.models.t5 import T5ForConditionalGeneration as C\n", id="model-package"),
        pytest.param("from transformers.models.t5.modeling_t5 import T5ForConditionalGeneration as C\n", id="modeling-module"),
        # Bound once to a class of an imported module: followed, and marked so that no fix is offered.
        pytest.param("import transformers.models.t5.modeling_t5 as m\nC = m.T5ForConditionalGeneration\n", id="assigned"),
    ],
)
def test_concrete_classes_through_transformers_imports(source):
    found = sites(source + "C.from_pretrained('gpt2')\n")
    assert [(s.called, s.model, s.callee_assigned) for s in found] == [
        ("T5ForConditionalGeneration", "gpt2", "C = m." in source)
    ]


def test_tokenizers_and_unknown_classes_are_not_model_classes():
    assert sites("from transformers import T5Tokenizer, T5Config\nT5Tokenizer.from_pretrained('x')\nT5Config.from_pretrained('x')\n") == []
    assert sites("from transformers.models.t5.tokenization_t5 import T5ForConditionalGeneration as C\nC.from_pretrained('x')\n") == []


# --------------------------------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    "body, model, note",
    [
        pytest.param("M = {'a': 'x', 'b': 'y'}\nAutoModel.from_pretrained(M['b'])\n", "y", None, id="dict-key"),
        pytest.param("M = {'a': 'x'}\nAutoModel.from_pretrained(M.get('a'))\n", "x", None, id="dict-get"),
        pytest.param("M = {'a': 'x', 'a': 'z'}\nAutoModel.from_pretrained(M['a'])\n", "z", None, id="dict-repeated-key"),
        pytest.param("K = 'a'\nM = {K: 'x'}\nAutoModel.from_pretrained(M[K])\n", "x", None, id="dict-constant-key"),
        pytest.param("import os\nAutoModel.from_pretrained(os.path.join('models', 'm'))\n", "models/m", None, id="os-path-join"),
        pytest.param("from os.path import join\nR = 'r'\nAutoModel.from_pretrained(join(R, 'm'))\n", "r/m", None, id="join-imported"),
        pytest.param(
            "def f(m='a'):\n    return AutoModel.from_pretrained(m)\n", "a", "the default value of parameter `m` of `f()`", id="parameter-default"
        ),
        pytest.param(
            "def f(*, m='a'):\n    return AutoModel.from_pretrained(m)\n", "a", "the default value of parameter `m` of `f()`", id="keyword-only"
        ),
        pytest.param(
            "import os\nAutoModel.from_pretrained(os.environ.get('M', 'a'))\n", "a",
            "the default used when the environment variable M is not set", id="environ-get",
        ),
        pytest.param(
            "import os\nAutoModel.from_pretrained(os.getenv('M', 'a'))\n", "a",
            "the default used when the environment variable M is not set", id="getenv",
        ),
        pytest.param(
            "import argparse\np = argparse.ArgumentParser()\np.add_argument('--model-name', default='a')\nargs = p.parse_args()\n"
            "AutoModel.from_pretrained(args.model_name)\n", "a", "the default value of the command-line option `--model-name`", id="argparse",
        ),
        pytest.param(
            "from argparse import ArgumentParser\np = ArgumentParser()\np.add_argument('-m', '--model', dest='name', default='a')\n"
            "args = p.parse_args()\nAutoModel.from_pretrained(args.name)\n", "a", "the default value of the command-line option `--model`", id="argparse-dest",
        ),
        pytest.param(
            "from dataclasses import dataclass, field\n@dataclass\nclass A:\n    m: str = field(default='a')\n"
            "def f(args: A):\n    return AutoModel.from_pretrained(args.m)\n", "a", "the default value of the dataclass field `A.m`", id="dataclass-annotation",
        ),
        pytest.param(
            "import dataclasses\n@dataclasses.dataclass\nclass A:\n    m: str = 'a'\nargs = A()\nAutoModel.from_pretrained(args.m)\n",
            "a", "the default value of the dataclass field `A.m`", id="dataclass-instance",
        ),
        pytest.param(
            "from dataclasses import dataclass\n@dataclass\nclass A:\n    m: str = 'a'\n    def load(self):\n        return AutoModel.from_pretrained(self.m)\n",
            "a", "the default value of the dataclass field `A.m`", id="dataclass-self",
        ),
        pytest.param(
            HF_ARGS + "p = HfArgumentParser((A, B))\na, b = p.parse_args_into_dataclasses()\nAutoModel.from_pretrained(b.n)\n",
            "b", "the default value of the dataclass field `B.n`, an option of HfArgumentParser's command line",
            id="hf-argument-parser",
        ),
        pytest.param(
            HF_ARGS + "def main():\n    p = HfArgumentParser(A)\n    (a,) = p.parse_args_into_dataclasses()\n"
            "    return AutoModel.from_pretrained(a.m)\n",
            "a", "the default value of the dataclass field `A.m`, an option of HfArgumentParser's command line",
            id="hf-argument-parser-one",
        ),
        pytest.param(
            HF_ARGS + "p = HfArgumentParser([A, B])\na, b, rest = p.parse_args_into_dataclasses(return_remaining_strings=True)\n"
            "AutoModel.from_pretrained(a.m)\n",
            "a", "the default value of the dataclass field `A.m`, an option of HfArgumentParser's command line",
            id="hf-argument-parser-remaining",
        ),
    ],
)
def test_values_and_their_notes(body, model, note):
    site = one("from transformers import AutoModel\n" + body)
    assert (site.model, site.value_note) == (model, note)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("M = {'a': 'x'}\nM['a'] = 'y'\nAutoModel.from_pretrained(M['a'])\n", id="dict-item-assigned"),
        pytest.param("M = {'a': 'x'}\nM.update(a='y')\nAutoModel.from_pretrained(M['a'])\n", id="dict-updated"),
        pytest.param("M = {'a': 'x'}\nchange(M)\nAutoModel.from_pretrained(M['a'])\n", id="dict-passed-away"),
        pytest.param("M = {**O, 'a': 'x'}\nAutoModel.from_pretrained(M['a'])\n", id="dict-splat"),
        pytest.param("M = {'a': 'x'}\nAutoModel.from_pretrained(M['b'])\n", id="dict-missing-key"),
        pytest.param("M = {'a': 'x'}\nAutoModel.from_pretrained(M[k])\n", id="dict-unknown-key"),
        pytest.param("AutoModel.from_pretrained(os.path.join('a', 'b'))\n", id="os-not-imported"),
        pytest.param("import os\nAutoModel.from_pretrained(os.environ.get('M'))\n", id="environ-no-default"),
        pytest.param("import os\nAutoModel.from_pretrained(os.environ['M'])\n", id="environ-item"),
        pytest.param(
            "import argparse\np = argparse.ArgumentParser()\np.add_argument('--m', default='a')\np.set_defaults(m='b')\n"
            "args = p.parse_args()\nAutoModel.from_pretrained(args.m)\n", id="argparse-set-defaults",
        ),
        pytest.param(
            "import argparse\np = argparse.ArgumentParser()\np.add_argument('--m', default='a')\nargs = p.parse_args()\nargs.m = 'b'\n"
            "AutoModel.from_pretrained(args.m)\n", id="argparse-attribute-assigned",
        ),
        pytest.param(
            "import argparse\np = argparse.ArgumentParser()\np.add_argument('--m')\nargs = p.parse_args()\nAutoModel.from_pretrained(args.m)\n",
            id="argparse-no-default",
        ),
        pytest.param(
            "import argparse\np = argparse.ArgumentParser()\np.add_argument('--m', default='a')\nq = argparse.ArgumentParser()\n"
            "q.add_argument('--m', default='b')\nargs = p.parse_args()\nAutoModel.from_pretrained(args.m)\n", id="argparse-two-parsers",
        ),
        pytest.param(
            "from dataclasses import dataclass\n@dataclass\nclass A:\n    m: str = 'a'\nargs = A(m='b')\nAutoModel.from_pretrained(args.m)\n",
            id="dataclass-given",
        ),
        pytest.param(
            "from dataclasses import dataclass, field\n@dataclass\nclass A:\n    m: list = field(default_factory=list)\n"
            "def f(a: A):\n    return AutoModel.from_pretrained(a.m)\n", id="dataclass-factory",
        ),
        pytest.param("class A:\n    m = 'a'\ndef f(a: A):\n    return AutoModel.from_pretrained(a.m)\n", id="plain-class-annotation"),
        pytest.param("def f(args):\n    return AutoModel.from_pretrained(args.model)\n", id="untyped-parameter"),
        # HfArgumentParser: only the tuple of one certain parser, unpacked once, position by position.
        pytest.param(
            HF_ARGS + "import sys\np = HfArgumentParser((A, B))\nif sys.argv[1].endswith('.json'):\n"
            "    a, b = p.parse_json_file(sys.argv[1])\nelse:\n    a, b = p.parse_args_into_dataclasses()\n"
            "AutoModel.from_pretrained(a.m)\n", id="hf-parser-json-or-args",
        ),
        pytest.param(
            HF_ARGS + "p = HfArgumentParser((A, B))\n*rest, b = p.parse_args_into_dataclasses()\nAutoModel.from_pretrained(b.n)\n",
            id="hf-parser-starred",
        ),
        pytest.param(
            HF_ARGS + "p = HfArgumentParser((A, B))\na, b, c = p.parse_args_into_dataclasses()\nAutoModel.from_pretrained(c.m)\n",
            id="hf-parser-beyond-the-classes",
        ),
        pytest.param(
            HF_ARGS + "p = HfArgumentParser((B, A))\na, b = p.parse_args_into_dataclasses()\nAutoModel.from_pretrained(a.m)\n",
            id="hf-parser-other-order",
        ),
        pytest.param(
            HF_ARGS + "p = HfArgumentParser(CLASSES)\na, b = p.parse_args_into_dataclasses()\nAutoModel.from_pretrained(a.m)\n",
            id="hf-parser-classes-elsewhere",
        ),
        pytest.param(
            HF_ARGS + "p = make_parser((A, B))\na, b = p.parse_args_into_dataclasses()\nAutoModel.from_pretrained(a.m)\n",
            id="hf-parser-unknown-parser",
        ),
        pytest.param(
            HF_ARGS + "p = HfArgumentParser((A, B))\na, b = p.parse_args_into_dataclasses()\na.m = 'c'\nAutoModel.from_pretrained(a.m)\n",
            id="hf-parser-field-assigned",
        ),
    ],
)
def test_uncertain_values_are_not_judged(body):
    assert one("from transformers import AutoModel\n" + body).model is None


def test_revision_and_subfolder_take_no_defaults():
    site = one("from transformers import AutoModel\ndef f(r='main'):\n    return AutoModel.from_pretrained('a', revision=r)\n")
    assert site.revision is None and "revision" in site.uncertain_kwargs


# ----------------------------------------------------------------------------------------------- the rules


def test_default_values_are_judged_and_said_and_never_fixed_safely():
    ((code, suggestion, fix, message),) = diagnose(
        "from transformers import AutoModelForSeq2SeqLM\n"
        "def load(name='openai-community/gpt2'):\n    return AutoModelForSeq2SeqLM.from_pretrained(name)\n"
    )
    assert (code, suggestion, fix) == ("HFA001", "AutoModelForCausalLM", "unsafe")
    first, detail = message.split("\n")
    assert first.endswith('(judged on "openai-community/gpt2", the default value of parameter `name` of `load()`)')
    assert detail.endswith("The fix is unsafe: the model may differ at run time, and a class chosen for this value may be wrong.")


def test_removed_pipeline_tasks_are_only_reported_with_a_5x_table():
    source = (
        "from transformers import AutoTokenizer, pipeline\nAutoTokenizer.from_pretrained('x')\n"
        "s = pipeline('summarization', model='facebook/bart-large-cnn')\n"
        "t = pipeline('translation_en_to_fr', model='google-t5/t5-small')\n"
        "q = pipeline('text2text-generation', model='google/flan-t5-base')\n"
    )
    assert codes(source, "5.24.0") == ["HFA005"] * 3
    assert codes(source, "4.57.6") == []


def test_pipeline_advice_follows_the_table_in_use():
    source = "from transformers import AutoTokenizer, pipeline\nAutoTokenizer.from_pretrained('x')\npipeline('text-generation', model='google-t5/t5-small')\n"
    ((_, _, _, five),) = diagnose(source, "5.24.0")
    ((_, _, _, four),) = diagnose(source, "4.57.6")
    assert "load it with AutoModelForSeq2SeqLM and call generate()" in five and 'pipeline("summarization")' not in five
    assert 'pipeline("summarization")' in four


def test_a_4x_project_gets_no_5x_advice_for_removed_classes():
    source = "from transformers import AutoModelWithLMHead\nAutoModelWithLMHead.from_pretrained('openai-community/gpt2')\n"
    assert codes(source, "5.24.0") == ["HFA004"]
    assert codes(source, "4.57.6") == []


def test_model_type_known_only_to_a_newer_table():
    source = "from transformers import AutoModelForCausalLM\nAutoModelForCausalLM.from_pretrained('deepseek-ai/DeepSeek-V3.2-Exp')\n"
    ((code, suggestion, fix, message),) = diagnose(source, "4.57.6")
    assert (code, suggestion, fix) == ("HFA007", None, None)
    # The first release that knows the type, from the release history (not merely the newer bundled table).
    assert "needs transformers >= 5.11\n" in message and "deepseek_v32" in message
    assert "5.11 is the first release that knows it" in message
    assert codes(source, "5.24.0") == []


@pytest.mark.parametrize(
    "call",
    [
        "T5ForConditionalGeneration.from_pretrained('google/flan-t5-base')",
        "BertGenerationDecoder.from_pretrained('google-bert/bert-base-uncased', is_decoder=True)",
        "BertLMHeadModel.from_pretrained('google-bert/bert-base-uncased', is_decoder=True)",
        "XLMRobertaForCausalLM.from_pretrained('FacebookAI/roberta-base', is_decoder=True)",
        "BertGenerationEncoder.from_pretrained('google-bert/bert-large-uncased')",
        "CLIPTextModel.from_pretrained('openai/clip-vit-base-patch32')",
        "CLIPVisionModel.from_pretrained('openai/clip-vit-base-patch32')",
        "SiglipVisionModel.from_pretrained('google/siglip-base-patch16-224')",
        "Gemma3ForCausalLM.from_pretrained('google/gemma-3-4b-it')",
        "LlamaForCausalLM.from_pretrained('llava-hf/llava-1.5-7b-hf')",
        "LlamaForCausalLM.from_pretrained('meta-llama/Llama-2-7b-hf')",
        "T5ForConditionalGeneration.from_pretrained('openai-community/gpt2', config=config)",
        "VisionEncoderDecoderModel.from_pretrained('nlpconnect/vit-gpt2-image-captioning')",
        "GPT2LMHeadModel.from_pretrained('nlpconnect/vit-gpt2-image-captioning')",
    ],
)
def test_legitimate_concrete_class_loads(call):
    head = (
        "from transformers import (T5ForConditionalGeneration, BertGenerationDecoder, BertGenerationEncoder,"
        " BertLMHeadModel, XLMRobertaForCausalLM,"
        " CLIPTextModel, CLIPVisionModel, SiglipVisionModel, Gemma3ForCausalLM, LlamaForCausalLM,"
        " VisionEncoderDecoderModel, GPT2LMHeadModel)\n"
    )
    assert codes(head + call + "\n") == []
    assert codes(head + call + "\n", "4.57.6") == []


@pytest.mark.parametrize(
    "call, suggestion, severity, words",
    [
        # Different kinds of language model: garbage, an error.
        ("T5ForConditionalGeneration.from_pretrained('openai-community/gpt2')", "GPT2LMHeadModel", "error",
         "an encoder-decoder t5 class"),
        ("BertForSequenceClassification.from_pretrained('openai-community/gpt2')", "GPT2ForSequenceClassification",
         "error", "a masked-LM encoder bert class"),
        # A decoder on an encoder checkpoint is a warm start only for an encoder's own causal-LM head.
        ("GPT2LMHeadModel.from_pretrained('google-bert/bert-base-uncased')", "BertLMHeadModel", "error",
         "a decoder-only gpt2 class"),
        # One kind, another type: what transformers warns about, a warning; the same head for the checkpoint's type.
        ("BartForConditionalGeneration.from_pretrained('google/pegasus-large')", "PegasusForConditionalGeneration",
         "warning", "a bart class"),
        ("BertForMaskedLM.from_pretrained('FacebookAI/roberta-base')", "RobertaForMaskedLM", "warning", "a bert class"),
        ("BertModel.from_pretrained('FacebookAI/roberta-base')", "RobertaModel", "warning", "a bert class"),
        ("T5ForConditionalGeneration.from_pretrained('google/mt5-small')", "MT5ForConditionalGeneration", "warning",
         "a t5 class"),
        ("LlamaForCausalLM.from_pretrained('mistralai/Mistral-7B-v0.1')", "MistralForCausalLM", "warning",
         "a llama class"),
        # A vision class on a text checkpoint: a text model and one that is not, garbage.
        ("ViTModel.from_pretrained('google-bert/bert-base-uncased')", "BertModel", "error", "a vit class"),
    ],
)
def test_concrete_class_on_another_model_type(call, suggestion, severity, words):
    name = call.split(".")[0]
    (d,) = judged(f"from transformers import {name}\n{call}\n")
    assert (d.code, d.suggestion, d.applicability, d.severity) == ("HFA006", suggestion, "unsafe", severity)
    assert d.message.startswith(f"{name} is {words} and cannot use")
    model_type = d.detail.split("model of type `")[1].split("`")[0]
    assert f"model of type `{model_type}` to instantiate a model of type" in d.detail  # 5.x's own words


def test_only_vision_types_are_left_to_the_runtime():
    # sam2_video in Sam2Model is transformers' own example of a meant partial load; two vision types are not judged.
    source = "from transformers import ViTModel\nViTModel.from_pretrained('facebook/dinov2-base')\n"
    assert codes(source) == []


def test_a_class_from_a_model_module_is_judged_and_its_fix_explained():
    source = "from transformers.models.t5.modeling_t5 import T5ForConditionalGeneration\nT5ForConditionalGeneration.from_pretrained('openai-community/gpt2')\n"
    ((code, suggestion, fix, message),) = diagnose(source)
    assert (code, suggestion, fix) == ("HFA006", "GPT2LMHeadModel", "unsafe")
    assert "You are using a model of type `gpt2` to instantiate a model of type `t5`" in message
    ((_, _, _, message),) = diagnose(source, "4.57.6")
    assert "You are using a model of type gpt2 to instantiate a model of type t5" in message


@pytest.mark.parametrize("version", ["4.57.6", "5.24.0"])
def test_no_class_that_transformers_picks_for_a_checkpoint_is_reported(version):
    """Every checkpoint of the snapshot, loaded with its own architecture and with every class an Auto class builds
    for its model type: HFA006 must stay silent on all of them (about 20,000 pairs on 5.24, 32,000 on 4.57)."""
    from automodel_lint import knowledge
    from automodel_lint.facts import snapshot
    from automodel_lint.records import CallSite, Span
    from automodel_lint.rules import Case
    from automodel_lint.rules.model_class import judge as judge_model_class

    tables = {t.version: t for t in knowledge.bundled_tables()}
    table = tables[version]
    history = tuple(t for v, t in tables.items() if v != version)
    reported, pairs = [], 0
    for key in snapshot._data()["models"]:
        facts = snapshot.lookup(key, table)
        if not facts or not facts.model_type or not table.knows_type(facts.model_type):
            continue
        classes = {a for a in facts.architectures if table.knows_architecture(a)}
        for auto in table.auto_classes:
            classes.update(table.loads(auto, facts.model_type) or ())
        for cls in sorted(classes):
            pairs += 1
            if judge_model_class(Case(CallSite("x.py", Span(1, 0, 1, 0), cls, cls, key), facts, table, history)):
                reported.append((key, cls))
    assert reported == []
    assert pairs > 15_000


@pytest.mark.parametrize(
    "call, expected",
    [
        # Base models: the checkpoint's type says what it was trained as.
        ("AutoModelForCausalLM.from_pretrained('facebook/bart-base')", [("HFA002", "AutoModelForSeq2SeqLM", "unsafe")]),
        ("AutoModelForCausalLM.from_pretrained('sentence-transformers/all-MiniLM-L6-v2')",
         [("HFA002", "AutoModelForMaskedLM", "unsafe")]),
        # The class the type's own LM class builds anyway (BART's fill-mask class is BartForConditionalGeneration).
        ("AutoModelForMaskedLM.from_pretrained('facebook/bart-base')", []),
        ("AutoModelForSeq2SeqLM.from_pretrained('facebook/bart-base')", []),
        ("AutoModel.from_pretrained('sentence-transformers/all-MiniLM-L6-v2')", []),
    ],
)
def test_base_model_checkpoints_loaded_as_another_kind(call, expected):
    name = call.split(".")[0]
    got = [(d.code, d.suggestion, d.applicability) for d in judged(f"from transformers import {name}\n{call}\n")]
    assert got == expected


def test_a_task_head_checkpoint_is_not_judged_by_its_type():
    # A classifier was not trained as any language model: HFA002 does not guess from its type.
    from automodel_lint.records import CallSite, ModelFacts, Span
    from automodel_lint.rules import Case
    from automodel_lint.rules.wrong_family import judge as judge_wrong_family
    from automodel_lint import knowledge

    table = knowledge.bundled_tables()[-1]
    facts = ModelFacts("org/bert-classifier", "bert", ("BertForSequenceClassification",), source="config")
    site = CallSite("x.py", Span(1, 0, 1, 0), "AutoModelForCausalLM", "AutoModelForCausalLM", "org/bert-classifier")
    assert judge_wrong_family(Case(site, facts, table)) is None
    base = ModelFacts("org/bert-encoder", "bert", ("BertModel",), source="config")
    assert judge_wrong_family(Case(site, base, table)).code == "HFA002"


# ------------------------------------------------------------------ removed classes, removed types, as trained


@pytest.mark.parametrize(
    "call, expected",
    [
        # A removed class's counterpart for the same task, never a language-model head it did not have.
        ("TFAutoModelForSequenceClassification.from_pretrained('bert-base-uncased', num_labels=2)",
         ("HFA004", "AutoModelForSequenceClassification", "unsafe")),
        ("TFAutoModel.from_pretrained('gpt2')", ("HFA004", "AutoModel", "unsafe")),
        ("TFBertModel.from_pretrained('bert-base-uncased')", ("HFA004", "BertModel", "unsafe")),
        ("FlaxT5ForConditionalGeneration.from_pretrained('t5-small')", ("HFA004", "T5ForConditionalGeneration", "unsafe")),
        # The twin judged like any other call: it cannot load BART as trained, so what does is named.
        ("TFAutoModelForCausalLM.from_pretrained('facebook/bart-large-cnn')", ("HFA004", "AutoModelForSeq2SeqLM", "unsafe")),
        ("AutoModelWithLMHead.from_pretrained('t5-small')", ("HFA004", "AutoModelForSeq2SeqLM", "safe")),
        ("AutoModelForVision2Seq.from_pretrained('Salesforce/blip-image-captioning-base')",
         ("HFA004", "AutoModelForImageTextToText", "safe")),
        ("AutoModelWithLMHead.from_pretrained('transfo-xl/transfo-xl-wt103')", ("HFA004", None, None)),
        ("AutoModel.from_pretrained('yjernite/retribert-base-uncased')", ("HFA008", None, None)),
        ("AutoModelForCausalLM.from_pretrained('Helsinki-NLP/opus-mt-en-de')", ("HFA002", "AutoModelForSeq2SeqLM", "unsafe")),
        ("AutoModelForCausalLM.from_pretrained('distilbert-base-uncased')", ("HFA001", "AutoModelForMaskedLM", None)),
        ("AutoModelForCTC.from_pretrained('openai/whisper-tiny')", ("HFA001", "AutoModelForSpeechSeq2Seq", None)),
        ("AutoModel.from_pretrained('nlpconnect/vit-gpt2-image-captioning')",
         ("HFA001", "AutoModelForImageTextToText", None)),
        ("AutoModelForCausalLM.from_pretrained('google/paligemma-3b-mix-224', trust_remote_code=True)",
         ("HFA001", "AutoModelForImageTextToText", "unsafe")),
    ],
)
def test_suggestions_keep_the_programs_meaning(call, expected):
    name = call.split(".")[0]
    (d,) = judged(f"from transformers import {name}\n{call}\n")
    assert (d.code, d.suggestion, d.applicability) == expected
    assert len(d.message) <= 200 and d.detail  # a first line (aim: 120 characters) and the teaching text


def test_framework_change_and_withheld_fixes_say_why():
    (tf,) = judged("from transformers import TFAutoModel\nTFAutoModel.from_pretrained('gpt2')\n")
    assert "changes the framework" in tf.detail and "ImportError" in tf.detail
    (distil,) = judged("from transformers import AutoModelForCausalLM\nAutoModelForCausalLM.from_pretrained('distilbert-base-uncased')\n")
    assert "cannot generate" in distil.message and "No fix" in distil.detail
    (gone,) = judged("from transformers import AutoModel\nAutoModel.from_pretrained('sijunhe/nezha-cn-base')\n")
    assert "needs transformers < 5" in gone.message
    assert judged("from transformers import AutoModel\nAutoModel.from_pretrained('sijunhe/nezha-cn-base')\n", "4.57.6") == []


def test_removed_types_are_the_difference_of_the_two_tables():
    from automodel_lint import knowledge
    from automodel_lint.records import CallSite, ModelFacts, Span
    from automodel_lint.rules import Case
    from automodel_lint.rules.removed_type import judge as judge_removed

    old, new = knowledge.bundled_tables()
    gone = [t for t in old.data["config_classes"] if not new.knows_type(t)]
    assert {"retribert", "transfo-xl", "realm", "nezha"} <= set(gone)
    site = CallSite("x.py", Span(1, 0, 1, 0), "AutoModel", "AutoModel", "org/m")
    for model_type in gone:
        assert judge_removed(Case(site, ModelFacts("org/m", model_type), new, (old,))).code == "HFA008"
    assert judge_removed(Case(site, ModelFacts("org/m", "bert"), new, (old,))) is None


def test_no_autmodel_entry_names_the_class_of_its_architecture():
    from automodel_lint import knowledge
    from automodel_lint.records import CallSite, ModelFacts, Span
    from automodel_lint.rules import Case
    from automodel_lint.rules.unloadable import judge as judge_unloadable

    old, new = knowledge.bundled_tables()
    facts = ModelFacts("Qwen/Qwen3-Omni-30B-A3B-Instruct", "qwen3_omni_moe", ("Qwen3OmniMoeForConditionalGeneration",))
    site = CallSite("x.py", Span(1, 0, 1, 0), "AutoModel", "AutoModel", facts.model_id)
    verdict = judge_unloadable(Case(site, facts, new, (old,)))
    assert (verdict.code, verdict.suggestion, verdict.fix) == ("HFA001", "AutoModelForMultimodalLM", None)


def test_a_class_missing_from_auto_map_raises_even_when_trusted():
    from automodel_lint import knowledge
    from automodel_lint.records import CallSite, ModelFacts, Span
    from automodel_lint.rules import Case, judge

    table = knowledge.bundled_tables()[-1]
    facts = ModelFacts("org/nova", "nova", ("NovaForCausalLM",), (("AutoModelForCausalLM", "modeling_nova.Nova"),))
    site = CallSite("x.py", Span(1, 0, 1, 0), "AutoModel", "AutoModel", "org/nova", trust_remote_code=True)
    _, verdict = judge(Case(site, facts, table))
    assert verdict.code == "HFA001" and "trust_remote_code=True" in verdict.detail
