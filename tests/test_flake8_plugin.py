"""The real flake8, in a subprocess, with the plugin found through its entry point.

The fixtures' declared diagnostics (tests/test_fixtures.py) are what flake8 must report too: the plugin
runs the CLI's engine, so the two cannot drift apart.
"""

import os
import re
import subprocess
import sys
import textwrap
from importlib import metadata

import pytest

from automodel_lint.flake8_plugin import Plugin
from automodel_lint.rules import RULES_BY_CODE

from conftest import FIXTURES, FIXTURES_TARGET, ROOT
from test_fixtures import FILES, expected

LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>HFA\d{3}) (?P<message>.*)$")


def flake8(*args, cwd, env=None):
    # --isolated: no user or project flake8 config may change what these tests see.
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "HFA", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300, env=env,
    )


def reported(result):
    assert result.returncode in (0, 1), result.stderr
    found = []
    for line in result.stdout.splitlines():
        match = LINE.match(line)
        assert match, f"not a flake8 line: {line!r}"
        found.append((os.path.normpath(match["path"]), int(match["line"]), int(match["col"]), match["code"]))
    return found


def test_entry_point_is_registered():
    # flake8 finds plugins only through installed metadata: the package must be installed (pip install -e .).
    points = [p for p in metadata.entry_points(group="flake8.extension") if p.name == "HFA"]
    assert points and points[0].value == "automodel_lint.flake8_plugin:Plugin"
    assert points[0].load() is Plugin


def test_flake8_lists_the_plugin():
    result = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert "automodel-lint" in result.stdout


@pytest.mark.parametrize("jobs, preview", [("1", False), ("2", False), ("2", True)])
def test_flake8_reports_exactly_the_fixtures_declared_diagnostics(jobs, preview):
    """Without --automodel-preview, all but the preview rules' diagnostics (the plugin runs the rules that are on by
    default); with it, every declared one, the uses' verdicts (HFA009-HFA012, HFA014) included."""
    got = reported(flake8("-j", jobs, "--automodel-target-transformers", FIXTURES_TARGET,
                          *(["--automodel-preview"] if preview else []), os.path.relpath(FIXTURES, ROOT), cwd=ROOT))
    want = sorted(
        (os.path.relpath(path, ROOT), line, code) for path in FILES for line, (code, _) in expected(path).items()
        if preview or not RULES_BY_CODE[code].preview
    )
    assert sorted((path, line, code) for path, line, _, code in got) == want
    assert any(RULES_BY_CODE[code].preview for *_, code in want) == preview


SOURCE = textwrap.dedent(
    """\
    from transformers import AutoModelForSeq2SeqLM, AutoModelForCausalLM

    x = AutoModelForSeq2SeqLM.from_pretrained("gpt2")
    y = AutoModelForSeq2SeqLM.from_pretrained("gpt2")  # noqa: HFA001
    z = AutoModelForCausalLM.from_pretrained("facebook/bart-large-cnn")
    w = AutoModelForSeq2SeqLM.from_pretrained(
        "gpt2",
    )  # noqa: HFA001
    v = AutoModelForSeq2SeqLM.from_pretrained("gpt2")  # noqa: HFA002
    """
)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "a.py").write_text(SOURCE)
    for i in range(3):
        (tmp_path / f"b{i}.py").write_text(
            'import transformers\n\nm = transformers.AutoModelForCausalLM.from_pretrained("google/flan-t5-base")\n'
        )
    return tmp_path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_noqa_is_honoured_under_flake8(project, jobs):
    got = {(path, line, col, code) for path, line, col, code in reported(flake8("-j", jobs, ".", cwd=project))}
    assert got == {
        ("a.py", 3, 5, "HFA001"),  # flake8's column is 1-based on output, from the plugin's 0-based 4
        ("a.py", 5, 5, "HFA002"),
        ("a.py", 9, 5, "HFA001"),  # a noqa for another code silences nothing
        ("b0.py", 3, 5, "HFA001"),
        ("b1.py", 3, 5, "HFA001"),
        ("b2.py", 3, 5, "HFA001"),
    }


def test_disable_noqa_shows_everything(project):
    lines = {line for path, line, _, _ in reported(flake8("--disable-noqa", "a.py", cwd=project))}
    assert lines == {3, 4, 5, 6, 9}


def test_file_level_noqa(project):
    (project / "a.py").write_text("# automodel-lint: noqa: HFA001\n" + SOURCE)
    assert [(line, code) for _, line, _, code in reported(flake8("a.py", cwd=project))] == [(6, "HFA002")]


def test_flake8_extend_ignore(project):
    assert {code for *_, code in reported(flake8("--extend-ignore", "HFA002", "a.py", cwd=project))} == {"HFA001"}


