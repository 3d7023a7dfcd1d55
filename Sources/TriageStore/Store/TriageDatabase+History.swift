import Foundation
import TriageModel

extension StoredTest {
    /// The columns `init(row:)` reads, for a query on the test table aliased `t`.
    package static let columns = "t.id, t.suite, t.suite_path, t.classname, t.name, t.variant, t.file"

    package init(row: SQLRow) throws {
        self.init(
            id: try row.required("id", of: "test"), suite: try row.required("suite", of: "test"),
            suitePath: try row.required("suite_path", of: "test"), classname: try row.required("classname", of: "test"),
            name: try row.required("name", of: "test"), variant: Variant(canonical: try row.required("variant", of: "test")), file: row["file"])
    }
}

extension TriageDatabase {
    /// The newest `limit` runs (optionally of one branch), oldest first.
    package func recentRuns(limit: Int, branch: String? = nil, job: String? = nil) throws -> [RunSummary] {
        try runs(limit: limit, branch: branch, job: job).reversed()
    }

    /// Every result of the given runs; with `failingTestsOnly`, only those of the tests that
    /// failed or passed on retry in one of these runs (what a flakiness verdict can come from:
    /// most of a window's tests only ever passed, and a server need not send them). A row whose
    /// outcome is missing is read too, so a damaged history is reported rather than skipped.
    package func results(inRuns runIDs: [Int64], failingTestsOnly: Bool = false) throws -> [ResultPoint] {
        guard !runIDs.isEmpty else { return [] }
        return try read { db in
            let placeholders = sqlPlaceholders(count: runIDs.count)
            var arguments = SQLArguments(runIDs)
            var failing = ""
            if failingTestsOnly {
                // The failing results come from their own index (SQLite uses a partial index
                // only for the very terms it was made with); the run-id range lets each test's
                // results be read as one stretch of `result_test_run`.
                failing = """
                     AND r.run_id BETWEEN ? AND ?
                     AND r.test_id IN (SELECT f.test_id FROM result f WHERE f.run_id IN (\(placeholders))
                                       AND \(Schema.failingResult))
                    """
                arguments += [runIDs.min(), runIDs.max()] + SQLArguments(runIDs)
            }
            var points: [ResultPoint] = []
            try db.forEach(
                sql: """
                    SELECT r.run_id, r.test_id, r.outcome, r.retried, r.cluster_id, r.duration, c.category
                    FROM result r LEFT JOIN failure_cluster c ON c.id = r.cluster_id
                    WHERE r.run_id IN (\(placeholders))\(failing)
                    """,
                arguments: arguments
            ) { row in
                points.append(
                    ResultPoint(
                        runID: try row.required(0, "run_id", of: "result"), testID: try row.required(1, "test_id", of: "result"),
                        outcome: Outcome(rawValue: try row.required(2, "outcome", of: "result")) ?? .error,
                        retried: try row.required(3, "retried", of: "result"),
                        clusterID: row[4], duration: row[5], category: row[6]))
            }
            return points
        }
    }

    /// The durations timings count: not negative, and finite (PostgreSQL orders NaN and
    /// infinity above every number, so one upper bound keeps out both, as on SQLite).
    private static let usableDuration = "duration >= 0 AND duration <= ?"

    /// Each run's total test time: the sum of its results' usable durations, each at most
    /// `cap` seconds; runs without one are left out.
    package func durationTotals(inRuns runIDs: [Int64], cap: Double) throws -> [Int64: Double] {
        guard !runIDs.isEmpty else { return [:] }
        return try read { db in
            var totals: [Int64: Double] = [:]
            try db.forEach(
                sql: """
                    SELECT run_id, SUM(CASE WHEN duration > ? THEN ? ELSE duration END) FROM result
                    WHERE run_id IN (\(sqlPlaceholders(count: runIDs.count))) AND \(Self.usableDuration)
                    GROUP BY run_id
                    """,
                arguments: SQLArguments([cap, cap]) + SQLArguments(runIDs) + [Double.greatestFiniteMagnitude]
            ) { row in
                totals[try row.required(0, "run_id", of: "result")] = row[1]
            }
            return totals
        }
    }

