import Foundation
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

/// The PostgreSQL backend end to end, against the server `Tests/Scripts/with_postgres.sh`
/// starts (skipped without one): errors that name the server and never the password, many CI
/// jobs writing one history at once, and histories moved between backends.
@Suite(.enabled(if: ScratchPostgres.adminURL != nil, "needs a PostgreSQL server (Tests/Scripts/with_postgres.sh)"))
struct PostgresCommandTests {
    /// The user URL with its password replaced by `password`.
    static func url(_ url: String, password: String) -> String {
        guard let at = url.range(of: "@"), let colon = url[url.index(url.startIndex, offsetBy: 13)..<at.lowerBound].lastIndex(of: ":")
        else { return url }
        return String(url[...colon]) + password + String(url[at.lowerBound...])
    }

    @Test func aWrongPasswordIsOneLineExitFourThatNeverShowsIt() throws {
        let cli = try CLI()
        let good = try ScratchPostgres.create()
        let secret = "Wr0ngSecret-\(UUID().uuidString.prefix(6))"
        let result = try cli.run(["runs", "--db", Self.url(good, password: secret)])
        #expect(result.status == 4)
        let line = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!line.contains("\n"), "one line: \(line)")
        #expect(line.contains("127.0.0.1"))
        #expect(line.contains(try #require(try PostgresLocation.parse(good)).database))
        #expect(line.contains("password authentication failed"))
        #expect(!line.contains(secret))
        // Nor through the environment.
        let viaEnvironment = try cli.run(["runs"], environment: ["TRIAGE_DB": Self.url(good, password: secret)])
        #expect(viaEnvironment.status == 4)
        #expect(!viaEnvironment.stderr.contains(secret))
    }

    @Test func anUnreachableServerIsOneLineExitFour() throws {
        let cli = try CLI()
        let result = try cli.run(["runs", "--db", "postgresql://triage:Secret99@127.0.0.1:1/history"])
        #expect(result.status == 4)
        let line = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!line.contains("\n"), "one line: \(line)")
        #expect(line.contains("127.0.0.1:1/history"))
        #expect(!line.contains("Secret99"))
    }

    @Test func twentyProcessesOnANewDatabaseMigrateItOnce() throws {
        let cli = try CLI()
        let url = try ScratchPostgres.create()
        let processes = try (0..<20).map { _ in try cli.start(["runs", "--db", url]) }
        for process in processes { process.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == Array(repeating: 0, count: 20))
        let client = try PostgresBackend.connect(try #require(try PostgresLocation.parse(url)))
        defer { client.close() }
        #expect(try client.session().fetchOne(Int.self, sql: "SELECT COUNT(*) FROM triage_schema") == 1)
    }

    @Test func sixteenCIJobsAtOnceStoreEveryRunOnce() throws {
        let cli = try CLI()
        let url = try ScratchPostgres.create()
        // Eight builds of two shards each: a shard pair shares its --run-id and becomes one run.
        for job in 0..<16 {
            let folder = cli.folder.appendingPathComponent("job\(job)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let cases = (0..<200).map { index -> String in
                let name = "test_\(job % 2)_\(index)"
                return index == 0
                    ? "<testcase classname=\"tests.test_ws\" name=\"\(name)\"><failure message=\"AssertionError: broke\">trace</failure></testcase>"
                    : "<testcase classname=\"tests.test_ws\" name=\"\(name)\"/>"
            }
            try Data("<testsuites><testsuite name=\"pytest\">\(cases.joined())</testsuite></testsuites>".utf8).write(
                to: folder.appendingPathComponent("r.xml"))
        }
        var environment = cli.environment
        environment["TRIAGE_DB"] = url
        let processes = try (0..<16).map { job -> Process in
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["ci", "job\(job)/*.xml", "--run-id", "build-\(job / 2)", "--fail-on", "never"]
            process.currentDirectoryURL = cli.folder
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == Array(repeating: 0, count: 16))
        let runs = try #require(
            try JSONSerialization.jsonObject(
                with: Data(try cli.run(["runs", "--format", "json", "--db", url]).stdout.utf8)) as? [[String: Any]])
        #expect(runs.count == 8)
        #expect(runs.compactMap { $0["tests"] as? Int }.allSatisfy { $0 == 400 }, "\(runs)")
    }

    @Test func aHistoryMovesFromSQLiteToPostgreSQLAndBackUnchanged() throws {
        let cli = try CLI()
        let sqlite = cli.folder.appendingPathComponent("demo.sqlite").path
        let demo = try cli.run(["demo", "--db", sqlite])
        try #require(demo.status == 0, "\(demo.stderr)")
        let postgres = try ScratchPostgres.create()
        let there = try cli.run(["db", "copy", "--from", sqlite, "--to", postgres])
        #expect(there.status == 0, "\(there.stderr)")
        #expect(there.stdout.contains("every table's count matches"))
        let back = cli.folder.appendingPathComponent("back.sqlite").path
        let again = try cli.run(["db", "copy", "--from", postgres, "--to", back])
        #expect(again.status == 0, "\(again.stderr)")
        for command in [["flaky", "--format", "json"], ["clusters", "--format", "json"], ["runs", "--format", "json"],
                        ["report", "status", "--format", "json"], ["whys", "list", "--format", "json"]] {
            let original = try cli.run(command + ["--db", sqlite])
            #expect(original.status == 0, "\(command): \(original.stderr)")
            #expect(try cli.run(command + ["--db", postgres]).stdout == original.stdout, "\(command) on PostgreSQL")
            #expect(try cli.run(command + ["--db", back]).stdout == original.stdout, "\(command) copied back")
        }
        // Into a history that is not empty: refused, nothing changed.
        let refused = try cli.run(["db", "copy", "--from", sqlite, "--to", postgres])
        #expect(refused.status == 2)
    }
}
