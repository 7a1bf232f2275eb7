"""The finder: which calls are transformers' from_pretrained, and which model values are certain."""

import pytest

from conftest import one, sites


@pytest.mark.parametrize(
    "source, called, written",
    [
        pytest.param("from transformers import AutoModel\nAutoModel.from_pretrained('x')\n", "AutoModel", "AutoModel", id="from-import"),
        pytest.param("from transformers import AutoModel as AM\nAM.from_pretrained('x')\n", "AutoModel", "AM", id="alias"),
        pytest.param("import transformers\ntransformers.AutoModel.from_pretrained('x')\n", "AutoModel", "transformers.AutoModel", id="module"),
        pytest.param("import transformers as tr\ntr.AutoModel.from_pretrained('x')\n", "AutoModel", "tr.AutoModel", id="module-alias"),
        pytest.param("from transformers.models.auto import AutoModel\nAutoModel.from_pretrained('x')\n", "AutoModel", "AutoModel", id="models-auto"),
        pytest.param(
            "from transformers.models.auto.modeling_auto import AutoModel\nAutoModel.from_pretrained('x')\n",
            "AutoModel", "AutoModel", id="modeling-auto",
        ),
        pytest.param(
            "import transformers.models.auto as auto\nauto.AutoModel.from_pretrained('x')\n", "AutoModel", "auto.AutoModel", id="submodule-alias"
        ),
        pytest.param(
            "try:\n    from transformers import AutoModel\nexcept ImportError:\n    AutoModel = None\nAutoModel.from_pretrained('x')\n",
            "AutoModel", "AutoModel", id="optional-import",
        ),
        pytest.param(
            "def f():\n    from transformers import AutoModel\n    return AutoModel.from_pretrained('x')\n", "AutoModel", "AutoModel", id="local-import"
        ),
        pytest.param(
            "from transformers import AutoModel\nModel = AutoModel\ndef f():\n    return Model.from_pretrained('x')\n",
            "AutoModel", "Model", id="assigned-alias",
        ),
        pytest.param(
            "import transformers\nLoader = transformers.AutoModel\nAlias = Loader\nAlias.from_pretrained('x')\n",
            "AutoModel", "Alias", id="alias-of-an-alias",
        ),
    ],
)
def test_import_styles(source, called, written):
    site = one(source)
    assert (site.called, site.written, site.model) == (called, written, "x")


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("class AutoModel:\n    pass\nAutoModel.from_pretrained('x')\n", id="own-class"),
        pytest.param("from trl import AutoModelForCausalLMWithValueHead as A\nA.from_pretrained('x')\n", id="other-package"),
        pytest.param("from transformers import AutoModel\nclass AutoModel:\n    pass\nAutoModel.from_pretrained('x')\n", id="redefined"),
        pytest.param("from transformers import AutoTokenizer\nAutoTokenizer.from_pretrained('x')\n", id="not-a-model-class"),
        pytest.param("from transformers import AutoModel\ndef f(AutoModel):\n    AutoModel.from_pretrained('x')\n", id="parameter-shadows"),
        pytest.param("from transformers import *\nAutoModel.from_pretrained('x')\n", id="star-import"),
        pytest.param("from .transformers import AutoModel\nAutoModel.from_pretrained('x')\n", id="relative-import"),
        pytest.param(
            "from transformers import AutoModel, AutoModelForCausalLM\nModel = AutoModel\nif big:\n"
            "    Model = AutoModelForCausalLM\nModel.from_pretrained('x')\n", id="alias-assigned-twice",
        ),
        pytest.param("A = B\nB = A\nA.from_pretrained('x')\n", id="alias-cycle"),
        pytest.param("from transformers import AutoModel\nModel = pick(AutoModel)\nModel.from_pretrained('x')\n", id="alias-computed"),
    ],
)
def test_not_transformers(source):
    assert sites(source) == []


HEAD = "from transformers import AutoModel\n"


