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
    /// Files stored by this ingest, by id: a test reported by two of them is refused.
    private var filesOfThisIngest: [Int64: String] = [:]
    /// Whether the database holds tests stored before suite paths were part of the identity.
    private let hasLegacyTests: Bool

    init(db: Database, runID: Int64, engine: SignatureEngine) throws {
        self.db = db
        self.runID = runID
        self.engine = engine
        hasLegacyTests = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM test WHERE legacy = 1)") ?? false
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
                    SELECT id FROM test
                    WHERE identity_hash = ? AND suite_path = ? AND classname = ? AND name = ? AND variant = ?
                    """))
        insertTest = RawStatement(
            try db.makeStatement(
                sql: """
                    INSERT INTO test (identity_hash, suite, suite_path, classname, name, variant, file)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
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

    /// Registers a file of this ingest before its cases are written.
    func beginFile(id: Int64, path: String) {
        filesOfThisIngest[id] = path
    }

    /// Stores one case as a result of the run with all its attempts, folding it into the
    /// result already there when the run has reported this test-variant before in the same
    /// file (a non-adjacent repeat) or in an earlier ingest into the same run (a re-run job).
    /// Two files of one ingest that hold the same test-variant are refused: nothing says one
    /// re-ran the other, so they are separate runs or separate variants.
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
            try mergeIntoExisting(testCase, testID: testID, fileID: fileID)
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
        let variant = identity.variant.canonical
        var hash = identity.storageHash
        while true {
            select.reset()
            select.bind(1, hash)
            select.bind(2, identity.suitePath)
            select.bind(3, identity.classname)
            select.bind(4, identity.name)
            select.bind(5, variant)
            if let id = try select.firstInt64(db) {
                return id
            }
            if hasLegacyTests, hash == identity.storageHash, let adopted = try adoptLegacyTest(testCase, hash: hash) {
                return adopted
            }
            insert.reset()
            insert.bind(1, hash)
            insert.bind(2, testCase.suite)
            insert.bind(3, identity.suitePath)
            insert.bind(4, identity.classname)
            insert.bind(5, identity.name)
            insert.bind(6, variant)
            insert.bind(7, testCase.file)
            try insert.execute(db)
            if db.changesCount == 1 { return db.lastInsertedRowID }
            // Another identity holds this 64-bit hash (astronomically rare): probe the next value.
            hash &+= 1
        }
    }

    /// A test stored before suite paths were part of the identity was keyed by its leaf suite:
    /// the first test of a nested suite with that leaf suite, class and name takes its history.
    private func adoptLegacyTest(_ testCase: TestCase, hash: Int64) throws -> Int64? {
        guard testCase.suitePath != testCase.suite, testCase.variant.isEmpty else { return nil }
        let legacyHash = TestIdentity(suitePath: testCase.suite, classname: testCase.classname, name: testCase.name)
            .storageHash
        guard
            let id = try Int64.fetchOne(
                db,
                sql: """
                    SELECT id FROM test WHERE legacy = 1 AND identity_hash = ? AND suite_path = ? AND classname = ?
                    AND name = ? AND variant = ''
                    """,
                arguments: [legacyHash, testCase.suite, testCase.classname, testCase.name])
        else { return nil }
        try db.execute(
            sql: "UPDATE test SET identity_hash = ?, suite_path = ?, legacy = 0 WHERE id = ?",
            arguments: [hash, testCase.suitePath, id])
        return id
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
                    test: testCase.identity.baseID))
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

    private func mergeIntoExisting(_ testCase: TestCase, testID: Int64, fileID: Int64) throws {
        guard
            let stored = try Row.fetchOne(
                db, sql: "SELECT id, file_id FROM result WHERE run_id = ? AND test_id = ?", arguments: [runID, testID])
        else { return }
        let resultID: Int64 = stored["id"]
        let earlierFile: Int64 = stored["file_id"]
        if earlierFile != fileID, let earlierPath = filesOfThisIngest[earlierFile] {
            let path = filesOfThisIngest[fileID] ?? ""
            throw TriageError.badInput(
                file: path, line: nil,
                reason:
                    "\(testCase.identity.displayID) is also in \(earlierPath), and nothing marks either as a retry; store one run per file with `triage ingest --each`, or tell configurations apart with --variant key=value"
            )
        }
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
        // A childless pass reported again in the same file was a failed attempt that
        // pytest-rerunfailures did not describe; a re-run job's later file says nothing of that.
        CaseMerger.merge(testCase, into: &existing, infersUndescribedFailures: earlierFile == fileID)
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
