#!/usr/bin/env bash
# Installs the wheel into a new virtualenv, as a user would, and checks what it promises:
#   - `triage --version` and `triage demo` work in an empty folder (nothing else installed);
#   - `pytest --triage` with pytest-rerunfailures (--reruns 2) and xdist (-n 2) stores one run
#     holding every attempt; the same session through --junitxml + `triage ingest` holds fewer;
#   - attempts the `flaky` plugin retries are stored too;
#   - `--triage-quarantine` runs a quarantined test as xfail with its reason and owner.
# pytest, pytest-rerunfailures, pytest-xdist and flaky come from the package index.
# Usage: wheel_test.sh [WHEEL]   (default: the one wheel in dist/)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
wheel=${1:-$(ls "$root"/dist/triage_cli-*.whl)}
[[ $(wc -w <<<"$wheel") == 1 ]] || { echo "wheel_test: give one wheel (found: $wheel)" >&2; exit 2; }
wheel=$(cd "$(dirname "$wheel")" && pwd)/$(basename "$wheel")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "wheel_test: FAILED: $*" >&2; exit 1; }

python3 -m venv "$work/venv"
venv="$work/venv/bin"
"$venv/python" -m pip install --quiet --disable-pip-version-check "$wheel" pytest pytest-rerunfailures pytest-xdist flaky
# Only the venv and the system folders: a triage built elsewhere must not answer.
export PATH="$venv:/usr/bin:/bin"
unset TRIAGE_DB TRIAGE_BIN
[[ $(command -v triage) == "$venv/triage" ]] || fail "triage on PATH is $(command -v triage), not the wheel's"

# --- The binary: version and the demo in an empty folder.
mkdir "$work/empty" && cd "$work/empty"
version=$(triage --version)
[[ $wheel == *"triage_cli-$version-"* ]] || fail "triage --version says $version; the wheel is $(basename "$wheel")"
triage demo >"$work/demo.txt" || fail "triage demo exited $?"
grep -q "100" "$work/demo.txt" || fail "triage demo printed no pass rates: $(cat "$work/demo.txt")"
[[ -s .triage/demo.sqlite && -s reports/status.md ]] || fail "triage demo wrote no database or reports"
echo "wheel_test: triage $version from the wheel: --version and demo pass"

# --- The pytest plugin, with reruns and two xdist workers.
project="$work/project"
mkdir -p "$project/tests"
cp "$root/Packaging/tests/test_attempts.py" "$root/Packaging/tests/test_flaky_plugin.py" "$project/tests/"
cd "$project"
stored() { # DB: "tests attempts runs" of the newest run
  "$venv/python" - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
run = db.execute("SELECT MAX(id) FROM run").fetchone()[0]
tests, attempts = db.execute("SELECT COUNT(*), SUM(attempts) FROM result WHERE run_id = ?", (run,)).fetchone()
runs = db.execute("SELECT COUNT(*) FROM run").fetchone()[0]
described = db.execute("""SELECT COUNT(*) FROM attempt a JOIN result r ON r.id = a.result_id
                          WHERE r.run_id = ? AND a.outcome IN ('failed', 'error') AND a.message IS NOT NULL""",
                       (run,)).fetchone()[0]
print(tests, attempts, runs, described)
PY
}
attempts_of() { # DB TEST-NAME: the outcomes of the test's attempts in the newest run, in order
  "$venv/python" - "$1" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
row = db.execute("""SELECT r.id, r.outcome, r.attempts FROM result r JOIN test t ON t.id = r.test_id
                    WHERE r.run_id = (SELECT MAX(id) FROM run) AND t.name = ?""", (sys.argv[2],)).fetchone()
# A failed attempt stored without its message (inferred from an empty element) is marked so.
outcomes = [o + (" (no message)" if o in ("failed", "error") and m is None else "")
            for o, m in db.execute("SELECT outcome, message FROM attempt WHERE result_id = ? ORDER BY seq", (row[0],))]
print(",".join(outcomes or [row[1]] * row[2]))
PY
}

export ATTEMPTS_DIR="$work/attempts-plugin"
mkdir "$ATTEMPTS_DIR"
set +e
pytest -q -p no:flaky -n 2 --reruns 2 tests/test_attempts.py --triage --triage-db="$work/plugin.sqlite" \
  --triage-variant python=3 >"$work/plugin.txt" 2>&1
status=$?
set -e
[[ $status == 1 ]] || fail "pytest --triage exited $status (1 expected: one test always fails): $(tail -20 "$work/plugin.txt")"
grep -q "triage: stored" "$work/plugin.txt" || fail "the plugin did not report storing: $(tail -20 "$work/plugin.txt")"
read -r plugin_tests plugin_attempts plugin_runs plugin_described <<<"$(stored "$work/plugin.sqlite")"
[[ $plugin_runs == 1 ]] || fail "the xdist session became $plugin_runs runs, not one"
[[ $plugin_tests == 9 ]] || fail "the stored run holds $plugin_tests tests, not 9"
[[ $(attempts_of "$work/plugin.sqlite" test_passes_on_third_attempt) == failed,failed,passed ]] ||
  fail "test_passes_on_third_attempt: $(attempts_of "$work/plugin.sqlite" test_passes_on_third_attempt)"