@pytest.mark.parametrize(
    "body, model",
    [
        pytest.param("AutoModel.from_pretrained('a' 'b')\n", "ab", id="implicit-concat"),
        pytest.param("AutoModel.from_pretrained(pretrained_model_name_or_path='a')\n", "a", id="keyword"),
        pytest.param("M = 'a'\nAutoModel.from_pretrained(M)\n", "a", id="module-constant"),
        pytest.param("from typing import Final\nM: Final = 'a'\nAutoModel.from_pretrained(M)\n", "a", id="final"),
        pytest.param("def f():\n    AutoModel.from_pretrained(M)\nM = 'a'\n", "a", id="constant-bound-below"),
        pytest.param("O = 'org'\nAutoModel.from_pretrained(O + '/m')\n", "org/m", id="plus"),
        pytest.param("O = 'org'\nAutoModel.from_pretrained(f'{O}/m')\n", "org/m", id="f-string"),
        pytest.param("def f():\n    m = 'a'\n    return AutoModel.from_pretrained(m)\n", "a", id="function-local"),
        pytest.param(
            "class C:\n    M = 'a'\n    def load(self):\n        return AutoModel.from_pretrained(self.M)\n", "a", id="class-attribute"
        ),
        pytest.param(
            "class C:\n    M = 'a'\n    @classmethod\n    def load(cls):\n        return AutoModel.from_pretrained(cls.M)\n", "a", id="cls-attribute"
        ),
        pytest.param("M = 'a'\ndef f():\n    global M\n    return AutoModel.from_pretrained(M)\n", "a", id="global-statement"),
        pytest.param("AutoModel.from_pretrained(x)\n", None, id="unbound-name"),
        pytest.param("M = 'a'\nM = 'b'\nAutoModel.from_pretrained(M)\n", None, id="bound-twice"),
        pytest.param("M = 'a'\nM += 'b'\nAutoModel.from_pretrained(M)\n", None, id="augmented"),
        pytest.param("def f(m):\n    return AutoModel.from_pretrained(m)\n", None, id="parameter"),
        pytest.param("def f(m='a'):\n    m = m.strip()\n    return AutoModel.from_pretrained(m)\n", None, id="default-rebound"),
        pytest.param("for m in ['a']:\n    AutoModel.from_pretrained(m)\n", None, id="loop-variable"),
        pytest.param("AutoModel.from_pretrained(f'{x}')\n", None, id="f-string-unknown"),
        pytest.param("AutoModel.from_pretrained(f'{\"a\"!r}')\n", None, id="f-string-conversion"),
        pytest.param("AutoModel.from_pretrained(b'a')\n", None, id="bytes"),
        pytest.param("AutoModel.from_pretrained(*args)\n", None, id="star-args"),
        pytest.param(
            "class C:\n    M = 'a'\n    def __init__(self, m):\n        self.M = m\n    def load(self):\n        return AutoModel.from_pretrained(self.M)\n",
            None, id="instance-attribute-shadows",
        ),
        pytest.param("A = B\nB = A\nAutoModel.from_pretrained(A)\n", None, id="cycle"),
    ],
)
def test_model_values(body, model):
    assert one(HEAD + body).model == model


def test_keywords_recorded():
    site = one(HEAD + "AutoModel.from_pretrained('a', trust_remote_code=True, revision='v1', subfolder='sub')\n")
    assert (site.trust_remote_code, site.revision, site.subfolder, site.uncertain_kwargs) == (True, "v1", "sub", ())
    site = one(HEAD + "AutoModel.from_pretrained('a', trust_remote_code=flag, **kw)\n")
    assert site.trust_remote_code is None
    assert set(site.uncertain_kwargs) == {"trust_remote_code", "**"}


def test_position_is_the_call_start_one_based():
    site = one(HEAD + "x = (\n    AutoModel.from_pretrained(\n        'a'\n    )\n)\n")
    assert (site.span.line, site.span.column, site.span.end_line, site.span.end_column) == (3, 5, 5, 6)


