import Foundation
import Testing

/// Test identity, variants and run boundaries through the binary, as a user meets them.
@Suite struct IdentityCommandTests {
    private func fixture(_ name: String) -> String { CLI.fixture("identity/" + name) }

    @Test func playwrightProjectsShowTheirVariant() throws {
        let cli = try CLI()
        let ingest = try cli.run(["ingest", fixture("playwright-projects.xml"), "--format", "json"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stdout.contains("\"tests\" : 6"))
        #expect(ingest.stdout.contains("\"retried\" : 0"))
        let history = try cli.run(["history", "removes an item [project=firefox]"])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("project=firefox"))
        // Without the variant, the name matches both projects: each project's history is shown.
        let both = try cli.run(["history", "checkout.spec.ts::removes an item"])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(both.stdout.contains("[project=chromium]") && both.stdout.contains("[project=firefox]"))
        // A part that matches two different tests is still ambiguous.
        let two = try cli.run(["history", "checkout.spec.ts::"])
        #expect(two.status == 2)
    }

    @Test func aFolderOfPastRunsIsRefusedThenStoredWithEach() throws {
        let cli = try CLI()
        let refused = try cli.run(["ingest", fixture("past-runs")])
        #expect(refused.status == 3)
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(refused.stderr.contains("results-1.xml") && refused.stderr.contains("--each"))
        #expect(!(try cli.run(["runs", "--format", "json"]).stdout.contains("\"id\"")))

        let each = try cli.run(["ingest", "--each", fixture("past-runs")])
        #expect(each.status == 0, "\(each.stderr)")
        let runs = try cli.run(["runs", "--format", "json"])
        #expect(runs.stdout.components(separatedBy: "\"runAt\"").count - 1 == 4)
        let flaky = try cli.run(["flaky", "--format", "json"])
        #expect(flaky.status == 0)
        #expect(!flaky.stdout.contains("test_a"))
    }

    @Test func variantsFromTheCommandLine() throws {
        let cli = try CLI()
        for python in ["3.9", "3.12"] {
            let result = try cli.run([
                "ingest", fixture("past-runs/results-2.xml"), "--run-id", "build-1", "--variant", "python=\(python)",
            ])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let show = try cli.run(["runs", "show", "--format", "json"])
        #expect(show.stdout.contains("\"tests\" : 4"))
        #expect(show.stdout.contains("\"retried\" : 0"))

        let before = try cli.run(["runs", "--format", "json"]).stdout
        for bad in ["python", "=3.9", "py thon=3"] {
            let result = try cli.run(["ingest", fixture("past-runs/results-3.xml"), "--variant", bad])
            #expect(result.status == 2)
            #expect(result.stderr.split(separator: "\n").count == 1)
            #expect(result.stderr.contains("key=value") || result.stderr.contains("variant key"))
        }
        #expect(try cli.run(["runs", "--format", "json"]).stdout == before)
    }

    @Test func runsDeleteRemovesARunAndRefusesOneACycleMeasured() throws {
        let cli = try CLI()
        for name in ["results-1.xml", "results-2.xml", "results-3.xml"] {
            #expect(try cli.run(["ingest", fixture("past-runs/" + name)]).status == 0)
        }
        #expect(try cli.run(["cycle", "start", "b", "--before", "2"]).status == 0)
        let closed = try cli.run(["cycle", "close", "1", "--status", "success", "--after", "3"])
        #expect(closed.status == 0, "\(closed.stderr)")
        let before = try cli.run(["runs", "--format", "json"]).stdout
        let refused = try cli.run(["runs", "delete", "3"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("measured it"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(try cli.run(["runs", "--format", "json"]).stdout == before)
        #expect(try cli.run(["runs", "delete", "42"]).status == 2)

        let deleted = try cli.run(["runs", "delete", "1"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        let runs = try cli.run(["runs", "--format", "json"])
        #expect(runs.stdout.components(separatedBy: "\"runAt\"").count - 1 == 2)
    }
}

@Suite struct VariantFlakinessCommandTests {
    /// Six runs of the Playwright file where only firefox's "removes an item" flips.
    private func history(_ cli: CLI) throws {
        let source = try String(contentsOfFile: CLI.fixture("identity/playwright-projects.xml"), encoding: .utf8)
        let failure =
            #"<testcase name="removes an item" classname="checkout.spec.ts" time="0.6">"# + "\n"
            + #"<failure message="Timeout 5000ms exceeded." type="FAILURE">Error: locator.click: Timeout 5000ms exceeded.</failure>"#
            + "\n</testcase>"
        let passing = #"<testcase name="removes an item" classname="checkout.spec.ts" time="0.6"></testcase>"#
        for index in 0..<8 {
            var text = source.replacingOccurrences(of: "2026-03-02T10:00:00.000Z", with: "2026-03-0\(index + 1)T10:00:00Z")
            if index % 3 == 1 { text = text.replacingOccurrences(of: failure, with: passing) }
            let file = cli.folder.appendingPathComponent("run-\(index).xml")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let result = try cli.run(["ingest", file.path, "--commit", "c\(index)"])
            #expect(result.status == 0, "\(result.stderr)")
        }
    }

    @Test func aTestFlakyOnOneProjectSaysSo() throws {
        let cli = try CLI()
        try history(cli)
        // Wide enough that the id is not cut to fit.
        let flaky = try cli.run(["flaky"], environment: ["COLUMNS": "200"])
        #expect(flaky.status == 0, "\(flaky.stderr)")
        #expect(flaky.stdout.contains("removes an item [project=firefox] (flaky on project=firefox only)"))
        #expect(!flaky.stdout.contains("[project=chromium]"))
        let onlyChromium = try cli.run(["flaky", "--variant", "project=chromium", "--format", "json"])
        #expect(!onlyChromium.stdout.contains("removes an item"))
        let bad = try cli.run(["flaky", "--variant", "project"])
        #expect(bad.status == 64 || bad.status == 2)
        #expect(bad.stderr.contains("key=value"))
    }
}
