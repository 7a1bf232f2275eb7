import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# The Auto classes the finder tests ask about (the engine asks about every class the bundled tables know).
AUTO = {"AutoModel", "AutoModelForCausalLM", "AutoModelForSeq2SeqLM", "AutoModelWithLMHead"}
# The release the fixtures' declared diagnostics are written for: runs over them name it, since otherwise the
# transformers installed beside the tests (4.57.6 on Python 3.10, 5.24.0 on newer) would decide.
FIXTURES_TARGET = "5.24"


def sites(source):
    """The call sites the finder sees in `source`, for the classes in AUTO."""
    import libcst as cst

    from automodel_lint.finder import find_calls

    return find_calls(cst.parse_module(source), "t.py", AUTO.__contains__)


def one(source):
    found = sites(source)
    assert len(found) == 1, found
    return found[0]


def judged(source: str, version: str | None = None):
    """The diagnostics of one module, offline, preview rules included, with the bundled table of `version`
    (default: the newest)."""
    from automodel_lint import knowledge
    from automodel_lint.engine import Options, analyse_source, judge_all

    tables = {t.version: t for t in knowledge.bundled_tables()}
    table = tables[version] if version else knowledge.bundled_tables()[-1]
    analysis = analyse_source("example.py", source.encode(), uses=True)
    results, _ = judge_all([analysis], Options(offline=True, preview=True), table)
    return [d for r in results for d in r.diagnostics]


@pytest.fixture(autouse=True)
def hermetic_caches(tmp_path_factory, monkeypatch):
    """Every test starts with empty caches and no network: results must not depend on this machine."""
    base = tmp_path_factory.mktemp("caches")
    monkeypatch.setenv("AUTOMODEL_LINT_CACHE_DIR", str(base / "automodel-lint"))
    monkeypatch.setenv("HF_HOME", str(base / "hf-home"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    # Point the Hub at a closed port, so that a test that forgets offline mode fails fast and locally.
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    yield
