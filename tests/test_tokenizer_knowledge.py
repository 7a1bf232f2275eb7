"""The knowledge table's `tokenizers` part: each tokenizer class's default padding side and whether it has a mask
token, read statically from transformers' tokenization files (real snippets of 4.57.6 and 5.24.0 below)."""

from __future__ import annotations

import textwrap

import pytest

from automodel_lint import knowledge
from automodel_lint.knowledge import build
from automodel_lint.knowledge.table import KnowledgeTable

# transformers/tokenization_utils_base.py (4.57.6 and 5.24.0 alike, shortened)
BASE = '''
class SpecialTokensMixin:
    SPECIAL_TOKENS_ATTRIBUTES = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token",
                                 "mask_token", "additional_special_tokens"]

    def __init__(self, verbose=False, **kwargs):
        self._mask_token = None


class PreTrainedTokenizerBase(SpecialTokensMixin, PushToHubMixin):
    vocab_files_names: dict[str, str] = {}
    padding_side: str = "right"
    truncation_side: str = "right"

    def __init__(self, **kwargs):
        self.padding_side = kwargs.pop("padding_side", self.padding_side)
'''

# transformers/tokenization_utils_fast.py (4.57.6)
FAST = '''
from .tokenization_utils_base import PreTrainedTokenizerBase


class PreTrainedTokenizerFast(PreTrainedTokenizerBase):
    vocab_files_names = VOCAB_FILES_NAMES
    slow_tokenizer_class: PreTrainedTokenizer = None
'''

# transformers/models/llama/tokenization_llama_fast.py (4.57.6)
LLAMA_FAST = '''
from ...tokenization_utils_fast import PreTrainedTokenizerFast


class LlamaTokenizerFast(PreTrainedTokenizerFast):
    vocab_files_names = VOCAB_FILES_NAMES
    slow_tokenizer_class = LlamaTokenizer
    padding_side = "left"
    model_input_names = ["input_ids", "attention_mask"]

    def __init__(self, vocab_file=None, tokenizer_file=None, clean_up_tokenization_spaces=False, unk_token="<unk>",
                 bos_token="<s>", eos_token="</s>", add_bos_token=True, add_eos_token=False,
                 use_default_system_prompt=False, legacy=None, add_prefix_space=None, **kwargs):
        super().__init__(vocab_file=vocab_file, tokenizer_file=tokenizer_file, unk_token=unk_token, **kwargs)
'''

# transformers/models/bert/tokenization_bert.py (5.24.0, shortened), with 5.x's module-level alias
BERT = '''
from ...tokenization_utils_tokenizers import TokenizersBackend


class BertTokenizer(TokenizersBackend):
    vocab_files_names = VOCAB_FILES_NAMES
    model_input_names = ["input_ids", "token_type_ids", "attention_mask"]

    def __init__(self, vocab=None, do_lower_case: bool = False, unk_token: str = "[UNK]", sep_token: str = "[SEP]",
                 pad_token: str = "[PAD]", cls_token: str = "[CLS]", mask_token: str = "[MASK]", **kwargs):
        super().__init__(do_lower_case=do_lower_case, unk_token=unk_token, mask_token=mask_token, **kwargs)


BertTokenizerFast = BertTokenizer
'''

# transformers/tokenization_utils_tokenizers.py (5.24.0, shortened)
BACKEND = '''
from .tokenization_utils_base import PreTrainedTokenizerBase


class TokenizersBackend(PreTrainedTokenizerBase):
    vocab_files_names = VOCAB_FILES_NAMES


PreTrainedTokenizerFast = TokenizersBackend
'''

# transformers/models/roberta/tokenization_roberta.py (4.57.6, shortened): an AddedToken default
ROBERTA = '''
from ...tokenization_utils_fast import PreTrainedTokenizerFast


class RobertaTokenizerFast(PreTrainedTokenizerFast):
    def __init__(self, vocab_file=None, merges_file=None, errors="replace", bos_token="<s>",
                 mask_token=AddedToken("<mask>", lstrip=True), **kwargs):
        super().__init__(vocab_file, merges_file, mask_token=mask_token, **kwargs)
'''

