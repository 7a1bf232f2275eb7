"""The knowledge tables: agreement with the installed transformers' runtime, facts of the bundled tables, the
static generator on a small synthetic transformers tree, and `current_table()`'s choice, cache and fallbacks."""

import json
import logging
import re
import textwrap
import zipfile
from pathlib import Path

import pytest

from automodel_lint import knowledge
from automodel_lint.knowledge import build
from automodel_lint.knowledge.table import KnowledgeTable

CAUSAL, S2S = "AutoModelForCausalLM", "AutoModelForSeq2SeqLM"


def bundled(version):
    (table,) = [t for t in knowledge.bundled_tables() if t.version == version]
    return table


# ------------------------------------------------------------------------------- the installed transformers


@pytest.fixture(scope="module")
def runtime():
    """The installed transformers' Auto classes and config mapping (configs only: no torch needed)."""
    pytest.importorskip("transformers")
    import importlib

    # `from transformers.models.auto import modeling_auto` gives a placeholder when torch is missing.
    modeling_auto = importlib.import_module("transformers.models.auto.modeling_auto")
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING, CONFIG_MAPPING_NAMES

    autos = {
        name: obj
        for name, obj in vars(modeling_auto).items()
        if isinstance(obj, type) and not name.startswith("_") and getattr(obj, "_model_mapping", None) is not None
    }
    return autos, CONFIG_MAPPING, CONFIG_MAPPING_NAMES


def runtime_loads(mapping, config_cls):
    """What `mapping[config_cls]` names, read without importing any model module."""
    names = mapping._model_mapping[mapping._reverse_config_mapping[config_cls.__name__]]
    return list(names) if isinstance(names, tuple) else [names]


def test_table_agrees_with_the_runtime_for_every_auto_class_and_model_type(runtime):
    autos, config_mapping, config_names = runtime
    table = knowledge.current_table()
    assert table.version == knowledge.installed_transformers_version()
    assert list(table.data["config_classes"].items()) == list(config_names.items())
    assert sorted(autos) == sorted(n for n in table.auto_classes if table.framework(n) == "pt")

    disagreements = []
    for name, cls in autos.items():
        for model_type in config_names:
            config_cls = config_mapping[model_type]
            accepted = config_cls in cls._model_mapping
            loads = table.loads(name, model_type)
            if accepted != (loads is not None):
                disagreements.append((name, model_type, "accepted" if accepted else "rejected", loads))
            elif accepted and runtime_loads(cls._model_mapping, config_cls) != loads:
                disagreements.append((name, model_type, runtime_loads(cls._model_mapping, config_cls), loads))
    assert disagreements == []


def test_generator_reproduces_the_bundled_table_of_the_installed_version(tmp_path):
    version = knowledge.installed_transformers_version()
    if version not in {t.version for t in knowledge.bundled_tables()}:
        pytest.skip(f"no bundled table for the installed transformers {version}")
    output = tmp_path / "table.json"
    assert build.main(["--output", str(output)]) == 0
    bundled_file = knowledge.DATA_DIR / f"transformers-{version}.json"
    assert output.read_text(encoding="utf-8") == bundled_file.read_text(encoding="utf-8")


SEEN_TYPE = re.compile(r"using a model of type `?([^`\s]+)`? to instantiate a model of type")


