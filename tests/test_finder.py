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
