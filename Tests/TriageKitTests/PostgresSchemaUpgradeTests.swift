import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

/// A history made by an earlier version on PostgreSQL is brought up to this version's schema
/// when it is opened. Runs under `Tests/Scripts/with_postgres.sh`; skips without a server.
@Suite(
    "PostgreSQL schema upgrades",
    .enabled(if: ProcessInfo.processInfo.environment["TRIAGE_TEST_POSTGRES_ADMIN"]?.isEmpty == false))
struct PostgresSchemaUpgradeTests {
    /// The foreign keys schema 9 had on the partitioned tables and schema 10 leaves out.
    static let droppedKeys = ["attempt_run_id_result_id_fkey", "result_run_id_file_id_fkey", "result_cluster_id_fkey"]

    static func keys(_ session: any SQLSession) throws -> [String] {
        try session.fetchAll(
            sql: "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('result'::regclass, 'attempt'::regclass) ORDER BY conname"
        ).map { try $0.required("conname", of: "pg_constraint") }
    }

    @Test func aVersion9HistoryLosesTheForeignKeysThatSlowedIngestAndGainsTheFailingIndex() throws {
        let url = try ScratchPostgres.create(prefix: "upgrade")
        let history = try TriageDatabase(path: url)
        let client = try #require(history.postgres)
        // Made as version 9 made it: with the three keys, without the index of failing
        // results (version 11), and 9 recorded.
        try client.transaction { session in
            try session.execute(sql: "DROP INDEX result_failing")
            try session.execute(
                sql: "ALTER TABLE attempt ADD FOREIGN KEY (run_id, result_id) REFERENCES result (run_id, id) ON DELETE CASCADE")
            try session.execute(
                sql: "ALTER TABLE result ADD FOREIGN KEY (run_id, file_id) REFERENCES run_file (run_id, id) ON DELETE CASCADE")
            try session.execute(sql: "ALTER TABLE result ADD FOREIGN KEY (cluster_id) REFERENCES failure_cluster (id)")
            try session.execute(sql: "DELETE FROM triage_schema")
            try session.execute(sql: "INSERT INTO triage_schema (version) VALUES (9)")
        }
        let before = try client.transaction { try Self.keys($0) }
        #expect(Set(Self.droppedKeys).isSubset(of: before))

        let reopened = try TriageDatabase(path: url)
        let reopenedClient = try #require(reopened.postgres)
        let after = try reopenedClient.transaction { try Self.keys($0) }
        #expect(Set(after).isDisjoint(with: Self.droppedKeys))
        #expect(after.contains("result_test_id_fkey") && after.contains("result_run_id_fkey"))
        let version = try reopenedClient.transaction { try $0.fetchOne(Int.self, sql: "SELECT MAX(version) FROM triage_schema") }
        #expect(version == PostgresSchema.version)
        let indexes = try reopenedClient.transaction {
            try $0.fetchAll(sql: "SELECT indexname FROM pg_indexes WHERE tablename = 'result'")
                .map { try $0.required("indexname", of: "pg_indexes") as String }
        }
        #expect(indexes.contains("result_failing"))
    }
}