def test_columns_of_a_latin1_file(tmp_path):
    # flake8 hands the plugin decoded text; the engine must see the same bytes and count the same columns.
    (tmp_path / "l.py").write_bytes(
        '# -*- coding: latin-1 -*-\nfrom transformers import AutoModelForSeq2SeqLM\n'
        's = "\xe9\xe9"; m = AutoModelForSeq2SeqLM.from_pretrained("gpt2")\n'.encode("latin-1")
    )
    assert reported(flake8("l.py", cwd=tmp_path)) == [("l.py", 3, 15, "HFA001")]


def test_files_without_calls_are_clean(tmp_path):
    (tmp_path / "c.py").write_text("import os\nprint(os.getcwd())\n")
    result = flake8("c.py", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == ""


def test_a_bad_option_value_is_flake8s_usage_error(tmp_path):
    (tmp_path / "c.py").write_text("x = 1\n")
    result = flake8("--automodel-network-timeout", "soon", "c.py", cwd=tmp_path)
    assert result.returncode != 0 and "automodel-network-timeout" in result.stderr


@pytest.fixture
def restore_plugin_options():
    saved = {k: getattr(Plugin, k) for k in ("offline", "cache_dir", "network_timeout", "disable_noqa",
                                             "target_transformers", "preview")}
    yield
    for key, value in saved.items():
        setattr(Plugin, key, value)


def test_options_are_read_from_flake8_config(tmp_path, monkeypatch, restore_plugin_options):
    from flake8.options.parse_args import parse_args

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("AUTOMODEL_LINT_CACHE_DIR", raising=False)
    config = tmp_path / "tox.ini"
    config.write_text(
        "[flake8]\nautomodel-offline = true\nautomodel-cache-dir = /tmp/somewhere\nautomodel-network-timeout = 0.5\n"
        "automodel-preview = true\n"
    )
    parse_args(["--config", str(config), str(tmp_path)])
    assert (Plugin.offline, Plugin.cache_dir, Plugin.network_timeout, Plugin.preview) == (
        True, "/tmp/somewhere", 0.5, True)
    options = Plugin(None, "x.py", [])._options()
    assert (options.offline, options.cache_dir, options.network_timeout, options.preview) == (
        True, "/tmp/somewhere", 0.5, True)
    assert options.origins["preview"] == "flag"


@pytest.mark.parametrize("variable", ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"])
def test_defaults_follow_the_environment(tmp_path, monkeypatch, restore_plugin_options, variable):
    from flake8.options.parse_args import parse_args

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv(variable, "1")
    monkeypatch.setenv("AUTOMODEL_LINT_CACHE_DIR", str(tmp_path / "cache"))
    parse_args(["--isolated", str(tmp_path)])
    options = Plugin(None, "x.py", [])._options()
    assert (options.offline, options.cache_dir, options.network_timeout) == (True, str(tmp_path / "cache"), None)
    assert options.preview is False and Plugin.preview is False


def test_the_cli_settings_come_from_pyproject(tmp_path, monkeypatch, restore_plugin_options):
    """The same `[tool.automodel-lint]` as the CLI, through the same options builder (select, ignore, target, models,
    offline, cache-dir, network-timeout)."""
    from flake8.options.parse_args import parse_args

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("AUTOMODEL_LINT_CACHE_DIR", raising=False)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.automodel-lint]\noffline = true\ncache-dir = "c"\nnetwork-timeout = 9\nignore = ["HFA001"]\n'
        'select = ["HFA0"]\ntarget-transformers = "4.40"\npreview = true\n'
        '[tool.automodel-lint.models]\n"acme/m" = { model_type = "t5" }\n'
    )
    parse_args(["--isolated", str(tmp_path)])
    options = Plugin(None, str(tmp_path / "x.py"), [])._options()
    assert options.models == {"acme/m": {"model_type": "t5"}} and options.project_root == str(tmp_path)
    assert (options.offline, options.cache_dir, options.network_timeout, options.ignore, options.select) == (
        True, str(tmp_path / "c"), 9.0, frozenset({"HFA001"}), frozenset({"HFA0"}))
    assert options.target_transformers == "4.40"
    assert options.preview is True and options.origins["preview"] == str(tmp_path / "pyproject.toml")


def test_flake8_follows_the_projects_ignore_and_target(project):
    """pyproject's `ignore` drops a code under flake8 too; a 4.x target keeps TFAutoModel unreported (HFA004 is 5.x's)."""
    (project / "tf.py").write_text('from transformers import TFAutoModel\n\nm = TFAutoModel.from_pretrained("gpt2")\n')
    assert {code for *_, code in reported(flake8("a.py", "tf.py", cwd=project))} >= {"HFA001", "HFA002"}
    (project / "pyproject.toml").write_text('[tool.automodel-lint]\nignore = ["HFA001"]\n')
    assert {code for *_, code in reported(flake8("a.py", cwd=project))} == {"HFA002"}
    for target, codes in (("5.24", {"HFA004"}), ("4.57", set())):
        (project / "pyproject.toml").write_text(f'[tool.automodel-lint]\ntarget-transformers = "{target}"\n')
        assert {code for *_, code in reported(flake8("tf.py", cwd=project))} == codes, target


