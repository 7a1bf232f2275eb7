"""Generate src/automodel_lint/knowledge/data/history.json.gz: every transformers release's table, in one file.

    python scripts/build_history.py [--wheels DIR] [--jobs N] [VERSION ...]

Without versions, the registry is asked once (`pip index versions transformers`) and the last patch of every minor
release from 4.0 on is taken. Each wheel is downloaded without its dependencies into DIR (default
/tmp/transformers-wheels, reused when there) and read in place by `knowledge.build`: transformers is never installed
or imported. Each release's table is cached beside the wheels under the hash of the generator's source, so a rerun
with an unchanged generator only encodes. This runs at generation time only; the linter never downloads anything.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from automodel_lint import knowledge  # noqa: E402
from automodel_lint.knowledge import build, history  # noqa: E402

FIRST_MINOR = (4, 0)
RELEASE = re.compile(r"\d+\.\d+\.\d+")


def latest_patches() -> list[str]:
    out = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "transformers"], capture_output=True, text=True, check=True
    ).stdout
    listed = re.search(r"Available versions: (.*)", out)
    if listed is None:
        raise SystemExit(f"cannot read the release list from pip:\n{out}")
    best: dict[tuple[int, int], tuple[int, ...]] = {}
    for version in listed.group(1).split(", "):
        if RELEASE.fullmatch(version.strip()):
            key = tuple(int(p) for p in version.strip().split("."))
            if key[:2] >= FIRST_MINOR and key > best.get(key[:2], ()):
                best[key[:2]] = key
    return [".".join(map(str, best[minor])) for minor in sorted(best)]


def wheel(version: str, wheels: Path) -> Path:
    found = sorted(wheels.glob(f"transformers-{version}-*.whl"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
             f"transformers=={version}", "-d", str(wheels)],
            check=True,
        )
        found = sorted(wheels.glob(f"transformers-{version}-*.whl"))
    return found[0]


def release_table(path: Path, cache: Path) -> dict:
    if cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))
    table = build.build_release_table(build.open_source(path))
    cache.write_text(build.dumps(table), encoding="utf-8")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("versions", nargs="*", help="releases to cover (default: the last patch of each minor)")
    parser.add_argument("--wheels", default="/tmp/transformers-wheels", help="where wheels are downloaded and kept")
    parser.add_argument("--jobs", type=int, default=2, help="releases read at once")
    parser.add_argument("--output", default=str(history.HISTORY_PATH))
    args = parser.parse_args(argv)
    started = time.monotonic()
    versions = args.versions or latest_patches()
    wheels = Path(args.wheels)
    wheels.mkdir(parents=True, exist_ok=True)
    paths = [wheel(v, wheels) for v in versions]
    tables_dir = wheels / "tables"
    tables_dir.mkdir(exist_ok=True)
    digest = knowledge.generator_key()
    caches = [tables_dir / f"{v}.{digest}.json" for v in versions]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        tables = list(pool.map(release_table, paths, caches))
    encoded = history.encode(tables)
    text = json.dumps(encoded, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    data = gzip.compress(text, compresslevel=9, mtime=0)  # mtime 0: the same tables give the same bytes
    Path(args.output).write_bytes(data)
    partial = [t["transformers_version"] for t in tables if t.get("unknown")]
    print(
        f"wrote {args.output}: {len(tables)} releases ({versions[0]} ... {versions[-1]}), {len(data):,} bytes "
        f"({len(text):,} uncompressed), in {time.monotonic() - started:.0f} s; "
        f"only model types known for {', '.join(partial) or 'none'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
