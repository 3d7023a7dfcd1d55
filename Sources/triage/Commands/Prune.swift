import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove old runs, and the tests and clusters only they used.",
            discussion:
                "A run goes when it is older than --older-than or not among the newest --keep-runs (either one selects it). Runs a remediation cycle starts from or measured are kept. Each run is removed in a short transaction of its own, so CI jobs writing meanwhile wait for one step at most; freed space goes back to the file system."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions

        @Option(
            name: .customLong("older-than"),
            help: ArgumentHelp(
                "Remove runs older than this: a number of days, weeks or hours (90d, 12w, 36h) or a date (2026-08-01).",
                valueName: "age"))
        var olderThan: String?

        @Option(name: .customLong("keep-runs"), help: "Keep only the newest N runs.")
        var keepRuns: Int?

        @Flag(name: .customLong("dry-run"), help: "Say what would be removed; remove nothing.")
        var dryRun = false

        func validate() throws {
            guard olderThan != nil || keepRuns != nil else {
                throw ValidationError("say what to remove: --older-than 90d, --keep-runs 500, or both")
            }
            if let keepRuns, keepRuns < 1 {
                throw ValidationError("--keep-runs must be at least 1")
            }
            if let olderThan { _ = try Self.cutoff(olderThan, now: Date()) }
        }

        /// The moment before which runs go: `now` minus an age, or the start of a calendar day (UTC).
        static func cutoff(_ text: String, now: Date) throws -> Date {
            let units: [Character: Double] = ["h": 3600, "d": 86_400, "w": 604_800]
            if let unit = text.last.flatMap({ units[$0] }), let amount = Int(text.dropLast()), amount >= 0 {
                return now.addingTimeInterval(-Double(amount) * unit)
            }
            if let day = ISO8601.parseArgument(text) {
                return day
            }
            throw ValidationError(
                "--older-than \(text) is neither an age (90d, 12w, 36h) nor a date (2026-08-01)")
        }

        func run() async throws {
            try runReportingErrors {
                let cutoff = try olderThan.map { try Self.cutoff($0, now: Date()) }
                let report = try database.open().prune(before: cutoff, keepRuns: keepRuns, dryRun: dryRun)
                try emit(report, as: output.format, text: PruneOutput.text, markdown: PruneOutput.markdown)
            }
        }
    }
}
