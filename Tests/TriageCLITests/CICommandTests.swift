import Foundation
import Testing

@Suite struct CICommandTests {
    /// A pytest-style report where `failing` tests fail with distinct causes.
    static func report(failing: [String], total: Int = 6) -> String {
        let cases = (0..<total).map { index -> String in
            let name = "test_\(index)"
            guard failing.contains(name) else { return "<testcase classname=\"tests.test_ws\" name=\"\(name)\"/>" }
            return
                "<testcase classname=\"tests.test_ws\" name=\"\(name)\"><failure message=\"AssertionError: \(name) broke\">trace</failure></testcase>"
        }
        return "<testsuites><testsuite name=\"pytest\">\(cases.joined())</testsuite></testsuites>"
    }

    func github(_ cli: CLI, run: Int, summary: String) -> [String: String] {
        [
            "GITHUB_ACTIONS": "true", "GITHUB_SHA": "sha\(run)", "GITHUB_REF_NAME": "main",
            "GITHUB_RUN_ID": "\(1000 + run)",
            "GITHUB_REPOSITORY": "acme/app", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_STEP_SUMMARY": summary,
        ]
    }

    @Test func aFirstRunThenANewFailureThenAQuarantine() throws {
        let cli = try CLI()
        let results = cli.folder.appendingPathComponent("test-results/unit")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        let summary = cli.folder.appendingPathComponent("step-summary.md").path

        // 1: a first run on a new history, one failure: nothing is new, the gate passes.
        try Data(Self.report(failing: ["test_1"]).utf8).write(to: results.appendingPathComponent("junit.xml"))
        let first = try cli.run(
            ["ci", "test-results/**/*.xml", "--fail-on", "new-failures", "--json", "out/1.json"],
            environment: github(cli, run: 1, summary: summary))
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("no history at"))
        #expect(first.stdout.contains("gate new-failures: passed"))
        let firstJSON = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: cli.folder.appendingPathComponent("out/1.json")))
                as? [String: Any])
        for key in [
            "runID", "runKey", "isNewHistory", "totals", "passRate", "failing", "newFailures", "fixed", "stillFailing",
            "newClusters",
            "flakyInvolved", "quarantinedFailures", "expiredQuarantines", "gate", "passed", "reasons", "notes",
        ] {
            #expect(firstJSON[key] != nil, "JSON lacks \(key)")
        }
        #expect(firstJSON["runKey"] as? String == "github-1001")
        #expect(firstJSON["isNewHistory"] as? Bool == true)

        // 2: one new failure: exit 1, and the summary says why.
        try Data(Self.report(failing: ["test_1", "test_4"]).utf8).write(to: results.appendingPathComponent("junit.xml"))
        let second = try cli.run(
            ["ci", "test-results/**/*.xml", "--fail-on", "new-failures", "--summary", "out/2.md"],
            environment: github(cli, run: 2, summary: summary))
        #expect(second.status == 1, "\(second.stdout)\(second.stderr)")
        #expect(second.stdout.contains("NEW tests.test_ws::test_4"))
        #expect(second.stdout.contains("because 1 new failure since run 1: tests.test_ws::test_4"))
        let markdown = try String(contentsOfFile: cli.folder.appendingPathComponent("out/2.md").path, encoding: .utf8)
        #expect(markdown.contains("## triage: ❌ failed"))
        #expect(markdown.contains("| `tests.test_ws::test_4` | failed |"))
        let stepSummary = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(stepSummary.components(separatedBy: "## triage:").count == 3)  // appended by both runs

        // 3: the same new failure, quarantined: the gate passes and says so.
        let add = try cli.run([
            "quarantine", "add", "tests/test_ws.py::test_4", "--reason", "flaky: timing", "--owner", "platform-team",
            "--expires", "14d",
        ])
        #expect(add.status == 0)
        let third = try cli.run(
            ["ci", "test-results/**/*.xml", "--fail-on", "new-failures", "--baseline", "1", "--json", "out/3.json"],
            environment: github(cli, run: 3, summary: summary))
        #expect(third.status == 0, "\(third.stdout)\(third.stderr)")
        let thirdJSON = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: cli.folder.appendingPathComponent("out/3.json")))
                as? [String: Any])
        #expect(thirdJSON["quarantinedFailures"] as? [String] == ["tests.test_ws::test_4"])
        #expect(thirdJSON["baselineRunID"] as? Int == 1)

        // Without the quarantine the same comparison fails.
        _ = try cli.run(["quarantine", "remove", "tests/test_ws.py::test_4"])
        let fourth = try cli.run(
            ["ci", "test-results/**/*.xml", "--baseline", "1", "--run-id", "again"],
            environment: github(cli, run: 4, summary: summary))
        #expect(fourth.status == 1)
    }

    @Test func gitlabVariablesAndAMinimumPassRate() throws {
        let cli = try CLI()
        try Data(Self.report(failing: ["test_0", "test_2"]).utf8).write(
            to: cli.folder.appendingPathComponent("report.xml"))
        let env = [
            "GITLAB_CI": "true", "CI_COMMIT_SHA": "abc", "CI_COMMIT_BRANCH": "feature", "CI_PIPELINE_ID": "77",
            "CI_PIPELINE_URL": "https://gitlab.example/p/77",
        ]
        let result = try cli.run(
            ["ci", "report.xml", "--fail-on", "never", "--min-pass-rate", "0.9", "--json", "r.json"], environment: env)
        #expect(result.status == 1)
        #expect(result.stdout.contains("pass rate 66.7% is below the minimum 90.0%"))
        let runs = try cli.run(["runs", "show", "--format", "json"])
        #expect(runs.stdout.contains("\"branch\" : \"feature\""))
        #expect(runs.stdout.contains("\"ciProvider\" : \"gitlab\""))
        let missing = try cli.run(["ci", "nothing/**/*.xml"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no result files match"))
    }

    @Test func twoCIJobsAtOnceKeepBothRuns() throws {
        let cli = try CLI()
        for job in 0..<2 {
            let folder = cli.folder.appendingPathComponent("job\(job)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(Self.report(failing: ["test_\(job)"], total: 400).utf8).write(
                to: folder.appendingPathComponent("r.xml"))
        }
        let processes = try (0..<2).map {
            try cli.start(["ci", "job\($0)/*.xml", "--run-id", "job-\($0)", "--fail-on", "never"])
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == [0, 0])
        let runs = try #require(
            try JSONSerialization.jsonObject(with: Data(try cli.run(["runs", "--format", "json"]).stdout.utf8))
                as? [[String: Any]])
        #expect(Set(runs.compactMap { $0["key"] as? String }) == ["job-0", "job-1"])
    }

    @Test func thePytestExportMarksQuarantinedTests() throws {
        let cli = try CLI()
        try Data("<testsuite><testcase classname=\"tests.test_ws\" name=\"test_reconnect\"/></testsuite>".utf8).write(
            to: cli.folder.appendingPathComponent("report.xml"))
        _ = try cli.run(["ingest", "report.xml"])
        _ = try cli.run(["quarantine", "add", "tests/test_ws.py::test_reconnect", "--reason", "flaky: timing"])
        let export = try cli.run(["quarantine", "export", "--format", "pytest"])
        #expect(export.status == 0)
        #expect(
            export.stdout.contains("\"tests.test_ws::test_reconnect\": \"quarantined by triage: flaky: timing\""))
        #expect(export.stdout.contains("def pytest_collection_modifyitems(config, items):"))
        let junit = try cli.run(["quarantine", "export", "--format", "junit-skip"])
        #expect(junit.stdout.contains("<testcase classname=\"tests.test_ws\" name=\"test_reconnect\"><skipped"))
        #expect(try cli.run(["quarantine", "add", "x", "--reason", "r", "--expires", "soon"]).status == 2)
        #expect(try cli.run(["quarantine", "remove", "nope"]).status == 2)
    }

    @Test func theShellExampleRunsAsShipped() throws {
        let cli = try CLI()
        try Data(Self.report(failing: []).utf8).write(to: cli.folder.appendingPathComponent("report.xml"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [CLI.packageRoot.appendingPathComponent(".ci/examples/ci-step.sh").path, "report.xml"]
        process.currentDirectoryURL = cli.folder
        var environment = cli.environment
        environment["PATH"] =
            CLI.binary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["TRIAGE_DB"] = cli.folder.appendingPathComponent("history/h.sqlite").path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("history/h.sqlite").path))
        #expect(FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("triage-summary.md").path))
        #expect(FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("triage.json").path))
    }
}