    /// Per test, the lowest and highest usable duration of its passing results in the given
    /// runs.
    package func passingDurationSummaries(inRuns runIDs: [Int64]) throws -> [DurationSummary] {
        guard !runIDs.isEmpty else { return [] }
        return try read { db in
            var summaries: [DurationSummary] = []
            try db.forEach(
                sql: """
                    SELECT test_id, MIN(duration), MAX(duration) FROM result
                    WHERE run_id IN (\(sqlPlaceholders(count: runIDs.count))) AND outcome = 'passed'
                      AND \(Self.usableDuration)
                    GROUP BY test_id
                    """,
                arguments: SQLArguments(runIDs) + [Double.greatestFiniteMagnitude]
            ) { row in
                summaries.append(
                    DurationSummary(
                        testID: try row.required(0, "test_id", of: "result"),
                        lowest: try row.required(1, "duration", of: "result"),
                        highest: try row.required(2, "duration", of: "result")))
            }
            return summaries
        }
    }

    /// The passing results with a usable duration of the given runs: of every test, or of
    /// `tests` only (asked for 500 at a time).
    package func passingDurations(inRuns runIDs: [Int64], tests: Set<Int64>? = nil) throws -> [ResultPoint] {
        guard !runIDs.isEmpty else { return [] }
        let chunks: [[Int64]?] = tests.map { Array($0).sorted().chunked(into: 500).map(Optional.some) } ?? [nil]
        return try read { db in
            var points: [ResultPoint] = []
            for chunk in chunks {
                let onlyTests = chunk.map { " AND test_id IN (\(sqlPlaceholders(count: $0.count)))" } ?? ""
                try db.forEach(
                    sql: """
                        SELECT run_id, test_id, duration FROM result
                        WHERE run_id IN (\(sqlPlaceholders(count: runIDs.count))) AND outcome = 'passed'
                          AND \(Self.usableDuration)\(onlyTests)
                        """,
                    arguments: SQLArguments(runIDs) + [Double.greatestFiniteMagnitude] + SQLArguments(chunk ?? [])
                ) { row in
                    points.append(
                        ResultPoint(
                            runID: try row.required(0, "run_id", of: "result"), testID: try row.required(1, "test_id", of: "result"),
                            outcome: .passed, retried: false, duration: row[2]))
                }
            }
            return points
        }
    }

    /// The tests that ran in the given runs.
    package func testIDs(inRuns runIDs: [Int64]) throws -> Set<Int64> {
        guard !runIDs.isEmpty else { return [] }
        return try read { db in
            var ids = Set<Int64>()
            try db.forEach(
                sql: "SELECT DISTINCT test_id FROM result WHERE run_id IN (\(sqlPlaceholders(count: runIDs.count)))",
                arguments: SQLArguments(runIDs)
            ) { row in ids.insert(try row.required("test_id", of: "result")) }
            return ids
        }
    }

    /// Tests by id.
    package func tests(ids: Set<Int64>) throws -> [Int64: StoredTest] {
        guard !ids.isEmpty else { return [:] }
        return try read { db in
            var found: [Int64: StoredTest] = [:]
            for chunk in Array(ids).chunked(into: 500) {
                let rows = try db.fetchAll(sql:
                        "SELECT \(StoredTest.columns) FROM test t WHERE t.id IN (\(sqlPlaceholders(count: chunk.count)))",
                    arguments: SQLArguments(chunk))
                for row in rows {
                    let test = try StoredTest(row: row)
                    found[test.id] = test
                }
            }
            return found
        }
    }

