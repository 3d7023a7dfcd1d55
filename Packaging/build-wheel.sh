#!/usr/bin/env bash
# Builds the wheel into dist/: the release binary (stripped) as the `triage` command, and the
# triage_cli package with its pytest plugin. TRIAGE_BIN=PATH uses a binary built before
# (it is checked the same way). Prints the wheel's path on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${TRIAGE_BIN:-$(bash Packaging/build-release.sh)}
bash Packaging/build-release.sh --check "$binary"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$binary" "$work/triage"
# Debug symbols are most of the binary; the wheel ships without them.
strip=$(command -v strip || command -v llvm-strip || true)
if [[ -n $strip ]]; then "$strip" "$work/triage"; fi
python3 Packaging/make_wheel.py "$work/triage" dist