# transformers/models/canine/tokenization_canine.py (4.57.6, shortened): a default that is no literal
CANINE = '''
from ...tokenization_utils_fast import PreTrainedTokenizerFast


class CanineTokenizer(PreTrainedTokenizerFast):
    def __init__(self, bos_token=chr(CLS), mask_token=chr(MASK), model_max_length=2048, **kwargs):
        super().__init__(bos_token=bos_token, mask_token=mask_token, **kwargs)


class SidewaysTokenizer(CanineTokenizer, SomethingFromElsewhere):
    padding_side = "left"
'''


@pytest.fixture
def tokenizers(tmp_path):
    files = {"tokenization_utils_base.py": BASE, "tokenization_utils_fast.py": FAST,
             "tokenization_utils_tokenizers.py": BACKEND, "models/llama/tokenization_llama_fast.py": LLAMA_FAST,
             "models/bert/tokenization_bert.py": BERT, "models/roberta/tokenization_roberta.py": ROBERTA,
             "models/canine/tokenization_canine.py": CANINE}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(textwrap.dedent(text))
    return build.read_tokenizers(build.DirSource(tmp_path))


def test_padding_side_from_the_class_or_its_bases(tokenizers):
    assert tokenizers["LlamaTokenizerFast"]["padding_side"] == "left"
    assert tokenizers["PreTrainedTokenizerFast"]["padding_side"] == "right"  # the root's annotated attribute
    assert tokenizers["BertTokenizer"]["padding_side"] == "right"  # through an import of another file


def test_mask_token_from_init_defaults(tokenizers):
    assert tokenizers["BertTokenizer"]["mask_token"] is True
    assert tokenizers["RobertaTokenizerFast"]["mask_token"] is True  # AddedToken("<mask>", ...)
    assert tokenizers["LlamaTokenizerFast"]["mask_token"] is False  # no mask_token anywhere: the root's None


def test_aliases_read_as_their_class(tokenizers):
    assert tokenizers["BertTokenizerFast"] == tokenizers["BertTokenizer"]
    assert tokenizers["PreTrainedTokenizerFast"] == {"padding_side": "right", "mask_token": False}


def test_what_cannot_be_read_is_left_out(tokenizers):
    assert "mask_token" not in tokenizers["CanineTokenizer"]  # chr(MASK)
    assert tokenizers["CanineTokenizer"]["padding_side"] == "right"
    assert "SidewaysTokenizer" not in tokenizers  # a base that cannot be read: not known to be a tokenizer
    assert "SpecialTokensMixin" not in tokenizers  # not a tokenizer


@pytest.mark.parametrize("version, name, key, expected", [
    ("4.57.6", "LlamaTokenizer", "padding_side", "right"),  # the slow class sets none
    ("4.57.6", "LlamaTokenizerFast", "padding_side", "left"),
    ("5.24.0", "LlamaTokenizer", "padding_side", "left"),  # 5.x's one llama tokenizer
    ("5.24.0", "LlamaTokenizerFast", "padding_side", "left"),
    ("5.24.0", "Qwen2TokenizerFast", "padding_side", "right"),  # no such 5.x class: retried as Qwen2Tokenizer
    ("4.57.6", "BertTokenizerFast", "mask_token", True),
    ("5.24.0", "GPT2Tokenizer", "mask_token", False),
    ("5.24.0", "NoSuchTokenizer", "padding_side", None),
    ("4.57.6", "Qwen2TokenizerFastFast", "padding_side", None),
])
def test_bundled_tables(version, name, key, expected):
    table = {t.version: t for t in knowledge.bundled_tables()}[version]
    assert table.tokenizer_default(name, key) == expected


def test_a_table_without_the_part_knows_nothing():
    table = KnowledgeTable({"schema_version": 2, "transformers_version": "5.0.0"}, "test")
    assert table.tokenizer_default("LlamaTokenizer", "padding_side") is None


def test_every_release_of_the_history_has_tokenizers():
    for version in ("4.0", "4.20", "4.46", "5.0"):
        assert knowledge.table_for_version(version).tokenizer_default("BertTokenizer", "mask_token") is True
