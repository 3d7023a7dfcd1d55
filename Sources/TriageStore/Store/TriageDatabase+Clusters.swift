import Foundation
import TriageModel

/// A failure cluster with how often it occurs: what `triage clusters` lists.
public struct ClusterSummary: Codable, Sendable, Equatable {
    public var id: String
    public var category: String
    public var detail: String?
    /// The masked primary error line.
    public var title: String
    /// Failing results (a test in a run) whose decisive failure is in this cluster.
    public var failures: Int
    public var tests: Int
    public var runs: Int
    public var firstSeenRun: Int64
    public var lastSeenRun: Int64
    /// Failures per run over the newest runs, oldest first.
    public var recent: [Int]
    /// A sparkline of `recent`, scaled to its maximum.
    public var trend: String

    package init(id: String, category: String, detail: String? = nil, title: String, failures: Int, tests: Int, runs: Int, firstSeenRun: Int64, lastSeenRun: Int64, recent: [Int], trend: String) {
        self.id = id
        self.category = category
        self.detail = detail
        self.title = title
        self.failures = failures
        self.tests = tests
        self.runs = runs
        self.firstSeenRun = firstSeenRun
        self.lastSeenRun = lastSeenRun
        self.recent = recent
        self.trend = trend
    }
}

/// One cluster in detail: what `triage clusters show` prints.
public struct ClusterDetail: Codable, Sendable, Equatable {
    public struct AffectedTest: Codable, Sendable, Equatable {
        public var test: String
        public var failures: Int
        public var lastRun: Int64

        package init(test: String, failures: Int, lastRun: Int64) {
            self.test = test
            self.failures = failures
            self.lastRun = lastRun
        }
    }

    public struct RunCount: Codable, Sendable, Equatable {
        public var runID: Int64
        public var failures: Int

        package init(runID: Int64, failures: Int) {
            self.runID = runID
            self.failures = failures
        }
    }

    public var summary: ClusterSummary
    public var rulesVersion: String
    public var examples: [String]
    public var tests: [AffectedTest]
    /// Failures per run over the newest runs, oldest first.
    public var history: [RunCount]

    package init(summary: ClusterSummary, rulesVersion: String, examples: [String], tests: [AffectedTest], history: [RunCount]) {
        self.summary = summary
        self.rulesVersion = rulesVersion
        self.examples = examples
        self.tests = tests
        self.history = history
    }
}

extension TriageDatabase {
    /// Clusters with failures, most failures first.
    public func clusterSummaries(recentRuns: Int = 20) throws -> [ClusterSummary] {
        try read { db in
            let recent = try db.fetchAll(Int64.self, sql: "SELECT id FROM run ORDER BY run_at DESC, id DESC LIMIT ?", arguments: [recentRuns]
            ).reversed()
            let perRun = try db.fetchAll(sql: """
                    SELECT cluster_id, run_id, COUNT(*) AS n FROM result
                    WHERE cluster_id IS NOT NULL AND outcome IN ('failed', 'error')
                        AND run_id IN (\(sqlPlaceholders(count: max(1, recent.count))))
                    GROUP BY cluster_id, run_id
                    """, arguments: recent.isEmpty ? [0] : SQLArguments(Array(recent)))
            var counts: [String: [Int64: Int]] = [:]
            for row in perRun {
                counts[try row.required("cluster_id", of: "result"), default: [:]][try row.required("run_id", of: "result")] = row["n"]
            }
            return try db.fetchAll(sql: """
                    SELECT c.id, c.category, c.detail, c.template, COUNT(*) AS failures, COUNT(DISTINCT r.test_id) AS tests,
                        COUNT(DISTINCT r.run_id) AS runs, MIN(r.run_id) AS first_run, MAX(r.run_id) AS last_run
                    FROM result r JOIN failure_cluster c ON c.id = r.cluster_id
                    WHERE r.outcome IN ('failed', 'error')
                    GROUP BY c.id ORDER BY failures DESC, c.id
                    """
            ).map { row in
                let id: String = try row.required("id", of: "failure_cluster")
                let series = recent.map { counts[id]?[$0] ?? 0 }
                let peak = Double(series.max() ?? 0)
                return ClusterSummary(
                    id: id, category: try row.required("category", of: "failure_cluster"), detail: row["detail"],
                    title: try row.required("template", of: "failure_cluster"),
                    failures: row["failures"],
                    tests: row["tests"], runs: row["runs"], firstSeenRun: row["first_run"],
                    lastSeenRun: row["last_run"],
                    recent: series, trend: Sparkline.render(series.map { peak == 0 ? 0 : Double($0) / peak }))
            }
        }
    }