/// A cause an earlier run already had is never reported as a new cluster, even when the
/// baseline run did not have it.
@Suite struct SeenClustersTests {
    @Test func aClusterSeenBeforeTheBaselineIsNotNew() throws {
        let cli = try CLI()
        func ci(_ failing: [String], run: Int) throws -> [String: Any] {
            try Data(CICommandTests.report(failing: failing).utf8).write(
                to: cli.folder.appendingPathComponent("report.xml"))
            let summary = cli.folder.appendingPathComponent("summary.md").path
            let result = try cli.run(
                ["ci", "report.xml", "--fail-on", "new-clusters", "--json", "r\(run).json"],
                environment: CICommandTests().github(cli, run: run, summary: summary))
            #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
            let data = try Data(contentsOf: cli.folder.appendingPathComponent("r\(run).json"))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        _ = try ci(["test_1"], run: 1)
        _ = try ci([], run: 2)
        let third = try ci(["test_1"], run: 3)
        #expect(third["baselineRunID"] as? Int == 2)
        #expect((third["newClusters"] as? [Any])?.isEmpty == true, "\(third)")
        #expect(third["passed"] as? Bool == true)
        // A cause no run had before is new.
        let fourth = try ci(["test_2"], run: 4)
        #expect((fourth["newClusters"] as? [Any])?.count == 1, "\(fourth)")
    }
}