def test_config_links_replay_the_runtime_config_loader_on_every_composite(runtime, tmp_path):
    """`type_seen_by` against `PreTrainedConfig.from_pretrained` itself: for every model type whose config declares
    sub-configs, its config.json (the defaults) is loaded with each sub-config class and four unrelated ones, and
    the runtime's "You are using a model of type X ..." warning must come exactly when the table says the type seen
    differs from the class's own, and name the type the table says it sees."""
    import warnings

    _, config_mapping, config_names = runtime
    table = knowledge.current_table()
    links = table.data["config_links"]
    by_name = {}
    for model_type in config_names:
        cls = config_mapping[model_type]
        by_name[cls.__name__] = cls
        subs = getattr(cls, "sub_configs", {})
        for sub in subs.values() if isinstance(subs, dict) else ():  # transformers 4.x: a property on some classes
            if isinstance(sub, type):
                by_name.setdefault(sub.__name__, sub)

    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    logger = logging.getLogger("transformers.configuration_utils")
    handler = Collect()
    logger.addHandler(handler)
    compared, disagreements = 0, []
    try:
        for model_type, config_name in config_names.items():
            subs = links.get(config_name, {}).get("sub_configs")
            if not subs:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    written = config_mapping[model_type]().to_dict()
                except Exception:  # noqa: BLE001 - a composite whose defaults cannot be built has no file to test
                    continue
            if any(not isinstance(written.get(key), dict) for key in subs):
                continue  # an optional part left out of the defaults; real checkpoints carry it
            folder = tmp_path / model_type
            folder.mkdir()
            (folder / "config.json").write_text(json.dumps(written, default=str), encoding="utf-8")
            for name in sorted(set(subs.values()) | {"LlamaConfig", "BertConfig", "CLIPTextConfig", "SiglipVisionConfig"}):
                seen = table.type_seen_by(name, model_type)
                if name not in by_name or seen is None:
                    continue
                messages.clear()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        by_name[name].from_pretrained(folder)
                    except Exception:  # noqa: BLE001 - a load that fails does not reach the comparison
                        continue
                # "You are using a model of type `X` to instantiate ...": X is the type the runtime saw (4.x writes
                # it without the backticks).
                warned = [found.group(1) for found in map(SEEN_TYPE.search, messages) if found]
                compared += 1
                if warned != ([seen] if seen != table.config_model_type(name) else []):
                    disagreements.append((model_type, name, seen, warned))
    finally:
        logger.removeHandler(handler)
    assert disagreements == []
    assert compared > (500 if table.major >= 5 else 250), compared  # measured: 605 pairs with 5.24, 281 with 4.57.6


# ----------------------------------------------------------------------------------- the bundled tables


def test_bundled_tables_are_sorted_small_and_fast():
    tables = knowledge.bundled_tables()
    assert [t.version for t in tables] == ["4.57.6", "5.24.0"]
    assert knowledge.table_for_major(4).version == "4.57.6"
    assert knowledge.table_for_major(5).version == "5.24.0"
    assert knowledge.table_for_major(3) is None
    for path in knowledge.DATA_DIR.glob("transformers-*.json"):
        assert path.stat().st_size < 1_500_000  # its load time is measured by benchmarks/run.py


def test_facts_of_5_24():
    table = bundled("5.24.0")
    autos = table.auto_classes
    assert len(autos) == 50 and "AutoBackbone" in autos
    assert {table.framework(n) for n in autos} == {"pt"}
    assert len(table.data["config_classes"]) == 822
    causal, s2s = set(autos[CAUSAL]["loads"]), set(autos[S2S]["loads"])
    assert (len(causal), len(s2s)) == (196, 38)
    assert causal & s2s == {
        "bart", "mbart", "marian", "pegasus", "blenderbot", "blenderbot-small", "plbart", "prophetnet",
        "bigbird_pegasus", "mvp", "moss_transcribe_diarize",
    }
    task_types = set().union(*(e["loads"] for n, e in autos.items() if n != "AutoModel"))
    assert len(task_types - set(autos["AutoModel"]["loads"])) == 44


def test_config_class_indirection():
    new, old = bundled("5.24.0"), bundled("4.57.6")
    # gpt-sw3 shares GPT2Config with gpt2, the type registered last: it loads what gpt2 loads.
    assert new.loads("AutoModelForQuestionAnswering", "gpt-sw3") == ["GPT2ForQuestionAnswering"]
    # 5.24 registers EvollaConfig again under "EvollaModel", which no model mapping names: evolla loads nowhere.
    assert new.model_type_of_config("EvollaConfig") == "EvollaModel"
    assert new.loads("AutoModel", "evolla") is None
    # 4.57: perception_encoder's TimmWrapperConfig is looked up as timm_wrapper.
    assert old.loads("AutoModel", "perception_encoder") == ["TimmWrapperModel"]
    assert old.loads("AutoModelForTokenClassification", "code_llama") == ["LlamaForTokenClassification"]
    assert old.loads("AutoModelForVision2Seq", "nougat") == ["VisionEncoderDecoderModel"]