    public func clusterDetail(_ prefix: String, recentRuns: Int = 30) throws -> ClusterDetail {
        let cluster = try cluster(prefix: prefix)
        let summary =
            try clusterSummaries(recentRuns: recentRuns).first { $0.id == cluster.id }
            ?? ClusterSummary(
                id: cluster.id, category: cluster.category, detail: cluster.detail, title: cluster.template,
                failures: 0,
                tests: 0, runs: 0, firstSeenRun: 0, lastSeenRun: 0, recent: [], trend: "")
        return try read { db in
            let version =
                try db.fetchOne(String.self, sql: "SELECT rules_version FROM failure_cluster WHERE id = ?", arguments: [cluster.id]) ?? ""
            let examples = try db.fetchAll(String.self, sql: """
                    SELECT DISTINCT COALESCE(message, substr(failure_text, 1, 2000)) FROM attempt
                    WHERE cluster_id = ? AND COALESCE(message, failure_text) IS NOT NULL LIMIT 5
                    """, arguments: [cluster.id])
            let tests = try db.fetchAll(sql: """
                    SELECT t.suite_path, t.classname, t.name, t.variant, COUNT(*) AS n, MAX(r.run_id) AS last_run
                    FROM result r JOIN test t ON t.id = r.test_id
                    WHERE r.cluster_id = ? AND r.outcome IN ('failed', 'error')
                    GROUP BY t.id ORDER BY n DESC, t.classname, t.name LIMIT 100
                    """, arguments: [cluster.id]
            ).map {
                ClusterDetail.AffectedTest(
                    test: try TestIdentity(row: $0).displayID,
                    failures: try $0.required("n", of: "result"), lastRun: try $0.required("last_run", of: "result"))
            }
            let runs = try db.fetchAll(Int64.self, sql: "SELECT id FROM run ORDER BY run_at DESC, id DESC LIMIT ?", arguments: [recentRuns]
            ).reversed()
            let history = try runs.map { runID in
                ClusterDetail.RunCount(
                    runID: runID,
                    failures: try db.fetchOne(Int.self, sql:
                            "SELECT COUNT(*) FROM result WHERE run_id = ? AND cluster_id = ? AND outcome IN ('failed', 'error')",
                        arguments: [runID, cluster.id]) ?? 0)
            }
            return ClusterDetail(
                summary: summary, rulesVersion: version, examples: examples, tests: tests, history: history)
        }
    }

    /// How many failures `recluster` reads, and then writes, per short transaction.
    public static let reclusterBatchSize = 5_000

