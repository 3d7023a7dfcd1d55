import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One test's outcome per run, with cluster and duration.",
            discussion:
                "Name the test by its full id (classname::name, or a pytest node id such as tests/test_x.py::test_y) or by a unique part of it. A name that matches several variants of one test (browsers, Python versions) shows each variant's history; JSON is then a list of histories, else one history."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions

        @Argument(help: "The test id or a unique part of it.")
        var test: String

        @Option(help: "How many of the newest runs to show.")
        var last = 50

        func run() async throws {
            try runReportingErrors {
                let histories = try TestHistory.loadVariants(try database.open(), test: test, limit: last)
                if histories.count == 1 {
                    try emit(histories[0], as: output.format, text: HistoryOutput.text, markdown: HistoryOutput.markdown)
                } else {
                    try emit(
                        histories, as: output.format,
                        text: { $0.map(HistoryOutput.text).joined(separator: "\n\n") },
                        markdown: { $0.map(HistoryOutput.markdown).joined(separator: "\n\n") })
                }
            }
        }
    }
}
