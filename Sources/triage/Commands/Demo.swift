import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a demo history that tells a whole remediation story, and render its reports.",
            discussion:
                "Writes six pytest result files (Redis refused on 6381, a missing fixture, an import error; a maxmemory leak that causes OOM; the fixes), ingests them into a fresh demo database with Five-Whys records and three remediation cycles, and renders the cycle, status and run reports."
        )

        @Option(help: "The demo database (replaced on every run).")
        var db = ".triage/demo.sqlite"

        @Option(help: "Where to write the demo's result files.")
        var results = "reports/demo-results"

        @Option(help: "Where to write the rendered reports.")
        var reports = "reports"

        @Option(help: "A folder of NAME.mustache files that override the templates of the same name.")
        var templates: String?

        func run() async throws {
            try runReportingErrors {
                let outcome = try DemoStory.run(
                    databasePath: db, resultsFolder: URL(fileURLWithPath: results),
                    reportsFolder: URL(fileURLWithPath: reports),
                    renderer: try TemplateRenderer.standard(templatesFolder: templates))
                var lines = [
                    "demo database: \(outcome.databasePath)",
                    "runs (pass rate): "
                        + outcome.runs.map { "#\($0.id) \($0.totals.passRate?.percent ?? "-")" }.joined(
                            separator: " → "),
                ]
                lines.append("result files: \(outcome.resultFiles.count) in \(results)/")
                lines += outcome.reports.map { "report: \($0)" }
                lines.append(
                    "next: triage report status --db \(db)   ·   triage flaky --db \(db)   ·   triage cycle show 2 --db \(db)"
                )
                emit(lines.joined(separator: "\n"))
            }
        }
    }
}
