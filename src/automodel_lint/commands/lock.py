"""`automodel-lint lock [PATH ...]`: resolve every model id the code names and write automodel-lint.lock.

The lock goes beside the project's pyproject.toml (or to `--lock-file`): sorted, stable JSON with the Hub commit
where known, and the tokenizer facts of the same ids. Exit 0, or 1 if some ids stayed unresolved (named on stderr;
the lock keeps their previous entries).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from automodel_lint.commands import EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND, add_network_flags, network_flags
from automodel_lint.records import Unresolved


def register(subparsers) -> None:
    p = subparsers.add_parser("lock", help="resolve every model id the code names and write automodel-lint.lock")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    p.add_argument("--lock-file", metavar="FILE", help="where to write the lock (default: beside pyproject.toml)")
    add_network_flags(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from automodel_lint import engine
    from automodel_lint.facts.lockfile import LOCK_NAME, Lock, LockError, lock_path, read_lock, write_lock
    from automodel_lint.options import build_options, load_settings, make_resolver

    paths = args.paths or ["."]
    settings = load_settings(paths[0])
    target = Path(args.lock_file) if args.lock_file else (
        lock_path(settings.project_root) if settings.project_root else Path(LOCK_NAME))
    # An empty lock: re-locking must ask the real sources, not read the old answers back.
    resolver = make_resolver(build_options(settings, **network_flags(args)), lock=Lock(str(target)))
    try:
        requests = engine.collect_requests(paths)
        try:
            previous = read_lock(target)
        except LockError:
            previous = None  # an unusable old lock is simply replaced
        ordered = sorted(requests, key=lambda r: (r.model, r.revision or "", r.subfolder or "", r.file_dir or ""))
        answers = resolver.resolve_all(ordered)
        shas = {r: resolver.sha(r) for r in answers if resolver.sha(r)}
        # Tokenizer facts of the same ids (facts/lockfile.py says why these): unknown ones only leave calls unjudged.
        tokenizers = resolver.resolve_tokenizers(ordered)
        models = write_lock(target, answers, shas, keep=previous, tokenizers=tokenizers)
    except OSError as exc:
        print(f"automodel-lint: error: cannot write the lock file: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    unresolved = _unique_unresolved(answers.values())
    print(f"wrote {target}: {len(models)} model ids", file=sys.stderr)
    if unresolved:
        from automodel_lint.unjudged import UNRESOLVED_ADVICE

        print(f"{len(unresolved)} model id{'' if len(unresolved) == 1 else 's'} could not be resolved and"
              f" {'is' if len(unresolved) == 1 else 'are'} not in the lock:", file=sys.stderr)
        for u in unresolved:
            print(f"  {u.model_id}: {u.reason}", file=sys.stderr)
        # Running lock again offline would not help: say what does.
        print(f"calls naming them stay unjudged: {UNRESOLVED_ADVICE}", file=sys.stderr)
        return EXIT_FOUND
    return EXIT_CLEAN


def _unique_unresolved(answers: Iterable) -> list[Unresolved]:
    return sorted({a for a in answers if isinstance(a, Unresolved)}, key=lambda u: (u.model_id, u.reason))