[[ $(attempts_of "$work/plugin.sqlite" test_always_fails) == failed,failed,failed ]] ||
  fail "test_always_fails: $(attempts_of "$work/plugin.sqlite" test_always_fails)"
[[ $(attempts_of "$work/plugin.sqlite" test_setup_error_then_pass) == error,passed ]] ||
  fail "test_setup_error_then_pass: $(attempts_of "$work/plugin.sqlite" test_setup_error_then_pass)"
triage history test_passes_on_third_attempt --db "$work/plugin.sqlite" | grep -q "python=3" ||
  fail "--triage-variant did not reach the stored tests"

# The same session through pytest's own JUnit XML and `triage ingest`.
export ATTEMPTS_DIR="$work/attempts-junitxml"
mkdir "$ATTEMPTS_DIR"
pytest -q -p no:flaky -n 2 --reruns 2 tests/test_attempts.py --junitxml "$work/junit.xml" >"$work/junit.txt" 2>&1 || true
triage ingest "$work/junit.xml" --db "$work/junitxml.sqlite" >/dev/null
read -r junit_tests junit_attempts _ junit_described <<<"$(stored "$work/junitxml.sqlite")"
echo "wheel_test: --reruns 2 -n 2: the plugin stored $plugin_tests tests, $plugin_attempts attempts" \
  "($plugin_described failed attempts with their message); --junitxml + triage ingest stored $junit_tests tests," \
  "$junit_attempts attempts ($junit_described failed attempts with their message)"
echo "wheel_test:   test_passes_on_third_attempt: plugin $(attempts_of "$work/plugin.sqlite" test_passes_on_third_attempt)," \
  "junitxml $(attempts_of "$work/junitxml.sqlite" test_passes_on_third_attempt)"
echo "wheel_test:   test_setup_error_then_pass: plugin $(attempts_of "$work/plugin.sqlite" test_setup_error_then_pass)," \
  "junitxml $(attempts_of "$work/junitxml.sqlite" test_setup_error_then_pass)"
(( plugin_attempts > junit_attempts )) || echo "wheel_test: note: --junitxml kept every attempt too here"
(( plugin_attempts == 14 )) || fail "the plugin stored $plugin_attempts attempts; 14 were made (9 tests, 5 reruns)"
(( plugin_described == 6 )) || fail "the plugin stored $plugin_described failed attempts with a message; 6 failed"

# --- flaky: the failures it retries are never logged; the plugin stores them.
export ATTEMPTS_DIR="$work/attempts-flaky"
mkdir "$ATTEMPTS_DIR"
pytest -q -p no:rerunfailures tests/test_flaky_plugin.py --triage --triage-db="$work/flaky.sqlite" \
  >"$work/flaky.txt" 2>&1 || fail "the flaky session failed: $(tail -20 "$work/flaky.txt")"
[[ $(attempts_of "$work/flaky.sqlite" test_flaky_decorated) == failed,passed ]] ||
  fail "flaky's retried failure was not stored: $(attempts_of "$work/flaky.sqlite" test_flaky_decorated)"
export ATTEMPTS_DIR="$work/attempts-flaky-junitxml"
mkdir "$ATTEMPTS_DIR"
pytest -q -p no:rerunfailures tests/test_flaky_plugin.py --junitxml "$work/flaky.xml" >/dev/null 2>&1 || true
triage ingest "$work/flaky.xml" --db "$work/flaky-junitxml.sqlite" >/dev/null
echo "wheel_test: flaky: the plugin stored $(attempts_of "$work/flaky.sqlite" test_flaky_decorated);" \
  "--junitxml + triage ingest stored $(attempts_of "$work/flaky-junitxml.sqlite" test_flaky_decorated)"

# A separate PATH after --triage-db would change pytest's root folder, and every test id, once the
# database exists: it is refused.
pytest -q tests/test_attempts.py::test_passes --triage --triage-db "$work/plugin.sqlite" >"$work/usage.txt" 2>&1 &&
  fail "--triage-db PATH (two words) was accepted"
grep -q "write --triage-db=PATH" "$work/usage.txt" || fail "no usage error for --triage-db PATH: $(cat "$work/usage.txt")"

# --- Quarantine from the database: xfail with the reason and owner; the session passes.
triage quarantine add test_always_fails --reason "redis 7 upgrade" --owner alice --db "$work/plugin.sqlite" >/dev/null
# It was stored under python=3 only, so it is quarantined in sessions of that variant only.
pytest -q -p no:flaky tests/test_attempts.py::test_always_fails --triage-quarantine \
  --triage-db="$work/plugin.sqlite" >/dev/null 2>&1 && fail "quarantined on python=3, it was xfail without a variant"
pytest -q -rxX -p no:flaky tests/test_attempts.py::test_always_fails --triage-quarantine \
  --triage-db="$work/plugin.sqlite" --triage-variant python=3 >"$work/quarantine.txt" 2>&1 ||
  fail "the quarantined test still failed the session: $(tail -20 "$work/quarantine.txt")"
grep -q "XFAIL.*test_always_fails.*redis 7 upgrade (owner alice)" "$work/quarantine.txt" ||
  fail "no xfail with reason and owner: $(tail -20 "$work/quarantine.txt")"
echo "wheel_test: plugin: reruns, xdist, flaky and quarantine pass"
