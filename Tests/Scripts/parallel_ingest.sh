#!/usr/bin/env bash
# Parallel writers: WRITERS processes (default 8) ingest different files into one database at
# the same moment, ROUNDS times (default 5). Every ingest must exit 0, no "database is locked"
# (or any other message) may reach stderr, every run must be stored exactly once with the
# totals of its file, and the database must pass integrity_check.
# Usage: Tests/Scripts/parallel_ingest.sh [WRITERS] [ROUNDS] [CASES]
set -euo pipefail
cd "$(dirname "$0")/../.."
writers=${1:-8}; rounds=${2:-5}; cases=${3:-5000}
shared=${SHARED:-../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -z "${TRIAGE_BIN:-}" ]]; then
  swift build -c release --product triage >/dev/null
  TRIAGE_BIN=.build/release/triage
fi
bin=$TRIAGE_BIN
db=$work/history.sqlite
"$bin" runs --db "$db" >/dev/null
for r in $(seq 1 "$rounds"); do
  for w in $(seq 1 "$writers"); do
    python3 "$shared/bench/gen_junit.py" "$cases" --seed "$w" --run "$r" > "$work/r$r-w$w.xml"
  done
  pids=()
  for w in $(seq 1 "$writers"); do
    "$bin" ingest --db "$db" --run-id "round$r-writer$w" "$work/r$r-w$w.xml" >"$work/out$w" 2>"$work/err$w" &
    pids+=($!)
  done
  for w in $(seq 1 "$writers"); do
    if ! wait "${pids[$((w - 1))]}"; then echo "round $r writer $w failed: $(cat "$work/err$w")"; exit 1; fi
    if [[ -s "$work/err$w" ]]; then echo "round $r writer $w wrote to stderr: $(cat "$work/err$w")"; exit 1; fi
  done
done
python3 - "$db" "$writers" "$rounds" "$work" "$bin" <<'PY'
import json, sqlite3, subprocess, sys
path, writers, rounds, work, binary = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
db = sqlite3.connect(path)
assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
keys = [k for (k,) in db.execute("SELECT run_key FROM run")]
expected = {f"round{r}-writer{w}" for r in range(1, rounds + 1) for w in range(1, writers + 1)}
assert len(keys) == len(set(keys)) == len(expected) and set(keys) == expected, f"runs: {sorted(keys)}"
for r in range(1, rounds + 1):
    for w in range(1, writers + 1):
        parsed = json.loads(subprocess.check_output([binary, "parse", f"{work}/r{r}-w{w}.xml"]))
        totals = parsed["files"][0]["totals"]
        stored = db.execute("SELECT tests, passed, failed, errors, skipped FROM run WHERE run_key = ?",
                            (f"round{r}-writer{w}",)).fetchone()
        assert stored == (totals["tests"], totals["passed"], totals["failed"], totals["errors"], totals["skipped"]), (r, w, stored, totals)
print(f"parallel_ingest: {rounds} rounds x {writers} writers = {len(keys)} runs, each stored once with its file's totals; no lock error; integrity ok")
PY
