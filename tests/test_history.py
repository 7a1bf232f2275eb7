"""The history of every transformers release's table (knowledge/history.py, data/history.json.gz)."""

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from automodel_lint import knowledge
from automodel_lint.knowledge import build, history

WHEELS = Path("/tmp/transformers-wheels")


@pytest.fixture(scope="module")
def hist():
    return history.load()


# --------------------------------------------------------------------------------------- the bundled history


@pytest.mark.parametrize("version", ["5.24.0", "4.57.6"])
def test_the_bundled_tables_derive_byte_identical_from_the_history(hist, version):
    bundled = (knowledge.DATA_DIR / f"transformers-{version}.json").read_text(encoding="utf-8")
    assert build.dumps(hist.table(version)) == bundled


def test_every_minor_from_4_0_to_5_24_is_covered_once(hist):
    minors = [tuple(int(p) for p in m.split(".")) for m in hist.minors]
    assert minors == sorted(set(minors))
    assert minors[0] == (4, 0) and minors[-1] == (5, 24)
    assert {m for m in minors if m[0] == 4} == {(4, n) for n in range(58)}
    assert {m for m in minors if m[0] == 5} == {(5, n) for n in range(25)}


@pytest.mark.parametrize(
    "asked, release",
    [("4.40", "4.40.2"), ("4.40.0", "4.40.2"), ("4.57.9", "4.57.6"), ("5.24.0", "5.24.0"), ("5.0", "5.0.0"),
     ("4.51.3", "4.51.3"), ("5.10.3", "5.10.4")],
)
def test_a_minor_or_any_patch_of_it_gives_its_covered_release(asked, release):
    assert knowledge.table_for_version(asked).version == release


@pytest.mark.parametrize("asked", ["3.5.1", "5.99", "6.0.0", "latest", ""])
def test_a_version_outside_the_history_has_no_table(asked):
    assert knowledge.table_for_version(asked) is None


@pytest.mark.parametrize(
    "model_type, first",
    [("qwen3", "4.51"), ("bert", "4.0"), ("llama", "4.28"), ("gemma3", "4.50"), ("gpt2", "4.0"), ("no-such", None)],
)
def test_first_version_knowing_a_model_type(model_type, first):
    assert knowledge.first_version_knowing(model_type) == first


def test_first_versions_agree_with_the_bundled_tables(hist):
    old, new = knowledge.table_for_major(4).data["config_classes"], knowledge.table_for_major(5).data["config_classes"]
    added = set(new) - set(old)
    gone = set(old) - set(new)
    assert added and gone  # 5.x added model types and removed the deprecated ones
    assert all(knowledge.first_version_knowing(t).startswith("5.") for t in added)
    for model_type in gone:
        known_in = hist.releases_with("config_classes", model_type)
        assert hist.releases.index("4.57.6") in known_in and hist.releases.index("5.24.0") not in known_in


def test_the_first_release_of_an_auto_class_and_of_a_pair(hist):
    assert hist.first_version("auto_classes", "AutoModelForImageTextToText") == "4.46"
    assert hist.first_version("auto_classes", "AutoModelForCausalLM", "loads", "qwen3") == "4.51"
    assert hist.first_version("pipelines", "tasks", "image-text-to-text") == "4.47"
    # Before 4.10 the Auto classes are unknown, so a class present in 4.10 may be older: that cannot be told.
    assert hist.first_version("auto_classes", "AutoModel") is None


def test_a_release_read_in_part_says_what_it_lacks():
    table = knowledge.table_for_version("4.5")
    assert table.version == "4.5.1"
    assert table.knows_type("bert") and not table.knows_type("llama")
    # model types, and the tokenizer classes (read from the tokenization files, which these releases have too)
    assert set(table.unknown_parts) == set(build.PARTS) - {"config_classes", "tokenizers"}
    assert table.tokenizer_default("BertTokenizer", "mask_token") is True
    assert "auto_classes" not in table.data
    assert knowledge.table_for_version("4.10").unknown_parts == {}


def test_the_history_is_small_and_loads_fast():
    assert history.HISTORY_PATH.stat().st_size < 2_000_000
    code = (
        "import sys, time; t = time.perf_counter(); from automodel_lint.knowledge import history;"
        "assert 'gzip' not in sys.modules; history.load(); print(time.perf_counter() - t)"
    )
    src = str(Path(knowledge.__file__).parents[2])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": src, "PATH": ""})
    assert float(out.stdout) < 1.0  # measured: about 25 ms; a loose bound for a loaded machine


# ------------------------------------------------------------------------------------------------ the encoding


def test_encoding_round_trips_reordered_retyped_and_interrupted_keys():
    rng = random.Random(7)
    keys = [f"k{n}" for n in range(30)]
    tables = []
    for release in range(40):
        chosen = rng.sample(keys, rng.randint(0, 20))
        if release % 5:
            chosen.sort()  # mostly stable order, sometimes shuffled
        table = {"transformers_version": f"4.{release}.0"}
        for key in chosen:
            roll = rng.random()
            if roll < 0.3:
                table[key] = {"x": rng.randint(0, 2), rng.choice("ab"): [rng.randint(0, 1)]}
            else:
                table[key] = rng.choice(["a", "b", None, [1, 2], [2, 1], 3, True])
        tables.append(table)
    hist = history.History(json.loads(json.dumps(history.encode(tables))))
    for table in tables:
        assert build.dumps(hist.table(table["transformers_version"])) == build.dumps(table)


def test_spans_are_intervals_over_the_release_list():
    tables = [{"transformers_version": v, "a": 1, **({"b": 2} if v != "4.2.0" else {})} for v in
              ("4.0.0", "4.1.0", "4.2.0", "4.3.0")]
    hist = history.History(history.encode(tables))
    assert ["a", [0, 4], 0, [[1]]] in hist.tree  # one value over releases 0-3
    assert hist.releases_with("b") == [0, 1, 3]
    assert [e[1] for e in hist.tree if e[0] == "b"] == [[3, 4], [0, 2]]  # back after a gap: a new entry


# ------------------------------------------------------------------------- against a direct build of a wheel


@pytest.mark.parametrize("version", ["4.40.2", "4.51.3", "5.10.4", "4.23.1", "4.9.2"])
def test_derived_table_equals_a_direct_build_of_the_wheel(hist, version):
    wheels = sorted(WHEELS.glob(f"transformers-{version}-*.whl"))
    if not wheels:
        pytest.skip(f"no transformers {version} wheel in {WHEELS} (scripts/build_history.py downloads it)")
    direct = build.build_release_table(build.open_source(wheels[0]))
    assert build.dumps(hist.table(version)) == build.dumps(direct)
