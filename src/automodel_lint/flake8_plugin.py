"""The flake8 adapter: flake8 hands over a file, the CLI's engine judges it, flake8 reports.

Registered as `[project.entry-points."flake8.extension"] HFA = "automodel_lint.flake8_plugin:Plugin"`.
flake8 never reads pyproject.toml, so the few settings that matter here are flake8 options, also read
from flake8's own config files (`[flake8]` in setup.cfg, tox.ini or .flake8):

    --automodel-offline            never use the network (HF_HUB_OFFLINE=1 does the same)
    --automodel-cache-dir DIR      automodel-lint's cache
    --automodel-network-timeout S  seconds per Hub request

Selecting and ignoring codes is flake8's business (`--select`, `--extend-ignore`, `# noqa`), so the
engine runs with every rule. On top of flake8's own `# noqa` (on the line it reports), the engine
applies automodel-lint's: a comment on the last line of a multi-line call and the file-level
`# automodel-lint: noqa`, unless flake8 runs with `--disable-noqa`. The project's declared models and
lock file (from pyproject.toml) are used as the CLI uses them. Under `flake8 -j N` every worker
process parses the options and runs this class on its share of the files.
"""

from __future__ import annotations

import ast
import functools
import io
import os
import tokenize
from typing import Iterator, Sequence

from automodel_lint import __version__


# Model facts already resolved in this flake8 process: each id once per process, not once per file.
_ANSWERS: dict = {}


@functools.lru_cache(maxsize=None)
def _project(folder: str) -> tuple[dict, str | None]:
    """The project's `[tool.automodel-lint.models]` and the folder of its lock file, once per folder.

    flake8 owns the other settings, but model facts a project declares (and its lock) must judge the
    same calls the same way under flake8 as under the CLI.
    """
    from pathlib import Path

    from automodel_lint import config

    try:
        settings = config.discover(Path(folder))
    except config.ConfigError:
        return {}, None  # the CLI reports a broken config; flake8 runs must not die of it
    return settings.models, str(settings.project_root) if settings.project_root else None


class Plugin:
    name = "automodel-lint"
    version = __version__

    offline = False
    cache_dir: str | None = None
    network_timeout: float | None = None
    disable_noqa = False

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, option_manager) -> None:
        option_manager.add_option(
            "--automodel-offline",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="automodel-lint: never use the network to resolve model ids (HF_HUB_OFFLINE=1 does the same)",
        )
        option_manager.add_option(
            "--automodel-cache-dir",
            default=None,
            parse_from_config=True,
            help="automodel-lint: its cache folder (default: $AUTOMODEL_LINT_CACHE_DIR or ~/.cache/automodel-lint)",
        )
        option_manager.add_option(
            "--automodel-network-timeout",
            type=float,
            default=None,
            parse_from_config=True,
            help="automodel-lint: seconds per Hub request",
        )

    @classmethod
    def parse_options(cls, options) -> None:
        env_offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")
        cls.offline = bool(options.automodel_offline) or env_offline
        cls.cache_dir = options.automodel_cache_dir or os.environ.get("AUTOMODEL_LINT_CACHE_DIR") or None
        cls.network_timeout = options.automodel_network_timeout
        cls.disable_noqa = bool(getattr(options, "disable_noqa", False))

    def _options(self):
        from automodel_lint.engine import Options

        models, root = _project(os.path.dirname(os.path.abspath(self.filename)))
        return Options(
            offline=self.offline,
            cache_dir=self.cache_dir,
            network_timeout=self.network_timeout,
            noqa=not self.disable_noqa,
            models=models,
            project_root=root,
        )

    def _source_bytes(self) -> bytes:
        """The file's bytes again: flake8 decoded them, and LibCST decodes by the file's coding cookie."""
        text = "".join(self.lines)
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(text.encode("utf-8")).readline)
            return text.encode(encoding)
        except (SyntaxError, LookupError, UnicodeEncodeError):
            return text.encode("utf-8")

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        from automodel_lint import engine, knowledge

        options = self._options()
        analysis = engine.analyse_source(self.filename, self._source_bytes())
        if not analysis.sites and not analysis.result.diagnostics:
            return
        results, _unresolved = engine.judge_all(
            [analysis], options, knowledge.current_table(options.cache_dir), answers=_ANSWERS
        )

        for d in (d for result in results for d in result.diagnostics):
            # flake8 columns are 0-based; ours, like LibCST's lines, are 1-based.
            yield d.span.line, d.span.column - 1, f"{d.code} {d.message}", type(self)
