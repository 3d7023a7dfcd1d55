import ArgumentParser
import Foundation
import TriageKit

extension Triage {
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One test's outcome per run, with cluster and duration.",
            discussion:
                "Name the test by its full id (classname::name, or a pytest node id such as tests/test_x.py::test_y) or by a unique part of it."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions

        @Argument(help: "The test id or a unique part of it.")
        var test: String

        @Option(help: "How many of the newest runs to show.")
        var last = 50

        func run() async throws {
            try runReportingErrors {
                let history = try TestHistory.load(try database.open(), test: test, limit: last)
                try emit(history, as: output.format, text: HistoryOutput.text, markdown: HistoryOutput.markdown)
            }
        }
    }
}
