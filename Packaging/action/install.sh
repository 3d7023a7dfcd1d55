#!/usr/bin/env bash
# Action step: installs triage into its own virtualenv (runner images refuse system-wide pip
# installs) and puts its bin folder on PATH for the later steps.
set -euo pipefail
if [[ -z ${INPUT_PACKAGE:-} ]]; then
  command -v triage >/dev/null || { echo "::error title=triage::package is empty and no triage is on PATH"; exit 2; }
  exit 0
fi
venv="${RUNNER_TEMP:?}/triage-venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$INPUT_PACKAGE"
"$venv/bin/triage" --version
echo "$venv/bin" >>"${GITHUB_PATH:?}"
