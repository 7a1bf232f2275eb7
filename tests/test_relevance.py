"""The relevance reduction is invisible: the finder finds exactly what it finds in the whole file."""

import dataclasses

import libcst as cst
import pytest

from automodel_lint.analysis import is_target
from automodel_lint.finder import find_calls
from automodel_lint.records import Span
from automodel_lint.relevance import relevant_source

from conftest import FIXTURES


def sites_whole(data: bytes):
    return find_calls(cst.parse_module(data), "t.py", is_target)


def sites_reduced(data: bytes):
    reduced = relevant_source(data)
    if reduced is None:
        return []
    # Positions from the stdlib parser, as the engine gets them, so they are held to LibCST's own too.
    found = find_calls(cst.parse_module(reduced.source), "t.py", is_target,
                       call_spans=reduced.call_spans())
    return [
        dataclasses.replace(s, span=Span(reduced.file_line(s.span.line), s.span.column,
                                         reduced.file_line(s.span.end_line), s.span.end_column))
        for s in found
    ]


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.py")), ids=lambda p: p.name)
def test_fixtures_find_the_same_calls(path):
    data = path.read_bytes()
    assert sites_reduced(data) == sites_whole(data)


HEAD = "from transformers import AutoModelForCausalLM as A, pipeline\n"
CASES = {
    "subscript-assignment": 'C = {"k": "gpt2"}\nC["k"] = "t5-small"\nA.from_pretrained(C["k"])\n',
    "method-mutation": 'C = {"k": "gpt2"}\nC.update(k="t5-small")\nA.from_pretrained(C["k"])\n',
    "passed-to-a-call": 'C = {"k": "gpt2"}\nfill(C)\nA.from_pretrained(C["k"])\n',
    "global-elsewhere": 'M = "gpt2"\ndef g():\n    global M\n    M = "t5-small"\n    return 1\ndef f():\n    return A.from_pretrained(M)\n',
    "rebound-in-other-method": (
        'class K:\n    M = "gpt2"\n    def set(self, m):\n        x = 1\n        self.M = m\n        return x\n'
        '    def load(self):\n        return A.from_pretrained(self.M)\n'
    ),
    "class-attribute": 'class K:\n    M = "gpt2"\n    def other(self):\n        a = 1\n        b = 2\n        return a + b\n    def load(self):\n        return A.from_pretrained(self.M)\n',
    "argparse-default": (
        'import argparse\np = argparse.ArgumentParser()\np.add_argument("--model", default="t5-small")\n'
        'args = p.parse_args()\nA.from_pretrained(args.model)\n'
    ),
    "dataclass-default": (
        'from dataclasses import dataclass\n@dataclass\nclass Cfg:\n    model: str = "t5-small"\n    other: int = 1\n\n'
        'def main(cfg: Cfg):\n    return A.from_pretrained(cfg.model)\n'
    ),
    "aliased-pipeline": 'from transformers import pipeline as p\ndef f():\n    x = 1\n    y = 2\n    return p("summarization", model="gpt2")\n',
    "elif-and-else": 'if a:\n    x = 1\nelif b:\n    y = 2\nelse:\n    z = 3\nM = "gpt2"\nA.from_pretrained(M)\n',
    "semicolons": 'M = "gpt2"; N = 1\nA.from_pretrained(M); q = 2\n',
    "decorated-unrelated": '@decorator(\n    1,\n)\ndef unrelated():\n    a = 1\n    return a\nA.from_pretrained("gpt2")\n',
    "nested-nonlocal": (
        'def outer():\n    m = "gpt2"\n    def inner():\n        nonlocal m\n        m = "t5-small"\n    inner()\n'
        '    return A.from_pretrained(m)\n'
    ),
    "shadowing-def": 'def A():\n    x = 1\n    y = 2\n    return x\nA.from_pretrained("gpt2")\n',
    "try-except-import": 'try:\n    from transformers import AutoModel\nexcept ImportError:\n    AutoModel = None\nAutoModel.from_pretrained("gpt2")\n',
    "with-binding": 'with ctx() as M:\n    pass\nA.from_pretrained(M)\n',
    "loop-target": 'for M in ["gpt2"]:\n    z = 1\nA.from_pretrained(M)\n',
    "mutated-in-a-helper": 'C = {"k": "gpt2"}\ndef setup():\n    x = 1\n    C["k"] = "t5"\nA.from_pretrained(C["k"])\n',
    "updated-in-a-helper": (
        'C = {"k": "gpt2"}\ndef setup():\n    x = 1\n    C.update(k="t5")\nA.from_pretrained(C["k"])\n'
    ),
    "aliased-in-a-helper": (
        'C = {"k": "gpt2"}\ndef setup():\n    x = 1\n    d = C\n    d["k"] = "t5"\nA.from_pretrained(C["k"])\n'
    ),
    "globals-in-a-helper": 'M = "gpt2"\ndef setup():\n    x = 1\n    globals()["M"] = "t5"\nA.from_pretrained(M)\n',
    "environ-in-a-helper": (
        'import os\ndef setup():\n    x = 1\n    os.environ["M"] = "t5-small"\n'
        'A.from_pretrained(os.environ.get("M", "gpt2"))\n'
    ),
    "environ-imported": (
        'import os\nfrom os import environ\nenviron["M"] = "t5-small"\nA.from_pretrained(os.getenv("M", "gpt2"))\n'
    ),
    "config-changed-in-a-helper": (
        'from transformers import AutoConfig\nc = AutoConfig.from_pretrained("gpt2")\ndef tweak():\n    x = 1\n'
        '    c.is_decoder = True\nA.from_pretrained("gpt2", config=c)\n'
    ),
    "argparse-in-a-helper": (
        'import argparse\ndef parse_args():\n    p = argparse.ArgumentParser()\n'
        '    p.add_argument("--model", default="t5-small")\n    return p.parse_args()\n'
        'args = parse_args()\nA.from_pretrained(args.model)\n'
    ),
    "method-default-in-class-body": (
        'M = "gpt2"\nclass K:\n    M = "t5-small"\n    def load(self, m=M):\n        return A.from_pretrained(m)\n'
    ),
    "comprehension-variable": 'M = "gpt2"\nms = [A.from_pretrained(M) for M in names]\n',
    "guards": (
        'import transformers\nif hasattr(transformers, "TFAutoModel"):\n    x = 1\n'
        '    transformers.TFAutoModel.from_pretrained("gpt2")\n'
    ),
    "registered": (
        'from transformers import AutoModel\nclass Cfg: pass\nAutoModel.register(Cfg, object)\n'
        'A.from_pretrained("gpt2")\n'
    ),
    "model-object": (
        'm = A.from_pretrained("t5-small")\ndef f():\n    x = 1\n    return pipeline("text-generation", model=m)\n'
    ),
}


