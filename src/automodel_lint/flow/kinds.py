"""The calls the object flow knows: the uses it follows, the calls that hand back the object they are given, the
calls known to change nothing, and the methods that run before the others."""

GET_PEFT_MODEL = "get_peft_model"
COLLATOR = "DataCollatorForLanguageModeling"
CHAT_TEMPLATE = "apply_chat_template"
GENERATE = "generate"
PIPELINE = "pipeline"

PEFT_FUNCTIONS = frozenset({"peft.get_peft_model", "peft.mapping.get_peft_model", "peft.mapping_func.get_peft_model"})
PIPELINES = frozenset({"transformers.pipeline", "transformers.pipelines.pipeline"})
COLLATORS = frozenset({f"transformers.{COLLATOR}", f"transformers.data.{COLLATOR}",
                       f"transformers.data.data_collator.{COLLATOR}"})
# Calls that hand back the object they are given (peft's preparation helpers return the model itself), and
# methods of a model that return `self`.
SAME_OBJECT_FUNCTIONS = frozenset({"peft.prepare_model_for_kbit_training", "peft.prepare_model_for_int8_training",
                                   "peft.utils.prepare_model_for_kbit_training"})
SAME_OBJECT_METHODS = frozenset({"to", "cuda", "cpu", "eval", "train", "half", "float", "bfloat16", "requires_grad_"})
# Calls known not to change the objects they are given: what the flow judges, and builtins that only read.
HARMLESS_CALLS = frozenset({GET_PEFT_MODEL, COLLATOR, CHAT_TEMPLATE, GENERATE, "print", "len", "isinstance", "type",
                            "id", "repr", "str", "getattr", "hasattr"})
# Methods that run before every other method reads what they set: the constructor, and unittest/pytest set-ups.
INITIALIZERS = frozenset({"__init__", "setUp", "setup_method"})
