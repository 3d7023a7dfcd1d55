import Foundation
import GRDB

/// Writes the cases of one run into the database, inside the caller's transaction.
/// The hot path of ingest: cached statements, one lookup per test, no reads back
/// unless a test is reported twice in one run.
final class RunWriter {
    private let db: Database
    private let runID: Int64
    private let engine: SignatureEngine
    private var knownClusters: Set<String> = []
    private(set) var casesWritten = 0
    // Prepared once per ingest: looking a cached statement up hashes its SQL on every call.
    private let insertResult: RawStatement
    private let selectTest: RawStatement
    private let insertTest: RawStatement
    private let insertAttempt: RawStatement

    init(db: Database, runID: Int64, engine: SignatureEngine) throws {
        self.db = db
        self.runID = runID
        self.engine = engine
        insertResult = RawStatement(
            try db.makeStatement(
                sql: """
                    INSERT INTO result (run_id, test_id, file_id, outcome, attempts, retried, duration, cluster_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (run_id, test_id) DO NOTHING
                    """))
        selectTest = RawStatement(
            try db.makeStatement(
                sql: """
                    SELECT id FROM test WHERE identity_hash = ? AND suite = ? AND classname = ? AND name = ?
                    """))
        insertTest = RawStatement(
            try db.makeStatement(
                sql: """
                    INSERT INTO test (identity_hash, suite, classname, name, file) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (identity_hash) DO NOTHING
                    """))
        insertAttempt = RawStatement(
            try db.makeStatement(
                sql: """
                    INSERT INTO attempt (result_id, seq, kind, outcome, inferred, duration, message, failure_type,
                                         failure_text, stdout, stderr, cluster_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """))
    }

    /// Stores one case as a result of the run with all its attempts, folding it into the
    /// result already there when the run has reported this test before (another shard or a
    /// non-adjacent repeat).
    func write(_ testCase: TestCase, fileID: Int64) throws {
        casesWritten += 1
        let testID = try testID(for: testCase)
        let insert = insertResult
        let clusters = try clusterIDs(for: testCase)
        insert.reset()
        insert.bind(1, runID)
        insert.bind(2, testID)
        insert.bind(3, fileID)
        insert.bind(4, testCase.outcome.rawValue)
        insert.bind(5, testCase.attempts.count)
        insert.bind(6, testCase.isRetriedToPass)
        insert.bind(7, testCase.duration)
        insert.bind(8, decisiveCluster(testCase, clusters))
        try insert.execute(db)
        if db.changesCount == 0 {
            try mergeIntoExisting(testCase, testID: testID)
            return
        }
        if Self.needsAttemptRows(testCase) {
            try insertAttempts(testCase.attempts, clusters: clusters, resultID: db.lastInsertedRowID)
        }
    }

    /// A single clean pass (one attempt, passed, nothing written about it) is wholly described
    /// by its result row; every other case stores a row per attempt. This keeps the largest
    /// class of rows out of the attempt table (see README, "What is stored").
    static func needsAttemptRows(_ testCase: TestCase) -> Bool {
        guard testCase.attempts.count == 1, let only = testCase.attempts.first else { return true }
        return only.outcome != .passed || only.message != nil || only.failureText != nil
            || only.stdout != nil || only.stderr != nil || only.failureType != nil
    }

    // MARK: - Tests

    private func testID(for testCase: TestCase) throws -> Int64 {
        let identity = testCase.identity
        let select = selectTest
        let insert = insertTest
        var hash = identity.storageHash
        while true {
            select.reset()
            select.bind(1, hash)
            select.bind(2, identity.suite)
            select.bind(3, identity.classname)
            select.bind(4, identity.name)
            if let id = try select.firstInt64(db) {
                return id
            }
            insert.reset()
            insert.bind(1, hash)
            insert.bind(2, identity.suite)
            insert.bind(3, identity.classname)
            insert.bind(4, identity.name)
            insert.bind(5, testCase.file)
            try insert.execute(db)
            if db.changesCount == 1 { return db.lastInsertedRowID }
            // Another identity holds this 64-bit hash (astronomically rare): probe the next value.
            hash &+= 1
        }
    }

