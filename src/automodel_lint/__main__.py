import os
import sys

# `python -m automodel_lint` puts the working directory first on sys.path, so a linted project's own
# `libcst.py` or `transformers.py` would be imported, that is, run. The package itself is already imported
# (its submodules are found through its __path__), so the entry can go; pip's __main__ does the same.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from automodel_lint.cli import run  # noqa: E402

run()
