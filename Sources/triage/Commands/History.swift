import ArgumentParser
import Foundation
import TriageKit

/// Options of the flakiness analysis shared by `flaky` and the reports.
struct FlakinessArguments: ParsableArguments {
    @Option(help: "How many of the newest runs to look at.")
    var window = 50

    @Option(name: .customLong("min-runs"), help: "Results a test needs before its flip rate can call it flaky.")
    var minimumRuns = 5

    @Option(
        name: .customLong("infra-threshold"),
        help: "A run where more than this share failed is an infrastructure failure.")
    var infrastructureThreshold = 0.8

    @Option(help: "Only runs of this branch.")
    var branch: String?

    var options: FlakinessOptions {
        var options = FlakinessOptions()
        options.window = window
        options.minimumRuns = minimumRuns
        options.infrastructureThreshold = infrastructureThreshold
        options.branch = branch
        return options
    }

    func validate() throws {
        guard window >= 2 else { throw ValidationError("--window must be at least 2") }
        guard (0...1).contains(infrastructureThreshold) else {
            throw ValidationError("--infra-threshold is a share between 0 and 1")
        }
    }
}

extension Triage {
    struct Flaky: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rank flaky tests and list broken and recovered ones, from the stored history.",
            discussion:
                "Evidence: retried (passed on a retry in one run), same-commit (passed and failed on one commit), flip-rate (outcome flips between runs, weighted toward recent runs). See the README for the definitions."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var flakiness: FlakinessArguments

        func run() async throws {
            try runReportingErrors {
                let report = try FlakinessAnalyzer.analyze(try database.open(), options: flakiness.options)
                try emit(report, as: output.format, text: HistoryOutput.text, markdown: HistoryOutput.markdown)
            }
        }
    }

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

        func run() async throws {
            try runReportingErrors {
                let trend = try Trend.load(try database.open(), last: last, branch: branch)
                try emit(trend, as: output.format, text: HistoryOutput.text, markdown: HistoryOutput.markdown)
            }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Compare two runs: new failures, fixed, still failing, new and gone clusters, added and removed tests.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions

        @Argument(help: "The earlier run.")
        var before: Int64

        @Argument(help: "The later run.")
        var after: Int64

        func run() async throws {
            try runReportingErrors {
                let diff = try RunComparison.compare(try database.open(), before: before, after: after)
                try emit(diff, as: output.format, text: HistoryOutput.text, markdown: HistoryOutput.markdown)
            }
        }
    }
}
