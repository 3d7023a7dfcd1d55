import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

/// On PostgreSQL, prune drops a range of runs a partition at a time. Runs under
/// `Tests/Scripts/with_postgres.sh`; skips without a server.
@Suite(
    "PostgreSQL prune by partition",
    .enabled(if: ProcessInfo.processInfo.environment["TRIAGE_TEST_POSTGRES_ADMIN"]?.isEmpty == false))
struct PostgresPruneTests {
    static func partitions(_ client: PostgresBackend) throws -> [String] {
        try client.transaction { session in
            try session.fetchAll(
                sql: """
                    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent IN ('result'::regclass, 'attempt'::regclass) ORDER BY c.relname
                    """
            ).map { try $0.required("relname", of: "pg_class") }
        }
    }

    func ingest(_ history: TriageDatabase, run: String, failing: Bool) throws {
        let file = try TestSupport.write(
            """
            <testsuite name="s"><testcase classname="m" name="a"/>\
            <testcase classname="m" name="b">\(failing ? "<failure message=\"Connection refused\"/>" : "")</testcase></testsuite>
            """)
        _ = try Ingestor(database: history).ingest([file.path], options: IngestOptions(runKey: run))
    }

    @Test func aRangeThatGoesAsAWholeIsDroppedAndTheRestStays() throws {
        let url = try ScratchPostgres.create(prefix: "prune")
        let history = try TriageDatabase(path: url)
        let client = try #require(history.postgres)
        // Two runs in range 0, then ids jump to range 2: range 0 can go whole, range 2 cannot.
        try ingest(history, run: "r1", failing: true)
        try ingest(history, run: "r2", failing: false)
        _ = try client.transaction {
            try $0.fetchOne(Int64.self, sql: "SELECT setval(pg_get_serial_sequence('run', 'id'), 2500)")
        }
        try ingest(history, run: "r3", failing: true)
        try ingest(history, run: "r4", failing: true)
        #expect(try Self.partitions(client).contains("result_p0"))

        let report = try history.prune(before: nil, keepRuns: 2)
        #expect(report.runs.count == 2)
        #expect(report.results == 4)
        let left = try Self.partitions(client)
        #expect(!left.contains("result_p0") && !left.contains("attempt_p0"))
        #expect(left.contains("result_p2") && left.contains("attempt_p2"))
        #expect(try history.runs(limit: 10).map(\.key).sorted() == ["r3", "r4"])
        // What the remaining runs hold is untouched, and the history takes new runs.
        #expect(try history.results(inRuns: try history.runs(limit: 10).map(\.id)).count == 4)
        try ingest(history, run: "r5", failing: false)
        #expect(try history.runs(limit: 10).count == 3)

        // Keeping one run of range 2 leaves its partition: those runs go row by row.
        let second = try history.prune(before: nil, keepRuns: 1)
        #expect(second.runs.count == 2 && second.results == 4)
        #expect(try Self.partitions(client).contains("result_p2"))
    }
}
