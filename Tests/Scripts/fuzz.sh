#!/usr/bin/env bash
# Fuzzes format detection and every parser with libFuzzer for SECONDS (default 300).
# The fuzz target lives in its own package (Tests/Fuzz) so that plain `swift build` and
# `swift test` never link a libFuzzer entry point. Seeds: every fixture under
# Tests/TriageKitTests/Fixtures. Crashes are written to Tests/Fuzz/artifacts/.
# Usage: Tests/Scripts/fuzz.sh [SECONDS] [extra libFuzzer flags…]
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"
seconds=${1:-300}; shift || true
# Fuzzer only: with swiftc 6.3, adding -sanitize=address drops the coverage
# instrumentation and libFuzzer runs blind ("corp: 1/1b"). Swift traps on overflows, bad
# unwraps and out-of-bounds reads by itself; libxml2 is the system's, built without ASan.
swift build -c release --disable-dead-strip -Xswiftc -sanitize=fuzzer --product triage-fuzz >&2
corpus=.build/corpus
mkdir -p "$corpus" artifacts
find ../TriageKitTests/Fixtures -type f \( -name '*.xml' -o -name '*.trx' \) -exec cp {} "$corpus"/ \;
# -rss_limit_mb and -timeout turn unbounded memory and hangs into reported failures.
.build/release/triage-fuzz "$corpus" -max_total_time="$seconds" -max_len=65536 \
  -rss_limit_mb=2048 -timeout=10 -artifact_prefix=artifacts/ -print_final_stats=1 "$@"
