import Foundation
import TriageModel

/// Writes the cases of one run into the database, inside the caller's transaction.
/// The hot path of ingest: cached statements, one lookup per test, no reads back
/// unless a test is reported twice in one run.
package final class RunWriter {
    package let db: any SQLSession
    package let runID: Int64
    /// The rules version recorded with each new cluster.
    private let rulesVersion: String
    private var knownClusters: Set<String> = []
    /// Whether a file was begun and not confirmed stored: when the next begins, the earlier
    /// one's savepoint was rolled back (see `beginFile`).
    private var fileInProgress = false
    package private(set) var casesWritten = 0
    // Prepared once per ingest: looking a cached statement up hashes its SQL on every call.
    private let insertResult: any SQLPreparedStatement
    private let selectTest: any SQLPreparedStatement
    private let insertTest: any SQLPreparedStatement
    private let insertAttempt: any SQLPreparedStatement
    private let insertCluster: any SQLPreparedStatement
    /// PostgreSQL keeps attempts in the partition of their run, so they carry its id.
    package let attemptsCarryRun: Bool
    /// Files stored by this ingest, by id: a test reported by two of them is refused.
    private var filesOfThisIngest: [Int64: String] = [:]
    /// Results of this run that a test reported again, by id: what their attempts add up to.
    private var storedAttempts: [Int64: AttemptSummary] = [:]
    /// Whether the database holds tests stored before suite paths were part of the identity.
    package let hasLegacyTests: Bool
    /// Whether the last test looked up was new to the database (see `testID(for:)`).
    private var lastTestWasNew = false
    /// On PostgreSQL, where every statement is a round trip, cases wait here and are stored
    /// a batch at a time (see RunWriter+Batches.swift); SQLite stores each as it comes.
    package let storesInBatches: Bool
    package var pending: [PendingCase] = []

    package init(db: any SQLSession, runID: Int64, rulesVersion: String) throws {
        self.db = db
        self.runID = runID
        self.rulesVersion = rulesVersion
        attemptsCarryRun = db.dialect == .postgresql
        storesInBatches = db.dialect == .postgresql
        hasLegacyTests = try db.fetchOne(Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM test WHERE legacy = 1)") ?? false
        insertResult = try db.prepare(
                sql: """
                    INSERT INTO result (run_id, test_id, file_id, outcome, attempts, retried, duration, cluster_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (run_id, test_id) DO NOTHING\(db.dialect.returningID)
                    """)
        selectTest = try db.prepare(
                sql: """
                    SELECT id FROM test
                    WHERE identity_hash = ? AND suite_path = ? AND classname = ? AND name = ? AND variant = ?
                    """)
        insertTest = try db.prepare(
                sql: """
                    INSERT INTO test (identity_hash, suite, suite_path, classname, name, variant, file)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (identity_hash) DO NOTHING\(db.dialect.returningID)
                    """)
        insertAttempt = try db.prepare(
                sql: """
                    INSERT INTO attempt (result_id, seq, kind, outcome, inferred, duration, message, failure_type,
                                         failure_text, stdout, stderr, cluster_id\(attemptsCarryRun ? ", run_id" : ""))
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?\(attemptsCarryRun ? ", ?" : ""))
                    """)
        // A cluster is new to the ingest once, but a file of per-test assertions holds thousands:
        // prepared once, not parsed again for each.
        insertCluster = try db.prepare(
                sql: """
                    INSERT INTO failure_cluster (id, category, detail, template, rules_version) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO NOTHING
                    """)
    }

    /// Registers a file of this ingest before its cases are written.
    package func beginFile(id: Int64, path: String) {
        // Cases still waiting belong to a file whose savepoint was rolled back.
        pending.removeAll()
        if fileInProgress {
            // So does what the writer remembers of the database since then: a cluster row it
            // inserted, a result whose id the next file may be given. Both are caches of what is
            // stored, so they are emptied and filled again from the database as needed.
            knownClusters.removeAll()
            storedAttempts.removeAll()
        }
        fileInProgress = true
        filesOfThisIngest[id] = path
    }

    /// Confirms that the file begun last is stored (its savepoint kept).
    package func endFile() {
        fileInProgress = false
    }

    /// Stores one case as a result of the run with all its attempts, folding it into the
    /// result already there when the run has reported this test-variant before in the same
    /// file (a non-adjacent repeat) or in an earlier ingest into the same run (a re-run job).
    /// Two files of one ingest that hold the same test-variant are refused: nothing says one
    /// re-ran the other, so they are separate runs or separate variants.
    ///
    /// `signatures` holds the signature of each failed attempt (nil for the others), or is
    /// empty when no attempt failed.
    package func write(_ testCase: TestCase, signatures: [Signature?], fileID: Int64) throws {
        casesWritten += 1
        if storesInBatches {
            pending.append(PendingCase(testCase: testCase, signatures: signatures, fileID: fileID))
            if pending.count >= Self.batchSize { try flush() }
            return
        }
        let testID = try testID(for: testCase)
        let insert = insertResult
        let clusters = try clusterIDs(signatures)
        let outcome = testCase.outcome
        insert.reset()
        insert.bind(1, runID)
        insert.bind(2, testID)
        insert.bind(3, fileID)
        insert.bind(4, outcome.rawValue)
        insert.bind(5, testCase.attempts.count)
        insert.bind(6, outcome == .passed && testCase.attempts.count > 1 && testCase.isRetriedToPass)
        insert.bind(7, testCase.duration)
        // The cluster that explains the final outcome: the last failing attempt's.
        insert.bind(8, outcome.isFailure ? clusters.last { $0 != nil } ?? nil : nil)
        guard let resultID = try insert.insertedID() else {
            try mergeIntoExisting(testCase, clusters: clusters, testID: testID, fileID: fileID)
            return
        }
        if Self.needsAttemptRows(testCase) {
            try insertAttempts(testCase.attempts, clusters: clusters, resultID: resultID)
        }
    }

    /// A single clean pass (one attempt, passed, nothing written about it) is wholly described
    /// by its result row; every other case stores a row per attempt. This keeps the largest
    /// class of rows out of the attempt table (see README, "What is stored").
    package static func needsAttemptRows(_ testCase: TestCase) -> Bool {
        guard testCase.attempts.count == 1, let only = testCase.attempts.first else { return true }
        return only.outcome != .passed || only.message != nil || only.failureText != nil
            || only.stdout != nil || only.stderr != nil || only.failureType != nil
    }

    // MARK: - Tests

    package func testID(for testCase: TestCase) throws -> Int64 {
        let identity = testCase.identity
        let variant = identity.variant.canonical
        let storageHash = identity.storageHash
        var hash = storageHash
        while true {
            // A file's tests are mostly all known (a history) or all new (a new suite, a first
            // ingest): try first what the previous test turned out to be, so that the usual
            // case costs one statement, not a failed lookup before the insert.
            if lastTestWasNew, hash == storageHash, !hasLegacyTests,
                let id = try insertTest(testCase, identity: identity, variant: variant, hash: hash)
            {
                return id
            }
            if let id = try selectTest(identity: identity, variant: variant, hash: hash) {
                lastTestWasNew = false
                return id
            }
            if hasLegacyTests, hash == storageHash, let adopted = try adoptLegacyTest(testCase, hash: hash) {
                lastTestWasNew = false
                return adopted
            }
            if let id = try insertTest(testCase, identity: identity, variant: variant, hash: hash) {
                lastTestWasNew = true
                return id
            }
            // Another identity holds this 64-bit hash (astronomically rare): probe the next value.
            hash &+= 1
        }
    }

    private func selectTest(identity: TestIdentity, variant: String, hash: Int64) throws -> Int64? {
        let select = selectTest
        select.reset()
        select.bind(1, hash)
        select.bind(2, identity.suitePath)
        select.bind(3, identity.classname)
        select.bind(4, identity.name)
        select.bind(5, variant)
        return try select.firstInt64()
    }

    /// The new test's id, or nil when a test already holds `hash`.
    private func insertTest(_ testCase: TestCase, identity: TestIdentity, variant: String, hash: Int64) throws -> Int64? {
        let insert = insertTest
        insert.reset()
        insert.bind(1, hash)
        insert.bind(2, testCase.suite)
        insert.bind(3, identity.suitePath)
        insert.bind(4, identity.classname)
        insert.bind(5, identity.name)
        insert.bind(6, variant)
        insert.bind(7, testCase.file)
        return try insert.insertedID()
    }

    /// A test stored before suite paths were part of the identity was keyed by its leaf suite:
    /// the first test of a nested suite with that leaf suite, class and name takes its history.
    private func adoptLegacyTest(_ testCase: TestCase, hash: Int64) throws -> Int64? {
        guard testCase.suitePath != testCase.suite, testCase.variant.isEmpty else { return nil }
        let legacyHash = TestIdentity(suitePath: testCase.suite, classname: testCase.classname, name: testCase.name)
            .storageHash
        guard
            let id = try db.fetchOne(Int64.self, sql: """
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

    /// Records each signature's cluster; the cluster ids, one per attempt (or none at all).
    package func clusterIDs(_ signatures: [Signature?]) throws -> [String?] {
        guard !signatures.isEmpty else { return [] }
        return try signatures.map { signature in
            guard let signature else { return nil }
            try remember(signature)
            return signature.clusterID
        }
    }

    private func remember(_ signature: Signature) throws {
        guard knownClusters.insert(signature.clusterID).inserted else { return }
        let insert = insertCluster
        insert.reset()
        insert.bind(1, signature.clusterID)
        insert.bind(2, signature.category)
        insert.bind(3, signature.detail)
        insert.bind(4, signature.template)
        insert.bind(5, rulesVersion)
        try insert.execute()
    }

    private func insertAttempts(
        _ attempts: [TestAttempt], clusters: [String?], resultID: Int64, firstSeq: Int = 0
    ) throws {
        let insert = insertAttempt
        for (index, attempt) in attempts.enumerated() {
            insert.reset()
            insert.bind(1, resultID)
            insert.bind(2, firstSeq + index)
            insert.bind(3, attempt.kind.rawValue)
            insert.bind(4, attempt.outcome.rawValue)
            insert.bind(5, attempt.isInferred)
            insert.bind(6, attempt.duration)
            insert.bind(7, attempt.message)
            insert.bind(8, attempt.failureType)
            insert.bind(9, attempt.failureText)
            insert.bind(10, attempt.stdout)
            insert.bind(11, attempt.stderr)
            insert.bind(12, index < clusters.count ? clusters[index] : nil)
            if attemptsCarryRun { insert.bind(13, runID) }
            try insert.execute()
        }
    }

    // MARK: - A test reported twice in one run

    package func mergeIntoExisting(_ testCase: TestCase, clusters: [String?], testID: Int64, fileID: Int64) throws {
        guard
            let stored = try db.fetchOne(sql: "SELECT id, file_id, duration FROM result WHERE run_id = ? AND test_id = ?",
                arguments: [runID, testID])
        else { return }
        let resultID: Int64 = try stored.required("id", of: "result")
        let earlierFile: Int64 = try stored.required("file_id", of: "result")
        if earlierFile != fileID, let earlierPath = filesOfThisIngest[earlierFile] {
            let path = filesOfThisIngest[fileID] ?? ""
            throw TriageError.badInput(
                file: path, line: nil,
                reason:
                    "\(testCase.identity.displayID) is also in \(earlierPath), and nothing marks either as a retry; store one run per file with `triage ingest --each`, or tell configurations apart with --variant key=value"
            )
        }
        var summary = try storedAttempts[resultID] ?? loadAttempts(resultID: resultID, duration: stored["duration"])
        // Only the new attempts are written, and the earlier one a repeat shows to have failed:
        // a test reported thousands of times costs thousands of rows, not their square.
        var added: [TestAttempt]
        if testCase.isTeardownReport {
            added = testCase.attempts.map { var attempt = $0; attempt.kind = .teardown; return attempt }
        } else {
            // A childless pass reported again in the same file was a failed attempt that
            // pytest-rerunfailures did not describe; a re-run job's later file says nothing of that.
            if earlierFile == fileID, let last = summary.lastExecution, last.outcome == .passed, last.isUndescribed {
                try db.execute(
                    sql: "UPDATE attempt SET outcome = 'failed', inferred = 1 WHERE result_id = ? AND seq = ?",
                    arguments: [resultID, last.seq])
                summary.inferFailureOfLastExecution()
            }
            added = testCase.attempts.map { var attempt = $0; attempt.kind = attempt.kind == .teardown ? .teardown : .retry; return attempt }
        }
        try insertAttempts(added, clusters: clusters, resultID: resultID, firstSeq: summary.count)
        for (index, attempt) in added.enumerated() {
            summary.append(attempt, cluster: index < clusters.count ? clusters[index] : nil)
        }
        storedAttempts[resultID] = summary
        try db.execute(
            sql: "UPDATE result SET outcome = ?, attempts = ?, retried = ?, duration = ?, cluster_id = ? WHERE id = ?",
            arguments: [
                summary.outcome.rawValue, summary.count, summary.isRetriedToPass, summary.duration,
                summary.decisiveCluster, resultID,
            ])
    }

    /// What a stored result's attempts add up to, read once per result and ingest; a result
    /// without attempt rows was a clean pass, whose row is written now that it has company.
    private func loadAttempts(resultID: Int64, duration: Double?) throws -> AttemptSummary {
        var summary = AttemptSummary()
        try db.forEach(
            sql: """
                SELECT kind, outcome, duration,
                       CASE WHEN message IS NULL AND failure_text IS NULL THEN 1 ELSE 0 END AS undescribed, cluster_id
                FROM attempt WHERE result_id = ? ORDER BY seq
                """, arguments: [resultID]
        ) { row in
            summary.append(
                kind: AttemptKind(rawValue: row["kind"] ?? "") ?? .run,
                outcome: Outcome(rawValue: row["outcome"] ?? "") ?? .error,
                duration: row["duration"], isUndescribed: row["undescribed"] ?? false, cluster: row["cluster_id"])
        }
        if summary.count == 0 {
            let pass = TestAttempt(outcome: .passed, duration: duration)
            try insertAttempts([pass], clusters: [nil], resultID: resultID, firstSeq: 0)
            summary.append(pass, cluster: nil)
        }
        return summary
    }
}

/// The attempts of one stored result, reduced to what folding in another report needs:
/// the same rules as `TestCase.outcome`, `isRetriedToPass` and `duration`, kept up to date
/// one attempt at a time.
package struct AttemptSummary {
    package struct Execution {
        package var seq: Int
        package var outcome: Outcome
        package var duration: Double?
        /// Neither a message nor a failure text: a pass that may have been an undescribed failure.
        package var isUndescribed: Bool

        package init(seq: Int, outcome: Outcome, duration: Double? = nil, isUndescribed: Bool) {
            self.seq = seq
            self.outcome = outcome
            self.duration = duration
            self.isUndescribed = isUndescribed
        }
    }

    package private(set) var count = 0
    /// The last attempt that was not a teardown report.
    package private(set) var lastExecution: Execution?
    private var firstOutcome: Outcome?
    private var lastDuration: Double?
    private var worstTeardown: Outcome?
    private var failedExecution = false
    /// The cluster of the last attempt that has one.
    private var lastCluster: String?

    package mutating func append(_ attempt: TestAttempt, cluster: String?) {
        append(
            kind: attempt.kind, outcome: attempt.outcome, duration: attempt.duration,
            isUndescribed: attempt.message == nil && attempt.failureText == nil, cluster: cluster)
    }

    package mutating func append(kind: AttemptKind, outcome: Outcome, duration: Double?, isUndescribed: Bool, cluster: String?) {
        if count == 0 { firstOutcome = outcome }
        if kind == .teardown {
            worstTeardown = max(worstTeardown ?? outcome, outcome)
        } else {
            lastExecution = Execution(seq: count, outcome: outcome, duration: duration, isUndescribed: isUndescribed)
            if outcome.isFailure { failedExecution = true }
        }
        lastDuration = duration
        if let cluster { lastCluster = cluster }
        count += 1
    }

    /// The last execution was a failed attempt its producer did not describe.
    package mutating func inferFailureOfLastExecution() {
        lastExecution?.outcome = .failed
        failedExecution = true
    }

    package var outcome: Outcome {
        var result = lastExecution?.outcome ?? firstOutcome ?? .skipped
        if let worstTeardown, worstTeardown > result { result = worstTeardown }
        return result
    }

    package var isRetriedToPass: Bool { outcome == .passed && failedExecution }

    package var duration: Double? { lastExecution.map { $0.duration ?? lastDuration } ?? lastDuration }

    package var decisiveCluster: String? { outcome.isFailure ? lastCluster : nil }
}
