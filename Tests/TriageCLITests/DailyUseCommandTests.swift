import Foundation
import Testing

/// The everyday questions through the binary: what failed, what got slow, in which format,
/// with which words and colours.
@Suite struct DailyUseCommandTests {
    /// A pytest-style file: `failing` tests of `tests.test_db` fail with one cause, the others
    /// pass; `slow` tests take `slowSeconds`, the rest 0.01 s.
    static func report(
        failing: [String] = [], passing: [String] = ["test_ok"], slow: [String: Double] = [:], retried: [String] = []
    ) -> String {
        var cases = passing.map {
            "<testcase classname=\"tests.test_db\" name=\"\($0)\" time=\"\(slow[$0] ?? 0.01)\"/>"
        }
        cases += failing.map {
            "<testcase classname=\"tests.test_db\" name=\"\($0)\" time=\"0.02\"><failure message=\"redis.exceptions.ConnectionError: Error 111 connecting to localhost:6381. Connection refused.\">trace</failure></testcase>"
        }
        cases += retried.map {
            "<testcase classname=\"tests.test_db\" name=\"\($0)\" time=\"0.02\"><failure message=\"AssertionError: x\">t</failure></testcase><testcase classname=\"tests.test_db\" name=\"\($0)\" time=\"0.02\"/>"
        }
        return "<testsuites><testsuite name=\"pytest\">\(cases.joined(separator: "\n"))</testsuite></testsuites>"
    }

