import ArgumentParser
import Foundation
import TriageKit

extension Triage {
    struct Parse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the normalized results of result files, without a database.",
            discussion: "The JSON fields are documented in the README (\"triage parse JSON\").")

        @Argument(help: "Result files or folders.")
        var paths: [String]

        @Option(
            name: .customLong("input-format"),
            help: "Force the input format: junit, xunit1, xunit2, nunit2, nunit3, trx.")
        var inputFormat: ReportFormat?

        @Option(help: "Output format: json or text.")
        var format: OutputFormat = .json

        func run() async throws {
            try runReportingErrors {
                let output = try ParseOutput.parse(paths, format: inputFormat)
                emit(format == .json ? try jsonString(output) : output.text)
            }
        }
    }
}