def test_tuples_keep_their_order_and_architectures_point_back():
    table = bundled("5.24.0")
    assert table.loads("AutoModel", "funnel") == ["FunnelModel", "FunnelBaseModel"]
    assert table.loaded_class("AutoModel", "funnel", ("FunnelBaseModel",)) == "FunnelBaseModel"
    assert table.loaded_class("AutoModel", "funnel") == "FunnelModel"
    assert CAUSAL in table.auto_classes_for_architecture("GPT2LMHeadModel")
    assert table.auto_classes_for_architecture("FunnelBaseModel") == ["AutoModel"]


def test_legacy_and_other_framework_classes_only_in_4x():
    old, new = bundled("4.57.6"), bundled("5.24.0")
    legacy = {"AutoModelWithLMHead": "pt", "AutoModelForVision2Seq": "pt", "TFAutoModelForCausalLM": "tf",
              "FlaxAutoModelForSeq2SeqLM": "flax"}
    for name, framework in legacy.items():
        assert old.framework(name) == framework
        assert not new.is_auto_class(name)
    assert old.loads("AutoModelWithLMHead", "gpt2") == ["GPT2LMHeadModel"]
    assert old.loads("TFAutoModelForCausalLM", "gpt2") == ["TFGPT2LMHeadModel"]
    assert len(old.auto_classes) == 77


def test_text_config_types():
    new, old = bundled("5.24.0"), bundled("4.57.6")
    causal = new.text_config_types(CAUSAL)
    assert {"llama4", "mllama", "qwen3_5"} <= causal
    assert not {"gpt2", "bart", "t5"} & causal
    assert new.text_config_types("AutoModel") == frozenset()
    assert {"llama4", "mllama"} <= old.text_config_types(CAUSAL)


def test_checkpoints():
    new, old = bundled("5.24.0"), bundled("4.57.6")
    assert new.checkpoints["openai-community/gpt2"] == "gpt2"
    assert old.checkpoints["openai-community/gpt2"] == "gpt2"
    # A composite's checkpoint is also named by its sub-configs' docstrings; the composite keeps it.
    assert new.checkpoints["meta-llama/Llama-4-Scout-17B-16E"] == "llama4"
    assert new.checkpoints["Qwen/Qwen3.5-27B"] == "qwen3_5"
    # Two unrelated types name the same checkpoint (a copied docstring): nobody gets it.
    assert "BAAI/seggpt-vit-large" not in new.checkpoints
    assert "google-bert/bert-base-uncased" not in old.checkpoints
    assert all(not c.startswith(("papers/", "docs/")) and c.count("/") == 1 for c in new.checkpoints)


# -------------------------------------------------------------------------- the generator on a small tree

