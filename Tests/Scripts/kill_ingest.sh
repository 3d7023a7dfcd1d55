#!/usr/bin/env bash
# Crash safety: kills -9 the ingest of a large JUnit file (200k tests by default) at random
# moments, KILLS times (default 60). After every kill: PRAGMA integrity_check is ok, no
# foreign key is broken, the interrupted run is absent and every earlier run is unchanged
# (same ids, keys, totals and row counts). At the end the same ingest runs to completion.
# Usage: Tests/Scripts/kill_ingest.sh [KILLS] [CASES]
# TRIAGE_BIN names a built binary; otherwise a release build is made.
set -euo pipefail
cd "$(dirname "$0")/../.."
kills=${1:-60}; cases=${2:-200000}
shared=${SHARED:-../shared}
here=Tests/Scripts
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -z "${TRIAGE_BIN:-}" ]]; then
  swift build -c release --product triage >/dev/null
  TRIAGE_BIN=.build/release/triage
fi
bin=$TRIAGE_BIN
db=$work/history.sqlite

python3 "$shared/bench/gen_junit.py" "$cases" --run 99 > "$work/big.xml"
for k in 0 1 2; do
  python3 "$shared/bench/gen_junit.py" 500 --run "$k" > "$work/small$k.xml"
  "$bin" ingest --db "$db" --run-id "earlier-$k" "$work/small$k.xml" >/dev/null
done
before=$(python3 "$here/db_check.py" "$db")
# A snapshot to go back to when an ingest completed before its kill (see below).
python3 -c "import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))" "$db" "$work/snapshot.sqlite"
restore() { rm -f "$db" "$db-wal" "$db-shm"; cp "$work/snapshot.sqlite" "$db"; }

# How long one full ingest takes, to spread the kills over it (on a copy of the database).
cp "$db" "$work/timing.sqlite"
start=$(date +%s%N)
"$bin" ingest --db "$work/timing.sqlite" --run-id big "$work/big.xml" >/dev/null
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
complete=$(python3 "$here/db_check.py" "$work/timing.sqlite")
rm -f "$work"/timing.sqlite*
echo "one full ingest of $cases tests: ${full_ms} ms; killing $kills times at random moments within it"

killed=0; finished=0; after_commit=0
for i in $(seq 1 "$kills"); do
  delay_ms=$(( RANDOM * RANDOM % (full_ms * 95 / 100 + 1) ))
  "$bin" ingest --db "$db" --run-id big "$work/big.xml" >/dev/null 2>"$work/err" &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    killed=$((killed + 1))
  else
    # It finished before the kill: a completed run, which this ordeal is not about.
    wait "$pid" || { echo "ingest failed: $(cat "$work/err")"; exit 1; }
    finished=$((finished + 1))
    echo "kill $i: the ingest finished first (delay ${delay_ms} ms); restoring the snapshot" >&2
    restore
    continue
  fi
  after=$(python3 "$here/db_check.py" "$db") || { echo "kill $i (after ${delay_ms} ms): integrity check failed: $after"; exit 1; }
  # Rows of test identities and clusters are shared between runs; only the run-owned parts
  # must be exactly as before. The fingerprint covers all tables, so compare it whole.
  if [[ "$after" == "$complete" ]]; then
    # Killed after the commit (while closing): the whole run is there, which is allowed.
    after_commit=$((after_commit + 1)); killed=$((killed - 1))
    restore
    continue
  fi
  if [[ "$after" != "$before" ]]; then
    echo "kill $i (after ${delay_ms} ms): the database changed"; echo "before: $before"; echo "after:  $after"; exit 1
  fi
done

"$bin" ingest --db "$db" --run-id big "$work/big.xml" >/dev/null
final=$(python3 "$here/db_check.py" "$db")
python3 - "$before" "$final" "$cases" <<'PY'
import json, sys
before, final, cases = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
assert final["runs"][:len(before["runs"])] == before["runs"], "earlier runs changed"
big = final["runs"][-1]
assert big[1] == "big" and big[2] > 0, f"the final ingest is missing: {big}"
print(f"final ingest: run {big[0]} with {big[2]} tests; earlier runs unchanged; integrity ok")
PY
echo "kill_ingest: $killed kills -9 during the ingest (+$after_commit after its commit: run complete; +$finished finished before the kill); after each: integrity ok, interrupted run absent, $(python3 -c "import json,sys; print(len(json.loads(sys.argv[1])['runs']))" "$before") earlier runs unchanged"
