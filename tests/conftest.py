import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


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
