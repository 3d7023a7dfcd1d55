#!/usr/bin/env bash
# Example: a plain shell CI step (Jenkins, Buildkite, cron). Keep TRIAGE_DB on storage that
# outlives the job (a shared volume, or copy its whole folder from and back to an artifact store:
# the -wal file beside the database holds its last writes if a step was killed).
# triage comes from the wheel (pip install triage_cli-….whl) or a release binary on PATH.
# Usage: ci-step.sh [RESULTS_GLOB]
set -u
export TRIAGE_DB=${TRIAGE_DB:-$HOME/.triage/history.sqlite}
triage ci "${1:-test-results/**/*.xml}" --fail-on new-failures --summary triage-summary.md --json triage.json
status=$?
# 0: gate passed; 1: gate failed (see triage-summary.md); 2 and up: triage itself failed.
exit $status
