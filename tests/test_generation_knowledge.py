"""The knowledge table's `generation` part and the pipelines' `generates`: which model classes cannot call
`generate()` and what it raises, read statically per release (knowledge/generation.py), on fake trees shaped as
4.44 and 5.24 are, and on the bundled tables and history."""

from __future__ import annotations

import pytest
from test_knowledge import FAKE_TREE, write_tree

from automodel_lint import knowledge
from automodel_lint.knowledge import build
from automodel_lint.knowledge.table import KnowledgeTable

# 5.24's modeling_utils.py (shortened): PreTrainedModel no longer inherits GenerationMixin.
UTILS_5 = """
    from torch import nn
    from .utils import PushToHubMixin


    class PreTrainedModel(nn.Module, EmbeddingAccessMixin, ModuleUtilsMixin, PushToHubMixin):
        @classmethod
        def can_generate(cls) -> bool:
            return "GenerationMixin" in str(cls.__bases__)


    class PreTrainedAudioTokenizerBase(PreTrainedModel):
        pass
    """
# 4.44's (shortened): every model inherits generate(), and can_generate() decides.
UTILS_4 = """
    from torch import nn
    from .generation import GenerationMixin


    class PreTrainedModel(nn.Module, ModuleUtilsMixin, GenerationMixin, PushToHubMixin):
        @classmethod
        def can_generate(cls) -> bool:
            # Detects whether `prepare_inputs_for_generation` has been overwritten.
            if "GenerationMixin" in str(cls.prepare_inputs_for_generation) and "GenerationMixin" in str(cls.generate):
                return False
            return True


    class PreTrainedAudioTokenizerBase(PreTrainedModel):
        pass
    """
GENERATION_4 = """
    class GenerationMixin:
        def prepare_inputs_for_generation(self, *args, **kwargs):
            raise NotImplementedError

        def _validate_model_class(self):
            if not is_torchdynamo_compiling() and not self.can_generate():
                raise TypeError(f"The current model class ({self.__class__.__name__}) is not compatible")

        def generate(self, inputs=None, **kwargs):
            self._validate_model_class()
            return inputs
    """
ALPHA = """
    from ...generation import GenerationMixin
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

        def prepare_inputs_for_generation(self, input_ids, **kwargs):
            return {"input_ids": input_ids}


    class AlphaTextModel(AlphaTextPreTrainedModel, ExternalMixin):
        pass


    class AlphaForCausalLM(AlphaTextPreTrainedModel, GenerationMixin):
        pass
    """
BETA = """
    from ...modeling_utils import PreTrainedModel
    from ..alpha.modeling_alpha import AlphaModel
    from .generation_beta import BetaGenerationMixin


    class BetaModel(PreTrainedModel):
        config_class = BetaConfig


    class BetaBaseModel(BetaModel):
        pass


    class BetaForCausalLM(AlphaModel, BetaGenerationMixin):
        pass
    """
GAMMA = """
    from ....modeling_utils import PreTrainedAudioTokenizerBase


    class GammaModel(PreTrainedAudioTokenizerBase):
        config_class = GammaConfig
    """
MODELS = {"models/alpha/modeling_alpha.py": ALPHA, "models/beta/modeling_beta.py": BETA,
          "models/deprecated/gamma/modeling_gamma.py": GAMMA}

# pipelines/__init__.py in 4.x's form (classes imported), with pipeline classes that generate on every call, only
# sometimes, or never.
PIPELINES = {
    "pipelines/__init__.py": """
        from .text_generation import TextGenerationPipeline
        from .text2text_generation import SummarizationPipeline
        from .speech import SpeechPipeline
        from .features import FeaturePipeline

        SUPPORTED_TASKS = {
            "text-generation": {"impl": TextGenerationPipeline, "pt": (AutoModelForCausalLM,), "type": "text"},
            "summarization": {"impl": SummarizationPipeline, "pt": (AutoModelForCausalLM,), "type": "text"},
            "speech": {"impl": SpeechPipeline, "pt": (AutoModel,), "type": "audio"},
            "features": {"impl": FeaturePipeline, "pt": (AutoModel,), "type": "text"},
        }
        """,
    "pipelines/base.py": "class Pipeline:\n    pass\n",
    "pipelines/text_generation.py": """
        from .base import Pipeline


        class TextGenerationPipeline(Pipeline):
            def _forward(self, model_inputs, **generate_kwargs):
                input_ids = model_inputs["input_ids"]
                if input_ids.shape[1] == 0:
                    input_ids = None
                output = self.model.generate(input_ids=input_ids, **generate_kwargs)
                return {"generated_sequence": output}
        """,
    "pipelines/text2text_generation.py": """
        from .base import Pipeline


        class Text2TextGenerationPipeline(Pipeline):
            def _forward(self, model_inputs, **generate_kwargs):
                return {"output_ids": self.model.generate(**model_inputs, **generate_kwargs)}


        class SummarizationPipeline(Text2TextGenerationPipeline):
            pass
        """,
    "pipelines/speech.py": """
        from .base import Pipeline


        class SpeechPipeline(Pipeline):
            def _forward(self, model_inputs):
                if self.type == "seq2seq":
                    return self.model.generate(**model_inputs)
                return self.model(**model_inputs)
        """,
    "pipelines/features.py": """
        from .base import Pipeline


        class FeaturePipeline(Pipeline):
            def _forward(self, model_inputs):
                return self.model(**model_inputs)
        """,
}


