import Foundation
import GRDB

/// What SQLite alone needs to store a file's cases, a row per test and a row per result: the
/// floor under any ingest into SQLite, which `triage-bench ingest` prints beside the parse
/// floors.
///
/// The layout is the leanest that still finds a test by its identity: tests get a rowid and a
/// unique identity hash, results a `WITHOUT ROWID` table keyed by run and test that also holds
/// the last attempt's texts, and nothing else (no other index, no constraint, no attempt table,
/// no foreign keys). The settings are a history's (WAL and `TriageDatabase.connectionSettings`)
/// and all rows go in one transaction. The caller makes the rows; only storing them is timed.
package final class StorageFloor {
    /// One case as the floor stores it: its identity and what its last attempt says.
    package struct Row {
        package var identityHash: Int64
        package var suite: String
        package var classname: String
        package var name: String
        package var file: String?
        package var outcome: String
        package var duration: Double?
        package var message: String?
        package var failureText: String?
        package var stdout: String?
        package var stderr: String?

        package init(
            identityHash: Int64, suite: String, classname: String, name: String, file: String?, outcome: String,
            duration: Double?, message: String?, failureText: String?, stdout: String?, stderr: String?
        ) {
            self.identityHash = identityHash
            self.suite = suite
            self.classname = classname
            self.name = name
            self.file = file
            self.outcome = outcome
            self.duration = duration
            self.message = message
            self.failureText = failureText
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    private let queue: DatabaseQueue

    /// A new database at `path` with the floor's two tables.
    package init(path: String) throws {
        var configuration = Configuration()
        configuration.journalMode = .default
        configuration.prepareDatabase { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: TriageDatabase.connectionSettings)
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            try db.execute(
                sql: """
                    CREATE TABLE test (
                        id INTEGER PRIMARY KEY, identity_hash INTEGER NOT NULL UNIQUE,
                        suite TEXT NOT NULL, classname TEXT NOT NULL, name TEXT NOT NULL, file TEXT);
                    CREATE TABLE result (
                        run_id INTEGER NOT NULL, test_id INTEGER NOT NULL, outcome TEXT NOT NULL, duration REAL,
                        message TEXT, failure_text TEXT, stdout TEXT, stderr TEXT,
                        PRIMARY KEY (run_id, test_id)) WITHOUT ROWID;
                    """)
        }
    }

    /// Stores, in one transaction, the rows `produce` hands to the function it is given, and
    /// returns the seconds spent storing them, commit and fold included: making the rows is
    /// not timed.
    package func measure(_ produce: (_ store: ([Row]) throws -> Void) throws -> Void) throws -> Double {
        var nanoseconds: UInt64 = 0
        try queue.writeWithoutTransaction { db in
            let insertTest = RawStatement(
                try db.makeStatement(
                    sql: """
                        INSERT INTO test (identity_hash, suite, classname, name, file) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (identity_hash) DO NOTHING
                        """),
                db: db)
            let insertResult = RawStatement(
                try db.makeStatement(
                    sql: """
                        INSERT INTO result (run_id, test_id, outcome, duration, message, failure_text, stdout, stderr)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """),
                db: db)
            var producedAt: UInt64 = 0
            try db.inTransaction {
                try produce { rows in
                    let start = DispatchTime.now().uptimeNanoseconds
                    defer { nanoseconds += DispatchTime.now().uptimeNanoseconds - start }
                    for row in rows {
                        insertTest.reset()
                        insertTest.bind(1, row.identityHash)
                        insertTest.bind(2, row.suite)
                        insertTest.bind(3, row.classname)
                        insertTest.bind(4, row.name)
                        insertTest.bind(5, row.file)
                        // A hash seen before (a repeated report) keeps its first row.
                        guard try insertTest.insertedID() != nil else { continue }
                        insertResult.reset()
                        insertResult.bind(1, Int64(1))
                        insertResult.bind(2, db.lastInsertedRowID)
                        insertResult.bind(3, row.outcome)
                        insertResult.bind(4, row.duration)
                        insertResult.bind(5, row.message)
                        insertResult.bind(6, row.failureText)
                        insertResult.bind(7, row.stdout)
                        insertResult.bind(8, row.stderr)
                        try insertResult.execute()
                    }
                }
                // From here on everything is storing: the commit and the fold.
                producedAt = DispatchTime.now().uptimeNanoseconds
                return .commit
            }
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            nanoseconds += DispatchTime.now().uptimeNanoseconds - producedAt
        }
        return Double(nanoseconds) / 1e9
    }
}
