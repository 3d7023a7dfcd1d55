import ArgumentParser
import Foundation
import TriageModel
import TriageStore
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

    @Option(
        name: .customLong("variant"),
        help: ArgumentHelp("Only tests run under this variant, e.g. project=firefox (repeatable).", valueName: "key=value"))
    var variants: [String] = []

    var options: FlakinessOptions {
        var options = FlakinessOptions()
        options.window = window
        options.minimumRuns = minimumRuns
        options.infrastructureThreshold = infrastructureThreshold
        options.branch = branch
        options.variant = (try? Variant.parse(arguments: variants)) ?? .none
        return options
    }

    func validate() throws {
        guard window >= 2 else { throw ValidationError("--window must be at least 2") }
        guard (0...1).contains(infrastructureThreshold) else {
            throw ValidationError("--infra-threshold is a share between 0 and 1")
        }
        do {
            _ = try Variant.parse(arguments: variants)
        } catch let error as TriageError {
            throw ValidationError(error.description)
        }
    }
}

extension Triage {
    struct Flaky: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rank flaky tests and list broken and recovered ones, from the stored history.",
            discussion:
                "Evidence: retried (passed on a retry in one run), same-commit (passed and failed on one commit), flip-rate (failures interleaved with passes: at least two separate failing stretches). Each test-variant is judged on its own; a test flaky under some of its variants only says so. See the README for the definitions."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var color: ColorOptions
        @OptionGroup var flakiness: FlakinessArguments

        func run() async throws {
            try runReportingErrors {
                let report = try FlakinessAnalyzer.analyze(try database.open(), options: flakiness.options)
                let palette = color.palette
                try emit(
                    report, as: output.format, text: { HistoryOutput.text($0, palette: palette, width: outputWidth) },
                    markdown: HistoryOutput.markdown)
            }
        }
    }
}
