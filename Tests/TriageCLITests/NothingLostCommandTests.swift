import Foundation
import Testing

/// The binary as CI runs it: outputs never replace the history, links or devices; a bad
/// argument stores nothing; an output that cannot be written is an error, never exit 0.
@Suite struct NothingLostCommandTests {
    /// Runs the binary with stdout and stderr sent to the given files (`> /dev/full`).
    private func run(
        _ cli: CLI, _ arguments: [String], stdout: String, stderr: String, environment: [String: String] = [:]
    ) throws -> Int32 {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.currentDirectoryURL = cli.folder
        process.environment = cli.environment.merging(environment) { _, new in new }
        process.standardOutput = try #require(FileHandle(forWritingAtPath: stdout))
        process.standardError = try #require(FileHandle(forWritingAtPath: stderr))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    private func writeResults(_ cli: CLI, failing: [String] = ["test_1"], name: String = "junit.xml") throws {
        let folder = cli.folder.appendingPathComponent("test-results")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(CICommandTests.report(failing: failing).utf8).write(to: folder.appendingPathComponent(name))
    }

    private func runKeys(_ cli: CLI) throws -> [String] {
        let runs = try cli.run(["runs", "--format", "json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
        return list.compactMap { $0["key"] as? String }.sorted()
    }

    @Test func aBaselineThatDoesNotExistStoresNothingSoARetryWorks() throws {
        let cli = try CLI()
        try writeResults(cli)
        #expect(try cli.run(["ci", "test-results/*.xml", "--run-id", "first"]).status == 0)
        try writeResults(cli, failing: ["test_2"])
        let bad = try cli.run(["ci", "test-results/*.xml", "--baseline", "999", "--run-id", "second"])
        #expect(bad.status == 2)
        #expect(bad.stderr == "triage: --baseline 999: run 999 does not exist; `triage runs` lists the stored runs\n")
        #expect(try runKeys(cli) == ["first"])
        let retry = try cli.run(["ci", "test-results/*.xml", "--baseline", "1", "--run-id", "second"])
        #expect(retry.status == 1, "\(retry.stdout)\(retry.stderr)")
        #expect(try runKeys(cli) == ["first", "second"])
    }

    @Test func outputsNamingTheDatabaseAreRefusedBeforeAnythingIsWritten() throws {
        let cli = try CLI()
        try writeResults(cli)
        #expect(try cli.run(["ci", "test-results/*.xml", "--run-id", "first"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: cli.databasePath))
        try writeResults(cli, failing: [])
        let attempts: [[String]] = [
            ["report", "status", "--output", ".triage/triage.sqlite"],
            ["report", "run", "--output", ".triage/./triage.sqlite-wal"],
            ["quarantine", "export", "--output", ".triage/triage.sqlite"],
            ["ci", "test-results/*.xml", "--json", ".triage/triage.sqlite", "--run-id", "second"],
            ["ci", "test-results/*.xml", "--summary", ".triage/triage.sqlite.lock", "--run-id", "second"],
        ]
        for arguments in attempts {
            let result = try cli.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains("is the history database"), "\(arguments): \(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: cli.databasePath)) == before)
        #expect(try runKeys(cli) == ["first"])
    }

    @Test func aLinkIsWrittenThroughAndADeviceIsNeverReplaced() throws {
        let cli = try CLI()
        try writeResults(cli)
        try FileManager.default.createSymbolicLink(
            atPath: cli.folder.appendingPathComponent("latest.json").path, withDestinationPath: "kept/run.json")
        try FileManager.default.createDirectory(
            at: cli.folder.appendingPathComponent("kept"), withIntermediateDirectories: true)
        let result = try cli.run(["ci", "test-results/*.xml", "--json", "latest.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: cli.folder.appendingPathComponent("latest.json").path)
                == "kept/run.json")
        #expect(FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("kept/run.json").path))

        let full = try cli.run(["report", "status", "--output", "/dev/full"])
        #expect(full.status == 2)
        #expect(full.stderr == "triage: /dev/full: cannot be written: No space left on device\n")
        var info = stat()
        #expect(stat("/dev/full", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
    }

    @Test func stdoutOnAFullDiskIsAnErrorNotExitZero() throws {
        let cli = try CLI()
        try writeResults(cli)
        #expect(try cli.run(["ingest", "test-results"]).status == 0)
        let stderrFile = cli.folder.appendingPathComponent("stderr.txt").path
        #expect(FileManager.default.createFile(atPath: stderrFile, contents: nil))
        let status = try run(cli, ["report", "status"], stdout: "/dev/full", stderr: stderrFile)
        #expect(status == 2)
        let message = try String(contentsOfFile: stderrFile, encoding: .utf8)
        #expect(message.hasPrefix("triage: stdout: cannot be written ("), "\(message)")
        #expect(message.hasSuffix("); the output is incomplete\n"))
        // With stderr unwritable too, the exit code still says what happened (no crash).
        #expect(try run(cli, ["report", "status"], stdout: "/dev/full", stderr: "/dev/full") == 2)
        #expect(try run(cli, ["runs", "show", "999"], stdout: "/dev/null", stderr: "/dev/full") == 2)
    }

    @Test func anUnwritableStepSummaryIsAnErrorWithItsExitCode() throws {
        let cli = try CLI()
        try writeResults(cli)
        let result = try cli.run(
            ["ci", "test-results/*.xml", "--json", "out.json"], environment: ["GITHUB_STEP_SUMMARY": "/dev/full"])
        #expect(result.status == 2)
        #expect(result.stderr == "triage: /dev/full: cannot be written: No space left on device\n")
        // The other outputs were still written.
        #expect(FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("out.json").path))
    }

    // MARK: - One history, several jobs

    /// `total` tests of `module`, the first `failing` of them failing with distinct messages.
    static func jobReport(_ module: String, failing: Int = 30, total: Int = 40) -> String {
        let cases = (0..<total).map { index -> String in
            index < failing
                ? "<testcase classname=\"\(module)\" name=\"test_\(index)\"><failure message=\"AssertionError: \(module) \(index)\">trace</failure></testcase>"
                : "<testcase classname=\"\(module)\" name=\"test_\(index)\"/>"
        }
        return "<testsuites><testsuite name=\"pytest\">\(cases.joined())</testsuite></testsuites>"
    }

    private func github(build: Int, job: String) -> [String: String] {
        [
            "GITHUB_ACTIONS": "true", "GITHUB_SHA": "sha\(build)", "GITHUB_REF_NAME": "main",
            "GITHUB_RUN_ID": "\(5000 + build)", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_REPOSITORY": "acme/app",
            "GITHUB_WORKFLOW": "tests", "GITHUB_JOB": job,
        ]
    }

    private func json(_ cli: CLI, _ name: String) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: cli.folder.appendingPathComponent(name)))
                as? [String: Any])
    }