FAKE_VERSION = "5.99.0"
FAKE_TREE = {
    "__init__.py": f'__version__ = "{FAKE_VERSION}"\n',
    "models/__init__.py": "",
    "models/auto/__init__.py": "",
    "models/auto/auto_factory.py": """
        class _BaseAutoModelClass:
            _model_mapping = None

        class _LazyAutoMapping(dict):
            pass

        def auto_class_update(cls, **kwargs):
            return cls
        """,
    "models/auto/auto_mappings.py": """
        from collections import OrderedDict

        CONFIG_MAPPING_NAMES = OrderedDict(
            [
                ("alpha", "AlphaConfig"),
                ("alpha_text", "AlphaTextConfig"),
                ("beta", "BetaConfig"),
                ("beta-legacy", "BetaConfig"),
            ]
        )
        SPECIAL_MODEL_TYPE_TO_MODULE_NAME = OrderedDict([("beta-legacy", "beta")])
        """,
    "models/auto/configuration_auto.py": """
        from collections import OrderedDict

        from ...utils import logging
        from .auto_mappings import CONFIG_MAPPING_NAMES, SPECIAL_MODEL_TYPE_TO_MODULE_NAME

        logger = logging.get_logger(__name__)
        CONFIG_MAPPING_NAMES.update({"gamma": "GammaConfig"})
        CONFIG_MAPPING_NAMES = OrderedDict(**{"beta_old": "BetaConfig"}, **CONFIG_MAPPING_NAMES)
        DEPRECATED_MODELS = ["gamma"]
        """,
    "models/auto/modeling_auto.py": """
        from collections import OrderedDict

        from .auto_factory import _BaseAutoModelClass, _LazyAutoMapping, auto_class_update
        from .configuration_auto import CONFIG_MAPPING_NAMES

        MODEL_MAPPING_NAMES = OrderedDict(
            [("alpha", "AlphaModel"), ("beta", ("BetaModel", "BetaBaseModel")), ("gamma", "GammaModel")]
        )
        MODEL_FOR_CAUSAL_LM_MAPPING_NAMES = OrderedDict(
            [("alpha", "AlphaForCausalLM"), ("alpha_text", "AlphaForCausalLM"), ("beta-legacy", "BetaForCausalLM")]
        )
        MODEL_FOR_EVERYTHING_MAPPING_NAMES = OrderedDict(
            [*list(MODEL_MAPPING_NAMES.items()), ("alpha_text", "AlphaTextModel")]
        )
        UNUSED_MAPPING_NAMES = {k: v for k, v in MODEL_MAPPING_NAMES.items()}

        MODEL_MAPPING = _LazyAutoMapping(CONFIG_MAPPING_NAMES, MODEL_MAPPING_NAMES)
        MODEL_FOR_CAUSAL_LM_MAPPING = _LazyAutoMapping(CONFIG_MAPPING_NAMES, MODEL_FOR_CAUSAL_LM_MAPPING_NAMES)
        MODEL_FOR_EVERYTHING_MAPPING = _LazyAutoMapping(CONFIG_MAPPING_NAMES, MODEL_FOR_EVERYTHING_MAPPING_NAMES)


        class AutoModel(_BaseAutoModelClass):
            _model_mapping = MODEL_MAPPING


        AutoModel = auto_class_update(AutoModel)


        class AutoModelForCausalLM(_BaseAutoModelClass):
            _model_mapping = MODEL_FOR_CAUSAL_LM_MAPPING


        class _AutoModelForEverything(_BaseAutoModelClass):
            _model_mapping = MODEL_FOR_EVERYTHING_MAPPING


        class AutoModelForEverything(_AutoModelForEverything):
            pass
        """,
    "models/alpha/__init__.py": "",
    "models/alpha/configuration_alpha.py": '''
        from ...configuration_utils import PreTrainedConfig, SubConfigSpec
        from ..auto import AutoConfig


        @auto_docstring(checkpoint="org/alpha-text")
        class AlphaTextConfig(PreTrainedConfig):
            model_type = "alpha_text"


        @auto_docstring(
            custom_intro="""
        An unindented line, as docstrings sometimes have.
        """,
            checkpoint="org/alpha-7b",
        )
        @strict
        class AlphaConfig(PreTrainedConfig):
            model_type = "alpha"
            sub_configs_defaults = {
                "text_config": AlphaTextConfig,
                "vision_config": SubConfigSpec(config_class=AutoConfig, model_type="beta"),
            }
        ''',
    "models/alpha/modeling_alpha.py": """
        from ...modeling_utils import PreTrainedModel
        from .configuration_alpha import AlphaConfig
        from .configuration_alpha import AlphaTextConfig as TextConfig


        class AlphaPreTrainedModel(PreTrainedModel):
            config: AlphaConfig


        class AlphaTextPreTrainedModel(AlphaPreTrainedModel):
            config: TextConfig


        class AlphaModel(AlphaPreTrainedModel):
            def forward(self):
                pass


        class AlphaTextModel(AlphaTextPreTrainedModel):
            pass


        class AlphaForCausalLM(AlphaTextPreTrainedModel, GenerationMixin):
            pass
        """,
    "models/beta/__init__.py": "",
    "models/beta/configuration_beta.py": '''
        from ..alpha.configuration_alpha import AlphaTextConfig


        class BetaConfig(AlphaTextConfig):
            r"""
            Configuration of a [org/beta-base](https://huggingface.co/org/beta-base) model, see
            [the paper](https://huggingface.co/papers/1234.5678) and [org/shared](https://huggingface.co/org/shared).

            Args:
                other (`str`): like [org/not-this-one](https://huggingface.co/org/not-this-one).
            """

            model_type = "beta"
        ''',
    "models/beta/modeling_beta.py": """
        class BetaModel(PreTrainedModel):
            config_class = BetaConfig


        class BetaBaseModel(BetaModel):
            pass


        class BetaForCausalLM(BetaModel):
            pass
        """,
    "models/deprecated/__init__.py": "",
    "models/deprecated/gamma/__init__.py": "",
    "models/deprecated/gamma/configuration_gamma.py": '''
        class GammaConfig(PretrainedConfig):
            """A [org/shared](https://huggingface.co/org/shared) checkpoint too."""
        ''',
    "models/deprecated/gamma/modeling_gamma.py": """
        class GammaModel(PreTrainedModel):
            config_class = GammaConfig
        """,
}


