"""The finder: which calls are transformers' from_pretrained, and which model values are certain."""

import pytest

from conftest import FIXTURES, one, sites


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
        pytest.param('import transformers\nm = A.from_pretrained("gpt2") if hasattr(transformers, "X") else None\n',
                     "requires:X", id="conditional-expression"),
        pytest.param('import transformers\nm = None if hasattr(transformers, "X") else A.from_pretrained("gpt2")\n',
                     None, id="conditional-expression-else"),
        pytest.param('import transformers\ndef f():\n    if not hasattr(transformers, "X"):\n        return\n'
                     '    return A.from_pretrained("gpt2")\n', "requires:X", id="early-return"),
        pytest.param('import transformers\ndef f():\n    if not hasattr(transformers, "X"):\n        print()\n'
                     '    return A.from_pretrained("gpt2")\n', None, id="no-exit-no-guard"),
        pytest.param('import transformers\ndef f():\n    if hasattr(transformers, "X"):\n        return\n'
                     '    return A.from_pretrained("gpt2")\n', None, id="exit-when-present"),
        pytest.param('import transformers\ndef f():\n    def g():\n        if not hasattr(transformers, "X"):\n'
                     '            raise ImportError\n    return A.from_pretrained("gpt2")\n', None,
                     id="exit-in-other-block"),
        pytest.param('import transformers\nif not (hasattr(transformers, "X") or 1):\n    A.from_pretrained("g")\n',
                     None, id="not-or-runs-without"),
        pytest.param('import transformers\ndef f(flag):\n    if not hasattr(transformers, "X") or flag:\n'
                     '        return\n    return A.from_pretrained("g")\n', "requires:X", id="early-exit-or"),
        pytest.param('import transformers\nif transformers.__version__.startswith("4."):\n'
                     '    A.from_pretrained("g")\n', "upto:4", id="startswith-major"),
        pytest.param('import transformers\nif transformers.__version__.startswith("4.5"):\n'
                     '    A.from_pretrained("g")\n', None, id="startswith-textual-prefix"),
    ],
)
def test_guards(body, guard):
    assert one(PRECISION_HEAD + body).guard == guard


def test_framework_checks_guard_that_framework_s_classes():
    import libcst as cst

    from automodel_lint.finder import find_calls

    source = (
        "from transformers.utils import is_tf_available\nfrom transformers import is_flax_available\n"
        "import transformers as t\n"
        "if is_tf_available():\n    t.TFAutoModel.from_pretrained('g')\n    t.FlaxAutoModel.from_pretrained('g')\n"
        "if not is_flax_available():\n    raise ImportError\n"
        "t.FlaxAutoModel.from_pretrained('g')\nt.AutoModelWithLMHead.from_pretrained('g')\n"
    )
    found = find_calls(cst.parse_module(source), "t.py", lambda _: True)
    assert [site.guard for site in found] == ["requires:TFAutoModel", None, "requires:FlaxAutoModel", None]


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


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('M = "t5"\ndel M\nM2 = 1\nA.from_pretrained(M)\n', id="del"),
        pytest.param('M = "t5"\nmatch x:\n    case [M]:\n        pass\nA.from_pretrained(M)\n', id="match-capture"),
        pytest.param('M = "t5"\nmatch x:\n    case {**M}:\n        pass\nA.from_pretrained(M)\n', id="match-rest"),
        pytest.param('M = "t5"\n[(M := n) for n in y]\nA.from_pretrained(M)\n', id="walrus-in-comprehension"),
        pytest.param('def f():\n    m = "t5"\n    def g():\n        def h():\n            nonlocal m\n'
                     '            m = "gpt2"\n    return A.from_pretrained(m)\n', id="nonlocal-two-down"),
        pytest.param('import sys\nM = "t5"\ndef f():\n    setattr(sys.modules[__name__], "M", "gpt2")\n'
                     'A.from_pretrained(M)\n', id="setattr-on-module"),
        pytest.param('M = "t5"\nM += ""\nA.from_pretrained(M)\n', id="augmented"),
        pytest.param('class K:\n    M = "t5"\n    def f(self):\n        return A.from_pretrained(self.M)\nK.M = "x"\n',
                     id="class-attribute-set-outside"),
        pytest.param('class K:\n    M = "t5"\n    def f(self):\n        return A.from_pretrained(self.M)\n'
                     'class L(K):\n    M = "gpt2"\n', id="class-attribute-of-subclass"),
        pytest.param('import os\ndef test(monkeypatch):\n    monkeypatch.setenv("V", "gpt2")\n'
                     '    return A.from_pretrained(os.environ.get("V", "t5"))\n', id="setenv"),
        pytest.param('import os\nos.environ.update({"V": "gpt2"})\nA.from_pretrained(os.getenv("V", "t5"))\n',
                     id="environ-update"),
    ],
)
def test_every_write_counts(body):
    """A name, attribute or environment variable written where the finder cannot value it holds no certain value."""
    assert one(PRECISION_HEAD + body).model is None


