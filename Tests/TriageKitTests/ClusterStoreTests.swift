import Foundation
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

@Suite struct ClusterStoreTests {
    private func ingestRedisAndPostgres(_ db: TriageDatabase, engine: SignatureEngine = .builtin) throws {
        for (run, port) in [(1, 6379), (2, 6381)] {
            let xml = """
                <testsuite name="pytest">
                <testcase classname="tests.test_cache" name="test_get"><error message="failed on setup with &quot;redis.exceptions.ConnectionError: Error 111 connecting to localhost:\(port). Connection refused.&quot;">E   redis.exceptions.ConnectionError: Error 111 connecting to localhost:\(port). Connection refused.</error></testcase>
                <testcase classname="tests.test_cache" name="test_set"><failure message="redis.exceptions.ConnectionError: Error 111 connecting to 127.0.0.1:\(port). Connection refused.">trace</failure></testcase>
                <testcase classname="tests.test_db" name="test_query"><failure message="psycopg2.OperationalError: connection to server at &quot;localhost&quot; (127.0.0.1), port 5432 failed: Connection refused">trace</failure></testcase>
                <testcase classname="tests.test_db" name="test_ok"/>
                </testsuite>
                """
            _ = try Ingestor(database: db, engine: engine).ingest(
                [try TestSupport.write(xml).path], options: IngestOptions(runKey: "r\(run)"))
        }
    }

    @Test func theSameCauseOnAnotherPortIsOneClusterAcrossRuns() throws {
        let db = try TestSupport.database()
        try ingestRedisAndPostgres(db)
        let clusters = try db.clusterSummaries()
        #expect(clusters.map(\.category) == ["connection_refused", "connection_refused"])
        let redis = try #require(clusters.first { $0.detail == "redis" })
        #expect(redis.failures == 4 && redis.tests == 2 && redis.runs == 2)
        #expect(redis.firstSeenRun == 1 && redis.lastSeenRun == 2)
        let postgres = try #require(clusters.first { $0.detail == "postgres" })
        #expect(postgres.id != redis.id)

        let detail = try db.clusterDetail(String(redis.id.prefix(4)))
        #expect(detail.tests.map(\.test) == ["tests.test_cache::test_get", "tests.test_cache::test_set"])
        #expect(detail.history.map(\.failures) == [2, 2])
        #expect(!detail.examples.isEmpty)
        #expect(throws: TriageError.self) { try db.clusterDetail("zzzz") }
    }

    @Test func reclusterAppliesATeamRuleToTheStoredHistory() throws {
        let db = try TestSupport.database()
        try ingestRedisAndPostgres(db)
        let before = try db.clusterSummaries()
        let engine = try SignatureEngine(
            teamRules: RulesFile.parse(
                """
                rules:
                  - name: cache-down
                    category: connection_refused
                    message: "connecting to [^:]+:(63\\\\d\\\\d)"
                    detail: 1
                """))
        let result = try db.recluster(with: engine)
        #expect(result.attempts == 6)
        #expect(result.changed == 4)
        let after = try db.clusterSummaries()
        #expect(Set(after.compactMap(\.detail)) == ["6379", "6381", "postgres"])
        #expect(after.first { $0.detail == "postgres" }?.id == before.first { $0.detail == "postgres" }?.id)
        // Run again: nothing left to change.
        #expect(try db.recluster(with: engine).changed == 0)
    }

    @Test func classifyReadsAndWritesJSONLines() throws {
        let line = #"{"id": 7, "message": "ModuleNotFoundError: No module named 'fakeredis'", "test": "t"}"#
        let output = try ClassifyLine.classify(line, lineNumber: 1, engine: .builtin)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(json["id"] as? String == "7")
        #expect(json["category"] as? String == "import_error")
        #expect((json["cluster"] as? String)?.count == 10)
        #expect(json["template"] != nil)
        let error = try #require(throws: TriageError.self) {
            try ClassifyLine.classify("not json", lineNumber: 3, engine: .builtin)
        }
        #expect(error.description.hasPrefix("stdin: line 3:"))
    }

    @Test func aBadRulesFileIsAOneLineErrorNamingIt() throws {
        let url = try TestSupport.write(
            "rules:\n  - name: x\n    category: oom\n    message: \"OOM [\"\n", name: "rules.yaml")
        let error = try #require(throws: TriageError.self) { try SignatureEngine.standard(rulesFile: url.path) }
        #expect(error.description.contains("rules.yaml"))
        #expect(error.description.contains("'x'"))
        #expect(!error.description.contains("\n"))
    }
}