    /// Re-applies `classify` (the signature engine whose rules are `rulesVersion`) to every
    /// stored failure; returns how many attempts changed cluster.
    ///
    /// Classifying is the slow part (minutes for a large history with many team rules), so it
    /// holds no lock and no snapshot: failures are read `reclusterBatchSize` at a time in short
    /// read transactions, classified, and their changes written in one short write transaction
    /// per batch (new clusters first). An ingest or a quarantine started meanwhile waits for
    /// one batch at most, and its checkpoint is not held back by an old snapshot. An attempt
    /// another writer changed since its batch was read keeps that writer's cluster.
    package func recluster(rulesVersion: String, classify: (FailureInput) -> Signature) throws -> (
        attempts: Int, changed: Int
    ) {
        var total = 0
        var changed = 0
        var stored = Set<String>()
        var lastID: Int64 = 0
        var wrote = false
        while true {
            let batch: [(id: Int64, resultID: Int64, old: String?, input: FailureInput)] = try read { db in
                try db.fetchAll(sql: """
                        SELECT a.id, a.result_id, a.message, a.failure_text, a.failure_type, a.cluster_id,
                            t.suite_path, t.classname, t.name, t.variant
                        FROM attempt a JOIN result r ON r.id = a.result_id JOIN test t ON t.id = r.test_id
                        WHERE a.outcome IN ('failed', 'error') AND a.inferred = 0 AND a.id > ?
                        ORDER BY a.id LIMIT ?
                        """, arguments: [lastID, Self.reclusterBatchSize]
                ).map { row in
                    let test = try TestIdentity(row: row)
                    return (
                        try row.required("id", of: "attempt"), try row.required("result_id", of: "attempt"),
                        row["cluster_id"],
                        FailureInput(
                            message: row["message"], text: row["failure_text"], failureType: row["failure_type"],
                            test: test.baseID)
                    )
                }
            }
            guard let last = batch.last else { break }
            lastID = last.id
            total += batch.count
            var clusters: [String: Signature] = [:]
            var updates: [(attemptID: Int64, resultID: Int64, old: String?, new: String)] = []
            for failure in batch {
                let signature = classify(failure.input)
                if !stored.contains(signature.clusterID) { clusters[signature.clusterID] = signature }
                if signature.clusterID != failure.old {
                    updates.append((failure.id, failure.resultID, failure.old, signature.clusterID))
                }
            }
            guard !clusters.isEmpty || !updates.isEmpty else { continue }
            wrote = true
            changed += try commit { db in
                // Clusters first, so every attempt written below points at a stored cluster.
                for signature in clusters.values {
                    try db.execute(
                        sql: """
                            INSERT INTO failure_cluster (id, category, detail, template, rules_version) VALUES (?, ?, ?, ?, ?)
                            ON CONFLICT (id) DO UPDATE SET category = excluded.category, detail = excluded.detail,
                                template = excluded.template, rules_version = excluded.rules_version
                            """,
                        arguments: [
                            signature.clusterID, signature.category, signature.detail, signature.template,
                            rulesVersion,
                        ])
                }
                var changed = 0
                var results = Set<Int64>()
                for update in updates {
                    // Only if no other writer changed the attempt since the batch was read.
                    let changes = try db.execute(
                        sql: "UPDATE attempt SET cluster_id = ? WHERE id = ? AND COALESCE(cluster_id, '') = COALESCE(?, '')",
                        arguments: [update.new, update.attemptID, update.old])
                    if changes > 0 {
                        changed += 1
                        results.insert(update.resultID)
                    }
                }
                // A failing result's cluster is that of its last failing attempt.
                for resultID in results {
                    try db.execute(
                        sql: """
                            UPDATE result SET cluster_id = (
                                SELECT a.cluster_id FROM attempt a WHERE a.result_id = result.id
                                    AND a.outcome IN ('failed', 'error') AND a.cluster_id IS NOT NULL
                                ORDER BY a.seq DESC LIMIT 1)
                            WHERE id = ? AND outcome IN ('failed', 'error')
                            """, arguments: [resultID])
                }
                return changed
            }
            stored.formUnion(clusters.keys)
        }
        if wrote { try foldWriteAheadLog() }
        return (total, changed)
    }
}

extension TriageDatabase {
    /// Which of `ids` a failure of a run earlier than `runID` (in history order) already had,
    /// as its decisive failure or as a retried attempt.
    package func clustersSeen(_ ids: Set<String>, before runID: Int64) throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try read { db in
            guard let at = try db.fetchOne(String.self, sql: "SELECT run_at FROM run WHERE id = ?", arguments: [runID]) else {
                return []
            }
            var seen = Set<String>()
            for chunk in Array(ids).chunked(into: 400) {
                let marks = sqlPlaceholders(count: chunk.count)
                let earlier = "(u.run_at < ? OR (u.run_at = ? AND u.id < ?))"
                let arguments = SQLArguments(chunk) + [at, at, runID]
                seen.formUnion(
                    try db.fetchAll(String.self, sql: """
                            SELECT DISTINCT r.cluster_id FROM result r JOIN run u ON u.id = r.run_id
                            WHERE r.cluster_id IN (\(marks)) AND \(earlier)
                            UNION
                            SELECT DISTINCT a.cluster_id FROM attempt a JOIN result r ON r.id = a.result_id
                                JOIN run u ON u.id = r.run_id
                            WHERE a.cluster_id IN (\(marks)) AND \(earlier)
                            """, arguments: arguments + arguments))
            }
            return seen
        }
    }
}