def test_written_elsewhere_leaves_the_value_certain():
    """The twins: writes of other names, variables and attributes change nothing."""
    body = (
        'import os\nM = "t5"\nN = "x"\ndel N\nos.environ.update({"W": "gpt2"})\n'
        'class K:\n    M = "t5"\n    def f(self):\n        return A.from_pretrained(self.M)\nclass L(K):\n    X = 1\n'
        'A.from_pretrained(M)\nA.from_pretrained(os.getenv("V", "t5"))\n'
    )
    assert [site.model for site in sites(PRECISION_HEAD + body)] == ["t5", "t5", "t5"]


def test_registered_anywhere_is_not_judged_by_the_table():
    body = (
        "AutoModelForCausalLM = A\nA.from_pretrained('gpt2')\n"
        "def setup():\n    if True:\n        A.register(C, M)\n"
    )
    site = one(PRECISION_HEAD + body)
    assert site.model is None and "register()" in site.uncertain_kwargs


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.py")), ids=lambda p: p.name)
def test_scopes_match_libcst_scope_provider(path):
    """The finder's one-pass scope analysis records the same assignments, in the same scopes, as LibCST's
    ScopeProvider (which reads ExpressionContextProvider for what the finder's pass tells it)."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, ScopeProvider

    from automodel_lint.finder import _Scopes

    module = cst.parse_module(path.read_bytes())

    def assignments(scopes):
        return {
            (type(scope).__name__, a.name, id(a.node))
            for scope in {s for s in scopes.values() if s is not None} for a in scope.assignments
        }

    theirs = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    ours = _Scopes()._gen(MetadataWrapper(module, unsafe_skip_copy=True))
    assert assignments(ours) == assignments(theirs)
    assert all(type(ours[node]) is type(scope) for node, scope in theirs.items() if node in ours and scope is not None)


def test_calls_are_counted_in_source_order():
    """The n-th call the finder counts is the stdlib parser's n-th (whose positions it then uses), although LibCST's
    scope visitor walks a function's body before its decorators and a comprehension's iterable before its element."""
    import libcst as cst

    from automodel_lint.finder import find_calls
    from automodel_lint.relevance import Reduced

    source = (
        PRECISION_HEAD + "@dec(f())\ndef g(x: t() = h(), *, y=u()) -> r():\n"
        "    return [A.from_pretrained(k()) for _ in m() if n()][0]\n"
        "@dec(A.from_pretrained('gpt2'))\ndef w():\n    return A.from_pretrained({v(): 1 for v in p()})\n"
    )
    spans = Reduced(source.encode(), None).call_spans()
    with_spans = find_calls(cst.parse_module(source), "t.py", lambda _: True, call_spans=spans)
    from_libcst = find_calls(cst.parse_module(source), "t.py", lambda _: True)
    assert [s.span for s in with_spans] == [s.span for s in from_libcst]
    assert [s.span.line for s in with_spans] == [5, 6, 8]