def write_tree(root: Path, changes: dict | None = None) -> Path:
    """FAKE_TREE as a `transformers` package under root, with `changes` replacing whole files."""
    package = root / "transformers"
    for rel, text in {**FAKE_TREE, **(changes or {})}.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return package


@pytest.fixture
def fake_package(tmp_path):
    return write_tree(tmp_path / "site-packages")


def test_fake_tree_config_mapping_follows_update_and_rebuild(fake_package):
    table = build.build_table(build.open_source(fake_package))
    assert table["transformers_version"] == FAKE_VERSION
    assert table["schema_version"] == knowledge.SCHEMA_VERSION and table["generated_by"] == build.GENERATED_BY
    assert list(table["config_classes"]) == ["beta_old", "alpha", "alpha_text", "beta", "beta-legacy", "gamma"]


def test_fake_tree_loads_replay_the_reverse_config_mapping(fake_package):
    table = KnowledgeTable(build.build_table(build.open_source(fake_package.parent)), origin="test")
    assert sorted(table.auto_classes) == ["AutoModel", "AutoModelForCausalLM", "AutoModelForEverything"]
    assert table.auto_classes["AutoModelForEverything"]["mapping"] == "MODEL_FOR_EVERYTHING_MAPPING_NAMES"
    # BetaConfig is looked up as beta-legacy, its last type: "beta" in MODEL_MAPPING_NAMES is never reached ...
    assert table.loads("AutoModel", "beta") is None
    # ... while every type of BetaConfig gets beta-legacy's causal LM.
    for model_type in ("beta_old", "beta", "beta-legacy"):
        assert table.loads("AutoModelForCausalLM", model_type) == ["BetaForCausalLM"]
    assert table.loads("AutoModel", "gamma") == ["GammaModel"]
    assert table.loads("AutoModelForEverything", "alpha_text") == ["AlphaTextModel"]
    assert table.loads("AutoModelForEverything", "alpha") == ["AlphaModel"]
    assert table.auto_classes_for_architecture("AlphaForCausalLM") == ["AutoModelForCausalLM"]


def test_fake_tree_text_config_and_checkpoints(fake_package):
    table = build.build_table(build.open_source(fake_package))
    # alpha's causal LM is declared (through an alias and a base class) with AlphaConfig's text sub-config.
    assert table["text_config_types"] == {"AutoModelForCausalLM": ["alpha"]}
    assert table["checkpoints"] == {
        "org/alpha-7b": "alpha",  # also claimed by nothing else
        "org/alpha-text": "alpha_text",
        "org/beta-base": "beta-legacy",  # the type the runtime gives BetaConfig
    }  # org/shared: claimed by beta-legacy and gamma; org/not-this-one: after Args:


def test_a_wheel_is_read_in_place(fake_package, tmp_path):
    wheel = tmp_path / f"transformers-{FAKE_VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path in fake_package.rglob("*.py"):
            archive.write(path, "transformers/" + path.relative_to(fake_package).as_posix())
    from_dir = build.build_table(build.open_source(fake_package))
    assert build.build_table(build.open_source(wheel)) == from_dir


