"""Which transformers version a run judges for: the flag, the settings, the installed one, the project's declared
requirement (every packaging file it may be in), the newest bundled; and what that changes in the verdicts."""

import json
import subprocess
import sys

import pytest

from automodel_lint import knowledge, target
from automodel_lint.config import Settings
from automodel_lint.declared import declared_constraints
from automodel_lint.options import UsageError, build_options

TF_ERA = 'from transformers import TFAutoModel\nm = TFAutoModel.from_pretrained("google-bert/bert-base-uncased")\n'
QWEN3 = 'from transformers import AutoModelForCausalLM\nm = AutoModelForCausalLM.from_pretrained("Qwen/Qwen3-8B")\n'


@pytest.fixture
def nothing_installed(monkeypatch):
    """An isolated run (pre-commit, pipx): no transformers beside the linter."""
    monkeypatch.setattr(knowledge, "installed_transformers_version", lambda: None)
    target._choose.cache_clear()
    yield
    target._choose.cache_clear()


def chosen(root, **flags):
    settings = Settings(project_root=root)
    return target.choose(build_options(settings, **flags))


@pytest.mark.parametrize("files, version", [
    ({"pyproject.toml": '[project]\nname = "p"\ndependencies = ["transformers>=4.40,<5"]\n'}, "4.57.6"),
    ({"pyproject.toml": '[project]\nname = "p"\n[project.optional-dependencies]\nml = ["transformers[torch]~=4.44.0"]\n'},
     "4.44.2"),
    ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.10"\ntransformers = "^4.40"\n'}, "4.57.6"),
    ({"pyproject.toml": '[tool.poetry.group.ml.dependencies]\ntransformers = { version = "~4.46" }\n'}, "4.46.3"),
    ({"setup.cfg": "[options]\ninstall_requires =\n    numpy\n    transformers<4.30  # old\n"}, "4.29.2"),
    ({"requirements-dev.txt": "-r base.txt\ntransformers==4.40.0\n"}, "4.40.2"),  # a patch pin: its minor's table
    ({"requirements.txt": "transformers>=4.30\n", "poetry.lock": '[[package]]\nname = "transformers"\n'
      'version = "4.41.0"\n'}, "4.41.2"),  # every constraint holds: the lock's pin is one more
    ({"uv.lock": 'version = 1\n[[package]]\nname = "transformers"\nversion = "4.51.3"\n'}, "4.51.3"),
    ({"requirements.txt": 'transformers==4.38.0; python_version < "3"\ntransformers>=5\n'}, "5.24.0"),  # markers
])
def test_the_declared_requirement_decides_an_isolated_run(tmp_path, nothing_installed, files, version):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    got = chosen(tmp_path)
    assert (got.version, got.table.version) == (version, version), got.why
    assert got.why.startswith("declared: ")


def test_contradicting_declarations_follow_the_first_source_that_fits(tmp_path, nothing_installed):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\ndependencies = ["transformers<4.45"]\n')
    (tmp_path / "uv.lock").write_text('[[package]]\nname = "transformers"\nversion = "4.57.1"\n')  # stale lock
    got = chosen(tmp_path)
    assert got.version == "4.44.2" and "contradict" in got.why


def test_nothing_declared_means_the_newest_bundled(tmp_path, nothing_installed):
    (tmp_path / "requirements.txt").write_text("numpy\ngit+https://example.invalid/x.git\n")
    got = chosen(tmp_path)
    assert got.version == knowledge.newest_bundled().version and "newest bundled" in got.why
    assert declared_constraints(tmp_path) == []


def test_the_flag_wins_over_the_settings_and_the_settings_over_the_installed(tmp_path, monkeypatch):
    monkeypatch.setattr(knowledge, "installed_transformers_version", lambda: "5.24.0")
    target._choose.cache_clear()
    settings = Settings(path=tmp_path / "pyproject.toml", project_root=tmp_path, target_transformers="4.45")
    assert target.choose(build_options(settings)).version == "4.45.2"
    assert target.choose(build_options(settings)).why == 'target-transformers = "4.45" in pyproject.toml'
    flagged = target.choose(build_options(settings, target_transformers="4.51"))
    assert (flagged.version, flagged.why) == ("4.51.3", "--target-transformers 4.51")
    installed = target.choose(build_options(Settings(project_root=tmp_path)))
    assert (installed.version, installed.why) == ("5.24.0", "installed beside automodel-lint")
    target._choose.cache_clear()


