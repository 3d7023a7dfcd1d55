import Foundation
import Testing

/// Team rules are recorded with the history: a plain ingest after `recluster --rules F` keeps
/// classifying with F, and commands that show clusters say when the rules on disk differ.
@Suite struct RulesThatStickTests {
    private func write(_ cli: CLI, _ name: String, _ text: String) throws {
        let url = cli.folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    private func results(run: Int) -> String {
        """
        <testsuite name="pytest"><testcase classname="tests.test_widget" name="test_spin_\(run)"><failure message="WidgetJam: spindle \(run) seized">trace</failure></testcase></testsuite>
        """
    }

    private func categories(_ cli: CLI) throws -> [String] {
        let listed = try cli.run(["clusters", "--format", "json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let clusters = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        return Set(clusters.compactMap { $0["category"] as? String }).sorted()
    }

    @Test func aPlainIngestUsesTheRulesTheHistoryWasClusteredWith() throws {
        let cli = try CLI()
        try write(cli, "run-1.xml", results(run: 1))
        #expect(try cli.run(["ingest", "run-1.xml"]).status == 0)
        #expect(try categories(cli) == ["unclassified"])

        try write(
            cli, "team-rules.yaml",
            """
            rules:
              - name: widget-jam
                category: widget_jam
                message: "WidgetJam: spindle"
            """)
        let reclustered = try cli.run(["recluster", "--rules", "team-rules.yaml"])
        #expect(reclustered.status == 0, "\(reclustered.stderr)")
        #expect(try categories(cli) == ["widget_jam"])

        // No --rules and no .triage/rules.yaml: the recorded rules classify the new failure.
        try write(cli, "run-2.xml", results(run: 2))
        let plain = try cli.run(["ingest", "run-2.xml"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stderr.isEmpty, "\(plain.stderr)")
        #expect(try categories(cli) == ["widget_jam"])

        // The rules file on disk now says something else: commands that show clusters say so
        // in one line on stderr, and their JSON stays clean.
        try write(
            cli, ".triage/rules.yaml",
            """
            rules:
              - name: widget-any
                category: widget_any
                message: "WidgetJam"
            """)
        let listed = try cli.run(["clusters", "--format", "json"])
        #expect(listed.status == 0)
        #expect(listed.stderr.split(separator: "\n").count == 1, "\(listed.stderr)")
        #expect(listed.stderr.contains(".triage/rules.yaml") && listed.stderr.contains("triage recluster"))
        #expect(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) is [Any])
        for command in [["runs", "show"], ["diff", "1", "2"]] {
            #expect(try cli.run(command).stderr.contains("triage recluster"), "\(command)")
        }
        // The recorded rules still classify a plain ingest, and `recluster` adopts the file.
        try write(cli, "run-3.xml", results(run: 3))
        #expect(try cli.run(["ingest", "run-3.xml"]).status == 0)
        #expect(try categories(cli) == ["widget_jam"])
        #expect(try cli.run(["recluster"]).status == 0)
        #expect(try categories(cli) == ["widget_any"])
        #expect(try cli.run(["clusters"]).stderr.isEmpty)
    }

    @Test func rulesNamedOnPurposeThatDifferAreSaidToMixTheHistory() throws {
        let cli = try CLI()
        try write(cli, "run-1.xml", results(run: 1))
        #expect(try cli.run(["ingest", "run-1.xml"]).status == 0)
        try write(
            cli, "other.yaml",
            """
            rules:
              - name: widget-jam
                category: widget_jam
                message: "WidgetJam"
            """)
        try write(cli, "run-2.xml", results(run: 2))
        let named = try cli.run(["ingest", "run-2.xml", "--rules", "other.yaml"])
        #expect(named.status == 0, "\(named.stderr)")
        #expect(named.stderr.contains("other.yaml") && named.stderr.contains("triage recluster --rules other.yaml"))
        #expect(try categories(cli) == ["unclassified", "widget_jam"])
    }
}
