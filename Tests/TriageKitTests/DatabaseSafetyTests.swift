import Foundation
import GRDB
import Synchronization
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

/// Old databases, a full disk, a read-only file and parallel writers: a clear error (exit
/// code 4, naming the file) and the database exactly as it was, or every run stored once.
@Suite struct DatabaseSafetyTests {
    private func counts(_ db: TriageDatabase) throws -> [String: Int] {
        try db.readSQLite { db in
            var counts: [String: Int] = [:]
            for table in ["run", "run_file", "test", "result", "attempt", "failure_cluster"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)")
            }
            return counts
        }
    }

    /// A JUnit file of `count` tests, some failing with long messages, in a fresh folder.
    private func resultFile(_ name: String, tests count: Int) throws -> String {
        let cases = (0..<count).map { index in
            index % 3 == 0
                ? #"<testcase classname="\#(name)" name="t\#(index)"><failure message="boom \#(index)">\#(String(repeating: "trace line\n", count: 40))</failure></testcase>"#
                : #"<testcase classname="\#(name)" name="t\#(index)"/>"#
        }
        return try TestSupport.write(
            #"<testsuite name="\#(name)">"# + cases.joined() + "</testsuite>", name: "\(name).xml"
        ).path
    }

    private func databasePath() throws -> String {
        try TestSupport.temporaryFolder().appendingPathComponent("history.sqlite").path
    }

    // MARK: - Old databases

    @Test func aDatabaseOfTheFirstReleasedSchemaOpensMigratedWithItsDataIntact() throws {
        let path = try databasePath()
        try FileManager.default.copyItem(
            at: TestSupport.fixture("databases/v1-runs-results.sqlite"), to: URL(fileURLWithPath: path))
        let applied = try DatabaseQueue(path: path).read {
            try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(applied == ["v1-runs-results"], "the fixture holds the first released schema only")

        let db = try TriageDatabase(path: path)
        #expect(try db.readSQLite { try Schema.migrator.hasCompletedMigrations($0) })
        let runs = try db.runs().sorted { $0.id < $1.id }
        #expect(runs.map(\.key) == ["ci-1001", "ci-1002"])
        #expect(
            runs.map(\.totals) == [
                RunTotals(tests: 4, passed: 1, failed: 0, errors: 2, skipped: 1, retried: 1),
                RunTotals(tests: 6, passed: 3, failed: 1, errors: 1, skipped: 1, retried: 1),
            ])
        #expect(runs.map(\.metadata.commit) == ["1111111aaaaaaa", "2222222bbbbbbb"])
        #expect(runs[1].metadata.labels == ["os": "linux"])
        let detail = try db.runDetail(id: runs[1].id)
        #expect(detail.files.map(\.format) == ["junit", "xunit2"])
        #expect(
            try counts(db) == ["run": 2, "run_file": 3, "test": 10, "result": 10, "attempt": 15, "failure_cluster": 9])

        // And it takes new runs.
        let report = try Ingestor(database: db).ingest([TestSupport.fixture("nunit3-parameterized.xml").path])
        #expect(report.runID == 3)
    }

    // MARK: - Disk full and read-only

    /// Deleting a run deletes its files, results and attempts; each reference into a deleted row
    /// is looked up by its column, so a column without an index makes that lookup a scan of a
    /// table that grows with every run (`prune` took most of a second per run at 5M results).
    @Test func everyReferenceFromTheTablesThatGrowWithRunsIsIndexed() throws {
        let db = try TriageDatabase(path: try databasePath())
        let unindexed = try db.readSQLite { db in
            var missing: [String] = []
            for table in ["run_file", "result", "attempt"] {
                let leading = try String.fetchAll(
                    db,
                    sql: """
                        SELECT ii.name FROM pragma_index_list(?) il, pragma_index_info(il.name) ii
                        WHERE ii.seqno = 0
                        """, arguments: [table])
                let references = try String.fetchAll(
                    db, sql: "SELECT \"from\" FROM pragma_foreign_key_list(?) WHERE seq = 0", arguments: [table])
                missing += references.filter { !leading.contains($0) }.map { "\(table).\($0)" }
            }
            return missing
        }
        #expect(unindexed == [])
    }

    /// SQLite checks `x IN (list)` by building a temporary index of the list for every row: the
    /// CHECKs of the tables every case is stored in compare in place, and still refuse what
    /// they refused.
    @Test func theChecksOfTheTablesEveryCaseGoesIntoCompareInPlace() throws {
        let db = try TriageDatabase(path: try databasePath())
        try Ingestor(database: db).ingest([try resultFile("checks", tests: 3)])
        let definitions = try db.readSQLite { db in
            try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ('result', 'attempt')")
        }
        #expect(definitions.count == 2)
        for definition in definitions {
            #expect(!definition.contains(" IN ("), "\(definition)")
        }
        let queue = try DatabaseQueue(path: db.path)
        for refused in [
            "UPDATE result SET outcome = 'flaky'", "UPDATE result SET retried = 2",
            "UPDATE attempt SET kind = 'rerun'", "UPDATE attempt SET outcome = 'broken'",
        ] {
            #expect(throws: DatabaseError.self, "\(refused)") { try queue.write { try $0.execute(sql: refused) } }
        }
        for allowed in [
            "UPDATE result SET outcome = 'skipped'", "UPDATE result SET retried = 1",
            "UPDATE attempt SET kind = 'retry'", "UPDATE attempt SET outcome = 'error'",
        ] {
            #expect(throws: Never.self, "\(allowed)") { try queue.write { try $0.execute(sql: allowed) } }
        }
    }

    /// A flakiness window starts from its failing results, through a partial index that SQLite
    /// uses only when the query says its predicate word for word.
    @Test func theFailingResultsOfAWindowComeFromTheirIndex() throws {
        let db = try TriageDatabase(path: try databasePath())
        let (definition, plan) = try db.readSQLite { db in
            (
                try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'result_failing'") ?? "",
                try Row.fetchAll(
                    db, sql: "EXPLAIN QUERY PLAN SELECT test_id FROM result WHERE run_id IN (1, 2) AND \(Schema.failingResult)"
                ).map { $0["detail"] as String? ?? "" }.joined(separator: "\n")
            )
        }
        #expect(definition.hasSuffix("WHERE \(Schema.failingResult)"))
        #expect(plan.contains("result_failing"), "\(plan)")
    }

    @Test func aFullDiskGivesAClearErrorAndChangesNothing() throws {
        let path = try databasePath()
        let db = try TriageDatabase(path: path)
        let ingestor = Ingestor(database: db)
        _ = try ingestor.ingest([try resultFile("first", tests: 50)], options: IngestOptions(runKey: "first"))
        let before = try counts(db)
        // SQLite's size limit stands in for a full disk: no page can be added past the current ones.
        let pages = try db.readSQLite { try Int.fetchOne($0, sql: "PRAGMA page_count") ?? 0 }
        try db.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = \(pages)") }

        let big = try resultFile("second", tests: 3000)
        let error = try #require(throws: TriageError.self) {
            try ingestor.ingest([big], options: IngestOptions(runKey: "second"))
        }
        #expect(error.exitCode == 4)
        #expect(error.description.hasPrefix(path + ": "))
        #expect(error.description.contains("the disk is full; nothing was written, free some space and retry"))
        #expect(try counts(db) == before)
        #expect(try db.readSQLite { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")

        // With room again, the same ingest works.
        try db.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1073741823") }
        #expect(try ingestor.ingest([big], options: IngestOptions(runKey: "second")).totals?.tests == 3000)
    }

    @Test func aReadOnlyDatabaseGivesAClearErrorAndChangesNothing() throws {
        let path = try databasePath()
        let writable = try TriageDatabase(path: path)
        _ = try Ingestor(database: writable).ingest(
            [try resultFile("first", tests: 20)], options: IngestOptions(runKey: "first"))
        let before = try counts(writable)

        // Tests run as root, where a file's mode does not stop writes: SQLite's read-only open
        // flag stands in for a read-only file or mount.
        let readOnly = try TriageDatabase(path: path, readOnly: true)
        #expect(try readOnly.runs().map(\.key) == ["first"])
        let error = try #require(throws: TriageError.self) {
            try Ingestor(database: readOnly).ingest(
                [try resultFile("second", tests: 20)], options: IngestOptions(runKey: "second"))
        }
        #expect(error.exitCode == 4)
        #expect(error.description.hasPrefix(path + ": "))
        #expect(error.description.contains("read-only; nothing was written"))
        #expect(try counts(TriageDatabase(path: path)) == before)
    }

    @Test func aReadOnlyDatabaseThatNeedsMigratingIsRefusedUntouched() throws {
        let path = try databasePath()
        _ = try TriageDatabase(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "DELETE FROM grdb_migrations") }
        let error = try #require(throws: TriageError.self) { try TriageDatabase(path: path, readOnly: true) }
        #expect(error.exitCode == 4)
        #expect(error.description.contains("needs to be migrated"))
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM grdb_migrations") } == 0)
    }

    // MARK: - Parallel writers

    @Test func eightWritersInOneProcessKeepEveryRunOnce() throws {
        let path = try databasePath()
        _ = try TriageDatabase(path: path)
        let files = try (0..<8).map { try resultFile("shard\($0)", tests: 200) }
        let errors = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            do {
                // Each writer has its own connection, as separate processes would.
                let db = try TriageDatabase(path: path)
                _ = try Ingestor(database: db).ingest([files[index]], options: IngestOptions(runKey: "shard\(index)"))
            } catch {
                errors.withLock { $0.append("\(error)") }
            }
        }
        #expect(errors.withLock { $0 } == [])
        let runs = try TriageDatabase(path: path).runs(limit: 100)
        #expect(runs.map(\.key).sorted() == (0..<8).map { "shard\($0)" })
        #expect(runs.allSatisfy { $0.totals.tests == 200 })
    }
}