    // MARK: - Attempts and signatures

    private func clusterIDs(for testCase: TestCase) throws -> [String?] {
        var ids: [String?] = []
        ids.reserveCapacity(testCase.attempts.count)
        for attempt in testCase.attempts {
            guard attempt.outcome.isFailure, !attempt.isInferred else {
                ids.append(nil)
                continue
            }
            let signature = engine.signature(
                for: FailureInput(
                    message: attempt.message, text: attempt.failureText, failureType: attempt.failureType,
                    test: testCase.identity.displayID))
            try remember(signature)
            ids.append(signature.clusterID)
        }
        return ids
    }

    private func remember(_ signature: Signature) throws {
        guard knownClusters.insert(signature.clusterID).inserted else { return }
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO failure_cluster (id, category, detail, template, rules_version) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (id) DO NOTHING
                """)
        try upsert.execute(arguments: [
            signature.clusterID, signature.category, signature.detail, signature.template, engine.rulesVersion,
        ])
    }

    /// The cluster that explains the final outcome: the last failing attempt's.
    private func decisiveCluster(_ testCase: TestCase, _ clusters: [String?]) -> String? {
        guard testCase.outcome.isFailure else { return nil }
        return clusters.last { $0 != nil } ?? nil
    }

    private func insertAttempts(_ attempts: [TestAttempt], clusters: [String?], resultID: Int64) throws {
        let insert = insertAttempt
        for (seq, attempt) in attempts.enumerated() {
            insert.reset()
            insert.bind(1, resultID)
            insert.bind(2, seq)
            insert.bind(3, attempt.kind.rawValue)
            insert.bind(4, attempt.outcome.rawValue)
            insert.bind(5, attempt.isInferred)
            insert.bind(6, attempt.duration)
            insert.bind(7, attempt.message)
            insert.bind(8, attempt.failureType)
            insert.bind(9, attempt.failureText)
            insert.bind(10, attempt.stdout)
            insert.bind(11, attempt.stderr)
            insert.bind(12, clusters[seq])
            try insert.execute(db)
        }
    }

    // MARK: - A test reported twice in one run

    private func mergeIntoExisting(_ testCase: TestCase, testID: Int64) throws {
        guard
            let resultID = try Int64.fetchOne(
                db, sql: "SELECT id FROM result WHERE run_id = ? AND test_id = ?", arguments: [runID, testID])
        else { return }
        let rows = try Row.fetchAll(
            db, sql: "SELECT * FROM attempt WHERE result_id = ? ORDER BY seq", arguments: [resultID])
        var existing = testCase
        existing.attempts =
            rows.isEmpty
            ? [
                TestAttempt(
                    outcome: .passed,
                    duration: try Double.fetchOne(
                        db, sql: "SELECT duration FROM result WHERE id = ?", arguments: [resultID]))
            ]
            : rows.map { row in
                TestAttempt(
                    outcome: Outcome(rawValue: row["outcome"]) ?? .error,
                    kind: AttemptKind(rawValue: row["kind"]) ?? .run, duration: row["duration"],
                    message: row["message"], failureType: row["failure_type"], failureText: row["failure_text"],
                    stdout: row["stdout"], stderr: row["stderr"], isInferred: row["inferred"])
            }
        CaseMerger.merge(testCase, into: &existing)
        let clusters = try clusterIDs(for: existing)
        try db.execute(sql: "DELETE FROM attempt WHERE result_id = ?", arguments: [resultID])
        try insertAttempts(existing.attempts, clusters: clusters, resultID: resultID)
        try db.execute(
            sql: "UPDATE result SET outcome = ?, attempts = ?, retried = ?, duration = ?, cluster_id = ? WHERE id = ?",
            arguments: [
                existing.outcome.rawValue, existing.attempts.count, existing.isRetriedToPass, existing.duration,
                decisiveCluster(existing, clusters), resultID,
            ])
    }
}
