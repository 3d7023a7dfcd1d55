import Foundation
import TriageModel

/// Reads and writes behind recurrence alarms and fixes verified from runs: which runs come
/// after a fix, which tests ran clean since, and the recurrences noted. The rules themselves
/// live in `RootCauseWatch`; these only answer its questions.
extension TriageDatabase {
    // MARK: - Fix points and runs after them

    /// The SQL condition "run `alias` comes after `point`" in history order (run time, then id),
    /// with its arguments; every run when the point has no run (nothing was stored then).
    private static func after(_ point: FixPoint, alias: String = "run") -> (sql: String, arguments: SQLArguments) {
        guard let runAt = point.runAt, let runID = point.runID else { return ("1", []) }
        return (
            "(\(alias).run_at > ? OR (\(alias).run_at = ? AND \(alias).id > ?))", [runAt, runAt, runID]
        )
    }

    /// Whether run `runID` comes after `point` in history order.
    package func run(_ runID: Int64, isAfter point: FixPoint) throws -> Bool {
        let condition = Self.after(point)
        return try read { db in
            try db.fetchOne(Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM run WHERE id = ? AND \(condition.sql))",
                arguments: [runID] + condition.arguments) ?? false
        }
    }

    /// The point of run `runID` itself (runs after it come after the point).
    package func fixPoint(ofRun runID: Int64) throws -> FixPoint {
        try read { db in
            let runAt = try db.fetchOne(String.self, sql: "SELECT run_at FROM run WHERE id = ?", arguments: [runID])
            return FixPoint(runID: runAt == nil ? nil : runID, runAt: runAt)
        }
    }

    /// Five-Whys records marked `fixed` or `verified`, with their clusters and fix points.
    package func fixedWhys() throws -> [FixedWhys] {
        try read { db in
            try db.fetchAll(sql: """
                    SELECT id, problem, status, fixed_at, fixed_run_id, fixed_run_at FROM whys
                    WHERE status IN ('fixed', 'verified') ORDER BY id
                    """
            ).map { row in
                let id: Int64 = try row.required("id", of: "whys")
                return FixedWhys(
                    id: id, problem: try row.required("problem", of: "whys"),
                    status: WhysStatus(rawValue: row["status"] ?? "") ?? .fixed,
                    clusterIDs: try db.fetchAll(String.self, sql: "SELECT cluster_id FROM whys_cluster WHERE whys_id = ? ORDER BY rowid", arguments: [id]),
                    fixedAt: row["fixed_at"], point: FixPoint(runID: row["fixed_run_id"], runAt: row["fixed_run_at"]))
            }
        }
    }

    // MARK: - Failures and clean runs

    /// The failing results (final outcome) of one run whose cluster is one of `clusterIDs`.
    package func failures(runID: Int64, clusterIDs: Set<String>) throws -> [ClusterHit] {
        guard !clusterIDs.isEmpty else { return [] }
        return try read { db in
            try db.fetchAll(sql: """
                    SELECT r.test_id, r.cluster_id, t.suite_path, t.classname, t.name, t.variant
                    FROM result r JOIN test t ON t.id = r.test_id
                    WHERE r.run_id = ? AND r.outcome IN ('failed', 'error')
                        AND r.cluster_id IN (\(sqlPlaceholders(count: clusterIDs.count)))
                    ORDER BY t.classname, t.name, t.id
                    """, arguments: [runID] + SQLArguments(Array(clusterIDs))
            ).map { row in
                ClusterHit(
                    testID: try row.required("test_id", of: "result"), test: try TestIdentity(row: row).displayID,
                    clusterID: try row.required("cluster_id", of: "result"))
            }
        }
    }

    /// For each test, how long a cause has been absent: the runs after `point`, and after the
    /// last run in which the test had one of `clusterIDs` (its result or any attempt), in which
    /// it ran (not skipped) without them; and that last run, if any. The tests are `testIDs`,
    /// or when nil every test that ever failed with one of the clusters.
    package func cleanRuns(clusterIDs: [String], after point: FixPoint, testIDs: Set<Int64>? = nil) throws -> [Int64: CleanRuns]
    {
        guard !clusterIDs.isEmpty else { return [:] }
        let marks = sqlPlaceholders(count: clusterIDs.count)
        let clusters = SQLArguments(clusterIDs)
        let later = Self.after(point)
        let present = "(COALESCE(r.cluster_id, '') IN (\(marks)) OR EXISTS (SELECT 1 FROM attempt a WHERE a.result_id = r.id AND a.cluster_id IN (\(marks))))"
        return try read { db in
            let tests: [Int64]
            if let testIDs {
                tests = testIDs.sorted()
            } else {
                tests = try db.fetchAll(Int64.self, sql: """
                        SELECT test_id FROM result WHERE cluster_id IN (\(marks))
                        UNION SELECT r.test_id FROM attempt a JOIN result r ON r.id = a.result_id WHERE a.cluster_id IN (\(marks))
                        """, arguments: clusters + clusters)
            }
            var found: [Int64: CleanRuns] = [:]
            for test in tests {
                let last = try db.fetchOne(sql: """
                        SELECT run.id, run.run_at, r.outcome IN ('failed', 'error') AS failed
                        FROM result r JOIN run ON run.id = r.run_id
                        WHERE r.test_id = ? AND \(later.sql) AND \(present)
                        ORDER BY run.run_at DESC, run.id DESC LIMIT 1
                        """, arguments: [test] + later.arguments + clusters + clusters)
                let since = last.map { FixPoint(runID: $0["id"], runAt: $0["run_at"]) } ?? point
                let after = Self.after(since)
                let clean =
                    try db.fetchOne(Int.self, sql: """
                            SELECT COUNT(*) FROM result r JOIN run ON run.id = r.run_id
                            WHERE r.test_id = ? AND r.outcome <> 'skipped' AND \(after.sql) AND NOT \(present)
                            """, arguments: [test] + after.arguments + clusters + clusters) ?? 0
                found[test] = CleanRuns(
                    clean: clean, lastPresentRunID: last?["id"], lastPresentFailed: last?["failed"] ?? false)
            }
            return found
        }
    }

    /// Display ids of tests by id.
    package func testNames(_ ids: Set<Int64>) throws -> [Int64: String] {
        try tests(ids: ids).mapValues(\.displayID)
    }

    // MARK: - Changes

    /// Stores recurrences in one transaction: a record's recurrence moves it back to `open`
    /// (only if it is still fixed or verified: another process may have reopened it), a
    /// cycle's adds a note to the cycle. Recurrences already noted for the run are left as
    /// they are. Returns those stored now.
    package func record(_ recurrences: [Recurrence], now: Date) throws -> [Recurrence] {
        guard !recurrences.isEmpty else { return [] }
        let stamp = ISO8601.string(now)
        return try transaction { db in
            var stored: [Recurrence] = []
            var reopened = Set<Int64>()
            for recurrence in recurrences {
                if let whysID = recurrence.whysID, !reopened.contains(whysID) {
                    let changes = try db.execute(
                        sql: """
                            UPDATE whys SET status = 'open', fixed_at = NULL, fixed_run_id = NULL, fixed_run_at = NULL,
                                updated_at = ? WHERE id = ? AND status IN ('fixed', 'verified')
                            """, arguments: [stamp, whysID])
                    guard changes > 0 else { continue }
                    reopened.insert(whysID)
                }
                let inserted = try db.execute(
                    sql: """
                        INSERT INTO recurrence (run_id, cluster_id, whys_id, cycle_id, previous_status, fixed_at, tests, detected_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                        """,
                    arguments: [
                        recurrence.runID, recurrence.clusterID, recurrence.whysID, recurrence.cycleID,
                        recurrence.previousStatus, recurrence.fixedAt, Self.encodeList(recurrence.tests), stamp,
                    ])
                guard inserted > 0 else { continue }
                if let cycleID = recurrence.cycleID {
                    try Self.insertCycleItems(
                        db, cycleID: cycleID,
                        [(.note, "recurrence: cluster \(recurrence.clusterID) failed \(recurrence.tests.count) test(s) again in run \(recurrence.runID)")],
                        now: now)
                }
                var noted = recurrence
                noted.detectedAt = stamp
                stored.append(noted)
            }
            return stored
        }
    }

    /// Moves records still `fixed` to `verified`; returns the ids it moved.
    package func markVerified(_ ids: [Int64], now: Date) throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        return try transaction { db in
            var moved: [Int64] = []
            for id in ids {
                let changes = try db.execute(
                    sql: "UPDATE whys SET status = 'verified', updated_at = ? WHERE id = ? AND status = 'fixed'",
                    arguments: [ISO8601.string(now), id])
                if changes > 0 { moved.append(id) }
            }
            return moved
        }
    }

    // MARK: - Recurrences noted

    /// Which recurrences to read.
    package enum RecurrenceFilter {
        case run(Int64)
        case whys(Int64)
        case cycle(Int64)
        case runs([Int64])
    }

    /// Recurrences noted, oldest first, with what they name.
    package func recurrences(_ filter: RecurrenceFilter) throws -> [Recurrence] {
        let condition: String
        let arguments: SQLArguments
        switch filter {
        case .run(let id): (condition, arguments) = ("rc.run_id = ?", [id])
        case .whys(let id): (condition, arguments) = ("rc.whys_id = ?", [id])
        case .cycle(let id): (condition, arguments) = ("rc.cycle_id = ?", [id])
        case .runs(let ids):
            guard !ids.isEmpty else { return [] }
            (condition, arguments) = ("rc.run_id IN (\(sqlPlaceholders(count: ids.count)))", SQLArguments(ids))
        }
        return try read { db in
            try db.fetchAll(sql: """
                    SELECT rc.*, c.category, c.detail, w.problem, cy.effort, cy.number, cy.max_cycles
                    FROM recurrence rc JOIN failure_cluster c ON c.id = rc.cluster_id
                    LEFT JOIN whys w ON w.id = rc.whys_id LEFT JOIN cycle cy ON cy.id = rc.cycle_id
                    WHERE \(condition) ORDER BY rc.run_id, rc.id
                    """, arguments: arguments
            ).map { row in
                let title: String
                if let problem: String = row["problem"] {
                    title = problem
                } else {
                    let number: Int = row["number"] ?? 0
                    let max: Int? = row["max_cycles"]
                    title = "\(row["effort"] as String? ?? ""), cycle \(number)" + (max.map { " of \($0)" } ?? "")
                }
                return Recurrence(
                    runID: try row.required("run_id", of: "recurrence"),
                    clusterID: try row.required("cluster_id", of: "recurrence"), category: row["category"] ?? "",
                    detail: row["detail"], whysID: row["whys_id"], cycleID: row["cycle_id"], title: title,
                    previousStatus: try row.required("previous_status", of: "recurrence"), fixedAt: row["fixed_at"],
                    tests: Self.decodeList(row["tests"]), detectedAt: row["detected_at"])
            }
        }
    }

    /// Whether a recurrence of `clusterID` was already noted for the cycle (in any run).
    package func cycleRecurred(cycleID: Int64, clusterID: String) throws -> Bool {
        try read { db in
            try db.fetchOne(Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM recurrence WHERE cycle_id = ? AND cluster_id = ?)",
                arguments: [cycleID, clusterID]) ?? false
        }
    }
}
