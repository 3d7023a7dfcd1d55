import Foundation
import TriageModel

/// The reads behind the CI gate's baseline: runs of one CI job, and a job's history of a test.
extension TriageDatabase {
    /// The newest run before `runID` on `branch` that the same job wrote (`job` nil: runs
    /// without a job) in another build, in run-time order. Runs of the same build are its other
    /// shards, which ran other tests at the same time.
    package func latestRun(before runID: Int64, branch: String, job: String?) throws -> Int64? {
        try read { db in
            guard
                let current = try db.fetchOne(sql: "SELECT run_at, ci_provider, build_id FROM run WHERE id = ?", arguments: [runID]),
                let at = current["run_at"] as String?
            else { return nil }
            let provider: String? = current["ci_provider"]
            let build: String? = current["build_id"]
            return try db.fetchOne(Int64.self, sql: """
                    SELECT id FROM run WHERE (run_at < ? OR (run_at = ? AND id < ?)) AND branch = ? AND COALESCE(job, '') = COALESCE(?, '')
                      AND (CAST(? AS TEXT) IS NULL OR NOT (COALESCE(ci_provider, '') = COALESCE(?, '') AND COALESCE(build_id, '') = COALESCE(?, '')))
                    ORDER BY run_at DESC, id DESC LIMIT 1
                    """, arguments: [at, at, runID, branch, job, build, provider, build])
        }
    }

    /// Whether the job has any run on `branch`.
    package func hasRun(branch: String, job: String?) throws -> Bool {
        try read { db in
            try db.fetchOne(Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM run WHERE branch = ? AND COALESCE(job, '') = COALESCE(?, ''))", arguments: [branch, job])
                ?? false
        }
    }

    /// Tests failing in `runID` that the baseline did not run, but whose latest earlier result
    /// in the job's history (any branch) was a failure too: not new failures. A shard's
    /// baseline can be another shard of the job, which ran other tests.
    package func failingBeforeInJob(runID: Int64, baseline: Int64, job: String?) throws -> Set<String> {
        try read { db in
            guard let at = try db.fetchOne(String.self, sql: "SELECT run_at FROM run WHERE id = ?", arguments: [runID])
            else { return [] }
            let rows = try db.fetchAll(sql: """
                    SELECT t.suite_path, t.classname, t.name, t.variant,
                        (SELECT p.outcome FROM result p JOIN run pr ON pr.id = p.run_id
                         WHERE p.test_id = r.test_id AND COALESCE(pr.job, '') = COALESCE(?, '') AND pr.id != r.run_id
                           AND (pr.run_at < ? OR (pr.run_at = ? AND pr.id < r.run_id))
                         ORDER BY pr.run_at DESC, pr.id DESC LIMIT 1) AS previous
                    FROM result r JOIN test t ON t.id = r.test_id
                    WHERE r.run_id = ? AND r.outcome IN ('failed', 'error')
                      AND NOT EXISTS (SELECT 1 FROM result b WHERE b.run_id = ? AND b.test_id = r.test_id)
                    """, arguments: [job, at, at, runID, baseline])
            return try Set(
                rows.filter { ["failed", "error"].contains($0["previous"] as String?) }.map { row in
                    try TestIdentity(row: row).displayID
                })
        }
    }
}
