#!/usr/bin/env bash
# Precision and recall of `triage flaky` on confounded histories from confounded_history.py
# (regressions and their fixes, never-fixed regressions, outages, re-runs of one commit, tests
# added half-way, flaky tests at 20-50% and 3-10%, retry-only flaky tests), per seed, beside
# the plain rule "passed and failed within the last 20 runs, outage runs left out".
# Usage: Tests/Scripts/flaky_eval_confounded.sh [SEED...]   (default seeds 1 2 3)
# Environment: TESTS (1000), RUNS (60), GEN_ARGS (more generator options),
#              BIN (a triage binary to use instead of building release), KEEP=1 keeps the files.
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds=("$@"); [ ${#seeds[@]} -eq 0 ] && seeds=(1 2 3)
tests=${TESTS:-1000}; runs=${RUNS:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "work folder: $work"
if [ -z "${BIN:-}" ]; then
  swift build -c release --product triage >/dev/null
  bin=.build/release/triage
else
  bin=$BIN
fi
for seed in "${seeds[@]}"; do
  dir="$work/seed$seed"
  # shellcheck disable=SC2086
  python3 Tests/Scripts/confounded_history.py "$dir" --seed "$seed" --tests "$tests" --runs "$runs" ${GEN_ARGS:-}
  python3 - "$dir/truth.json" > "$dir/runs.txt" <<'PY'
import json, sys
for run in json.load(open(sys.argv[1]))["runs"]:
    print(run["run"], run["commit"], run["file"])
PY
  while read -r run commit file; do
    "$bin" ingest --db "$dir/h.sqlite" --run-id "$run" --commit "$commit" --branch main "$dir/$file" >/dev/null
  done < "$dir/runs.txt"
  "$bin" flaky --db "$dir/h.sqlite" --window "$runs" --format json > "$dir/flaky.json"
  echo "== seed $seed: $tests tests, $runs runs"
  python3 - "$dir/truth.json" "$dir/flaky.json" <<'PY'
import json, sys
from collections import Counter, defaultdict
truth = json.load(open(sys.argv[1])); report = json.load(open(sys.argv[2]))
FLAKY = {"flaky-high", "flaky-low", "flaky-retry"}
verdict = {t["test"]: t["state"] for t in report["tests"]}
outage = [r["outage"] for r in truth["runs"]]

def baseline(outcomes):
    """Passed and failed within the last 20 runs (outage runs left out); a retry is both."""
    kept = [o for o, down in zip(outcomes, outage) if not down][-20:]
    return any(o in "PR" for o in kept) and any(o in "FR" for o in kept)

def scores(found, truth_set):
    tp = len(found & truth_set)
    p = tp / len(found) if found else 1.0
    r = tp / len(truth_set) if truth_set else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)

tests = truth["tests"]
# Only tests present in the newest run are judged (the others are left out by design).
judged = {name: t for name, t in tests.items() if t["outcomes"][-1] != "-"}
truth_flaky = {n for n, t in judged.items() if t["class"] in FLAKY}
found = {n for n in judged if verdict.get(n) == "flaky"}
base = {n for n, t in judged.items() if baseline(t["outcomes"])}
print(f"runs left out by triage as infrastructure: {len(report['infrastructureRuns'])} "
      f"(truth: {sum(outage)} outages)")
table = defaultdict(Counter)
for name, t in judged.items():
    table[t["class"]][verdict.get(name, "stable")] += 1
states = ["flaky", "broken", "recovered", "stable"]
print(f"{'true class':20} {'tests':>5} " + " ".join(f"{s:>9}" for s in states) + "  baseline-flaky")
order = ["flaky-high", "flaky-low", "flaky-retry", "regression-fixed", "regression-unfixed", "stable"]
for cls in order:
    names = [n for n, t in judged.items() if t["class"] == cls]
    row = table[cls]
    print(f"{cls:20} {len(names):5} " + " ".join(f"{row[s]:9}" for s in states)
          + f"  {sum(n in base for n in names):14}")
for label, chosen in (("triage flaky", found), ("baseline rule", base)):
    p, r, f = scores(chosen, truth_flaky)
    print(f"{label:14} flaky: precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
for cls in sorted(FLAKY):
    names = {n for n, t in judged.items() if t["class"] == cls}
    print(f"  recall {cls:12} triage {len(found & names) / max(1, len(names)):.3f}  "
          f"baseline {len(base & names) / max(1, len(names)):.3f}")
# What a detector could see at all: flaky tests with under two failures or retries outside outages.
quiet = [n for n in truth_flaky
         if sum(o in "FR" for o, down in zip(judged[n]["outcomes"], outage) if not down) < 2]
print(f"  flaky tests with fewer than 2 failed runs outside outages: {len(quiet)} "
      f"(of them called flaky: {sum(n in found for n in quiet)})")
regressions = {n for n, t in judged.items() if t["class"].startswith("regression")}
print(f"regressions called flaky: {len(found & regressions)} of {len(regressions)}")
for state, cls in (("broken", "regression-unfixed"), ("recovered", "regression-fixed")):
    chosen = {n for n in judged if verdict.get(n) == state}
    names = {n for n, t in judged.items() if t["class"] == cls}
    p, r, f = scores(chosen, names)
    print(f"{state:9} vs {cls:18}: precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
PY
done
