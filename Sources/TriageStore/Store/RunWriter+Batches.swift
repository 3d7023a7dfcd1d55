import Foundation
import TriageModel

/// Storing cases a batch at a time, for a backend where every statement is a round trip to
/// a server (PostgreSQL). A batch costs a handful of statements, whatever its size: one
/// lookup of its tests, one insert of the tests that are new, one insert of its results and
/// one of their attempts. What the batch cannot store that way (a test reported twice, a
/// result the run already holds, a hash two identities share, tests stored before suite
/// paths were part of the identity) goes through the same per-case code as on SQLite, in
/// the order the cases came, so the stored run is the same either way.
extension RunWriter {
    package struct PendingCase {
        package var testCase: TestCase
        package var signatures: [Signature?]
        package var fileID: Int64

        package init(testCase: TestCase, signatures: [Signature?], fileID: Int64) {
            self.testCase = testCase
            self.signatures = signatures
            self.fileID = fileID
        }
    }

    /// Cases per batch. The attempt insert binds 13 values a row: 500 rows stay far below
    /// PostgreSQL's 65,535 parameters a statement, and a batch of traces and output stays a
    /// few megabytes.
    package static let batchSize = 500

    /// Stores the cases waiting in `pending`. The ingest calls it at the end of each file,
    /// before it records what the file held.
    package func flush() throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        let testIDs = try batchTestIDs(batch.map(\.testCase))
        var clusters: [[String?]] = []
        clusters.reserveCapacity(batch.count)
        for item in batch { clusters.append(try clusterIDs(item.signatures)) }

        // The first report of each test in the batch becomes a result; a later one folds into it.
        var seen = Set<Int64>()
        var isFirst = [Bool](repeating: false, count: batch.count)
        for index in batch.indices where seen.insert(testIDs[index]).inserted { isFirst[index] = true }
        let firsts = batch.indices.filter { isFirst[$0] }
        let resultIDs = try insertResults(firsts, of: batch, testIDs: testIDs, clusters: clusters)

        var attempts = AttemptRows(carriesRun: attemptsCarryRun, runID: runID)
        for index in firsts {
            guard let resultID = resultIDs[testIDs[index]], Self.needsAttemptRows(batch[index].testCase) else { continue }
            for (seq, attempt) in batch[index].testCase.attempts.enumerated() {
                attempts.append(attempt, seq: seq, cluster: seq < clusters[index].count ? clusters[index][seq] : nil,
                    resultID: resultID)
                if attempts.count >= Self.batchSize { try attempts.insert(into: db) }
            }
        }
        try attempts.insert(into: db)