def test_an_unknown_form_fails_loudly(tmp_path):
    broken = FAKE_TREE["models/auto/modeling_auto.py"].replace(
        'OrderedDict(\n            [("alpha", "AlphaForCausalLM")', 'OrderedDict(\n            [pair for pair in [("alpha", "AlphaForCausalLM")]] + [("x", "AlphaForCausalLM")'
    )
    assert broken != FAKE_TREE["models/auto/modeling_auto.py"]
    package = write_tree(tmp_path, {"models/auto/modeling_auto.py": broken})
    with pytest.raises(build.BuildError, match="AutoModelForCausalLM._model_mapping"):
        build.build_table(build.open_source(package))


def test_a_mapping_changed_under_a_block_fails_loudly(tmp_path):
    changed = textwrap.dedent(FAKE_TREE["models/auto/configuration_auto.py"]) + 'if True:\n    CONFIG_MAPPING_NAMES["x"] = "XConfig"\n'
    package = write_tree(tmp_path, {"models/auto/configuration_auto.py": changed})
    with pytest.raises(build.BuildError, match="CONFIG_MAPPING_NAMES"):
        build.build_table(build.open_source(package))


def test_main_reports_errors_without_a_traceback(tmp_path, capsys):
    assert build.main(["--source", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


# ------------------------------------------------------------------------------------------ current_table


@pytest.fixture
def installed(monkeypatch, fake_package):
    """Pretend the fake tree is the installed transformers, of a version with no bundled table."""
    monkeypatch.setattr(knowledge, "installed_transformers_version", lambda: FAKE_VERSION)
    monkeypatch.setattr(knowledge, "installed_transformers_source", lambda: fake_package)
    return fake_package


def warnings_of(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_installed_version_is_generated_cached_and_reused(installed, tmp_path, monkeypatch, caplog):
    table = knowledge.current_table(tmp_path / "cache")
    assert (table.version, table.origin) == (FAKE_VERSION, "installed")
    cached = knowledge.cache_path(FAKE_VERSION, tmp_path / "cache")
    assert cached.name == f"transformers-{FAKE_VERSION}.schema{knowledge.SCHEMA_VERSION}.{knowledge.generator_key()}.json"
    assert json.loads(cached.read_text(encoding="utf-8")) == table.data
    assert [p.name for p in cached.parent.iterdir()] == [cached.name]  # no temporary file left behind

    monkeypatch.setattr(knowledge, "installed_transformers_source", lambda: tmp_path / "gone")
    again = knowledge.current_table(tmp_path / "cache")
    assert again.data == table.data and again.version == FAKE_VERSION
    assert warnings_of(caplog) == []


def test_a_table_cached_under_an_older_schema_is_rebuilt_without_a_warning(installed, tmp_path, caplog):
    old = tmp_path / "cache" / "knowledge" / f"transformers-{FAKE_VERSION}.json"
    old.parent.mkdir(parents=True)
    old.write_text(json.dumps({"schema_version": 1, "transformers_version": FAKE_VERSION}), encoding="utf-8")
    table = knowledge.current_table(tmp_path / "cache")
    assert table.origin == "installed" and "config_links" in table.data
    assert warnings_of(caplog) == []


def test_a_table_another_generator_cached_is_rebuilt_with_the_parts_it_lacked(installed, tmp_path, caplog):
    """A table cached by an automodel-lint whose generator read fewer parts (before the generation facts, under the
    same schema and a name without the generator's key) is not read."""
    fresh = knowledge.current_table(tmp_path / "cache").data
    older = {k: v for k, v in fresh.items() if k != "generation"}
    knowledge.cache_path(FAKE_VERSION, tmp_path / "cache").unlink()
    stale = tmp_path / "cache" / "knowledge" / f"transformers-{FAKE_VERSION}.schema{knowledge.SCHEMA_VERSION}.json"
    stale.write_text(json.dumps(older), encoding="utf-8")
    assert "generation" in fresh and knowledge.current_table(tmp_path / "cache").data == fresh
    assert warnings_of(caplog) == []


def test_default_cache_dir_comes_from_the_environment(installed, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOMODEL_LINT_CACHE_DIR", str(tmp_path / "env-cache"))
    knowledge.current_table()
    assert knowledge.cache_path(FAKE_VERSION, tmp_path / "env-cache").is_file()
    monkeypatch.delenv("AUTOMODEL_LINT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert knowledge.default_cache_dir() == tmp_path / "xdg" / "automodel-lint"


def test_unreadable_source_falls_back_to_the_newest_bundled_table(installed, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(knowledge, "installed_transformers_source", lambda: tmp_path / "gone")
    table = knowledge.current_table(tmp_path / "cache")
    assert (table.version, table.origin) == ("5.24.0", "bundled")
    (message,) = warnings_of(caplog)
    assert FAKE_VERSION in message and "5.24.0" in message and "\n" not in message
    assert not (tmp_path / "cache" / "knowledge").exists()


def test_an_unknown_form_in_the_installed_source_falls_back(installed, monkeypatch, tmp_path, caplog):
    broken = write_tree(tmp_path / "broken", {"models/auto/modeling_auto.py": "X = 1\n"})
    monkeypatch.setattr(knowledge, "installed_transformers_source", lambda: broken)
    assert knowledge.current_table(tmp_path / "cache").version == "5.24.0"
    assert "no Auto class" in warnings_of(caplog)[0]


def test_a_corrupt_cache_is_regenerated(installed, tmp_path, caplog):
    cached = knowledge.cache_path(FAKE_VERSION, tmp_path / "cache")
    cached.parent.mkdir(parents=True)
    cached.write_text('{"schema_version": 1, "transformers_vers', encoding="utf-8")
    table = knowledge.current_table(tmp_path / "cache")
    assert table.version == FAKE_VERSION
    assert len(warnings_of(caplog)) == 1 and "damaged" in warnings_of(caplog)[0]
    assert json.loads(cached.read_text(encoding="utf-8")) == table.data


def test_a_corrupt_cache_and_an_unreadable_source_fall_back(installed, tmp_path, monkeypatch, caplog):
    cached = knowledge.cache_path(FAKE_VERSION, tmp_path / "cache")
    cached.parent.mkdir(parents=True)
    cached.write_text(json.dumps({"schema_version": 1, "transformers_version": "0.1"}), encoding="utf-8")
    monkeypatch.setattr(knowledge, "installed_transformers_source", lambda: tmp_path / "gone")
    table = knowledge.current_table(tmp_path / "cache")
    assert (table.version, table.origin) == ("5.24.0", "bundled")
    assert len(warnings_of(caplog)) == 2


def test_an_unwritable_cache_still_gives_the_installed_table(installed, tmp_path, caplog):
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("", encoding="utf-8")
    table = knowledge.current_table(blocker)
    assert table.version == FAKE_VERSION
    (message,) = warnings_of(caplog)
    assert "cannot cache" in message


def test_a_bundled_version_is_used_as_is(monkeypatch, tmp_path):
    monkeypatch.setattr(knowledge, "installed_transformers_version", lambda: "4.57.6")
    monkeypatch.setattr(knowledge, "installed_transformers_source", lambda: pytest.fail("source read"))
    table = knowledge.current_table(tmp_path / "cache")
    assert (table.version, table.origin) == ("4.57.6", "bundled")
    assert table is knowledge.table_for_major(4)
    assert not (tmp_path / "cache").exists()


def test_without_transformers_the_newest_bundled_table_is_used(monkeypatch):
    monkeypatch.setattr(knowledge, "installed_transformers_version", lambda: None)
    assert knowledge.current_table().version == "5.24.0"


def test_the_installed_version_is_read_from_folder_names(tmp_path, monkeypatch):
    """A dist-info folder answers; folders holding nothing named transformers answer None without asking
    importlib.metadata (about 30 ms of a pre-commit run, whose hook venv has no transformers); an egg-info is left
    to importlib.metadata, which reads it."""
    import sys
    from importlib import metadata

    empty, dist, egg = tmp_path / "empty", tmp_path / "dist", tmp_path / "egg"
    for folder in (empty, dist, egg / "transformers.egg-info"):
        folder.mkdir(parents=True)
    (dist / "transformers-1.2.3.dist-info").mkdir()
    pkg_info = "Metadata-Version: 2.1\nName: transformers\nVersion: 7.8.9\n"
    (egg / "transformers.egg-info" / "PKG-INFO").write_text(pkg_info)
    asked = []
    real_version = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: asked.append(name) or real_version(name))
    monkeypatch.setattr(sys, "path", [str(empty), str(tmp_path / "missing")])
    assert knowledge.installed_transformers_version() is None and not asked
    monkeypatch.setattr(sys, "path", [str(empty), str(dist)])
    assert knowledge.installed_transformers_version() == "1.2.3" and not asked
    monkeypatch.setattr(sys, "path", [str(egg)])
    assert knowledge.installed_transformers_version() == "7.8.9" and asked == ["transformers"]


def test_the_loader_imports_no_heavy_module():
    import subprocess
    import sys

    code = (
        "import sys; from automodel_lint import knowledge; knowledge.current_table(); knowledge.bundled_tables();"
        "print(sorted(m for m in ('transformers', 'libcst', 'huggingface_hub', 'torch') if m in sys.modules))"
    )
    src = str(Path(knowledge.__file__).parents[2])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": src, "PATH": ""})
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------------------------------ pipelines


def test_pipeline_registry_agrees_with_the_runtime():
    pytest.importorskip("transformers")
    import ast
    import inspect

    import transformers.pipelines as runtime

    table = knowledge.current_table()
    reg = table.pipelines
    assert sorted(reg["tasks"]) == sorted(runtime.SUPPORTED_TASKS)
    assert reg["aliases"] == dict(sorted(runtime.TASK_ALIASES.items()))
    assert reg["removed"] == dict(sorted(getattr(runtime, "REMOVED_TASKS", {}).items()))
    # Without torch the runtime's "pt" tuples are empty; the source names the classes each task tries.
    source = ast.parse(inspect.getsource(runtime))
    (tasks,) = [n.value for n in source.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "SUPPORTED_TASKS"]
    for key, info in zip(tasks.keys, tasks.values):
        pt = next(v for k, v in zip(info.keys, info.values) if k.value == "pt")
        assert reg["tasks"][key.value]["pt"] == [e.id for e in pt.body.elts]


@pytest.mark.parametrize(
    "version, task, outcome, classes",
    [
        ("5.24.0", "summarization", "removed", None),
        ("5.24.0", "translation_en_to_fr", "removed", None),
        ("5.24.0", "question-answering", "removed", None),
        ("5.24.0", "text2text-generation", "removed", None),
        ("5.24.0", "image-to-text", "ok", ["AutoModelForImageTextToText"]),
        ("5.24.0", "sentiment-analysis", "ok", ["AutoModelForSequenceClassification"]),
        ("5.24.0", "no-such-task", "unknown", None),
        ("4.57.6", "summarization", "ok", ["AutoModelForSeq2SeqLM"]),
        ("4.57.6", "translation_en_to_fr", "ok", ["AutoModelForSeq2SeqLM"]),
        ("4.57.6", "vqa", "ok", ["AutoModelForVisualQuestionAnswering"]),
        ("4.57.6", "text-generation", "ok", ["AutoModelForCausalLM"]),
    ],
)
def test_pipeline_task_as_the_runtime_resolves_it(version, task, outcome, classes):
    got, info = bundled(version).pipeline_task(task)
    assert got == outcome
    if classes is not None:
        assert info["pt"] == classes


def test_model_types_of_a_concrete_class_include_types_sharing_its_config():
    table = bundled("5.24.0")
    assert table.model_types_of_class("T5ForConditionalGeneration") == {"t5"}
    assert "gpt2" in table.model_types_of_class("GPT2LMHeadModel")
    assert table.model_types_of_class("NoSuchModel") == frozenset()
