import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

/// Prints a cycle in the chosen format.
func emit(_ cycle: RemediationCycle, as format: OutputFormat) throws {
    try emit(cycle, as: format, text: RemediationOutput.text, markdown: RemediationOutput.markdown)
}

extension Triage {
    struct Cycle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remediation cycles: numbered attempts at fixing a failing scope, measured from the runs.",
            discussion:
                "Before is the last run with results in scope when the cycle started; after is the latest run in scope when it is shown or closed. The verdict (improved, no change, regressed, inconclusive) is McNemar's exact test on the tests that ran in both; see the README.",
            subcommands: [Start.self, Note.self, Close.self, List.self, Show.self])

        struct Start: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Start the next cycle of an effort (the title).")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            @Argument(help: "The effort's title; cycles with the same title are numbered together.")
            var title: String

            @Option(help: "How many cycles the effort plans (default: that of its first cycle).")
            var max: Int?

            @Option(help: "A glob over test ids or pytest paths (`*`, `?`); default every test.")
            var scope = "*"

            @Option(help: "A cluster id or unique prefix (repeatable).")
            var cluster: [String] = []

            @Option(help: "A Five-Whys record id (repeatable).")
            var whys: [Int64] = []

            @Option(help: "Who runs the cycle.")
            var owner: String?

            @Option(help: "The run to compare against (default: the last run with results in scope).")
            var before: Int64?

            func run() async throws {
                try runReportingErrors {
                    var request = CycleStart(effort: title)
                    request.maxCycles = max
                    request.scope = scope
                    request.clusters = cluster
                    request.whys = whys
                    request.owner = owner
                    request.beforeRunID = before
                    try emit(try RemediationCycles.start(try database.open(), request), as: output.format)
                }
            }
        }

        struct Note: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a timestamped note to a cycle.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            @Argument(help: "The cycle id.")
            var id: Int64

            @Argument(help: "The note.")
            var text: String

            func run() async throws {
                try runReportingErrors {
                    try emit(try RemediationCycles.note(try database.open(), id: id, text), as: output.format)
                }
            }
        }

        struct Close: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Close a cycle and store its before/after figures.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            @Argument(help: "The cycle id.")
            var id: Int64

            /// How a cycle can end; `open` is not one, so it is never offered.
            enum Outcome: String, ExpressibleByArgument, CaseIterable {
                case success, partial, failed

                var status: CycleStatus {
                    switch self {
                    case .success: .success
                    case .partial: .partial
                    case .failed: .failed
                    }
                }
            }

            @Option(help: "success, partial or failed.")
            var status: Outcome

            @Option(name: .customLong("next"), help: "A next step (repeatable).")
            var next: [String] = []

            @Option(help: "A key finding or \"what works now\" (repeatable).")
            var finding: [String] = []

            @Option(help: "Risk, kept as entered.")
            var risk: String?

            @Option(help: "Priority, kept as entered.")
            var priority: String?

            @Option(name: .customLong("impact"), help: "Business impact.")
            var businessImpact: String?

            @Option(help: "The run to measure (default: the latest run with results in scope).")
            var after: Int64?

            func run() async throws {
                try runReportingErrors {
                    var request = CycleClose(status: status.status)
                    request.nextSteps = next
                    request.findings = finding
                    request.risk = risk
                    request.priority = priority
                    request.businessImpact = businessImpact
                    request.afterRunID = after
                    try emit(try RemediationCycles.close(try database.open(), id: id, request), as: output.format)
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the cycles by effort and number.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            func run() async throws {
                try runReportingErrors {
                    let cycles = try RemediationCycles.list(try database.open())
                    try emit(
                        cycles, as: output.format, text: RemediationOutput.text, markdown: RemediationOutput.markdown)
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show a cycle with its before/after figures and verdict.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            @Argument(help: "The cycle id.")
            var id: Int64

            @Option(help: "Measure against this run instead (not stored).")
            var after: Int64?

            @OptionGroup var verification: CleanRunsOptions

            func run() async throws {
                try runReportingErrors {
                    try emit(
                        try RemediationCycles.show(
                            try database.open(), id: id, afterRunID: after, cleanRuns: verification.cleanRuns),
                        as: output.format)
                }
            }
        }
    }
}
