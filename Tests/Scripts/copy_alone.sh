#!/usr/bin/env bash
# What a CI cache of the database file alone would save. Two ordeals:
#  1. near-full disks (needs root to mount a 3 MB tmpfs; skipped otherwise): two runs stored,
#     the disk filled to leave FREE KiB (50…800), a third ingest; after each, the exit code,
#     and whether a copy of the database file alone, and of its whole folder, is whole and
#     holds the runs. An exit 0 with a broken or incomplete file alone is a failure.
#  2. kills: `kill -9` of `triage ingest` (CASES tests) at random moments, KILLS times; after
#     each, a copy of the file alone and of the folder are checked the same way.
# Usage: Tests/Scripts/copy_alone.sh [KILLS] [CASES]
# TRIAGE_BIN names a built binary; otherwise a release build is made.
set -uo pipefail
cd "$(dirname "$0")/../.."
kills=${1:-40}; cases=${2:-20000}
shared=${SHARED:-../shared}
work=$(mktemp -d)
mnt=$work/disk
cleanup() { mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"; rm -rf "$work"; }
trap cleanup EXIT
if [[ -z "${TRIAGE_BIN:-}" ]]; then
  swift build -c release --product triage >/dev/null
  TRIAGE_BIN=.build/release/triage
fi
bin=$TRIAGE_BIN
check() { sqlite3 "$1" 'PRAGMA integrity_check; SELECT group_concat(run_key) FROM (SELECT run_key FROM run ORDER BY run_key)' 2>&1 | tr '\n' ' '; }

for k in 0 1 2; do python3 "$shared/bench/gen_junit.py" 2000 --run "$k" > "$work/r$k.xml"; done
bad=0

mkdir -p "$mnt"
if [[ -z "${SKIP_DISK:-}" ]] && mount -t tmpfs -o size=3m tmpfs "$mnt" 2>/dev/null; then
  echo "near-full disk (3 MB tmpfs): free KiB before the third ingest -> exit, file alone, whole folder"
  for free in $(seq 50 50 800); do
    rm -rf "${mnt:?}"/*
    "$bin" ingest --db "$mnt/h.sqlite" --run-id a "$work/r0.xml" >/dev/null
    "$bin" ingest --db "$mnt/h.sqlite" --run-id b "$work/r1.xml" >/dev/null
    avail=$(df --output=avail -B1 "$mnt" | tail -1)
    head -c $((avail - free * 1024)) /dev/zero > "$mnt/filler" 2>/dev/null
    "$bin" ingest --db "$mnt/h.sqlite" --run-id c "$work/r2.xml" >/dev/null 2>"$work/err"; rc=$?
    rm -rf "$work/alone" "$work/folder"; mkdir "$work/alone" "$work/folder"
    cp "$mnt/h.sqlite" "$work/alone/"; cp "$mnt"/h.sqlite* "$work/folder/" 2>/dev/null
    alone=$(check "$work/alone/h.sqlite"); folder=$(check "$work/folder/h.sqlite")
    echo "  $free: exit $rc; alone: $alone; folder: $folder"
    if [[ $rc == 0 && "$alone" != "ok a,b,c " ]]; then bad=$((bad + 1)); echo "    exit 0 but the file alone is not whole"; fi
    if [[ "$folder" != ok* ]]; then bad=$((bad + 1)); echo "    the folder is not whole"; fi
  done
  umount "$mnt"
else
  echo "near-full disk: skipped (cannot mount a tmpfs; needs root)"
fi

python3 "$shared/bench/gen_junit.py" "$cases" --run 99 > "$work/big.xml"
db=$work/kill/h.sqlite
mkdir -p "$work/kill"
"$bin" ingest --db "$db" --run-id a "$work/r0.xml" >/dev/null
start=$(date +%s%N)
cp "$db" "$work/timing.sqlite"
"$bin" ingest --db "$work/timing.sqlite" --run-id big "$work/big.xml" >/dev/null
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "kills: one ingest of $cases tests takes ${full_ms} ms; $kills kills at random moments up to 110% of it"
alone_bad=0; folder_bad=0; stored=0
for i in $(seq 1 "$kills"); do
  rm -f "$db"*; "$bin" ingest --db "$db" --run-id a "$work/r0.xml" >/dev/null
  delay_ms=$(( RANDOM * RANDOM % (full_ms * 110 / 100 + 1) ))
  "$bin" ingest --db "$db" --run-id big "$work/big.xml" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  rm -rf "$work/alone" "$work/folder"; mkdir "$work/alone" "$work/folder"
  cp "$db" "$work/alone/"; cp "$db"* "$work/folder/" 2>/dev/null
  alone=$(check "$work/alone/h.sqlite"); folder=$(check "$work/folder/h.sqlite")
  [[ "$alone" == ok* ]] || { alone_bad=$((alone_bad + 1)); echo "  kill $i (${delay_ms} ms): file alone: $alone; folder: $folder"; }
  [[ "$folder" == ok* ]] || folder_bad=$((folder_bad + 1))
  [[ "$folder" == *big* ]] && stored=$((stored + 1))
  [[ -n "${VERBOSE:-}" ]] && echo "  kill $i (${delay_ms} ms): alone: $alone; folder: $folder"
done
echo "kills: $kills; the run was committed before $stored of them; file alone broken after $alone_bad, whole folder broken after $folder_bad"
[[ $folder_bad == 0 ]] || bad=$((bad + 1))
exit $((bad > 0))