@pytest.mark.parametrize("body", CASES.values(), ids=CASES.keys())
def test_tricky_files_find_the_same_calls(body):
    data = (HEAD + body).encode()
    assert sites_reduced(data) == sites_whole(data)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_line_endings_and_latin1(newline):
    text = ("# -*- coding: latin-1 -*-\n" + HEAD + 'def unrelated():\n    s = "caf\xe9"\n    return s\n'
            'M = "gpt2"  # caf\xe9\nA.from_pretrained(M)\n').replace("\n", newline)
    data = text.encode("latin-1")
    assert sites_reduced(data) == sites_whole(data)


def test_files_without_candidates_are_not_parsed():
    assert relevant_source(b"from transformers import AutoTokenizer\nx = 1\n") is None
    assert relevant_source(b"import torch\nmodel.from_pretrained('x')\n") is None
    assert relevant_source(b"x = 1\n") is None


def test_the_reduction_drops_what_cannot_matter():
    unrelated = "".join(f"def helper_{i}():\n    a = {i}\n    return a\n\n" for i in range(50))
    data = (HEAD + unrelated + 'M = "gpt2"\nA.from_pretrained(M)\n').encode()
    reduced = relevant_source(data)
    assert len(reduced.source.splitlines()) < 60 < len(data.splitlines())
    assert sites_reduced(data) == sites_whole(data)


def test_positions_of_awkward_calls_match_libcst():
    body = ('x = (A.from_pretrained("gpt2"))\ny = ((A).from_pretrained("gpt2")) + g(h())\n'
            'z = (\n    A.from_pretrained(\n        "gpt2"\n    )\n)\nq = f(a=1, *b(A.from_pretrained("gpt2")))\n'
            'v = A.from_pretrained("gpt2") if q() else r()\nk = "\u00e9" + A.from_pretrained("t5-small")\nm = f()()\n')
    data = (HEAD + body).encode()
    assert len(sites_whole(data)) == 6
    assert sites_reduced(data) == sites_whole(data)


def test_unparsable_source_is_handed_over_whole():
    data = b"from transformers import AutoModel\nAutoModel.from_pretrained('x'\n"
    reduced = relevant_source(data)
    assert reduced.source == data and reduced.lines is None
