#!/usr/bin/env bash
# Action step: runs `triage ci` with the action's inputs and sets its outputs from the JSON.
# Exits as triage does: 0 the gate passed, 1 it failed, 2 and up triage itself failed.
set -uo pipefail
args=()
while IFS= read -r pattern; do
  [[ -n ${pattern// /} ]] && args+=("$pattern")
done <<<"${INPUT_FILES:-test-results/**/*.xml}"
args+=(--fail-on "${INPUT_FAIL_ON:-new-failures}")
[[ -n ${INPUT_MIN_PASS_RATE:-} ]] && args+=(--min-pass-rate "$INPUT_MIN_PASS_RATE")
while IFS= read -r variant; do
  [[ -n ${variant// /} ]] && args+=(--variant "$variant")
done <<<"${INPUT_VARIANT:-}"
[[ ${INPUT_ANNOTATIONS:-true} == true ]] && args+=(--annotations)
[[ -n ${TRIAGE_DB:-} ]] && args+=(--db "$TRIAGE_DB")
json="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/triage-ci.json"
rm -f "$json"
# Extra arguments are split as a shell would split words, without running anything.
read -r -a extra <<<"${INPUT_ARGS:-}"
triage ci "${args[@]}" "${extra[@]}" --json "$json"
status=$?
if [[ -s $json ]]; then
  python3 - "$json" >>"${GITHUB_OUTPUT:?}" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
print(f"passed={'true' if result['passed'] else 'false'}")
print(f"run-id={result['runID']}")
print(f"new-failures={len(result['newFailures'])}")
PY
fi
exit $status
