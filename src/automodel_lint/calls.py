"""The calls that load a model, defined once: what the byte gate, the pre-pass and the finder look for.

`X.from_pretrained(id)` and `X.from_config(config)` are methods of a transformers class; `pipeline(...)` is
transformers' factory function, often imported under another name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CallKind:
    name: str  # the method or function name as written in the call
    method: bool  # called on a class (`X.from_pretrained`), else a function of its own (`pipeline`)


FROM_PRETRAINED = CallKind("from_pretrained", method=True)
FROM_CONFIG = CallKind("from_config", method=True)
PIPELINE = CallKind("pipeline", method=False)
CALL_KINDS = (FROM_PRETRAINED, FROM_CONFIG, PIPELINE)

CALL_NAMES = frozenset(kind.name for kind in CALL_KINDS)
CLASS_METHODS = frozenset(kind.name for kind in CALL_KINDS if kind.method)  # what `X.<name>(...)` a fix renames X in

# A file whose bytes hold none of the names cannot hold a candidate call: the substring test costs
# microseconds, parsing tens of milliseconds.
GATES = tuple(kind.name.encode() for kind in CALL_KINDS)
MENTION = re.compile(b"|".join(GATES))


# In a call site's `uncertain_kwargs`: its class is extended in the file (`AutoX.register(SomeConfig, SomeModel)`,
# `AutoConfig.register(...)`), so the built-in table no longer decides what it loads.
REGISTERED = "register()"


def may_hold_calls(data: bytes) -> bool:
    return any(gate in data for gate in GATES)