    /// Clusters by id.
    package func clusters(ids: Set<String>) throws -> [String: StoredCluster] {
        guard !ids.isEmpty else { return [:] }
        return try read { db in
            let rows = try db.fetchAll(sql:
                    "SELECT id, category, detail, template FROM failure_cluster WHERE id IN (\(sqlPlaceholders(count: ids.count)))",
                arguments: SQLArguments(Array(ids)))
            return Dictionary(
                uniqueKeysWithValues: try rows.map {
                    (
                        try $0.required("id", of: "failure_cluster") as String,
                        StoredCluster(
                            id: try $0.required("id", of: "failure_cluster"),
                            category: try $0.required("category", of: "failure_cluster"), detail: $0["detail"],
                            template: try $0.required("template", of: "failure_cluster"))
                    )
                })
        }
    }

    /// The test a user names: its full id as `triage` prints it (with the variant in brackets),
    /// its id without the variant (`classname::name`) or a pytest node id, or a part of one
    /// of those that matches exactly one stored test-variant.
    public func findTest(_ query: String) throws -> StoredTest {
        let tests = try findTests(query, allVariants: false)
        return tests[0]
    }

    /// The tests a user names, as `findTest` reads the name; with `allVariants`, a name that
    /// matches several variants of one test returns them all instead of being ambiguous.
    public func findTests(_ query: String, allVariants: Bool) throws -> [StoredTest] {
        // `name [key=value]`: the part before the variant narrows the search in SQL.
        var namePart = query
        if query.hasSuffix("]"), let open = query.range(of: " [", options: .backwards) {
            namePart = String(query[..<open.lowerBound])
        }
        let normalized = TestIdentity.normalizedQuery(namePart)
        let candidates = try read { db -> [StoredTest] in
            let base = "(CASE WHEN t.classname = '' THEN t.name ELSE t.classname || '::' || t.name END)"
            let exact = try db.fetchAll(sql: "SELECT \(StoredTest.columns) FROM test t WHERE \(base) IN (?, ?) LIMIT 200",
                arguments: [query, normalized]
            ).map { try StoredTest(row: $0) }
            if !exact.isEmpty { return exact }
            // The full display id (suite path, variant) is built here, not in SQL.
            let contains = db.dialect.contains
            let parts = try db.fetchAll(sql:
                    "SELECT \(StoredTest.columns) FROM test t WHERE \(contains(base, "?")) OR \(contains(base, "?")) OR \(contains("t.suite_path", "?")) OR \(contains("t.variant", "?")) OR \(contains("?", base)) LIMIT 2000",
                arguments: [namePart, normalized, namePart, query, namePart]
            ).map { try StoredTest(row: $0) }
            let full = parts.filter { $0.displayID == query }
            if !full.isEmpty { return full }
            let normalizedQuery = namePart == query ? normalized : query.replacingOccurrences(of: namePart, with: normalized)
            return parts.filter {
                $0.displayID.contains(query) || $0.displayID.contains(normalizedQuery)
            }
        }
        if candidates.isEmpty {
            throw TriageError.notFound(
                "no stored test matches \"\(query)\"; name a test by its id as `triage flaky` prints it, or by a unique part of it"
            )
        }
        let bases = Set(candidates.map { TestIdentity(suitePath: $0.suitePath, classname: $0.classname, name: $0.name) })
        if candidates.count == 1 || (allVariants && bases.count == 1) {
            return candidates.sorted { $0.variant < $1.variant }
        }
        let names = candidates.prefix(5).map(\.displayID).joined(separator: ", ")
        throw TriageError.invalidArgument(
            "\"\(query)\" matches several tests (\(names)\(candidates.count > 5 ? ", …" : "")); give more of the id")
    }


