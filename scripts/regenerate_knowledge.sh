#!/usr/bin/env bash
# Regenerate the bundled knowledge tables, src/automodel_lint/knowledge/data/transformers-<version>.json.
#
#   scripts/regenerate_knowledge.sh [VERSION ...]     (default: the versions bundled now)
#
# Each wheel is downloaded without its dependencies and read in place by the generator: transformers is never
# installed or imported. PYTHON picks the interpreter (default: python3); it needs pip.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
DATA=src/automodel_lint/knowledge/data

if [ "$#" -gt 0 ]; then
    versions=("$@")
else
    versions=()
    for file in "$DATA"/transformers-*.json; do
        name=${file##*/transformers-}
        versions+=("${name%.json}")
    done
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for version in "${versions[@]}"; do
    "$PYTHON" -m pip download --quiet --no-deps "transformers==$version" -d "$tmp/$version"
    wheels=("$tmp/$version"/transformers-"$version"-*.whl)
    PYTHONPATH=src "$PYTHON" -m automodel_lint.knowledge.build --source "${wheels[0]}" --output "$DATA/transformers-$version.json"
    echo "wrote $DATA/transformers-$version.json"
done