def test_flake8_honours_transformers_offline(tmp_path):
    from fakehub_facts import FakeHub

    (tmp_path / "m.py").write_text(
        'from transformers import AutoModelForSeq2SeqLM\n\nm = AutoModelForSeq2SeqLM.from_pretrained("lab/llm")\n'
    )
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    with FakeHub({"lab/llm": {"model_type": "llama", "architectures": ["LlamaForCausalLM"]}}) as hub:
        env["HF_ENDPOINT"] = hub.url
        offline = flake8("m.py", cwd=tmp_path, env={**env, "TRANSFORMERS_OFFLINE": "1"})
        assert hub.log == [] and reported(offline) == []
        online = flake8("m.py", cwd=tmp_path, env=env)
    assert hub.log and reported(online) == [("m.py", 3, 5, "HFA001")]


def test_unresolved_ids_are_named_once_on_stderr(tmp_path):
    call = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("our-lab/unpublished")\n'
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(call)
    result = flake8("-j", "1", "--automodel-offline", "a.py", "b.py", cwd=tmp_path)
    lines = [line for line in result.stderr.splitlines() if "our-lab/unpublished" in line]
    assert len(lines) == 1 and "declare it in [tool.automodel-lint.models]" in lines[0]
    assert result.returncode == 0 and not reported(result)


PREVIEW_SOURCES = {
    # A batch padded on the right, given to a decoder-only model's generate(): HFA011, a preview rule.
    "pad.py": textwrap.dedent(
        """\
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained("openai-community/gpt2", padding_side="right")
        model = AutoModelForCausalLM.from_pretrained("openai-community/gpt2")
        inputs = tokenizer(["a", "bc"], padding=True, return_tensors="pt")
        out = model.generate(**inputs)
        """
    ),
    # No model load at all, only a use of a tokenizer: the file must still be read for its uses (HFA010).
    "collate.py": textwrap.dedent(
        """\
        from transformers import AutoTokenizer, DataCollatorForLanguageModeling

        tok = AutoTokenizer.from_pretrained("openai-community/gpt2")
        collator = DataCollatorForLanguageModeling(tok)
        """
    ),
}
PREVIEW_FOUND = [("collate.py", 4, 12, "HFA010"), ("pad.py", 6, 7, "HFA011")]


@pytest.mark.parametrize("how", ["flag", "flake8 config", "pyproject"])
def test_preview_rules_run_under_flake8_when_asked(tmp_path, how):
    """`--automodel-preview`, `automodel-preview = true` in `[flake8]`, or the project's own `preview = true`, as the
    CLI honours it; without any of them the preview rules stay off."""
    for name, text in PREVIEW_SOURCES.items():
        (tmp_path / name).write_text(text)
    plain = subprocess.run([sys.executable, "-m", "flake8", "--select", "HFA", "--automodel-offline", "."],
                           cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert reported(plain) == []
    flags = []
    if how == "flag":
        flags = ["--automodel-preview"]
    elif how == "flake8 config":
        (tmp_path / "setup.cfg").write_text("[flake8]\nautomodel-preview = true\n")
    else:
        (tmp_path / "pyproject.toml").write_text("[tool.automodel-lint]\npreview = true\n")
    # Not --isolated: flake8 must find setup.cfg in the folder it runs in.
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "HFA", "--automodel-offline", *flags, "."],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert sorted(reported(result)) == PREVIEW_FOUND


def test_unknown_tokenizer_facts_are_named_once_on_stderr(tmp_path):
    """flake8 has no "not judged": with --automodel-preview, the ids whose tokenizer facts the rules needed and no
    source gave are named on stderr once per process, with what to do, as unresolved model ids are."""
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(PREVIEW_SOURCES["pad.py"].replace(', padding_side="right"', ""))
    result = flake8("-j", "1", "--automodel-offline", "--automodel-preview", "a.py", "b.py", cwd=tmp_path)
    lines = [line for line in result.stderr.splitlines() if "openai-community/gpt2" in line]
    assert lines == ["automodel-lint: tokenizer facts unknown for 1 model id ('openai-community/gpt2'), uses that"
                     " need them not judged: run `automodel-lint lock` with network access, which records them"]
    assert result.returncode == 0 and not reported(result)
    quiet = flake8("-j", "1", "--automodel-offline", "a.py", "b.py", cwd=tmp_path)
    assert quiet.stderr == "" and not reported(quiet)
