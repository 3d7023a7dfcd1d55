import Foundation
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

    @Test(arguments: [["runs", "--limit", "0"], ["runs", "--limit=-3"], ["trend", "--last", "0"], ["trend", "--last=-1"]])
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
}
