import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct TrendCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trend",
            abstract: "Pass rate per run, with a chart (a sparkline in text, Mermaid in markdown).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions

        @Option(help: "How many of the newest runs.")
        var last = 30

        @Option(help: "Only runs of this branch.")
        var branch: String?

        func validate() throws {
            guard last >= 1 else { throw ValidationError("--last must be at least 1") }
        }

        func run() async throws {
            try runReportingErrors {
                let trend = try Trend.load(try database.open(), last: last, branch: branch)
                try emit(trend, as: output.format, text: HistoryOutput.text, markdown: HistoryOutput.markdown)
            }
        }
    }
}