    @Test func identicalResultsOfOneJobAreNotNewAfterAnotherJobRan() throws {
        let cli = try CLI()
        try Data(Self.jobReport("tests.unit").utf8).write(to: cli.folder.appendingPathComponent("unit.xml"))
        try Data(Self.jobReport("tests.integ").utf8).write(to: cli.folder.appendingPathComponent("integ.xml"))

        let unit = try cli.run(["ci", "unit.xml", "--json", "1.json"], environment: github(build: 1, job: "unit"))
        #expect(unit.status == 0, "\(unit.stdout)\(unit.stderr)")
        // Another job of the same build: its own run, with no earlier run of its own.
        let integ = try cli.run(["ci", "integ.xml", "--json", "2.json"], environment: github(build: 1, job: "integ"))
        #expect(integ.status == 0, "\(integ.stdout)\(integ.stderr)")
        #expect(try json(cli, "2.json")["newFailures"] as? [String] == [])
        #expect(try json(cli, "2.json")["runKey"] as? String == "github-5001-1-tests/integ")
        // The next build of the unit job, identical results: compared with the unit run.
        let again = try cli.run(["ci", "unit.xml", "--json", "3.json"], environment: github(build: 2, job: "unit"))
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        let third = try json(cli, "3.json")
        #expect(third["newFailures"] as? [String] == [])
        #expect(third["baselineRunID"] as? Int == (try json(cli, "1.json"))["runID"] as? Int)
        #expect((third["stillFailing"] as? [String])?.count == 30)

        // --job says it outside CI; a real new failure of the job is still new.
        try Data(Self.jobReport("tests.unit", failing: 31).utf8).write(to: cli.folder.appendingPathComponent("unit.xml"))
        let worse = try cli.run(["ci", "unit.xml", "--run-id", "local", "--branch", "main", "--job", "tests/unit"])
        #expect(worse.status == 1, "\(worse.stdout)\(worse.stderr)")
        #expect(worse.stdout.contains("1 new failure since"))
        let stored = try cli.run(["runs", "show", "--format", "json"])
        #expect(stored.stdout.contains("\"job\" : \"tests/unit\""))
    }

    @Test(arguments: [false, true])
    func shardsIngestedAtOnceFindNothingNewInIdenticalResults(sharingOneRun: Bool) throws {
        let cli = try CLI()
        let shards = 4
        for shard in 0..<shards {
            try Data(Self.jobReport("tests.shard\(shard)", failing: 12, total: 30).utf8).write(
                to: cli.folder.appendingPathComponent("shard\(shard).xml"))
        }
        for build in 1...3 {
            let processes = try (0..<shards).map { shard -> Process in
                let process = Process()
                process.executableURL = CLI.binary
                // Shards share the build's run (the default key), or each has a run of its own.
                process.arguments =
                    ["ci", "shard\(shard).xml", "--json", "b\(build)-s\(shard).json"]
                    + (sharingOneRun ? [] : ["--run-id", "build\(build)-shard\(shard)"])
                process.currentDirectoryURL = cli.folder
                process.environment = cli.environment.merging(github(build: build, job: "test")) { _, new in new }
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                return process
            }
            for process in processes { process.waitUntilExit() }
            #expect(processes.map(\.terminationStatus) == Array(repeating: 0, count: shards), "build \(build)")
            for shard in 0..<shards {
                let result = try json(cli, "b\(build)-s\(shard).json")
                #expect(result["newFailures"] as? [String] == [], "build \(build), shard \(shard)")
            }
        }
    }
}
