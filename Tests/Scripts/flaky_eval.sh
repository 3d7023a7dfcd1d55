#!/usr/bin/env bash
# Precision and recall of `triage flaky` on a generated history:
# RUNS runs of TESTS tests from ../shared/bench/gen_junit.py (each run its own commit).
# Usage: Tests/Scripts/flaky_eval.sh [TESTS] [RUNS]   (defaults 2000 50)
set -euo pipefail
cd "$(dirname "$0")/../.."
tests=${1:-2000}; runs=${2:-50}
shared=${SHARED:-../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "work folder: $work"
swift build -c release --product triage >/dev/null
bin=.build/release/triage
for k in $(seq 0 $((runs - 1))); do
  python3 "$shared/bench/gen_junit.py" "$tests" --run "$k" > "$work/run$k.xml"
  "$bin" ingest --db "$work/h.sqlite" --run-id "gen-$k" --commit "commit-$k" --branch main "$work/run$k.xml" >/dev/null
done
start=$(date +%s.%N)
"$bin" flaky --db "$work/h.sqlite" --window "$runs" --format json > "$work/flaky.json"
end=$(date +%s.%N)
python3 - "$work/flaky.json" "$tests" <<'PY'
import json, random, sys
report = json.load(open(sys.argv[1])); n = int(sys.argv[2]); seed = 1; fail_rate = 0.15
names = random.Random(seed)
truth_flaky, truth_broken = set(), set()
for idx in range(n):
    cls = f"tests.integration.test_area_{idx // 200}.TestGroup{idx % 7}"
    name = f"test_case_{idx}_{names.randrange(1 << 20):05x}"
    char = random.Random(seed * 1000003 + idx).random()
    if char > 0.97: continue          # always skipped
    if char < fail_rate * 0.5: truth_broken.add(f"{cls}::{name}")
    elif char < fail_rate: truth_flaky.add(f"{cls}::{name}")
found_flaky = {t["test"] for t in report["tests"] if t["state"] == "flaky"}
found_broken = {t["test"] for t in report["tests"] if t["state"] == "broken"}
tp = len(found_flaky & truth_flaky)
precision = tp / len(found_flaky) if found_flaky else 0.0
recall = tp / len(truth_flaky) if truth_flaky else 1.0
print(f"flaky: truth {len(truth_flaky)}, found {len(found_flaky)}, precision {precision:.3f}, recall {recall:.3f}")
print(f"always-failing tests called flaky: {len(found_flaky & truth_broken)} of {len(truth_broken)}; called broken: {len(found_broken & truth_broken)}")
PY
echo "triage flaky took $(echo "$end - $start" | bc) s"
