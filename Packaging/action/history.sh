#!/usr/bin/env bash
# Action step: where the history lives, and the cache keys that carry it between runs.
# Outputs: db (the --db value), cache (true when a file path is kept in the Actions cache),
# folder (what is cached: the database's whole folder, as its -wal file belongs to it), key and
# restore-keys (the newest history of this job and variant on this branch, else on the default
# branch).
set -euo pipefail
db=${INPUT_DB:-}
output=${GITHUB_OUTPUT:?}
if [[ $db == *://* ]]; then
  { echo "db=$db"; echo "cache=false"; } >>"$output"
  exit 0
fi
db=${db:-.triage/triage.sqlite}
folder=$(dirname "$db")
# One history per job and variant: two legs of a matrix saving under one key would collide.
variant=$(printf '%s' "${INPUT_VARIANT:-}" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
scope="triage-${GITHUB_JOB:-job}${variant:+-$(printf '%s' "$variant" | cksum | cut -d' ' -f1)}"
branch=${GITHUB_HEAD_REF:-${GITHUB_REF_NAME:-main}}
{
  echo "db=$db"
  echo "cache=true"
  echo "folder=$folder"
  echo "key=$scope-$branch-${GITHUB_RUN_ID:-0}-${GITHUB_RUN_ATTEMPT:-1}"
  echo "restore-keys<<TRIAGE_EOF"
  echo "$scope-$branch-"
  if [[ -n ${DEFAULT_BRANCH:-} && $DEFAULT_BRANCH != "$branch" ]]; then echo "$scope-$DEFAULT_BRANCH-"; fi
  echo "TRIAGE_EOF"
} >>"$output"