    /// One test's results over all runs, oldest first, with run metadata and its failure message.
    package func timeline(testID: Int64, limit: Int) throws -> [(run: RunSummary, point: ResultPoint, message: String?)] {
        try read { db in
            let rows = try db.fetchAll(sql: """
                    SELECT r.run_id, r.outcome, r.retried, r.cluster_id, r.duration,
                        (SELECT a.message FROM attempt a WHERE a.result_id = r.id AND a.outcome IN ('failed', 'error')
                            ORDER BY a.seq DESC LIMIT 1) AS message
                    FROM result r JOIN run ON run.id = r.run_id
                    WHERE r.test_id = ? ORDER BY run.run_at DESC, run.id DESC LIMIT ?
                    """, arguments: [testID, limit])
            let runIDs: [Int64] = try rows.map { try $0.required("run_id", of: "result") }
            guard !runIDs.isEmpty else { return [] }
            let runs = try db.fetchAll(sql: "SELECT * FROM run WHERE id IN (\(sqlPlaceholders(count: runIDs.count)))",
                arguments: SQLArguments(runIDs)
            )
            .map { try Self.runSummary($0) }
            let byID = Dictionary(uniqueKeysWithValues: runs.map { ($0.id, $0) })
            return rows.reversed().compactMap { row in
                guard let runID: Int64 = row["run_id"], let run = byID[runID] else { return nil }
                let point = ResultPoint(
                    runID: runID, testID: testID, outcome: Outcome(rawValue: row["outcome"] ?? "") ?? .error,
                    retried: row["retried"] ?? false, clusterID: row["cluster_id"], duration: row["duration"])
                return (run, point, row["message"])
            }
        }
    }

    /// A run summary by id; throws `notFound` naming what to do.
    public func run(id: Int64) throws -> RunSummary {
        try read { db in
            guard let row = try db.fetchOne(sql: "SELECT * FROM run WHERE id = ?", arguments: [id]) else {
                throw TriageError.notFound("run \(id) does not exist; `triage runs` lists the stored runs")
            }
            return try Self.runSummary(row)
        }
    }

    /// An example failure message for each cluster in a run.
    package func exampleMessages(runID: Int64) throws -> [String: String] {
        try read { db in
            let rows = try db.fetchAll(sql: """
                    SELECT a.cluster_id, MIN(COALESCE(a.message, substr(a.failure_text, 1, 500))) AS message
                    FROM attempt a JOIN result r ON r.id = a.result_id
                    WHERE r.run_id = ? AND a.cluster_id IS NOT NULL GROUP BY a.cluster_id
                    """, arguments: [runID])
            var messages: [String: String] = [:]
            for row in rows {
                if let id: String = row["cluster_id"], let message: String = row["message"] { messages[id] = message }
            }
            return messages
        }
    }
}

extension Array {
    package func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}

extension TriageDatabase {
    /// The run before `runID`, on the same branch when one is given and such a run exists.
    public func previousRunID(before runID: Int64, branch: String?) throws -> Int64? {
        try read { db in
            if let branch, let id = try Self.runBefore(runID, branch: branch, db: db) {
                return id
            }
            return try Self.runBefore(runID, branch: nil, db: db)
        }
    }
}

extension TriageDatabase {
    /// The newest run before `runID` in history order (run time, then id), on `branch` if given.
    package static func runBefore(_ runID: Int64, branch: String?, db: any SQLSession) throws -> Int64? {
        let at = try db.fetchOne(String.self, sql: "SELECT run_at FROM run WHERE id = ?", arguments: [runID])
        guard let at else { return nil }
        var sql = "SELECT id FROM run WHERE (run_at < ? OR (run_at = ? AND id < ?))"
        var arguments: SQLArguments = [at, at, runID]
        if let branch {
            sql += " AND branch = ?"
            arguments += [branch]
        }
        return try db.fetchOne(Int64.self, sql: sql + " ORDER BY run_at DESC, id DESC LIMIT 1", arguments: arguments)
    }
}

/// Pass counts of one area (a test module or file) in one run.
public struct AreaCount: Sendable, Equatable {
    public var area: String
    public var passed: Int
    public var ran: Int

    public init(area: String, passed: Int, ran: Int) {
        self.area = area
        self.passed = passed
        self.ran = ran
    }
}

