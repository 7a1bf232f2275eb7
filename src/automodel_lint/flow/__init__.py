"""The object flow: source -> use sites, each a later use of an object built by `X.from_pretrained(id)`.

A use is judged on the checkpoint its object came from (rules with a `judge_use`). An object is followed, within
a function or module, through

- plain assignment (`tok = AutoTokenizer.from_pretrained(id)`, then `tok`), the binding that reaches the use:
  the last one before it in the same scope, standing in no branch or loop the use is not in;
- a local helper's return (`model, tok = load(id)` with `def load(...): ... return model, tok`, one return);
- an attribute set once, in `__init__` or a test's `setUp` (`self.model = ...`, read as `self.model` in the
  class's methods); a model id read as `self.X` from a class attribute that only one class of the file binds;
- calls that hand back the same object (`model.to(device)`, `prepare_model_for_kbit_training(model)`).

Anything else is uncertain flow and gives no verdict: a name bound twice where the use cannot tell which binding
it reads (branches, loops, a later rebinding read through a closure), an attribute set in several places. A use
whose object is uncertain but may come from such a call is listed as not judged, with the reason.

LibCST's ScopeProvider says which bindings a name can read; the flow's own visitor (collect.py) records, for every
node that matters, its order in the source and the branches around it. The finder's call sites give the model ids
of model loads (one evaluation of values); a tokenizer's id is a literal, a constant bound once, or the same
expression a model load in the same scope reads. What the code does to an object anywhere in the file is kept
with its origin (attributes set, methods called, functions it is handed to), for the rules to decide whether it
is still as loaded.

Run only when a rule about uses runs (`--preview`), on files whose bytes mention a use (`may_hold_uses`), with
the definitions no use can read stubbed out (`reduced`): LibCST's scope analysis costs per node. A file with no
load left after that (`reduced_with_loads`) is not read by LibCST at all: every use site follows its object to one.

The modules, in the order a file goes through them: reduction.py (the pre-pass on bytes), collect.py (the visitor),
origins.py (what an expression holds, and the Origin of a load), uses.py (the use sites); kinds.py names the calls.

Arguments recorded per use (UseSite.arguments):
    get_peft_model:                  task_type (the enum member or string, e.g. "SEQ_2_SEQ_LM"), config (its class)
    DataCollatorForLanguageModeling: mlm (missing when not passed; a call with `*args`/`**kwargs` is uncertain)
    apply_chat_template:             chat_template (present when passed)
    generate:                        with a padded tokenizer call's result as input: padding (the call's), batch
                                     ("yes" when the texts are a batch), padding_side (when the call passes one);
                                     inputs (why that input's flow is uncertain)
    pipeline:                        task (the string; a call with a model object the flow follows, and a task);
                                     followed ("yes" when the finder followed the object too: HFA005 judges it)
"""

from automodel_lint.flow.kinds import CHAT_TEMPLATE, COLLATOR, GENERATE, GET_PEFT_MODEL, PIPELINE
from automodel_lint.flow.origins import Uncertain, role_of
from automodel_lint.flow.reduction import may_hold_uses, reduced, reduced_with_loads
from automodel_lint.flow.uses import find_uses

__all__ = ["CHAT_TEMPLATE", "COLLATOR", "GENERATE", "GET_PEFT_MODEL", "PIPELINE", "Uncertain", "find_uses",
           "may_hold_uses", "reduced", "reduced_with_loads", "role_of"]
