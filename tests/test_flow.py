"""The object flow: which `from_pretrained` call a later use's object came from, or why that is not certain."""

import textwrap

from automodel_lint.analysis import analyse_source

HEAD = (
    "from peft import LoraConfig, TaskType, get_peft_model\n"
    "from transformers import AutoModelForCausalLM, AutoTokenizer, DataCollatorForLanguageModeling\n"
)


def uses(body: str):
    source = HEAD + textwrap.dedent(body)
    return analyse_source("m.py", source.encode(), uses=True).uses


def origins(body: str):
    """(use, role, model id, line of the load) of every use whose flow is certain; the reasons of the others."""
    found = []
    for use in uses(body):
        if use.reason:
            found.append((use.use, use.reason))
        for role, origin in use.origins:
            found.append((use.use, role, origin.model, origin.line))
    return found


def test_plain_assignment_reaches_the_use():
    got = origins("""
        tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
        collator = DataCollatorForLanguageModeling(tok)
    """)
    assert got == [("DataCollatorForLanguageModeling", "tokenizer", "openai-community/gpt2", 4)]


def test_a_name_bound_again_after_the_use_does_not_change_what_the_use_read():
    got = origins("""
        tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
        collator = DataCollatorForLanguageModeling(tok)
        tok = AutoTokenizer.from_pretrained("google-bert/bert-base-uncased")
    """)
    assert got == [("DataCollatorForLanguageModeling", "tokenizer", "openai-community/gpt2", 4)]


def test_the_last_binding_before_the_use_is_the_one_read():
    got = origins("""
        tok = AutoTokenizer.from_pretrained("google-bert/bert-base-uncased")
        tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
        collator = DataCollatorForLanguageModeling(tok)
    """)
    assert got == [("DataCollatorForLanguageModeling", "tokenizer", "openai-community/gpt2", 5)]


def test_tuple_return_of_a_local_helper():
    got = origins("""
        def load(name):
            model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")
            tokenizer = AutoTokenizer.from_pretrained("facebook/opt-125m")
            return model, tokenizer

        model, tokenizer = load("x")
        collator = DataCollatorForLanguageModeling(tokenizer)
        model = get_peft_model(model, LoraConfig(task_type=TaskType.CAUSAL_LM))
    """)
    assert got == [("DataCollatorForLanguageModeling", "tokenizer", "facebook/opt-125m", 6),
                   ("get_peft_model", "model", "facebook/opt-125m", 5)]


def test_attribute_set_once_in_init():
    got = origins("""
        class Trainer:
            def __init__(self):
                self.tokenizer = AutoTokenizer.from_pretrained("openai-community/gpt2")

            def collator(self):
                return DataCollatorForLanguageModeling(tokenizer=self.tokenizer)
    """)
    assert got == [("DataCollatorForLanguageModeling", "tokenizer", "openai-community/gpt2", 6)]


def test_attribute_set_in_two_methods_is_uncertain():
    got = origins("""
        class Trainer:
            def __init__(self):
                self.tokenizer = AutoTokenizer.from_pretrained("openai-community/gpt2")

            def reload(self, path):
                self.tokenizer = AutoTokenizer.from_pretrained(path)

            def collator(self):
                return DataCollatorForLanguageModeling(tokenizer=self.tokenizer)
    """)
    assert got == [("DataCollatorForLanguageModeling",
                     "uncertain flow: `self.tokenizer` is set in more than one place")]


def test_branches_binding_different_checkpoints_are_uncertain():
    got = origins("""
        if big:
            tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
        else:
            tok = AutoTokenizer.from_pretrained("google-bert/bert-base-uncased")
        DataCollatorForLanguageModeling(tok)
    """)
    assert got == [("DataCollatorForLanguageModeling",
                    "uncertain flow: `tok` is bound in a branch the use is not in")]


def test_a_binding_in_a_branch_the_use_is_in_is_certain():
    got = origins("""
        if train:
            tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
            DataCollatorForLanguageModeling(tok)
    """)
    assert got == [("DataCollatorForLanguageModeling", "tokenizer", "openai-community/gpt2", 5)]


def test_rebinding_later_in_a_loop_is_uncertain():
    got = origins("""
        tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
        for path in paths:
            DataCollatorForLanguageModeling(tok)
            tok = AutoTokenizer.from_pretrained(path)
    """)
    assert got == [("DataCollatorForLanguageModeling",
                    "uncertain flow: `tok` is bound again later in the same loop")]