extension TriageDatabase {
    /// Passed and ran (skips left out) per area in a run. The area is the test's file when the
    /// producer wrote one, else its classname without a trailing class name (`pkg.test_mod.TestX` → `pkg.test_mod`).
    package func passRatesByArea(runID: Int64) throws -> [AreaCount] {
        let rows = try read { db in
            try db.fetchAll(sql: """
                    SELECT t.classname, t.suite, t.file, r.outcome FROM result r JOIN test t ON t.id = r.test_id
                    WHERE r.run_id = ? AND r.outcome != 'skipped'
                    """, arguments: [runID])
        }
        var counts: [String: (passed: Int, ran: Int)] = [:]
        for row in rows {
            let file: String? = row["file"]
            let classname: String = try row.required("classname", of: "test")
            let suite: String = try row.required("suite", of: "test")
            var area = file ?? classname
            if file == nil {
                let parts = classname.split(separator: ".")
                if parts.count > 1, let last = parts.last, last.first?.isUppercase == true {
                    area = parts.dropLast().joined(separator: ".")
                }
                if area.isEmpty { area = suite }
            }
            let outcome: String = try row.required("outcome", of: "result")
            counts[area, default: (0, 0)].ran += 1
            if outcome == "passed" { counts[area, default: (0, 0)].passed += 1 }
        }
        return counts.map { AreaCount(area: $0.key, passed: $0.value.passed, ran: $0.value.ran) }.sorted {
            $0.area < $1.area
        }
    }
}

extension TriageDatabase {
    /// The newest run before `runID` on `branch`.
    package func latestRun(before runID: Int64, branch: String) throws -> Int64? {
        try read {
            try Self.runBefore(runID, branch: branch, db: $0)
        }
    }

    /// Failing tests of a run (final outcome), with their clusters.
    package func failingTests(runID: Int64) throws -> [(test: String, outcome: Outcome, cluster: StoredCluster?, allVariants: String)] {
        try read { db in
            try Self.failingTests(runID: runID, db: db).map { ($0.test.test, $0.test.outcome, $0.cluster, $0.test.baseID) }
        }
    }

    /// Failing tests of a run (final outcome) by name, with their clusters.
    package static func failingTests(runID: Int64, db: any SQLSession) throws -> [(test: RunDetail.FailingTest, cluster: StoredCluster?)] {
        try db.fetchAll(sql: """
                SELECT t.suite_path, t.classname, t.name, t.variant, r.outcome, c.id AS cid, c.category, c.detail, c.template
                FROM result r JOIN test t ON t.id = r.test_id LEFT JOIN failure_cluster c ON c.id = r.cluster_id
                WHERE r.run_id = ? AND r.outcome IN ('failed', 'error') ORDER BY t.classname, t.name, t.variant
                """, arguments: [runID]
        ).map { row in
            let cluster = (row["cid"] as String?).map {
                StoredCluster(
                    id: $0, category: row["category"] ?? "", detail: row["detail"], template: row["template"] ?? "")
            }
            let identity = try TestIdentity(row: row)
            let test = RunDetail.FailingTest(
                test: identity.displayID, baseID: identity.withoutVariant.displayID,
                variant: identity.variant.isEmpty ? nil : identity.variant.canonical,
                outcome: Outcome(rawValue: row["outcome"] ?? "") ?? .error)
            return (test, cluster)
        }
    }
}

extension StoredCluster {
    /// A cluster from a row with the `id`, `category`, `detail` and `template` columns.
    package init(row: SQLRow) throws {
        self.init(
            id: try row.required("id", of: "failure_cluster"), category: try row.required("category", of: "failure_cluster"),
            detail: row["detail"], template: try row.required("template", of: "failure_cluster"))
    }
}

extension TestIdentity {
    /// The identity of a row that has the test table's `suite_path`, `classname`, `name` and
    /// `variant` columns (selected under those names).
    package init(row: SQLRow) throws {
        self.init(
            suitePath: try row.required("suite_path", of: "test"), classname: try row.required("classname", of: "test"),
            name: try row.required("name", of: "test"),
            variant: Variant(canonical: try row.required("variant", of: "test")))
    }
}
