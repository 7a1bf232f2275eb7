"""The flake8 adapter, as thin as flake8-bugbear's: flake8's options in, the engine's judgement, flake8's tuples out.

Registered as `[project.entry-points."flake8.extension"] HFA = "automodel_lint.flake8_plugin:Plugin"`.
Options come from flake8 (its command line and `[flake8]` in setup.cfg, tox.ini or .flake8):

    --automodel-offline            never use the network (also HF_HUB_OFFLINE=1 or TRANSFORMERS_OFFLINE=1)
    --automodel-cache-dir DIR      automodel-lint's cache (default: AUTOMODEL_LINT_CACHE_DIR, else ~/.cache/...)
    --automodel-network-timeout S  seconds per Hub request
    --automodel-target-transformers X.Y  judge for this release (as the CLI's --target-transformers)
    --automodel-preview            also run the preview rules (as the CLI's --preview; `automodel-preview = true`)

From the nearest pyproject.toml it reads `[tool.automodel-lint]` as the CLI does, through the same options builder:
`select`, `ignore`, `target-transformers`, `models`, `offline`, `preview`, `cache-dir` and `network-timeout`
(flake8's own flags win over them), and the folder of the lock file; the transformers version judged for is chosen
as the CLI chooses it (target.py). flake8's own `--select`, `--extend-ignore` and `# noqa` apply on top of those.
Besides flake8's `# noqa` (on the line it reports), the engine applies automodel-lint's: a comment on the last line
of a multi-line call and the file-level `# automodel-lint: noqa`, unless flake8 runs with `--disable-noqa`. Under
`flake8 -j N` every worker process parses the options and runs this class on its share of the files. What flake8
cannot show, calls not judged for want of facts, goes to stderr: the ids no source answered, and the ids whose
tokenizer facts the preview rules needed, each once per process.
"""

from __future__ import annotations

import ast
import functools
import io
import os
import tokenize
from typing import TYPE_CHECKING, Iterator, Sequence

from automodel_lint import __version__

if TYPE_CHECKING:
    from automodel_lint.config import Settings

# Model and tokenizer facts already resolved in this flake8 process: each id once per process, not once per file.
_ANSWERS: dict = {}
_TOKENIZERS: dict = {}


@functools.lru_cache(maxsize=None)
def _project(folder: str) -> Settings:
    """The project's `[tool.automodel-lint]` settings (the CLI's), read once per folder."""
    from automodel_lint.config import Settings
    from automodel_lint.options import UsageError, load_settings

    try:
        found = load_settings(folder)
    except UsageError:
        return Settings()  # the CLI reports a broken config; flake8 runs must not die of it
    return found


# Ids already named on stderr in this process, as ("model" or "tokenizer", id): each once per run, however many
# files name it.
_REPORTED: set[tuple[str, str]] = set()


def _report_unresolved(unresolved, tokenizers: dict) -> None:
    """flake8 has no place for "not judged": the ids no source answered go to stderr, each once per process, and so
    do the ids whose tokenizer facts (read by preview rules) no source gave."""
    import sys

    from automodel_lint.records import Unresolved
    from automodel_lint.unjudged import unknown_tokenizers_line, unresolved_line

    for kind, ids, line in (
        ("model", {u.model_id for u in unresolved}, lambda new: f"calls not judged, {unresolved_line(new)}"),
        ("tokenizer", {a.model_id for a in tokenizers.values() if isinstance(a, Unresolved)}, unknown_tokenizers_line),
    ):
        new = sorted(ids - {i for k, i in _REPORTED if k == kind})
        if new:
            _REPORTED.update((kind, i) for i in new)
            print(f"automodel-lint: {line(new)}", file=sys.stderr)


class Plugin:
    name = "automodel-lint"
    version = __version__

    offline = False
    cache_dir: str | None = None
    network_timeout: float | None = None
    target_transformers: str | None = None
    preview = False
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
            help="automodel-lint: never use the network to resolve model ids"
            " (HF_HUB_OFFLINE=1 or TRANSFORMERS_OFFLINE=1 do the same)",
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
        option_manager.add_option(
            "--automodel-target-transformers",
            default=None,
            parse_from_config=True,
            help="automodel-lint: judge for this transformers release (default: the installed one, else the"
            " project's declared requirement, else the newest bundled)",
        )
        option_manager.add_option(
            "--automodel-preview",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="automodel-lint: also run the preview rules, new rules not yet on by default (as the CLI's"
            " --preview, or `preview = true` in [tool.automodel-lint])",
        )

    @classmethod
    def parse_options(cls, options) -> None:
        cls.offline = bool(options.automodel_offline)
        cls.cache_dir = options.automodel_cache_dir or None
        cls.network_timeout = options.automodel_network_timeout
        cls.target_transformers = options.automodel_target_transformers or None
        cls.preview = bool(options.automodel_preview)
        cls.disable_noqa = bool(getattr(options, "disable_noqa", False))

    def _options(self):
        from automodel_lint.options import build_options

        # offline and preview: flake8's flags can only turn them on, so the settings' `offline = true` and
        # `preview = true` still count without them.
        return build_options(_project(os.path.dirname(os.path.abspath(self.filename))), offline=self.offline or None,
                             preview=self.preview or None, cache_dir=self.cache_dir,
                             network_timeout=self.network_timeout, noqa=not self.disable_noqa,
                             target_transformers=self.target_transformers)

    def _source_bytes(self) -> bytes:
        """The file's bytes again: flake8 decoded them, and LibCST decodes by the file's coding cookie."""
        text = "".join(self.lines)
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(text.encode("utf-8")).readline)
            return text.encode(encoding)
        except (SyntaxError, LookupError, UnicodeEncodeError):
            return text.encode("utf-8")

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        from automodel_lint import engine
        from automodel_lint.target import choose

        options = self._options()
        # The object flow (use sites) only where a rule about uses runs: without --preview a file pays for none.
        analysis = engine.analyse_source(self.filename, self._source_bytes(), bool(engine.use_rules_of(options)))
        if not analysis.sites and not analysis.uses and not analysis.result.diagnostics:
            return
        results, unresolved = engine.judge_all(
            [analysis], options, choose(options).table, answers=_ANSWERS, tokenizers=_TOKENIZERS
        )
        _report_unresolved(unresolved, _TOKENIZERS)

        for d in (d for result in results for d in result.diagnostics):
            # flake8 columns are 0-based; ours, like LibCST's lines, are 1-based.
            yield d.span.line, d.span.column - 1, f"{d.code} {d.message}", type(self)