def test_calls_that_return_the_same_model_are_followed():
    got = origins("""
        from peft import prepare_model_for_kbit_training
        model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m").to("cuda")
        model = prepare_model_for_kbit_training(model)
        model = get_peft_model(model, LoraConfig(task_type="CAUSAL_LM"))
    """)
    assert got == [("get_peft_model", "model", "facebook/opt-125m", 5)]


def test_an_object_from_elsewhere_is_no_use_site():
    assert uses("""
        def collate(tokenizer):
            return DataCollatorForLanguageModeling(tokenizer)

        def wrap(model):
            return get_peft_model(model, LoraConfig(task_type=TaskType.CAUSAL_LM))
    """) == []


def test_a_lookalike_function_is_no_use_site():
    assert uses("""
        def get_peft_model(model, config):
            return model

        model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")
        get_peft_model(model, LoraConfig(task_type=TaskType.SEQ_2_SEQ_LM))
    """) == []


def test_a_tokenizer_id_is_the_one_the_model_load_beside_it_reads():
    """The finder knows the model's id (a parameter's default); the tokenizer reading the same name gets it."""
    got = origins("""
        def main(name="openai-community/gpt2"):
            model = AutoModelForCausalLM.from_pretrained(name)
            tok = AutoTokenizer.from_pretrained(name)
            return DataCollatorForLanguageModeling(tok)
    """)
    assert got == [("DataCollatorForLanguageModeling", "tokenizer", "openai-community/gpt2", 6)]
    (use,) = uses("""
        def main(name="openai-community/gpt2"):
            model = AutoModelForCausalLM.from_pretrained(name)
            tok = AutoTokenizer.from_pretrained(name)
            return DataCollatorForLanguageModeling(tok)
    """)
    assert "the default value of parameter `name`" in use.origin("tokenizer").value_note


def test_what_the_code_does_to_the_object_is_recorded():
    (use,) = uses("""
        tok = AutoTokenizer.from_pretrained("openai-community/gpt2", padding_side="left")
        tok.pad_token = tok.eos_token
        tok.add_special_tokens({"mask_token": "<mask>"})
        DataCollatorForLanguageModeling(tok, mlm=True)
    """)
    origin = use.origin("tokenizer")
    assert origin.keyword("padding_side") == '"left"'
    assert ("pad_token", None) in origin.attributes
    assert origin.methods == (("add_special_tokens", '{"mask_token": "<mask>"}'),)
    assert use.argument("mlm") == "True"


def test_generate_with_a_padded_batch_names_model_and_tokenizer():
    (use,) = uses("""
        tok = AutoTokenizer.from_pretrained("facebook/opt-125m")
        model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")
        texts = ["a", "b"]
        batch = tok(texts, padding=True, return_tensors="pt").to("cuda")
        model.generate(**batch)
    """)
    assert use.use == "generate" and [r for r, _ in use.origins] == ["model", "tokenizer"]
    assert use.argument("batch") == "yes" and use.argument("padding") == "True"


def test_generate_without_padding_names_the_model_only():
    (use,) = uses("""
        tok = AutoTokenizer.from_pretrained("facebook/opt-125m")
        model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")
        batch = tok(["a", "b"], return_tensors="pt", padding=False)
        model.generate(**batch)
    """)
    assert [r for r, _ in use.origins] == ["model"] and use.arguments == ()


def test_use_sites_keep_file_lines_in_a_file_the_pre_pass_reduces():
    """The pre-pass drops lines the finder need not read; a use on such a line still has its own line."""
    got = origins("""
        import os

        def unrelated():
            return os.getcwd()

        tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
        print("training")
        collator = DataCollatorForLanguageModeling(tok)
    """)
    assert got == [("DataCollatorForLanguageModeling", "tokenizer", "openai-community/gpt2", 9)]
    assert uses("""
        tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
        collator = DataCollatorForLanguageModeling(tok)
    """)[0].span.line == 5


def test_reduction_stubs_what_no_use_reads_and_keeps_every_line():
    from automodel_lint.flow import reduced

    source = textwrap.dedent("""
        def unrelated(x):
            y = x + 1
            return y

        class Trainer:
            def __init__(self):
                self.tokenizer = AutoTokenizer.from_pretrained("openai-community/gpt2")

            def reload(self, path):
                self.tokenizer = load(path)

            def log(self, text):
                print(text)

            def collator(self):
                return DataCollatorForLanguageModeling(self.tokenizer)
    """).encode()
    text = reduced(source)
    assert text.count(b"\n") == source.count(b"\n")
    assert b"def unrelated(*a, **k): pass\n\n\n" in text and b"def log(*a, **k): pass" in text
    assert b"self.tokenizer = load(path)" in text  # may rebind what the use reads: kept
    reasons = [u.reason for u in uses(source.decode())]
    assert reasons == ["uncertain flow: `self.tokenizer` is set in more than one place"]


