import Foundation
import Testing

@Suite struct IngestCommandTests {
    @Test(.disabled(if: CLI.onPostgres, "checks the default SQLite file")) func ingestsIntoTheDefaultDatabaseAndListsTheRun() throws {
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
        let bad = try cli.run([
            "ingest", CLI.fixture("junit/pytest-rerun-and-teardown.xml"), CLI.fixture("junit/truncated.xml"),
        ])
        #expect(bad.status == 3)
        let lines = bad.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("truncated.xml: line 5: the file ends inside <failure>") == true)
        #expect(try cli.run(["runs", "--format", "json"]).stdout == before)
    }

    @Test func theDatabaseCanBeNamedByOptionOrEnvironment() throws {
        let cli = try CLI()
        let viaOption = try cli.run([
            "ingest", "--db", "custom/a.sqlite", CLI.fixture("junit/surefire-flaky-and-rerun.xml"),
        ])
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

@Suite struct HostileOutputCommandTests {
    /// Characters a terminal acts on; only newlines between lines are allowed.
    private func controls(_ text: String) -> [String] {
        text.unicodeScalars.filter { scalar in
            let value = scalar.value
            return (value < 0x20 && scalar != "\n") || (0x7F...0x9F).contains(value) || value == 0x2028
                || value == 0x2029
                || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
        }.map { String(format: "U+%04X", $0.value) }
    }

    @Test func hostileNamesMessagesAndMetadataReachTheTerminalEscaped() throws {
        let cli = try CLI()
        // XML 1.0 refuses C0 controls (ESC) even as &#27;, but carries C1 controls such as
        // U+009B (a one-byte CSI), CR, newlines and bidi overrides.
        let hostile =
            "&#x9B;2J&#x9B;31m|`pipe`|&lt;script&gt;alert(1)&lt;/script&gt;&#13;overwritten&#10;second line&#x202E;exe.txt"
        let xml = """
            <testsuite name="s\(hostile)">
            <testcase classname="c\(hostile)" name="t\(hostile)"><failure message="m\(hostile)" type="T\(hostile)">body\(hostile)</failure></testcase>
            <testcase classname="c" name="ok"/>
            </testsuite>
            """
        let file = cli.folder.appendingPathComponent("hostile.xml")
        try Data(xml.utf8).write(to: file)
        let escape = "\u{1B}]0;pwned\u{07}\u{1B}[2J"
        let ingest = try cli.run([
            "ingest", file.path, "--commit", "abc\(escape)", "--branch", "b\(escape)", "--build", "7\(escape)",
            "--build-url", "http://ci/\(escape)", "--label", "k=v\(escape)",
        ])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let outputs = [
            ("ingest", ingest.stdout), ("runs", try cli.run(["runs"]).stdout),
            ("runs show", try cli.run(["runs", "show"]).stdout),
            ("parse --format text", try cli.run(["parse", "--format", "text", file.path]).stdout),
        ]
        for (command, output) in outputs {
            #expect(!output.isEmpty, "\(command)")
            #expect(controls(output) == [], "\(command) printed control characters")
        }
        // One failing test is one line of `parse --format text`: the newlines in its name and message are shown, not kept.
        let parse = try cli.run(["parse", "--format", "text", file.path]).stdout
        #expect(parse.split(separator: "\n").count == 2, "\(parse)")
        #expect(parse.contains("\\u{9b}2J"))

        // Errors quote the file too: a root element's name full of escapes.
        let bad = cli.folder.appendingPathComponent("bad-root.xml")
        try Data("<\u{1B}]0;pwned\u{07}\u{9B}31m/>".utf8).write(to: bad)
        for command in [["parse", bad.path], ["ingest", bad.path], ["ingest", "--keep-going", bad.path, file.path]] {
            let result = try cli.run(command)
            #expect(result.status == 3)
            #expect(result.stderr.contains("root element"), "\(result.stderr)")
            #expect(controls(result.stderr) == [], "\(command) printed control characters on stderr")
        }
    }
}
