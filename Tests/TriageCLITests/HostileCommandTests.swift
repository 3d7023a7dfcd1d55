import Foundation
import GRDB
import Testing

/// Hostile but plausible command lines: zero limits, globs over mixed folders, slow team
/// rules, damaged databases, a recluster racing other writers.
@Suite struct HostileCommandTests {
    static let report = """
        <testsuites><testsuite name="pytest">
        <testcase classname="tests.test_a" name="test_ok"/>
        <testcase classname="tests.test_a" name="test_bad"><failure message="AssertionError: boom">trace</failure></testcase>
        </testsuite></testsuites>
        """

    func write(_ text: String, to relative: String, in cli: CLI) throws {
        let url = cli.folder.appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    @Test(arguments: [
        ["runs", "--limit", "0"], ["runs", "--limit=-3"], ["trend", "--last", "0"], ["trend", "--last=-1"],
    ])
    func aZeroOrNegativeCountIsRefused(arguments: [String]) throws {
        let cli = try CLI()
        try write(Self.report, to: "r.xml", in: cli)
        #expect(try cli.run(["ingest", "r.xml"]).status == 0)
        let result = try cli.run(arguments)
        #expect(result.status == 64, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("must be at least 1"), "\(result.stderr)")
        #expect(!result.stdout.contains("no runs stored yet"))
    }

    @Test func aGlobSkipsNonResultFilesAsAFolderDoes() throws {
        let cli = try CLI()
        try write(Self.report, to: "res/unit/junit.xml", in: cli)
        try write("not a result file\n", to: "res/unit/notes.txt", in: cli)
        try write("log\n", to: "res/run.log", in: cli)
        let result = try cli.run(["ci", "res/**", "--fail-on", "never"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        let folder = try cli.run(["ci", "res", "--fail-on", "never", "--run-id", "folder"])
        #expect(folder.status == 0, "\(folder.stdout)\(folder.stderr)")

        // Only when nothing is left does the glob say so.
        let other = try CLI()
        try write("not a result file\n", to: "res/notes.txt", in: other)
        let nothing = try other.run(["ci", "res/**"])
        #expect(nothing.status == 2, "\(nothing.stdout)\(nothing.stderr)")
        #expect(nothing.stderr.contains("no result files match"), "\(nothing.stderr)")
    }

    static func failures(_ count: Int, prefix: String) -> String {
        let cases = (0..<count).map {
            "<testcase classname=\"tests.\(prefix)\" name=\"test_\($0)\"><failure message=\"RuntimeError: widget \($0) broke\">trace \($0)</failure></testcase>"
        }
        return "<testsuites><testsuite name=\"pytest\">\(cases.joined())</testsuite></testsuites>"
    }

    @Test func aReclusterRacingAnIngestAndAQuarantineLetsAllOfThemFinish() throws {
        let cli = try CLI()
        try write(Self.failures(3_000, prefix: "big"), to: "big.xml", in: cli)
        #expect(try cli.run(["ingest", "big.xml"]).status == 0)
        // Rules without a literal to index: every one is tried on every failure.
        let rules = (0..<200).map { "  - name: r\($0)\n    category: infra\n    message: \"widget \\\\d{9}\($0)\"" }
        try write("rules:\n" + rules.joined(separator: "\n") + "\n", to: ".triage/rules.yaml", in: cli)
        try write(Self.report, to: "next.xml", in: cli)
        let recluster = try cli.start(["recluster"])
        usleep(300_000)
        let ingest = try cli.run(["ingest", "next.xml"])
        recluster.waitUntilExit()
        #expect(recluster.terminationStatus == 0)
        #expect(ingest.status == 0, "\(ingest.stdout)\(ingest.stderr)")
        let runs = try cli.run(["runs", "--format", "json"])
        #expect(runs.stdout.contains("next.xml") || runs.status == 0)
    }

    /// Sets a NOT NULL column to NULL the only way SQLite allows: by editing the stored schema.
    static func damage(_ path: String, table: String, column declaration: String, set assignment: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA writable_schema = ON")
            try db.execute(
                sql: "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE name = ?",
                arguments: [declaration + " NOT NULL", declaration, table])
            try db.execute(sql: "PRAGMA writable_schema = OFF")
        }
        try queue.close()
        let again = try DatabaseQueue(path: path)
        try again.write { db in try db.execute(sql: "UPDATE \(table) SET \(assignment)") }
        try again.close()
    }

    @Test(arguments: [
        ["run", "run_key TEXT", "run_key = NULL", "runs"], ["test", "classname TEXT", "classname = NULL", "recluster"],
        ["failure_cluster", "template TEXT", "template = NULL", "clusters"],
        ["test", "variant TEXT", "variant = NULL", "history test_ok"],
        ["result", "outcome TEXT", "outcome = NULL", "flaky"],
        ["run_file", "sha256 TEXT", "sha256 = NULL", "runs show"],
    ])
    func aNullWhereTheSchemaPromisesAValueIsExit4AndOneLine(damage: [String]) throws {
        let cli = try CLI()
        try write(Self.report, to: "r.xml", in: cli)
        #expect(try cli.run(["ingest", "r.xml"]).status == 0)
        try Self.damage(cli.databasePath, table: damage[0], column: damage[1], set: damage[2])
        let result = try cli.run(damage[3].split(separator: " ").map(String.init))
        #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
        let table = damage[0], column = damage[1].split(separator: " ")[0]
        #expect(result.stderr.contains("is damaged: NULL in \(table).\(column)"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    /// Tables read through GRDB records (quarantine, rules in force) keep the same one line.
    @Test(arguments: [
        ["quarantine", "reason TEXT", "reason = NULL", "quarantine list"],
        ["rules_in_force", "version TEXT", "version = NULL", "ingest r2.xml"],
    ])
    func aNullInARecordTableIsExit4AndOneLine(damage: [String]) throws {
        let cli = try CLI()
        try write(Self.report, to: "r.xml", in: cli)
        #expect(try cli.run(["ingest", "r.xml"]).status == 0)
        #expect(try cli.run(["quarantine", "add", "test_bad", "--reason", "flaky"]).status == 0)
        try write(Self.report.replacingOccurrences(of: "test_ok", with: "test_new"), to: "r2.xml", in: cli)
        try Self.damage(cli.databasePath, table: damage[0], column: damage[1], set: damage[2])
        let result = try cli.run(damage[3].split(separator: " ").map(String.init))
        #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
        let table = damage[0], column = damage[1].split(separator: " ")[0]
        #expect(result.stderr.contains("is damaged: NULL in \(table).\(column)"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
