import Foundation
import Testing

/// `triage quarantine` names tests as every command does; `triage ci` and the exported pytest
/// plugin agree on what it covers.
@Suite struct QuarantineCommandTests {
    /// A pytest-style report of `tests.test_x` tests, the `failing` ones failing with distinct causes.
    static func report(_ names: [String], failing: Set<String>) -> String {
        let cases = names.map { name -> String in
            let escaped = name.replacingOccurrences(of: "\"", with: "&quot;")
            guard failing.contains(name) else { return "<testcase classname=\"tests.test_x\" name=\"\(escaped)\"/>" }
            return
                "<testcase classname=\"tests.test_x\" name=\"\(escaped)\"><failure message=\"AssertionError: \(escaped) broke\">trace</failure></testcase>"
        }
        return "<testsuites><testsuite name=\"pytest\">\(cases.joined())</testsuite></testsuites>"
    }

    /// Ingests one run of `names` through `triage ci` (any failure that counts fails it).
    @discardableResult
    static func ci(_ cli: CLI, _ names: [String], failing: Set<String>, run: String) throws -> CLI.Result {
        try Data(report(names, failing: failing).utf8).write(to: cli.folder.appendingPathComponent("\(run).xml"))
        return try cli.run(["ci", "\(run).xml", "--run-id", run, "--fail-on", "any-failure", "--json", "\(run).json"])
    }

