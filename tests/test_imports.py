"""The pre-commit path (one changed file, offline) imports only what checking that file needs."""

import subprocess
import sys

PROBE = """
import sys
from automodel_lint.cli import main
code = main(['check', '--exit-zero', 'changed.py'])
from automodel_lint.facts import snapshot
print(' '.join(sorted(sys.modules)))
print(snapshot._data.cache_info().currsize)
"""


def test_one_changed_file_imports_nothing_it_does_not_need(tmp_path):
    (tmp_path / "changed.py").write_text('from transformers import AutoModelForCausalLM\n\n'
                                         'm = AutoModelForCausalLM.from_pretrained("google/flan-t5-base")\n')
    r = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert "HFA001" in r.stdout, r.stderr
    *_, modules, whole_snapshot = r.stdout.splitlines()
    loaded = set(modules.split())
    unneeded = {
        "transformers", "torch",  # never imported at lint time
        "automodel_lint.commands.lock", "automodel_lint.commands.resolve", "automodel_lint.commands.cache",
        "tomllib",  # no pyproject.toml to read
        "concurrent.futures", "logging",  # offline: no Hub threads
        "difflib", "secrets",  # no diff asked for; the cache's temporary name needs no secrets module
        "multiprocessing",  # one file: no worker processes
    }
    assert not loaded & unneeded
    assert whole_snapshot == "0", "the snapshot was decoded whole for two ids"
