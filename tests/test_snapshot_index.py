"""The snapshot's indexed lookup (one entry decoded from the text) answers exactly what decoding the whole file does."""

import json

import pytest

from automodel_lint.facts import snapshot


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """The snapshot module reading the file at the returned path, with nothing cached from another test."""

    def clear():
        for cached in (snapshot._data, snapshot._indexed, snapshot._section, snapshot._entry):
            getattr(cached, "cache_clear", lambda: None)()

    def use(path):
        monkeypatch.setattr(snapshot, "SNAPSHOT_PATH", path)
        clear()

    clear()
    yield use
    clear()


def answers(ids):
    found = {}
    for model_id in ids:
        facts = snapshot.lookup(model_id)
        found[model_id] = (facts, snapshot.withheld(model_id))
    return found


def test_every_bundled_id_and_alias_is_answered_as_by_a_whole_decode(fresh, monkeypatch):
    data = json.loads(snapshot.SNAPSHOT_PATH.read_text(encoding="utf-8"))
    ids = [e["id"] for e in data["models"].values()] + list(data["aliases"]) + list(data["withheld"])
    ids += ["acme/never-published", "gpt2 ", "Models"]
    fresh(snapshot.SNAPSHOT_PATH)
    indexed = answers(ids)
    assert snapshot._indexed() is not None, "the bundled file is not in the shape the index reads"
    assert snapshot._data.cache_info().currsize == 0, "the index decoded the whole file"
    assert answers(["AUTO_MAP"]) == {"AUTO_MAP": (None, None)}  # an entry's member, not an entry: decoded whole

    monkeypatch.setattr(snapshot, "_indexed", lambda: None)
    fresh(snapshot.SNAPSHOT_PATH)
    assert answers(ids) == indexed


def _write(tmp_path, data, **dump):
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(data, **dump), encoding="utf-8")
    return path


DATA = {
    "schema_version": 1, "built_from": "a test", "sources": ["doc A", "config B"],
    "models": {
        "acme/a": {"id": "Acme/A", "evidence": "config", "model_type": "llama", "source": 1,
                   "auto_map": {"acme/b": "x.Y"}},
        # an entry whose own member looks like another id's key: the index must not take it for that entry
        "acme/c": {"id": "acme/c", "evidence": "doc", "model_type": "gpt2", "source": 0, "note": '"acme/b":{'},
        "acme/b": {"id": "acme/b", "evidence": "doc", "model_type": "t5", "source": 0},
    },
    "withheld": {"acme/w": "a component type"},
    "aliases": {"old-a": "acme/a"},
}


@pytest.mark.parametrize("dump", [{"separators": (",", ":")}, {"indent": 1}], ids=["compact", "indented"])
def test_any_shape_of_file_gives_the_same_answers(fresh, tmp_path, dump):
    fresh(_write(tmp_path, DATA, **dump))
    assert (snapshot._indexed() is not None) == ("separators" in dump)  # indented: decoded whole
    assert snapshot.lookup("OLD-A").model_type == "llama"
    assert "config B" in snapshot.lookup("old-a").provenance and "legacy alias" in snapshot.lookup("old-a").provenance
    assert snapshot.lookup("acme/b").model_type == "t5"
    assert snapshot.lookup("acme/w") is None and snapshot.withheld("acme/w") == "a component type"
    assert snapshot.lookup("acme/none") is None


def test_a_broken_file_is_no_answer(fresh, tmp_path):
    path = tmp_path / "snapshot.json"
    path.write_text('{"schema_version":1,"sources":[],"models":{"acme/a":{', encoding="utf-8")
    fresh(path)
    assert snapshot.lookup("acme/a") is None
