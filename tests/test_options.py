"""One options builder: settings file + flags + environment -> Options -> Resolver, for every command and flake8."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from automodel_lint import cli
from automodel_lint.commands import check
from automodel_lint.config import Settings
from automodel_lint.options import UsageError, build_options, env_offline, load_settings, make_resolver
from automodel_lint.sources import DEFAULT_MAX_FILE_SIZE

CASES = [{}, {"HF_HUB_OFFLINE": "1"}, {"HF_HUB_OFFLINE": "True"}, {"HF_HUB_OFFLINE": "on"}, {"HF_HUB_OFFLINE": "0"},
         {"HF_HUB_OFFLINE": " 1"}, {"TRANSFORMERS_OFFLINE": "YES"}, {"TRANSFORMERS_OFFLINE": "2"},
         {"HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "1"}, {"HF_HUB_OFFLINE": "", "TRANSFORMERS_OFFLINE": "1"}]

# huggingface_hub reads the variables once, at import: each case reloads its constants with that environment.
HUB = """
import importlib, json, os, sys
import huggingface_hub.constants as constants
out = []
for case in json.loads(sys.argv[1]):
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ.pop(name, None)
    os.environ.update(case)
    out.append(importlib.reload(constants).HF_HUB_OFFLINE)
print(json.dumps(out))
"""


def test_offline_mode_is_read_as_huggingface_hub_reads_it(monkeypatch):
    hub = json.loads(subprocess.run([sys.executable, "-c", HUB, json.dumps(CASES)], capture_output=True, text=True,
                                    check=True, timeout=120).stdout)
    ours = []
    for case in CASES:
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
            monkeypatch.delenv(name, raising=False)
        for name, value in case.items():
            monkeypatch.setenv(name, value)
        ours.append(env_offline())
    assert ours == hub and True in ours and False in ours


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "AUTOMODEL_LINT_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_flags_win_over_the_environment_which_wins_over_the_settings_file(clean_env, tmp_path):
    settings = Settings(project_root=tmp_path, select=frozenset({"HFA001"}), ignore=frozenset({"HFA002"}),
                        exclude=("a/*",), extend_exclude=("b/*",), cache_dir="/from/file", network_timeout=2.0,
                        max_file_size=10, unsafe_fixes=True, models={"acme/m": {"model_type": "t5"}})
    from_file = build_options(settings)
    assert (from_file.select, from_file.ignore, from_file.exclude) == ({"HFA001"}, {"HFA002"}, ("a/*", "b/*"))
    assert (from_file.cache_dir, from_file.network_timeout, from_file.max_file_size) == ("/from/file", 2.0, 10)
    assert from_file.unsafe_fixes and from_file.models == settings.models and from_file.project_root == str(tmp_path)
    clean_env.setenv("AUTOMODEL_LINT_CACHE_DIR", "/from/env")
    assert build_options(settings).cache_dir == "/from/env"
    flags = build_options(settings, select=frozenset({"HFA003"}), ignore=frozenset(), exclude=["c/*"], cache_dir="/f",
                          network_timeout=5.0, max_file_size=20, unsafe_fixes=False, jobs=3, locked=True)
    assert (flags.select, flags.ignore, flags.exclude) == ({"HFA003"}, frozenset(), ("c/*", "b/*"))
    assert (flags.cache_dir, flags.network_timeout, flags.max_file_size, flags.unsafe_fixes) == ("/f", 5.0, 20, False)
    assert (flags.jobs, flags.locked) == (3, True)
    empty = build_options(Settings())
    assert (empty.select, empty.ignore, empty.max_file_size, empty.offline) == (
        None, frozenset(), DEFAULT_MAX_FILE_SIZE, False)


@pytest.mark.parametrize("flag, in_file, variable, offline", [
    (None, None, None, False), (True, None, None, True), (None, True, None, True),
    (None, False, "TRANSFORMERS_OFFLINE", True), (None, None, "HF_HUB_OFFLINE", True),
])
def test_offline_is_on_when_a_flag_the_file_or_the_environment_turns_it_on(clean_env, flag, in_file, variable, offline):
    if variable:
        clean_env.setenv(variable, "1")
    options = build_options(Settings(offline=in_file), offline=flag)
    assert options.offline is offline
    assert make_resolver(options).offline is offline


def test_the_check_command_builds_its_options_here(clean_env, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.automodel-lint]\nignore = ["HFA002"]\ncache-dir = "c"\n')
    clean_env.setenv("TRANSFORMERS_OFFLINE", "1")
    args = cli.build_parser().parse_args(["check", "--select", "HFA", "--no-cache", str(tmp_path)])
    options = check.options_from(args)
    assert (options.offline, options.select, options.ignore, options.result_cache) == (True, {"HFA"}, {"HFA002"}, False)
    assert options.cache_dir == str(tmp_path / "c") and options.project_root == str(tmp_path)


def test_a_broken_settings_file_or_lock_is_a_usage_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.automodel-lint]\nselekt = 1\n")
    with pytest.raises(UsageError, match="unknown key 'selekt'"):
        load_settings(str(tmp_path))
    (tmp_path / "automodel-lint.lock").write_text("[]")
    with pytest.raises(UsageError, match="automodel-lint.lock"):
        make_resolver(build_options(Settings(project_root=Path(tmp_path)), locked=True))