        // A result the run already held before this batch, and every later report of a test.
        for index in batch.indices where !(isFirst[index] && resultIDs[testIDs[index]] != nil) {
            let item = batch[index]
            try mergeIntoExisting(item.testCase, clusters: clusters[index], testID: testIDs[index], fileID: item.fileID)
        }
    }

    // MARK: - Tests

    /// The test id of each case: the known tests in one lookup, the new ones in one insert.
    private func batchTestIDs(_ cases: [TestCase]) throws -> [Int64] {
        if hasLegacyTests { return try cases.map { try testID(for: $0) } }
        let identities = cases.map(\.identity)
        let variants = identities.map(\.variant.canonical)
        var ids = [Int64?](repeating: nil, count: cases.count)
        let hashes = Array(Set(identities.map(\.storageHash)))
        var stored: [Int64: (id: Int64, key: IdentityKey)] = [:]
        try db.forEach(
            sql: """
                SELECT id, identity_hash, suite_path, classname, name, variant FROM test
                WHERE identity_hash IN (\(sqlPlaceholders(count: hashes.count)))
                """, arguments: SQLArguments(hashes)
        ) { row in
            stored[try row.required("identity_hash", of: "test")] = (
                try row.required("id", of: "test"),
                IdentityKey(
                    suitePath: try row.required("suite_path", of: "test"), classname: try row.required("classname", of: "test"),
                    name: try row.required("name", of: "test"), variant: try row.required("variant", of: "test"))
            )
        }
        // New tests, each once; the first identity of a free hash is the one inserted under it.
        var newRows = SQLArguments(values: [])
        var insertedKeys: [Int64: IdentityKey] = [:]
        for (index, identity) in identities.enumerated() {
            let key = IdentityKey(identity, variant: variants[index])
            if let known = stored[identity.storageHash] {
                if known.key == key { ids[index] = known.id }
            } else if insertedKeys[identity.storageHash] == nil {
                insertedKeys[identity.storageHash] = key
                let testCase = cases[index]
                newRows += [
                    identity.storageHash, testCase.suite, identity.suitePath, identity.classname, identity.name,
                    variants[index], testCase.file,
                ]
            }
        }
        if !insertedKeys.isEmpty {
            var inserted: [Int64: Int64] = [:]
            try db.forEach(
                sql: """
                    INSERT INTO test (identity_hash, suite, suite_path, classname, name, variant, file)
                    VALUES \(Self.rows(insertedKeys.count, of: 7))
                    ON CONFLICT (identity_hash) DO NOTHING
                    RETURNING id, identity_hash
                    """, arguments: newRows
            ) { row in
                inserted[try row.required("identity_hash", of: "test")] = try row.required("id", of: "test")
            }
            // Another identity with the same hash, or a test a concurrent writer stored first,
            // is left to the per-case lookup below.
            for (index, identity) in identities.enumerated() where ids[index] == nil {
                if let id = inserted[identity.storageHash],
                    insertedKeys[identity.storageHash] == IdentityKey(identity, variant: variants[index])
                {
                    ids[index] = id
                }
            }
        }
        var result: [Int64] = []
        result.reserveCapacity(cases.count)
        for (index, id) in ids.enumerated() {
            result.append(try id ?? testID(for: cases[index]))
        }
        return result
    }

    // MARK: - Results and attempts

    /// Inserts a result for each of `indexes`; the new results' ids by test id. A test the run
    /// already holds a result for gets none (it is folded in afterwards).
    private func insertResults(
        _ indexes: [Int], of batch: [PendingCase], testIDs: [Int64], clusters: [[String?]]
    ) throws -> [Int64: Int64] {
        guard !indexes.isEmpty else { return [:] }
        var arguments = SQLArguments(values: [])
        arguments.values.reserveCapacity(indexes.count * 8)
        for index in indexes {
            let testCase = batch[index].testCase
            let outcome = testCase.outcome
            let retried = outcome == .passed && testCase.attempts.count > 1 && testCase.isRetriedToPass
            // The cluster that explains the final outcome: the last failing attempt's.
            let cluster: String? = outcome.isFailure ? clusters[index].last { $0 != nil } ?? nil : nil
            arguments += [
                runID, testIDs[index], batch[index].fileID, outcome.rawValue, testCase.attempts.count, retried,
                testCase.duration, cluster,
            ]
        }
        var ids: [Int64: Int64] = [:]
        try db.forEach(
            sql: """
                INSERT INTO result (run_id, test_id, file_id, outcome, attempts, retried, duration, cluster_id)
                VALUES \(Self.rows(indexes.count, of: 8))
                ON CONFLICT (run_id, test_id) DO NOTHING
                RETURNING id, test_id
                """, arguments: arguments
        ) { row in
            ids[try row.required("test_id", of: "result")] = try row.required("id", of: "result")
        }
        return ids
    }

    /// `count` rows of `width` placeholders: `(?, ?), (?, ?)`.
    package static func rows(_ count: Int, of width: Int) -> String {
        let row = "(" + sqlPlaceholders(count: width) + ")"
        return Array(repeating: row, count: count).joined(separator: ", ")
    }
}

/// The fields of a test's identity that its row stores, to tell two identities that share a
/// storage hash apart.
private struct IdentityKey: Equatable {
    var suitePath: String
    var classname: String
    var name: String
    var variant: String

    init(suitePath: String, classname: String, name: String, variant: String) {
        self.suitePath = suitePath
        self.classname = classname
        self.name = name
        self.variant = variant
    }

    init(_ identity: TestIdentity, variant: String) {
        self.init(suitePath: identity.suitePath, classname: identity.classname, name: identity.name, variant: variant)
    }
}

/// Attempt rows waiting to be inserted together.
private struct AttemptRows {
    let carriesRun: Bool
    let runID: Int64
    package private(set) var count = 0
    private var arguments = SQLArguments(values: [])

    init(carriesRun: Bool, runID: Int64) {
        self.carriesRun = carriesRun
        self.runID = runID
    }

    mutating func append(_ attempt: TestAttempt, seq: Int, cluster: String?, resultID: Int64) {
        arguments += [
            resultID, seq, attempt.kind.rawValue, attempt.outcome.rawValue, attempt.isInferred, attempt.duration,
            attempt.message, attempt.failureType, attempt.failureText, attempt.stdout, attempt.stderr, cluster,
        ]
        if carriesRun { arguments.append(runID) }
        count += 1
    }

    mutating func insert(into db: any SQLSession) throws {
        guard count > 0 else { return }
        try db.execute(
            sql: """
                INSERT INTO attempt (result_id, seq, kind, outcome, inferred, duration, message, failure_type,
                                     failure_text, stdout, stderr, cluster_id\(carriesRun ? ", run_id" : ""))
                VALUES \(RunWriter.rows(count, of: carriesRun ? 13 : 12))
                """, arguments: arguments)
        arguments.values.removeAll(keepingCapacity: true)
        count = 0
    }
}
