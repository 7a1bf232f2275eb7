#!/usr/bin/env bash
# The step of action.yml: install automodel-lint from the action's checkout ($GITHUB_ACTION_PATH) into a venv
# under $RUNNER_TEMP, then run check in the current folder (the workspace) with the action's inputs.
set -euo pipefail
here=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is set by the runner to the checkout of the action}
venv="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/automodel-lint-venv"
if [ ! -x "$venv/bin/automodel-lint" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install -q "$here"
fi
args=(check --output-format "${INPUT_OUTPUT_FORMAT:-github}")
[ -n "${INPUT_OUTPUT_FILE:-}" ] && args+=(--output-file "$INPUT_OUTPUT_FILE")
if [ -n "${INPUT_LOCK_FILE:-}" ]; then
  [ -f "$INPUT_LOCK_FILE" ] || { echo "automodel-lint: error: lock-file $INPUT_LOCK_FILE does not exist" >&2; exit 2; }
  [ "$(basename "$INPUT_LOCK_FILE")" = automodel-lint.lock ] \
    || { echo "automodel-lint: error: lock-file must be named automodel-lint.lock" >&2; exit 2; }
  # check reads the lock beside the nearest pyproject.toml above the first path: this input says it must be there.
  args+=(--locked)
fi
# Word splitting on purpose: paths and args are space-separated lists in the action's inputs.
# shellcheck disable=SC2206
args+=(${INPUT_ARGS:-} ${INPUT_PATHS:-.})
exec "$venv/bin/automodel-lint" "${args[@]}"