    static func json(_ cli: CLI, _ run: String) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: cli.folder.appendingPathComponent("\(run).json")))
                as? [String: Any])
    }

    @Test func aShortNameQuarantinesTheTestTheGateSees() throws {
        let cli = try CLI()
        let names = ["test_a", "test_b"]
        try Self.ci(cli, names, failing: [], run: "one")

        let add = try cli.run(["quarantine", "add", "test_b", "--reason", "flaky: timing"])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout == "quarantined tests.test_x::test_b with no expiry\n")

        let second = try Self.ci(cli, names, failing: ["test_b"], run: "two")
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(try Self.json(cli, "two")["quarantinedFailures"] as? [String] == ["tests.test_x::test_b"])

        let removed = try cli.run(["quarantine", "remove", "test_b"])
        #expect(removed.stdout == "removed tests.test_x::test_b from quarantine\n")
        #expect(try Self.ci(cli, names, failing: ["test_b"], run: "three").status == 1)
    }

    @Test func anAmbiguousOrUnknownNameIsRefused() throws {
        let cli = try CLI()
        try Self.ci(cli, ["test_b1", "test_b2"], failing: [], run: "one")

        let ambiguous = try cli.run(["quarantine", "add", "test_b", "--reason", "r"])
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("tests.test_x::test_b1"))
        #expect(ambiguous.stderr.contains("tests.test_x::test_b2"))

        let unknown = try cli.run(["quarantine", "add", "test_nope", "--reason", "r"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("triage: no stored test matches \"test_nope\""))
        #expect(unknown.stderr.filter { $0 == "\n" }.count == 1)
        #expect(try cli.run(["quarantine", "list"]).stdout == "no quarantined tests\n")

        let pattern = try cli.run(["quarantine", "add", "tests.test_ws::*", "--pattern", "--reason", "r"])
        #expect(pattern.status == 0, "\(pattern.stderr)")
        #expect(pattern.stdout.hasPrefix("quarantined tests matching tests.test_ws::*"))
        #expect(try cli.run(["quarantine", "list"]).stdout.hasPrefix("tests.test_ws::* (pattern)  r"))
    }

    @Test func reAddingSaysWhatChanged() throws {
        let cli = try CLI()
        try Self.ci(cli, ["test_b"], failing: [], run: "one")
        let first = try cli.run([
            "quarantine", "add", "test_b", "--reason", "flaky", "--owner", "alice", "--expires", "14d",
        ])
        #expect(first.status == 0)
        let listed = try cli.run(["quarantine", "list", "--format", "json"]).stdout

        let owner = try cli.run(["quarantine", "add", "test_b", "--owner", "bob"])
        #expect(owner.status == 0, "\(owner.stderr)")
        #expect(owner.stdout == "tests.test_x::test_b: owner: alice → bob\n")
        #expect(
            try cli.run(["quarantine", "list", "--format", "json"]).stdout
                == listed.replacingOccurrences(of: "\"alice\"", with: "\"bob\""))

        let nothing = try cli.run(["quarantine", "add", "tests/test_x.py::test_b"])
        #expect(nothing.status == 0)
        #expect(nothing.stdout.contains("nothing changed"))
    }

    @Test(arguments: ["infd", "1e300w", "inf", "0d", "3651d", "1.5d"])
    func unreasonableExpiriesAreRefused(expires: String) throws {
        let cli = try CLI()
        try Self.ci(cli, ["test_b"], failing: [], run: "one")
        let result = try cli.run(["quarantine", "add", "test_b", "--reason", "r", "--expires", expires])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("triage: --expires \(expires): "))
        #expect(result.stderr.filter { $0 == "\n" }.count == 1)
    }

    // MARK: - pytest

    static let pytestAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "pytest", "--version"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Runs pytest in the CLI's folder; returns its exit status and output.
    func pytest(_ cli: CLI, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "pytest", "-p", "no:cacheprovider", "-rfx"] + arguments
        process.currentDirectoryURL = cli.folder
        process.environment = cli.environment.merging(["PYTHONPATH": cli.folder.path, "PYTHONDONTWRITEBYTECODE": "1"]) {
            _, new in new
        }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The exported plugin xfails exactly the tests `triage ci` counts as quarantined, brackets
    /// in parametrized ids included (fnmatch would read them as character classes).
    @Test(.enabled(if: pytestAvailable, "needs python3 with pytest"))
    func pytestAndTheGateAgree() throws {
        let cli = try CLI()
        let tests = cli.folder.appendingPathComponent("tests")
        try FileManager.default.createDirectory(at: tests, withIntermediateDirectories: true)
        try Data(
            """
            import pytest


            @pytest.mark.parametrize("rate", [7, 8])
            def test_vat(rate):
                assert False


            @pytest.mark.parametrize("key", ["a", "bb"])
            def test_p(key):
                assert False


            def test_b():
                assert False


            def test_other():
                assert False

            """.utf8
        ).write(to: tests.appendingPathComponent("test_x.py"))

        let plain = try pytest(cli, ["tests", "--junitxml", "one.xml"])
        #expect(plain.output.contains("6 failed"), "\(plain.output)")
        #expect(try cli.run(["ci", "one.xml", "--run-id", "one", "--fail-on", "never"]).status == 0)

        for arguments in [
            ["test_vat[7]", "--reason", "flaky"],
            ["tests/test_x.py::test_b", "--reason", "flaky"],
            ["tests.test_x::test_p[?]", "--pattern", "--reason", "flaky"],
        ] {
            let add = try cli.run(["quarantine", "add"] + arguments)
            #expect(add.status == 0, "\(arguments): \(add.stderr)")
        }
        let export = try cli.run(["quarantine", "export", "--format", "pytest", "--output", "triage_quarantine.py"])
        #expect(export.status == 0, "\(export.stderr)")

        let quarantined = try pytest(cli, ["-p", "triage_quarantine", "tests"])
        #expect(quarantined.output.contains("3 failed, 3 xfailed"), "\(quarantined.output)")
        let xfailed = Set(
            quarantined.output.split(separator: "\n").filter { $0.hasPrefix("XFAIL ") }.compactMap {
                $0.split(separator: " ").dropFirst().first.map(String.init)
            })
        #expect(xfailed == ["tests/test_x.py::test_vat[7]", "tests/test_x.py::test_b", "tests/test_x.py::test_p[a]"])

        // The same results again (a byte more, or ingest would skip the file it already has).
        let again = try Data(contentsOf: cli.folder.appendingPathComponent("one.xml")) + Data("\n".utf8)
        try again.write(to: cli.folder.appendingPathComponent("two.xml"))
        let gate = try cli.run(["ci", "two.xml", "--run-id", "two", "--fail-on", "never", "--json", "two.json"])
        #expect(gate.status == 0, "\(gate.stderr)")
        #expect(
            Set(try Self.json(cli, "two")["quarantinedFailures"] as? [String] ?? [])
                == ["tests.test_x::test_vat[7]", "tests.test_x::test_b", "tests.test_x::test_p[a]"])
    }
}