def test_a_test_s_set_up_and_a_class_attribute_id_are_followed():
    got = origins("""
        class CollatorTests:
            model_id = "openai-community/gpt2"

            def setUp(self):
                self.tokenizer = AutoTokenizer.from_pretrained(self.model_id)

            def test_collator(self):
                DataCollatorForLanguageModeling(self.tokenizer)
    """)
    assert got == [("DataCollatorForLanguageModeling", "tokenizer", "openai-community/gpt2", 8)]


def test_a_class_attribute_another_class_binds_too_is_not_certain():
    got = origins("""
        class Base:
            model_id = "openai-community/gpt2"

            def setUp(self):
                self.tokenizer = AutoTokenizer.from_pretrained(self.model_id)

            def test_collator(self):
                DataCollatorForLanguageModeling(self.tokenizer)

        class Other(Base):
            model_id = "google-bert/bert-base-uncased"
    """)
    assert got == [("DataCollatorForLanguageModeling", "the tokenizer's model id is not certain statically")]


def test_a_model_id_set_once_on_the_instance_in_set_up_is_followed():
    got = origins("""
        class CollatorTests:
            def setUp(self):
                self.model_id = "openai-community/gpt2"
                self.tokenizer = AutoTokenizer.from_pretrained(self.model_id)

            def test_collator(self):
                DataCollatorForLanguageModeling(self.tokenizer)
    """)
    assert got == [("DataCollatorForLanguageModeling", "tokenizer", "openai-community/gpt2", 7)]


REACH = HEAD + textwrap.dedent("""
    from peft import PeftModel

    MODEL = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")
    ALIAS = MODEL


    def load():
        return AutoModelForCausalLM.from_pretrained("facebook/opt-125m")


    def from_the_module():
        return ALIAS.generate(max_new_tokens=5)


    def from_a_helper():
        model = load()
        return model.generate()


    def from_a_fixture(model, inputs):
        return model.generate(**inputs)


    def from_an_adapter(base, path):
        return PeftModel.from_pretrained(base, path).generate()


    def counted():
        global CALLS
        CALLS = 1


    def from_a_batch(model, inputs):  # one global batch
        return model.generate(**inputs)


    class Tests:
        def setUp(self):
            self.model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")

        def test_generate(self):
            self.model.generate()

        def test_other(self, model):
            model.to("cpu").generate()
""")


def test_reduction_stubs_each_use_no_load_can_reach():
    from automodel_lint.flow import reduced

    text = reduced(REACH.encode()).decode()
    for kept in ("from_the_module", "from_a_helper", "load", "setUp", "test_generate", "counted"):
        assert f"def {kept}(*a, **k): pass" not in text
    # Their objects come from a parameter, or from peft's own from_pretrained ("global" in a comment rebinds nothing).
    for stubbed in ("from_a_fixture", "from_an_adapter", "from_a_batch", "test_other"):
        assert f"def {stubbed}(*a, **k): pass" in text
    assert text.count("\n") == REACH.count("\n")


def test_reduction_changes_no_use_site(monkeypatch):
    import automodel_lint.flow

    reduced = [(u.use, u.span, u.origins, u.reason) for u in uses(REACH[len(HEAD):])]
    monkeypatch.setattr(automodel_lint.flow, "reduced_with_loads", lambda data: (data, True))
    whole = [(u.use, u.span, u.origins, u.reason) for u in uses(REACH[len(HEAD):])]
    assert reduced == whole
    # Through a module-level alias, a helper's return and `self.model`; the stubbed uses gave no site before either.
    assert [(span.line, origins[0][1].line) for _, span, origins, _ in whole] == [(15, 6), (20, 11), (45, 42)]


def test_a_file_whose_loads_are_all_peft_s_is_not_read_by_the_flow():
    from automodel_lint.flow import reduced_with_loads

    source = textwrap.dedent("""
        from peft import PeftModel

        def test_generate(self, base):
            PeftModel.from_pretrained(base, "x").generate()
    """).encode()
    assert reduced_with_loads(source)[1] is False
    assert reduced_with_loads(HEAD.encode() + source.replace(b"PeftModel", b"AutoModelForCausalLM"))[1] is True
