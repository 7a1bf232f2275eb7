#!/usr/bin/env python3
"""A huge module shaped like real code, for measuring cost per call (issue 17: "a 1.9 MB file with 30,000
calls takes 30 s and 660 MB to check and 231 s and 1.2 GB to fix").

Imports at the top, constants, then helper functions of a few lines each, most of them loading a model with
`X.from_pretrained("...")`: right classes mixed with wrong ones that the linter reports and fixes (HFA001 and
HFA002), tokenizers, keyword arguments, and plain helpers that load nothing. About 90 bytes per call (the issue's
file had 63): 30,000 calls make 2.7 MB, above the default --max-file-size, which the benchmark raises.

    python benchmarks/hugefile.py 30000 > huge.py
"""

from __future__ import annotations

import sys

HEADER = '''"""Generated: many loaders in one module."""

import os

import torch
from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

SUMMARIZER = "facebook/bart-large-cnn"
CHAT_MODEL = "Qwen/Qwen2.5-7B-Instruct"
'''

# Each block holds the number of calls it makes; `{i}` numbers the helper. Wrong classes are one block in three.
BLOCKS = [
    (2, 'def load_{i}():\n    tok = AutoTokenizer.from_pretrained("gpt2")\n'
        '    return tok, AutoModelForCausalLM.from_pretrained("gpt2")\n\n\n'),
    (1, 'def t5_{i}():\n    return AutoModelForCausalLM.from_pretrained("google/flan-t5-base")\n\n\n'),  # HFA001
    (1, 'm_{i} = AutoModelForSeq2SeqLM.from_pretrained(SUMMARIZER, torch_dtype=torch.float16)\n'),
    (0, 'def scale_{i}(x):\n    return os.path.join(str(x), "{i}")\n\n\n'),
    (1, 'def chat_{i}():\n    return AutoModelForSeq2SeqLM.from_pretrained(CHAT_MODEL)\n\n\n'),  # HFA001
    (2, 'def pair_{i}(device="cpu"):\n    a = AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-base")\n'
        '    b = AutoModelForCausalLM.from_pretrained(SUMMARIZER)\n    return a.to(device), b\n\n\n'),  # HFA002
]


def huge_source(calls: int) -> str:
    """A module holding `calls` from_pretrained calls (exactly), in the blocks above, cycled."""
    parts, made, i = [HEADER, "\n\n"], 0, 0
    while made < calls:
        count, text = BLOCKS[i % len(BLOCKS)]
        if made + count > calls:
            count, text = BLOCKS[1]
        parts.append(text.replace("{i}", str(i)))
        made += count
        i += 1
    return "".join(parts)


if __name__ == "__main__":
    sys.stdout.write(huge_source(int(sys.argv[1]) if len(sys.argv) > 1 else 30_000))