@pytest.mark.parametrize(
    "body, model, revision",
    [
        pytest.param("c = AutoConfig.from_pretrained('t5-small')\nAutoModel.from_config(c)\n", "t5-small", None, id="name"),
        pytest.param("AutoModel.from_config(AutoConfig.from_pretrained('t5-small', revision='v1'))\n", "t5-small", "v1", id="inline"),
        pytest.param("c = AutoConfig.from_pretrained('t5-small')\nAutoModel.from_config(config=c)\n", "t5-small", None, id="keyword"),
        pytest.param(
            "import transformers as tr\nc = tr.AutoConfig.from_pretrained('t5-small')\nAutoModel.from_config(c)\n", "t5-small", None,
            id="module-attribute",
        ),
        # Not certain: the config is not (only) what AutoConfig read from one checkpoint.
        pytest.param("AutoModel.from_config(c)\n", None, None, id="unknown-config"),
        pytest.param("c = AutoConfig.from_pretrained('t5-small')\nc.model_type = 'gpt2'\nAutoModel.from_config(c)\n", None, None,
                     id="model-type-reassigned"),
        pytest.param("c = AutoConfig.from_pretrained('t5-small')\nif x:\n    c = other\nAutoModel.from_config(c)\n", None, None,
                     id="bound-twice"),
        pytest.param("c = T5Config()\nAutoModel.from_config(c)\n", None, None, id="built-config"),
        pytest.param("c = MyConfig.from_pretrained('t5-small')\nAutoModel.from_config(c)\n", None, None, id="other-class"),
        pytest.param("AutoModel.from_config(AutoConfig.from_pretrained('t5-small', revision=r))\n", None, None, id="revision-unknown"),
    ],
)
def test_from_config_is_judged_on_the_config_it_is_given(body, model, revision):
    site = one("from transformers import AutoConfig, AutoModel, T5Config\n" + body)
    assert (site.called, site.model, site.revision) == ("AutoModel", model, revision)
    assert site.via == ("the config AutoConfig.from_pretrained reads from it, given to from_config" if model else None)
    assert site.value_note is None and "config" not in site.uncertain_kwargs


PRECISION_HEAD = "from transformers import AutoModelForCausalLM as A, AutoConfig, pipeline\nimport os\n"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('M = "gpt2"\ndef f():\n    global M\n    M = "t5"\nA.from_pretrained(M)\n', id="global-rebinding"),
        pytest.param('M = "gpt2"\nglobals()["M"] = "t5"\nA.from_pretrained(M)\n', id="globals-subscript"),
        pytest.param(
            'def f():\n    m = "gpt2"\n    def g():\n        nonlocal m\n        m = "t5"\n'
            '    return A.from_pretrained(m)\n',
            id="nonlocal-in-enclosing",
        ),
        pytest.param('M = "gpt2"\n[A.from_pretrained(M) for M in names]\n', id="comprehension-shadows"),
        pytest.param('os.environ["M"] = "t5"\nA.from_pretrained(os.environ.get("M", "gpt2"))\n', id="environ-set"),
        pytest.param('os.environ.setdefault("M", "t5")\nA.from_pretrained(os.getenv("M", "gpt2"))\n',
                     id="environ-setdefault"),
        pytest.param(
            'import argparse\np = argparse.ArgumentParser()\np.add_argument("--m", default="gpt2")\n'
            'args = p.parse_args(["--m", "t5"])\nA.from_pretrained(args.m)\n', id="parse-args-with-a-list",
        ),
        pytest.param('A.register(C, M)\nA.from_pretrained("gpt2")\n',
                     id="registered-auto-class"),
    ],
)
def test_values_that_are_not_what_they_seem(body):
    assert one(PRECISION_HEAD + body).model is None


