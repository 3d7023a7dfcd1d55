import Foundation
import Testing

@Suite struct IngestCommandTests {
    @Test func ingestsIntoTheDefaultDatabaseAndListsTheRun() throws {
        let cli = try CLI()
        let ingest = try cli.run(["ingest", CLI.fixture("junit/pytest-rerun-and-teardown.xml"), "--label", "os=linux"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stdout.contains("4 tests: 1 passed, 0 failed, 2 errors, 1 skipped, 1 passed on retry"))
        #expect(ingest.stderr.isEmpty)  // not a terminal: no progress line
        #expect(FileManager.default.fileExists(atPath: cli.databasePath))

        let runs = try cli.run(["runs", "--format", "json"])
        #expect(runs.status == 0)
        let decoded = try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]]
        #expect(decoded?.count == 1)
        #expect((decoded?.first?["totals"] as? [String: Any])?["tests"] as? Int == 4)

        let show = try cli.run(["runs", "show", "1", "--format", "json"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("\"sha256\""))
    }

    @Test func aBadFileGivesOneLineExitThreeAndChangesNothing() throws {
        let cli = try CLI()
        _ = try cli.run(["ingest", CLI.fixture("junit/surefire-flaky-and-rerun.xml")])
        let before = try cli.run(["runs", "--format", "json"]).stdout
        let bad = try cli.run(["ingest", CLI.fixture("junit/pytest-rerun-and-teardown.xml"), CLI.fixture("junit/truncated.xml")])
        #expect(bad.status == 3)
        let lines = bad.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("truncated.xml: line 5: the file ends inside <failure>") == true)
        #expect(try cli.run(["runs", "--format", "json"]).stdout == before)
    }

    @Test func theDatabaseCanBeNamedByOptionOrEnvironment() throws {
        let cli = try CLI()
        let viaOption = try cli.run(["ingest", "--db", "custom/a.sqlite", CLI.fixture("junit/surefire-flaky-and-rerun.xml")])
        #expect(viaOption.status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("custom/a.sqlite").path))
        let viaEnvironment = try cli.run(["runs"], environment: ["TRIAGE_DB": "custom/a.sqlite"])
        #expect(viaEnvironment.stdout.contains("3 "))
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath))
    }

    @Test func usageErrorsExitWith64AndUnknownRunsWith2() throws {
        let cli = try CLI()
        #expect(try cli.run(["ingest", "--label", "novalue", "x.xml"]).status == 64)
        let missing = try cli.run(["runs", "show", "99"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("run 99 does not exist"))
    }

    @Test func parsePrintsTheDocumentedJSONFields() throws {
        let cli = try CLI()
        let result = try cli.run(["parse", CLI.fixture("junit/surefire-flaky-and-rerun.xml")])
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let file = try #require((json["files"] as? [[String: Any]])?.first)
        #expect(file["format"] as? String == "junit")
        let totals = try #require(file["totals"] as? [String: Any])
        #expect(totals["tests"] as? Int == 3 && totals["retried"] as? Int == 1)
        let first = try #require((file["cases"] as? [[String: Any]])?.first)
        for key in ["id", "suite", "classname", "name", "time", "outcome", "retried", "attempts"] {
            #expect(first[key] != nil, "missing \(key)")
        }
        #expect((first["attempts"] as? [[String: Any]])?.count == 3)
    }

    @Test func fourParallelIngestsIntoOneDatabaseKeepEveryRun() throws {
        let cli = try CLI()
        var files: [String] = []
        for shard in 0..<4 {
            let cases = (0..<300).map { "<testcase classname=\"shard\(shard)\" name=\"t\($0)\"/>" }.joined()
            let url = cli.folder.appendingPathComponent("shard\(shard).xml")
            try Data("<testsuite name=\"s\(shard)\">\(cases)</testsuite>".utf8).write(to: url)
            files.append(url.path)
        }
        // No database yet: all four create and migrate it at once (an empty CI cache).
        let processes = try files.map { try cli.start(["ingest", $0]) }
        for process in processes { process.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == [0, 0, 0, 0])
        let runs = try cli.run(["runs", "--format", "json"])
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
        #expect(decoded.count == 4)
        #expect(decoded.allSatisfy { ($0["totals"] as? [String: Any])?["tests"] as? Int == 300 })
    }
}