def generation_of(tmp_path, changes: dict) -> dict:
    table = build.build_table(build.open_source(write_tree(tmp_path, {**MODELS, **changes})))
    return table


def test_since_4_52_a_class_without_generation_mixin_or_generate_has_no_generate(tmp_path):
    part = generation_of(tmp_path, {"modeling_utils.py": UTILS_5})["generation"]
    assert part["raises"] == "AttributeError"
    # AlphaModel overrides prepare_inputs_for_generation, which no longer gives it generate(); GammaModel's base is
    # a library class whose own base is the root; BetaForCausalLM (an AlphaModel) has a base that can_generate()
    # takes for GenerationMixin by its name, even unread.
    assert sorted(part["cannot"]) == ["AlphaModel", "GammaModel"]
    assert part["unread"] == {"AlphaTextModel": True}  # ExternalMixin is no class the build can read


def test_before_4_52_can_generate_decides_and_an_overridden_prepare_counts(tmp_path):
    part = generation_of(tmp_path, {"modeling_utils.py": UTILS_4, "generation/__init__.py": "",
                                    "generation/utils.py": GENERATION_4})["generation"]
    assert part["raises"] == "TypeError"
    assert sorted(part["cannot"]) == ["GammaModel"]  # AlphaModel's own prepare_inputs_for_generation counts


@pytest.mark.parametrize("changes, why", [
    ({"generation/utils.py": GENERATION_4.replace("            self._validate_model_class()\n", "")},
     "generate() does not call _validate_model_class()"),
    ({"generation/utils.py": GENERATION_4.replace("_validate_model_class", "_validate_kwargs")},
     "generate() checks no model class before transformers 4.23"),
    ({"modeling_utils.py": UTILS_4.replace("cls.generate)", "cls.generate) and cls.config.is_decoder")},
     "can_generate() reads config, is_decoder, which is not replayed"),
])
def test_a_check_that_cannot_be_read_is_unknown_and_the_build_goes_on(tmp_path, changes, why):
    table = generation_of(tmp_path, {"modeling_utils.py": UTILS_4, "generation/utils.py": GENERATION_4, **changes})
    assert table["generation"] == {"unknown": why} and table["auto_classes"]


def test_a_tree_without_the_library_s_files_is_unknown_too(tmp_path):
    table = generation_of(tmp_path, {})  # the fake tree has no modeling_utils.py
    assert table["generation"] == {"unknown": "the source has no modeling_utils.py"}


def test_a_pipeline_generates_when_every_call_reaches_model_generate(tmp_path):
    tasks = generation_of(tmp_path, {"modeling_utils.py": UTILS_5, **PIPELINES})["pipelines"]["tasks"]
    assert {task for task, info in tasks.items() if info.get("generates")} == {"text-generation", "summarization"}


def test_the_5_x_dotted_impl_is_followed(tmp_path):
    dotted = PIPELINES["pipelines/__init__.py"].replace(
        '"impl": TextGenerationPipeline', '"impl": "transformers.pipelines.text_generation.TextGenerationPipeline"')
    tasks = generation_of(tmp_path, {"modeling_utils.py": UTILS_5, **PIPELINES,
                                     "pipelines/__init__.py": dotted})["pipelines"]["tasks"]
    assert tasks["text-generation"]["generates"] is True
    assert tasks["text-generation"]["impl"] == "TextGenerationPipeline"


# ------------------------------------------------------------------------------- the bundled tables and history


@pytest.mark.parametrize("version, raises, cannot, can", [
    ("5.24.0", "AttributeError", ["GPT2Model", "BertForMaskedLM", "T5Model", "WhisperModel", "LlamaModel"],
     ["GPT2LMHeadModel", "T5ForConditionalGeneration", "BarkModel", "BertLMHeadModel",
      "SpeechT5ForTextToSpeech"]),  # its own generate(), no GenerationMixin
    ("4.57.6", "AttributeError", ["GPT2Model", "BertForSequenceClassification", "MegaForCausalLM"],
     ["GPT2LMHeadModel", "WhisperForConditionalGeneration"]),
])
def test_bundled_tables_know_which_classes_generate(version, raises, cannot, can):
    table = next(t for t in knowledge.bundled_tables() if t.version == version)
    assert table.generation_unknown() is None
    assert [table.generate_failure(c) for c in cannot] == [raises] * len(cannot)
    assert [table.generate_failure(c) for c in can] == [None] * len(can)
    assert table.pipeline_task("text-generation")[1]["generates"] is True
    assert not table.pipeline_task("fill-mask")[1].get("generates")


def test_the_history_knows_each_release_s_check():
    older = knowledge.table_for_version("4.44")
    # In 4.44 BertForMaskedLM overrides prepare_inputs_for_generation, so can_generate() says True.
    assert older.generate_failure("GPT2Model") == "TypeError" and older.generate_failure("BertForMaskedLM") is None
    assert "4.23" in knowledge.table_for_version("4.22").generation_unknown()
    assert knowledge.table_for_version("4.9").generation_unknown()
    assert knowledge.table_for_version("4.51").generate_failure("GPT2Model") == "TypeError"
    assert knowledge.table_for_version("4.52").generate_failure("GPT2Model") == "AttributeError"


def test_a_table_made_before_the_part_knows_nothing():
    table = KnowledgeTable({"transformers_version": "5.0.0", "auto_classes": {}}, origin="test")
    assert "before" in table.generation_unknown() and table.generate_failure("GPT2Model") is None
