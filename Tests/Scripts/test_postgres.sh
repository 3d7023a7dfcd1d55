#!/usr/bin/env bash
# The suites that exercise the store, run again on PostgreSQL: every history they make is a new
# database on the server Tests/Scripts/with_postgres.sh started. Tests of SQLite's own file
# handling (WAL, damaged files, vacuum) stay on the SQLite leg.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ -z "${TRIAGE_TEST_POSTGRES_ADMIN:-}" ]]; then
  echo "test_postgres.sh: no PostgreSQL server (run it under Tests/Scripts/with_postgres.sh)" >&2
  exit 1
fi
suites=(
  ClusterStoreTests HistoryTests RemediationTests IngestTests TestIdentityTests IngestScaleTests
  OneClusterPerCauseTests CICommandTests DailyUseCommandTests IdentityCommandTests QuarantineCommandTests
  RemediationCommandTests RootCauseCommandTests RulesThatStickTests PruneCommandTests IngestCommandTests
  PostgresCommandTests PostgresLiveTests PostgresSchemaUpgradeTests PostgresPruneTests SlowTestsTests
)
filter="$(IFS='|'; echo "${suites[*]}")"
TRIAGE_TEST_BACKEND=postgresql swift test --skip-build --filter "^(TriageKitTests|TriageCLITests)\.($filter)/" "$@"