@pytest.mark.parametrize("asked", ["3.5", "4.5", "9.1"])
def test_an_unknown_or_partly_known_target_is_a_usage_error(tmp_path, asked):
    with pytest.raises(UsageError, match=f"transformers {asked} is not a release"):
        chosen(tmp_path, target_transformers=asked)


def test_summary_and_settings_say_which_version_and_why(tmp_path):
    got = chosen(tmp_path, target_transformers="4.40")
    assert target.summary(got) == "Judged for transformers 4.40.2 (--target-transformers 4.40)."
    assert target.settings_lines(got) == ["target-transformers = '4.40.2'", "  # from: --target-transformers 4.40"]


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "automodel_lint", "check", "--offline", "--output-format", "json",
                           "--exit-zero", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def codes(result):
    assert result.returncode == 0, result.stderr
    return [(d["code"], d["message"]) for d in json.loads(result.stdout)]


def test_a_4x_target_keeps_tf_auto_classes_and_hfa007_names_the_first_release(tmp_path):
    (tmp_path / "tf.py").write_text(TF_ERA)
    (tmp_path / "qwen.py").write_text(QWEN3)
    assert [c for c, _ in codes(run("--target-transformers", "5.24", "tf.py", cwd=tmp_path))] == ["HFA004"]
    assert codes(run("--target-transformers", "4.57", "tf.py", cwd=tmp_path)) == []
    old = codes(run("--target-transformers", "4.40", "qwen.py", cwd=tmp_path))
    assert [c for c, _ in old] == ["HFA007"] and "needs transformers >= 4.51" in old[0][1], old
    assert "with transformers 4.40.2" in old[0][1]
    assert codes(run("--target-transformers", "4.51", "qwen.py", cwd=tmp_path)) == []


def test_the_summary_line_names_the_target(tmp_path):
    (tmp_path / "qwen.py").write_text(QWEN3)
    r = subprocess.run([sys.executable, "-m", "automodel_lint", "check", "--offline", "--target-transformers", "4.51",
                        "qwen.py"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.stdout.splitlines()[-1].endswith("Judged for transformers 4.51.3 (--target-transformers 4.51).")


@pytest.mark.parametrize("value, said", [
    ("9.1", 'target-transformers = "9.1" in pyproject.toml: transformers 9.1 is not'),  # unknown: names its file
    ("latest", "target-transformers must be a transformers version"),  # not a version: a config error
])
def test_a_target_in_the_settings_that_cannot_be_used_is_exit_2(tmp_path, value, said):
    (tmp_path / "pyproject.toml").write_text(f'[tool.automodel-lint]\ntarget-transformers = "{value}"\n')
    (tmp_path / "a.py").write_text("x = 1\n")
    r = subprocess.run([sys.executable, "-m", "automodel_lint", "check", "a.py"], capture_output=True, text=True,
                       cwd=tmp_path, timeout=120)
    assert r.returncode == 2 and said in r.stderr


def test_a_project_that_does_not_declare_transformers_is_read_without_parsing_requirements(tmp_path):
    """Declared requirements are parsed (packaging, tomllib) only where they can name transformers: a pre-commit
    run has no transformers installed, so every run looks here, and importing packaging alone costs about 25 ms."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\ndependencies = ["numpy>=1", "Torch"]\n')
    (tmp_path / "requirements.txt").write_text("requests==2.0\n")
    (tmp_path / "uv.lock").write_text('version = 1\n[[package]]\nname = "numpy"\nversion = "2.0"\n')
    code = ("import sys; from pathlib import Path; from automodel_lint.declared import declared_constraints as d; "
            "print(d(Path(sys.argv[1])), sorted(m for m in ('packaging', 'configparser') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert r.stdout.split() == ["[]", "[]"]
    (tmp_path / "uv.lock").write_text('version = 1\n[[package]]\nname = "transformers"\nversion = "4.57.6"\n')
    found = declared_constraints(tmp_path)
    assert [(where, str(c)) for where, c in found] == [("uv.lock", "transformers==4.57.6")]
