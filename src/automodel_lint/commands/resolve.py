"""`automodel-lint resolve MODEL_ID`: "which Auto class for this model?".

    automodel-lint resolve MODEL_ID [--revision R] [--subfolder S] [--target-transformers X.Y]
                                    [--output-format text|json]

The facts, where they came from, and the Auto classes that load the checkpoint (the one for its own architecture
first), for the same transformers release `check` judges for (flag, settings, installed, declared, newest
bundled: see `target`). Exit 0 resolved, 1 not, 2 for a target it does not know.
"""

from __future__ import annotations

import argparse
import json
import sys

from automodel_lint.commands import EXIT_CLEAN, EXIT_FOUND, add_network_flags, network_flags
from automodel_lint.records import ModelFacts, ModelRequest, Unresolved
from automodel_lint.report.printable import printable


def register(subparsers) -> None:
    p = subparsers.add_parser("resolve", help="show a model's facts and the Auto classes that load it")
    p.add_argument("model", metavar="MODEL_ID", help="a Hub model id or a local checkpoint folder")
    p.add_argument("--revision", metavar="R", help="a branch, tag or commit of the Hub repo")
    p.add_argument("--subfolder", metavar="S", help="the checkpoint's subfolder in the repo or folder")
    p.add_argument("--output-format", choices=("text", "json"), default="text")
    p.add_argument("--target-transformers", metavar="X.Y",
                   help="the transformers release whose Auto classes are listed (default: as `check` chooses)")
    add_network_flags(p)
    p.set_defaults(func=run)


def _target(options):
    """The run's target (as `check` chooses it), or None: `resolve` still shows the facts without a table."""
    from automodel_lint.options import UsageError
    from automodel_lint.target import choose

    try:
        return choose(options)
    except UsageError:
        raise  # an unknown --target-transformers is the user's to correct, not something to pass over
    except Exception:
        return None


def loading_classes(table, facts: ModelFacts) -> list[tuple[str, str]]:
    """(Auto class, what it builds) for every Auto class that loads the checkpoint, the ones that load its own
    architecture first; then `auto_map` classes that exist only as custom code."""
    from automodel_lint.families import NEVER_SUGGESTED

    out: list[tuple[str, str]] = []
    if table is not None and facts.model_type and table.knows_type(facts.model_type):
        found = [(auto, table.loaded_class(auto, facts.model_type, facts.architectures))
                 for auto in table.auto_classes if table.loads(auto, facts.model_type)]
    elif table is not None:
        found = [(auto, arch) for arch in facts.architectures for auto in table.auto_classes_for_architecture(arch)]
    else:
        found = []
    own = [auto for arch in facts.architectures
           for auto in (table.auto_classes_for_architecture(arch) if table else ())]
    rank = {auto: i for i, auto in enumerate(dict.fromkeys(own))}
    # AutoModel and AutoModelForPreTraining load nearly everything: the task classes say more, so they go last
    # among the classes of the checkpoint's own architecture.
    found = sorted(dict.fromkeys(found),
                   key=lambda pair: rank.get(pair[0], len(rank)) + len(rank) * (pair[0] in NEVER_SUGGESTED))
    out.extend(found)
    built_in = {auto for auto, _ in found}
    for auto, ref in facts.auto_map:
        if auto.startswith(("AutoModel", "TFAutoModel", "FlaxAutoModel")) and auto not in built_in:
            out.append((auto, f"{ref} (custom code: needs trust_remote_code=True)"))
    return out


def run(args: argparse.Namespace) -> int:
    from automodel_lint.options import build_options, load_settings, make_resolver

    options = build_options(load_settings("."), target_transformers=args.target_transformers, **network_flags(args))
    target = _target(options)
    table = target.table if target is not None else None
    resolver = make_resolver(options, table)
    request = ModelRequest(args.model, args.revision, args.subfolder, None)
    answer = resolver.resolve(request)
    if isinstance(answer, Unresolved):
        if args.output_format == "json":
            print(json.dumps({"model": args.model, "resolved": False, "reason": answer.reason}, indent=2))
        print(f"automodel-lint: {printable(repr(args.model))} could not be resolved: {printable(answer.reason)}",
              file=sys.stderr)
        return EXIT_FOUND
    classes = loading_classes(table, answer)
    sha = resolver.sha(request)
    if args.output_format == "json":
        print(json.dumps({
            "model": args.model, "resolved": True, "model_id": answer.model_id, "model_type": answer.model_type,
            "architectures": list(answer.architectures), "auto_map": answer.auto_map_dict(), "sha": sha,
            "facts_source": answer.source, "evidence": answer.evidence, "provenance": answer.provenance,
            "auto_classes": [{"class": a, "loads": c} for a, c in classes],
            "transformers_version": table.version if table is not None else None,
            "transformers_target": target.why if target is not None else None,
        }, indent=2))
        return EXIT_CLEAN
    rows = [("model", answer.model_id + (f" (sha {sha})" if sha else "")),
            ("model_type", answer.model_type or "(not stated)"),
            ("architectures", ", ".join(answer.architectures) or "(not stated)")]
    if answer.auto_map:
        rows.append(("auto_map", ", ".join(f"{k} -> {v}" for k, v in answer.auto_map)))
    rows.append(("source", f"{answer.source} ({answer.evidence or 'unknown'} evidence)"))
    if answer.provenance:
        rows.append(("provenance", answer.provenance))
    # Every value comes from a config.json, a server or the command line: shown on one line, escapes made visible.
    for key, value in rows:
        print(f"{key + ':':<15}{printable(value)}")
    if table is None:
        print(f"{'loaded by:':<15}(no knowledge table available)")
    elif not classes:
        print(f"{'loaded by:':<15}no Auto class of transformers {table.version} ({target.why}) loads it")
    else:
        print(f"{'loaded by:':<15}(transformers {table.version}: {target.why})")
        for auto, built in classes:
            print(f"  {printable(auto):<40} -> {printable(built)}")
    return EXIT_CLEAN
