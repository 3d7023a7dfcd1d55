#!/usr/bin/env bash
# Runs the GitHub Action (action.yml) three times against a fake GitHub environment and a
# folder standing in for the Actions cache (Packaging/tests/run_action.py plays the runner):
#   1. main, run 1, every test passes: the gate passes, the history is saved to the cache;
#   2. main, run 2, one new failure: restored from run 1, the gate fails (exit 1), the failure is
#      annotated at its file and line, the step summary lists it, the history is saved anyway;
#   3. a feature branch with no cache of its own: restored from main's newest, three runs stored.
# Usage: action_test.sh [WHEEL]   (default: the one wheel in dist/)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
wheel=${1:-$(ls "$root"/dist/triage_cli-*.whl)}
wheel=$(cd "$(dirname "$wheel")" && pwd)/$(basename "$wheel")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "action_test: FAILED: $*" >&2; exit 1; }

python3 -m venv "$work/runner"
"$work/runner/bin/python" -m pip install --quiet --disable-pip-version-check pyyaml
mkdir -p "$work/cache" "$work/repo/test-results"
export PATH="/usr/bin:/bin" GITHUB_JOB=tests DEFAULT_BRANCH=main
unset TRIAGE_DB TRIAGE_BIN GITHUB_STEP_SUMMARY

results() { # FAILING-TEST...: a pytest-like JUnit file where the named tests fail
  {
    echo '<testsuites><testsuite name="pytest">'
    local line=10
    for test in test_a test_b test_c; do
      line=$((line + 1))
      echo "<testcase classname=\"tests.test_x\" name=\"$test\" file=\"tests/test_x.py\" line=\"$line\">"
      [[ " $* " == *" $test "* ]] && echo '<failure message="assert 1 == 2">E assert 1 == 2</failure>'
      echo '</testcase>'
    done
    echo '</testsuite></testsuites>'
  } >"$work/repo/test-results/junit.xml"
}
run() { # BRANCH RUN_ID: runs the action; its output in $work/out-RUN_ID.txt, status in $status
  set +e
  (cd "$work/repo" && GITHUB_REF_NAME=$1 GITHUB_RUN_ID=$2 GITHUB_RUN_ATTEMPT=1 \
    "$work/runner/bin/python" "$root/Packaging/tests/run_action.py" "$root/action.yml" "$work/repo" "$work/cache" \
    "{\"package\": \"$wheel\"}" >"$work/out-$2.txt" 2>&1)
  status=$?
  set -e
}

results
run main 1
[[ $status == 0 ]] || fail "run 1 exited $status: $(tail -30 "$work/out-1.txt")"
grep -q 'outputs: .*"passed": "true"' "$work/out-1.txt" || fail "run 1 outputs: $(grep outputs: "$work/out-1.txt")"
[[ -d $work/cache/triage-tests-main-1-1 ]] || fail "run 1 saved no cache: $(ls "$work/cache")"

rm -rf "$work/repo/.triage"   # a new runner: the history comes from the cache only
results test_b
run main 2
[[ $status == 1 ]] || fail "run 2 exited $status, not 1 (a new failure): $(tail -30 "$work/out-2.txt")"
grep -q "cache: restored triage-tests-main-1-1" "$work/out-2.txt" || fail "run 2 did not restore run 1's history"
grep -q '^::error file=tests/test_x.py,line=12,title=new failure%3A tests.test_x%3A%3Atest_b::' "$work/out-2.txt" ||
  fail "no annotation for test_b: $(grep '::' "$work/out-2.txt" | head)"
grep -q "tests.test_x::test_b" "$work/repo/step-summary.md" || fail "the step summary does not list test_b"
grep -q "cache: saved triage-tests-main-2-1" "$work/out-2.txt" || fail "run 2 (gate failed) saved no cache"
grep -q 'outputs: .*"new-failures": "1"' "$work/out-2.txt" || fail "run 2 outputs: $(grep outputs: "$work/out-2.txt")"

rm -rf "$work/repo/.triage"
results test_b
run feature 3
grep -q "cache: restored triage-tests-main-2-1" "$work/out-3.txt" ||
  fail "the feature branch did not start from main's history: $(grep cache: "$work/out-3.txt")"
runs=$("$work/runner/bin/python" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM run").fetchone()[0])' \
  "$work/cache/triage-tests-feature-3-1/triage.sqlite")
[[ $runs == 3 ]] || fail "the feature branch's history holds $runs runs, not 3"
echo "action_test: the action installs the wheel, gates, annotates and carries the history through the cache"
