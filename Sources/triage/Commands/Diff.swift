import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Compare two runs: new failures, fixed, still failing, new and gone clusters, added and removed tests.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var color: ColorOptions

        @Argument(help: "The earlier run.")
        var before: Int64

        @Argument(help: "The later run.")
        var after: Int64

        func run() async throws {
            try runReportingErrors {
                let diff = try RunComparison.compare(try database.openShowingClusters(), before: before, after: after)
                let palette = color.palette
                try emit(
                    diff, as: output.format, text: { HistoryOutput.text($0, palette: palette) },
                    markdown: HistoryOutput.markdown)
            }
        }
    }
}