@pytest.mark.parametrize(
    "body, model",
    [
        pytest.param('M = "gpt2"\ndef f(m=M):\n    return A.from_pretrained(m)\n', "gpt2", id="module-default"),
        pytest.param('M = "gpt2"\nclass K:\n    M = "t5"\n    x = [A.from_pretrained(M) for _ in r]\n', "gpt2",
                     id="class-comprehension-reads-module"),
        pytest.param('os.environ["OTHER"] = "t5"\nA.from_pretrained(os.environ.get("M", "gpt2"))\n', "gpt2",
                     id="another-variable-set"),
        pytest.param(
            'import argparse\ndef parse_args():\n    p = argparse.ArgumentParser()\n'
            '    p.add_argument("--m", default="gpt2")\n    return p.parse_args()\nargs = parse_args()\n'
            'A.from_pretrained(args.m)\n', "gpt2", id="argparse-in-a-helper",
        ),
    ],
)
def test_values_read_in_the_right_scope(body, model):
    assert one(PRECISION_HEAD + body).model == model


def test_class_body_default_is_the_class_attribute():
    body = 'M = "gpt2"\nclass K:\n    M = "t5"\n    def f(self, m=M):\n        return A.from_pretrained(m)\n'
    assert one(PRECISION_HEAD + body).model == "t5"


@pytest.mark.parametrize(
    "body, guard",
    [
        pytest.param('try:\n    from transformers import AutoModelWithLMHead as W\nexcept ImportError:\n    W = None\n'
                     'W.from_pretrained("gpt2")\n', "requires:AutoModelWithLMHead", id="guarded-import"),
        pytest.param('import transformers\nif hasattr(transformers, "X"):\n    A.from_pretrained("gpt2")\n',
                     "requires:X", id="hasattr"),
        pytest.param('import transformers\nif transformers.__version__ < "5":\n    A.from_pretrained("gpt2")\n',
                     "below:5", id="version-below"),
        pytest.param('import transformers\nif "4.40" >= transformers.__version__:\n    A.from_pretrained("gpt2")\n',
                     "upto:4.40", id="version-flipped"),
        pytest.param('import transformers\nif transformers.__version__ >= "5":\n    pass\nelse:\n'
                     '    A.from_pretrained("gpt2")\n', "below:5", id="version-else"),
        pytest.param('import transformers\nif transformers.__version__ >= "5":\n    A.from_pretrained("gpt2")\n',
                     None, id="newer-branch"),
        pytest.param('A.from_pretrained("gpt2")\n', None, id="unguarded"),
    ],
)
def test_guards(body, guard):
    assert one(PRECISION_HEAD + body).guard == guard


def test_stated_intent_from_config_and_model_objects():
    found = sites(
        PRECISION_HEAD + 'A.from_pretrained("bert", is_decoder=True)\n'
        'A.from_config(AutoConfig.from_pretrained("bert"))\n'
        'm = A.from_pretrained("t5")\npipeline("text-generation", model=m)\n'
        'c = AutoConfig.from_pretrained("bert")\nA.from_pretrained("bert", config=c)\n'
        'd = AutoConfig.from_pretrained("bert")\nd.is_decoder = True\nA.from_pretrained("bert", config=d)\n'
    )
    intent, from_config, built, passed, own, changed = found
    assert intent.intent == "is_decoder=True"
    assert from_config.method == "from_config" and from_config.model == "bert"
    assert (passed.model, passed.model_class) == ("t5", "AutoModelForCausalLM")
    assert "config" not in own.uncertain_kwargs  # the checkpoint's own config, unchanged
    assert "config" in changed.uncertain_kwargs  # changed before use


def test_inline_hf_argument_parser():
    body = (
        "from dataclasses import dataclass\nfrom transformers import HfArgumentParser\n@dataclass\nclass M:\n"
        '    name: str = "gpt2"\n@dataclass\nclass T:\n    out: str = "o"\n'
        "m, t = HfArgumentParser((M, T)).parse_args_into_dataclasses()\nA.from_pretrained(m.name)\n"
        "n, u = HfArgumentParser((M, T)).parse_args_into_dataclasses(args=['--name', 't5'])\n"
        "A.from_pretrained(n.name)\n"
    )
    first, second = sites(PRECISION_HEAD + body)
    assert (first.model, second.model) == ("gpt2", None)
