import Foundation
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

@Suite struct ReportTests {
    static let root = TestSupport.testsFolder.deletingLastPathComponent().deletingLastPathComponent()
    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" }

    @Test func theEmbeddedTemplatesAreTheTemplatesFolder() throws {
        let folder = Self.root.appendingPathComponent("templates")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".mustache")
        }
        var onDisk: [String: String] = [:]
        for file in files {
            onDisk[String(file.dropLast(".mustache".count))] = try String(
                contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
        }
        #expect(onDisk == EmbeddedTemplates.all, "templates/ changed: run Tests/Scripts/embed_templates.py")
        for (name, source) in onDisk {
            #expect(source.hasPrefix("{{%CONTENT_TYPE: TEXT}}"), "\(name) must start with {{%CONTENT_TYPE: TEXT}}")
        }
    }

    /// The committed demo reports and result files are what the current code renders.
    /// Re-record on purpose with RECORD_SNAPSHOTS=1.
    @Test func theDemoRendersTheCommittedReports() throws {
        let scratch = try TestSupport.temporaryFolder()
        let outcome = try DemoStory.run(
            databasePath: scratch.appendingPathComponent("demo.sqlite").path,
            resultsFolder: scratch.appendingPathComponent("results"),
            reportsFolder: scratch.appendingPathComponent("reports"), renderer: TemplateRenderer())
        #expect(outcome.runs.map { $0.totals.passed } == [28, 28, 37, 47, 52, 55])
        #expect(outcome.runs.allSatisfy { $0.totals.tests == 55 })
        let committed = Self.root.appendingPathComponent("reports")
        for report in outcome.reports {
            let name = URL(fileURLWithPath: report).lastPathComponent
            let rendered = try String(contentsOfFile: report, encoding: .utf8)
            let golden = committed.appendingPathComponent(name)
            if Self.recording {
                try Data(rendered.utf8).write(to: golden)
                continue
            }
            let expected = try? String(contentsOf: golden, encoding: .utf8)
            #expect(
                rendered == expected,
                "reports/\(name) differs from what the code renders; re-record with RECORD_SNAPSHOTS=1 swift test")
        }
        for file in DemoStory.resultFiles() {
            let golden = committed.appendingPathComponent("demo-results").appendingPathComponent(file.name)
            if Self.recording {
                try FileManager.default.createDirectory(
                    at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.xml.utf8).write(to: golden)
                continue
            }
            #expect(
                (try? String(contentsOf: golden, encoding: .utf8)) == file.xml,
                "reports/demo-results/\(file.name) is stale")
        }
    }

    @Test func theCycleReportCarriesTheStorysNumbers() throws {
        let scratch = try TestSupport.temporaryFolder()
        let outcome = try DemoStory.run(
            databasePath: scratch.appendingPathComponent("demo.sqlite").path,
            resultsFolder: scratch.appendingPathComponent("results"),
            reportsFolder: scratch.appendingPathComponent("reports"), renderer: TemplateRenderer())
        let database = try TriageDatabase(path: outcome.databasePath)
        let view = try CycleReportView(CycleReportData.load(database, cycleID: 2))
        #expect(view.cycleLabel == "Cycle 2 of 20")
        #expect(view.passedChange == "+9 tests")
        #expect(view.comparison[0] == .init(label: "passed", before: "28", after: "37", change: "+9"))
        #expect(view.fixedCount == 10 && view.newlyFailingCount == 1)
        #expect(view.verdict == "improved")
        #expect(view.remainingByCategory.map(\.name) == ["oom", "missing_fixture", "import_error", "timeout"])
        let markdown = try TemplateRenderer().render(view, template: "cycle.md")
        #expect(markdown.contains("# Redis integration remediation: Cycle 2 of 20"))
        #expect(markdown.contains("| pass rate | 50.9% (28/55) | 67.3% (37/55) | +16.4 points |"))
        #expect(
            markdown.contains("1. **Why are the integration tests failing?** → The Redis client raises ConnectionError")
        )
    }

    @Test func anOverrideTemplateWinsByName() throws {
        let folder = try TestSupport.temporaryFolder()
        try Data("{{%CONTENT_TYPE: TEXT}}\nRUN {{runID}} at {{totals.passRate}}\n".utf8).write(
            to: folder.appendingPathComponent("run.md.mustache"))
        let renderer = try TemplateRenderer(overrideFolders: [folder])
        #expect(renderer.origins["run.md"] == folder.appendingPathComponent("run.md.mustache").path)
        #expect(renderer.origins["status.md"] == "built-in")
        var history = try HistoryBuilder()
        try history.run(["a": "P", "b": "F"])
        let output = try ReportBuilder(database: history.db, renderer: renderer).render(.run, format: .markdown)
        #expect(output == "RUN 1 at 50.0%\n")
    }

    @Test func aBrokenTemplateNamesTheTemplateAndLine() throws {
        let folder = try TestSupport.temporaryFolder()
        let file = folder.appendingPathComponent("status.md.mustache")
        try Data("{{%CONTENT_TYPE: TEXT}}\n# Status\n{{#flaky}}\n| {{test}} |\n".utf8).write(to: file)
        let error = try #require(throws: TriageError.self) { try TemplateRenderer(overrideFolders: [folder]) }
        #expect(error.description.hasPrefix("template \(file.path): line "))
        #expect(error.description.contains("never closed"))
        #expect(error.exitCode == 5)
    }

    /// `markdown` without fenced blocks and code spans.
    static func removingCode(_ markdown: String) -> String {
        var out = "", inFence = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inFence.toggle(); continue }
            if inFence { continue }
            var inSpan = false
            for character in line {
                if character == "`" { inSpan.toggle(); continue }
                if !inSpan { out.append(character) }
            }
            out += "\n"
        }
        return out
    }

    @Test func untrustedTextCannotBreakATableOrInjectMarkup() throws {
        var history = try HistoryBuilder()
        let hostile = "evil | name `tick` <script>alert(1)</script>\u{1B}[31m"
        try history.run(["ok": "P"])
        let url = try TestSupport.write(
            """
            <testsuite name="s"><testcase classname="c" name="\(Quarantine.xmlEscape(hostile))"><failure message="\(Quarantine.xmlEscape("line1\nline2 | `x` <b>bold</b>"))">```
            trace with fence</failure></testcase></testsuite>
            """)
        _ = try Ingestor(database: history.db).ingest([url.path], options: IngestOptions(runKey: "hostile"))
        let markdown = try ReportBuilder(database: history.db, renderer: TemplateRenderer()).render(
            .run, format: .markdown)
        // Raw HTML may appear only inside code (spans and fenced blocks), where it is inert.
        let outsideCode = Self.removingCode(markdown)
        #expect(!outsideCode.contains("<"), "\(outsideCode)")
        #expect(markdown.contains("`c::evil \\| name ˋtickˋ <script>alert(1)</script>"))
        #expect(!markdown.contains("\u{1B}"))
        for line in markdown.split(separator: "\n") where line.hasPrefix("|") && line.contains("evil") {
            // The row keeps its columns: every pipe inside the cell is escaped.
            let unescaped = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            #expect(unescaped == 4, "\(line)")
        }
        #expect(Markdown.code("a`b|c") == "`aˋb\\|c`")
        #expect(Markdown.cell("x\ny") == "x y")
        #expect(Markdown.block("```\ncode").hasPrefix("````text\n"))
    }
}