    func write(_ text: String, to relative: String, in cli: CLI) throws {
        let url = cli.folder.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    static let escape = "\u{1B}["

    // MARK: - What failed

    @Test func runsShowListsTheFailingTestsOfEachClusterWithTheirMarks() throws {
        let cli = try CLI()
        let failing = (1...8).map { "test_fail_\($0)" }
        try write(Self.report(failing: failing), to: "r.xml", in: cli)
        #expect(try cli.run(["ingest", "r.xml", "--variant", "python=3.12"]).status == 0)
        _ = try cli.run(["quarantine", "add", "tests.test_db::test_fail_2", "--reason", "flaky: db start"])

        let text = try cli.run(["runs", "show", "--tests", "3"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("tests.test_db::test_fail_1 [python=3.12]  failed"), "\(text.stdout)")
        #expect(text.stdout.contains("tests.test_db::test_fail_2 [python=3.12]  failed  (quarantined)"))
        #expect(text.stdout.contains("and 5 more"))
        #expect(!text.stdout.contains("test_fail_4"))
        let all = try cli.run(["runs", "show", "--tests", "0"])
        #expect(all.stdout.contains("test_fail_8") && !all.stdout.contains("more"))

        let markdown = try cli.run(["runs", "show", "--format", "markdown"])
        #expect(markdown.stdout.hasPrefix("# Run 1"), "\(markdown.stdout)")
        #expect(markdown.stdout.contains("- `tests.test_db::test_fail_2 [python=3.12]` failed (quarantined)"))
        #expect(markdown.stdout.contains("- and 3 more"))

        let json = try cli.run(["runs", "show", "--format", "json"])
        let detail = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let clusters = try #require(detail["failuresByCluster"] as? [[String: Any]])
        let tests = try #require(clusters.first?["failing"] as? [[String: Any]])
        #expect(tests.count == 8)
        #expect(tests[1]["variant"] as? String == "python=3.12")
        #expect(tests[1]["isQuarantined"] as? Bool == true && tests[0]["isQuarantined"] as? Bool == false)

        let report = try cli.run(["report", "run"])
        #expect(report.stdout.contains("- `tests.test_db::test_fail_2 [python=3.12]` failed (quarantined)"))
        #expect(!report.stdout.contains("**Build:**"), "an empty build is left out")
    }

    @Test func reportJSONHoldsRawValues() throws {
        let cli = try CLI()
        try write(Self.report(failing: ["test_a"]), to: "r.xml", in: cli)
        _ = try cli.run(["ingest", "r.xml", "--branch", "feature_x"])
        let json = try cli.run(["report", "run", "json"])
        #expect(json.stdout.contains("\"branch\" : \"feature_x\""), "\(json.stdout)")
        #expect(!json.stdout.contains("`") && !json.stdout.contains("\\\\_"))
        let markdown = try cli.run(["report", "run"])
        #expect(markdown.stdout.contains("`feature_x`"))
    }

    // MARK: - Formats and messages

    @Test func everyFormatIsPrintedOrRefused() throws {
        let cli = try CLI()
        try write(Self.report(failing: ["test_a"]), to: "r.xml", in: cli)
        let ingest = try cli.run(["ingest", "r.xml", "--format", "markdown"])
        #expect(ingest.status == 64 && ingest.stderr.contains("--format markdown is not available here"))
        #expect(try cli.run(["ingest", "r.xml"]).status == 0)
        let runs = try cli.run(["runs", "--format", "markdown"])
        #expect(runs.stdout.hasPrefix("| id | run at | branch |"), "\(runs.stdout)")
        let report = try cli.run(["report", "run", "--format", "text"])
        #expect(report.status == 64 && report.stderr.contains("use markdown or json"), "\(report.stderr)")
        #expect(try cli.run(["parse", "r.xml", "--format", "markdown"]).status == 64)
        #expect(try cli.run(["quarantine", "list", "--format", "markdown"]).status == 64)
    }

    @Test(arguments: [["runs", "--branch", "nope"], ["trend", "--branch", "nope"], ["flaky", "--branch", "nope"]])
    func aBranchWithoutRunsNamesTheBranches(arguments: [String]) throws {
        let cli = try CLI()
        try write(Self.report(), to: "r.xml", in: cli)
        _ = try cli.run(["ingest", "r.xml", "--branch", "main"])
        let result = try cli.run(arguments)
        #expect(result.status == 2, "\(result.stdout)")
        #expect(
            result.stderr.contains("no run is on branch nope; the branches with runs are: main"), "\(result.stderr)")
        #expect(!result.stderr.contains("no runs stored yet"))
    }

    @Test(.disabled(if: CLI.onPostgres, "SQLite gives the id back; PostgreSQL sequences never do")) func aRefusedIngestKeepsTheNextRunID() throws {
        let cli = try CLI()
        try write(Self.report(), to: "a.xml", in: cli)
        try write("<testsuite><testcase", to: "bad.xml", in: cli)
        try write(Self.report(passing: ["test_b"]), to: "b.xml", in: cli)
        #expect(try cli.run(["ingest", "a.xml"]).status == 0)
        // a.xml is stored already and bad.xml is refused: nothing is stored, no run is made.
        let refused = try cli.run(["ingest", "a.xml", "bad.xml", "--keep-going"])
        #expect(refused.stdout.contains("nothing stored"), "\(refused.stdout)")
        let again = try cli.run(["ingest", "a.xml"])
        #expect(again.stdout.contains("run 1 (") && again.stdout.contains(", unchanged:"), "\(again.stdout)")
        #expect(!again.stdout.contains("added to the existing run"))
        let next = try cli.run(["ingest", "b.xml"])
        #expect(next.stdout.contains("run 2 ("), "\(next.stdout)")
        #expect(next.stdout.contains("1 test: 1 passed, 0 failed, 0 errors"))
        #expect(next.stdout.contains("ingested b.xml: junit, 1 test\n"))
    }

    @Test func cycleCloseOffersOnlyTheClosingStatuses() throws {
        let cli = try CLI()
        let result = try cli.run(["cycle", "close", "1", "--status", "done"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("success") && !result.stderr.contains("'open'"), "\(result.stderr)")
    }

    // MARK: - Colour

    @Test func colourOnlyWhenAskedOrOnATerminal() throws {
        let cli = try CLI()
        try write(Self.report(failing: ["test_a"]), to: "r.xml", in: cli)
        _ = try cli.run(["ingest", "r.xml"])
        let always = try cli.run(["runs", "show", "--color", "always"])
        #expect(always.stdout.contains(Self.escape + "31m"), "failed in red")
        #expect(always.stdout.contains(Self.escape + "32m"), "passed in green")
        #expect(!(try cli.run(["runs", "show", "--color", "never"])).stdout.contains(Self.escape))
        // A pipe, NO_COLOR unset: no colour.
        var piped = cli
        piped.environment["NO_COLOR"] = nil
        #expect(!(try piped.run(["runs", "show"])).stdout.contains(Self.escape))
        #expect(!(try piped.run(["flaky"])).stdout.contains(Self.escape))
        #expect(try cli.run(["runs", "--color", "sometimes"]).status == 64)
    }

    // MARK: - What got slow

    /// Twelve runs: `test_slow` takes about 0.1 s in the first six and 0.5 s from run 7 on;
    /// `test_noisy` jumps once, in run 5. No two durations are equal, so the rank test is exact.
    func slowHistory(_ cli: CLI) throws {
        for run in 1...12 {
            let jitter = Double(run) * 0.001
            let slow = run >= 7 ? 0.5 + jitter : 0.1 + jitter
            let noisy = run == 5 ? 2.0 : 0.2 + jitter
            try write(
                Self.report(
                    passing: ["test_ok", "test_slow", "test_noisy"], slow: ["test_slow": slow, "test_noisy": noisy]),
                to: "r\(run).xml", in: cli)
            let ingest = try cli.run(["ingest", "r\(run).xml", "--run-id", "run-\(run)", "--branch", "main"])
            #expect(ingest.status == 0, "\(ingest.stderr)")
        }
    }

    @Test func slowFindsTheRiseAndTheRunItStartedIn() throws {
        let cli = try CLI()
        try slowHistory(cli)
        let text = try cli.run(["slow"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("slowest tests over the last 12 runs"), "\(text.stdout)")
        #expect(text.stdout.contains("tests.test_db::test_slow: 0.10s → 0.51s (+"), "\(text.stdout)")
        #expect(text.stdout.contains("since run 7 (6 runs before, 6 after"))
        #expect(!text.stdout.contains("test_noisy:"), "one slow run is not a rise")
        #expect(text.stdout.contains("total test time of run 12:"))

        let json = try cli.run(["slow", "--format", "json", "--last", "12"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let rises = try #require(report["rises"] as? [[String: Any]])
        #expect(rises.count == 1)
        #expect(rises.first?["startedRunID"] as? Int == 7)
        let slowest = try #require(report["slowest"] as? [[String: Any]])
        #expect(slowest.first?["test"] as? String == "tests.test_db::test_slow")

        let markdown = try cli.run(["slow", "--format", "markdown"])
        #expect(markdown.stdout.contains("| `tests.test_db::test_slow` | 0.10s | 0.51s |"), "\(markdown.stdout)")

        let status = try cli.run(["report", "status"])
        #expect(status.stdout.contains("## ⚠️ Got slower"), "\(status.stdout)")
        #expect(status.stdout.contains("Total test time of run 12:"))

        // Too few runs after the rise: not yet a rise.
        let early = try cli.run(["slow", "--last", "8"])
        #expect(early.stdout.contains("no test got slower"), "\(early.stdout)")
        #expect(try cli.run(["slow", "--branch", "nope"]).status == 2)
    }

    // MARK: - triage ci

    @Test func ciNamesKnownFlakyFailuresRetriesAndSlowdowns() throws {
        let cli = try CLI()
        let summary = cli.folder.appendingPathComponent("summary.md").path
        try slowHistory(cli)
        // test_flip fails every other run: known flaky. The run under test has it failing
        // (new against the baseline) and a retried test.
        for run in 13...18 {
            let failing = run % 2 == 1 ? ["test_flip"] : []
            try write(
                Self.report(
                    failing: failing, passing: ["test_ok", "test_slow"] + (run % 2 == 1 ? [] : ["test_flip"]),
                    slow: ["test_slow": 0.5]),
                to: "r\(run).xml", in: cli)
            _ = try cli.run(["ingest", "r\(run).xml", "--run-id", "run-\(run)", "--branch", "main"])
        }
        try write(
            Self.report(
                failing: ["test_flip"], passing: ["test_ok", "test_slow"], slow: ["test_slow": 0.5],
                retried: ["test_retry"]),
            to: "ci/r.xml", in: cli)
        let result = try cli.run(
            ["ci", "ci/*.xml", "--run-id", "ci-1", "--branch", "main", "--summary", "out.md"],
            environment: ["GITHUB_STEP_SUMMARY": summary])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("KNOWN FLAKY tests.test_db::test_flip"), "\(result.stdout)")
        #expect(!result.stdout.contains("NEW tests.test_db::test_flip"))
        #expect(result.stdout.contains("passed on retry: tests.test_db::test_retry"))
        let markdown = try String(contentsOfFile: cli.folder.appendingPathComponent("out.md").path, encoding: .utf8)
        #expect(markdown.contains("<details><summary>Passed on retry (1)</summary>"), "\(markdown)")
        #expect(markdown.contains("- `tests.test_db::test_retry`"))
    }

    @Test func failOnSlowerGatesOnARise() throws {
        let cli = try CLI()
        // Ten runs at 0.1 s, then 0.9 s from run 11 on; runs 15 and 16 come through `triage ci`.
        for run in 1...14 {
            try write(
                Self.report(passing: ["test_slow"], slow: ["test_slow": run >= 11 ? 0.9 : 0.1]), to: "r\(run).xml",
                in: cli)
            _ = try cli.run(["ingest", "r\(run).xml", "--run-id", "run-\(run)", "--branch", "main"])
        }
        try write(Self.report(passing: ["test_slow"], slow: ["test_slow": 0.9]), to: "ci/r.xml", in: cli)
        let warned = try cli.run(["ci", "ci/*.xml", "--run-id", "ci-15", "--branch", "main"])
        #expect(warned.status == 0, "a warning only: \(warned.stdout)")
        #expect(
            warned.stdout.contains("SLOWER tests.test_db::test_slow: 0.10s → 0.90s (+800%) since run 11"),
            "\(warned.stdout)")
        #expect(warned.stdout.contains("total test time of run 15: 0.90s; median of the 14 runs before: 0.10s"))
        let gated = try cli.run(["ci", "ci/*.xml", "--run-id", "ci-16", "--branch", "main", "--fail-on", "slower"])
        #expect(gated.status == 1, "\(gated.stdout)")
        #expect(gated.stdout.contains("because 1 test got slower: tests.test_db::test_slow"), "\(gated.stdout)")
        #expect(gated.stdout.contains("gate new-failures, slower: FAILED"))
        let twoRules = try cli.run(["ci", "ci/*.xml", "--fail-on", "never", "--fail-on", "any-failure"])
        #expect(twoRules.status == 64)
    }

    @Test func aMistypedCommandGetsTheNearestOne() throws {
        let cli = try CLI()
        let typo = try cli.run(["flakey"])
        #expect(typo.status == 64)
        #expect(typo.stderr.contains("did you mean `flaky`?"), "\(typo.stderr)")
        let option = try cli.run(["runs", "--limt", "3"])
        #expect(option.status == 64 && option.stderr.contains("Did you mean '--limit'?"))
        let nothingNear = try cli.run(["xyzzy"])
        #expect(nothingNear.status == 64 && !nothingNear.stderr.contains("did you mean"))
        #expect(try cli.run(["--version"]).status == 0)
    }
}

/// The demo never replaces a file it did not write.
@Suite struct DemoKeepsYourFilesTests {
    @Test func aReportOfTheUsersOwnIsNeverReplaced() throws {
        let cli = try CLI()
        // Twice in a row: the second run replaces what the first wrote.
        #expect(try cli.run(["demo"]).status == 0)
        #expect(try cli.run(["demo"]).status == 0)
        let mine = cli.folder.appendingPathComponent("reports/status.md")
        try Data("# my own notes\n".utf8).write(to: mine)
        let refused = try cli.run(["demo"])
        #expect(refused.status == 2, "\(refused.stdout)")
        #expect(refused.stderr.contains("reports/status.md exists and the demo did not write it"), "\(refused.stderr)")
        #expect(try String(contentsOf: mine, encoding: .utf8) == "# my own notes\n")
        // Elsewhere it runs.
        #expect(try cli.run(["demo", "--reports", "demo-reports"]).status == 0)
        // A database of the user's at the demo's path is left alone too.
        let other = try CLI()
        try FileManager.default.createDirectory(
            at: other.folder.appendingPathComponent(".triage"), withIntermediateDirectories: true)
        try Data("not the demo's".utf8).write(to: other.folder.appendingPathComponent(".triage/demo.sqlite"))
        #expect(try other.run(["demo"]).status == 2)
        #expect(
            try String(contentsOf: other.folder.appendingPathComponent(".triage/demo.sqlite"), encoding: .utf8)
                == "not the demo's")
    }
}

/// Text output fits the terminal's width: long test ids are cut in the middle.
@Suite struct TerminalWidthTests {
    @Test func flakyAndRunsShowFitEightyColumns() throws {
        let cli = try CLI()
        #expect(try cli.run(["demo"]).status == 0)
        for arguments in [["flaky", "--db", ".triage/demo.sqlite"], ["runs", "show", "3", "--db", ".triage/demo.sqlite"]] {
            let narrow = try cli.run(arguments, environment: ["COLUMNS": "80"])
            #expect(narrow.status == 0, "\(narrow.stderr)")
            // The table rows: flaky's states, and the clusters and tests of runs show.
            let tableLines = narrow.stdout.split(separator: "\n").filter {
                $0.hasPrefix("flaky ") || $0.hasPrefix("broken ") || $0.hasPrefix("recovered ") || $0.contains(" × ")
                    || $0.hasPrefix("          tests.")
            }
            #expect(!tableLines.isEmpty, "\(narrow.stdout)")
            for line in tableLines { #expect(line.count <= 80, "\(arguments[0]): \(line) (\(line.count))") }
            // Wide enough, nothing is cut.
            let wide = try cli.run(arguments, environment: ["COLUMNS": "300"])
            #expect(!wide.stdout.contains("…"), "\(wide.stdout)")
            #expect(narrow.stdout.contains("…"))
        }
    }

}
