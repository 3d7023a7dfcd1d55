import TriageModel

extension TriageDatabase {
    /// Per cluster, what retries did for its failures: failing results with an attempt in the
    /// cluster (teardown reports left out), how many of them were retried (a later attempt
    /// followed the failing one in the same run), and how many of those passed on a later
    /// attempt. Over the newest `lastRuns` runs, or all when nil.
    package func retryEvidence(lastRuns: Int?) throws -> [RetryEvidence] {
        try read { db in
            var window = ""
            var arguments: SQLArguments = []
            if let lastRuns {
                window = "AND r.run_id IN (SELECT id FROM run ORDER BY run_at DESC, id DESC LIMIT ?)"
                arguments = [lastRuns]
            }
            return try db.fetchAll(sql: """
                    WITH hit AS (
                        SELECT a.cluster_id, r.id AS result_id, r.test_id, r.run_id,
                            MAX(CASE WHEN EXISTS (SELECT 1 FROM attempt later WHERE later.result_id = r.id AND later.seq > a.seq
                                        AND later.kind IN ('run', 'retry')) THEN 1 ELSE 0 END) AS retried,
                            MAX(CASE WHEN EXISTS (SELECT 1 FROM attempt later WHERE later.result_id = r.id AND later.seq > a.seq
                                        AND later.kind IN ('run', 'retry') AND later.outcome = 'passed') THEN 1 ELSE 0 END) AS rescued
                        FROM attempt a JOIN result r ON r.id = a.result_id
                        WHERE a.cluster_id IS NOT NULL AND a.outcome IN ('failed', 'error') AND a.kind IN ('run', 'retry')
                            \(window)
                        GROUP BY a.cluster_id, r.id, r.test_id, r.run_id
                    )
                    SELECT c.id, c.category, c.detail, c.template, COUNT(*) AS failures, SUM(hit.retried) AS retried,
                        SUM(hit.rescued) AS rescued, COUNT(DISTINCT hit.test_id) AS tests, COUNT(DISTINCT hit.run_id) AS runs
                    FROM hit JOIN failure_cluster c ON c.id = hit.cluster_id
                    GROUP BY c.id ORDER BY c.id
                    """, arguments: arguments
            ).map { row in
                RetryEvidence(
                    cluster: try StoredCluster(row: row), failures: row["failures"] ?? 0, retried: row["retried"] ?? 0,
                    passedOnRetry: row["rescued"] ?? 0, tests: row["tests"] ?? 0, runs: row["runs"] ?? 0)
            }
        }
    }
}
