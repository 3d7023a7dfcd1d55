import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct Slow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The slowest tests, and the tests that got slower, from the stored durations.",
            discussion:
                "Slowest: median and 95th percentile of each test's passing runs over the last --last runs. Got slower: the run where a test's passing durations changed level (where two medians fit them best), when the later runs are slower than the earlier ones by a one-sided Mann-Whitney U test (a rank test: one slow run does not make a rise) and the median is at least 20% and 0.05 s higher, and a false discovery rate of 5% over the tests that could show a rise; it names the run where the slower stretch began. See the README."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var color: ColorOptions

        @Option(help: "How many of the newest runs to look at.")
        var last = 30

        @Option(help: "Only runs of this branch.")
        var branch: String?

        @Option(help: "How many of the slowest tests to list.")
        var limit = 20

        func validate() throws {
            guard last >= 2 else { throw ValidationError("--last must be at least 2") }
            guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            try runReportingErrors {
                var options = SlowOptions()
                options.last = last
                options.branch = branch
                options.limit = limit
                let report = try SlowTestAnalyzer.analyze(try database.open(), options: options)
                let palette = color.palette
                try emit(
                    report, as: output.format, text: { SlowOutput.text($0, palette: palette) },
                    markdown: SlowOutput.markdown)
            }
        }
    }
}
