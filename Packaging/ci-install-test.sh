#!/usr/bin/env bash
# The install test for .ci/run: builds the release binary (Swift runtime and Foundation linked in)
# and the wheel, then installs the wheel into a new virtualenv and runs `triage --version`,
# `triage demo` and the pytest plugin (Tests/Scripts/wheel_test.sh), and runs the GitHub Action
# against a fake runner (Tests/Scripts/action_test.sh). Needs python3 with venv and the package
# index (pytest, pytest-rerunfailures, pytest-xdist, flaky, pyyaml).
# TRIAGE_BIN=PATH skips the build and packs that binary (checked the same way).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  apt-get update -qq && apt-get install -y -qq python3-venv
fi
rm -f dist/triage_cli-*.whl
start=$SECONDS
wheel=$(bash Packaging/build-wheel.sh)
echo "ci-install-test: built $(basename "$wheel") ($(du -h "$wheel" | cut -f1)) in $((SECONDS - start)) s"
bash Tests/Scripts/wheel_test.sh "$wheel"
bash Tests/Scripts/action_test.sh "$wheel"
echo "ci-install-test: passed in $((SECONDS - start)) s"
