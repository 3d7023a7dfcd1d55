import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

@main
struct Triage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Turns test results into run history, failure clusters, flaky tests and remediation reports.",
        discussion:
            "Results are stored in a SQLite database: .triage/triage.sqlite under the current folder unless --db or TRIAGE_DB names another. Exit codes: 0 done, 1 a CI gate failed, 2 unknown id or bad argument, 3 a bad result file, 4 a database problem, 5 a template problem, 64 bad usage.",
        version: "0.1.0",
        subcommands: [
            Ingest.self, Parse.self, Runs.self, Flaky.self, Slow.self, History.self, TrendCommand.self, Diff.self,
            Clusters.self, Classify.self, Rules.self, Recluster.self, Whys.self, Cycle.self, Report.self, Demo.self,
            CI.self, QuarantineCommand.self, Prune.self, RetryAdviceCommand.self, Db.self,
        ])

    /// Parses and runs the command; a mistyped subcommand gets the nearest one suggested
    /// (`triage flakey` → "did you mean `flaky`?"), exit 64 like any other usage error.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, !first.hasPrefix("-") {
            let names = configuration.subcommands.map { $0._commandName } + ["help"]
            if !names.contains(first), let nearest = Suggestion.nearest(to: first, among: names) {
                warn("triage: unknown command '\(SafeText.terminal(first))'; did you mean `\(nearest)`?")
                warn("  See 'triage --help' for the commands.")
                Foundation.exit(ExitCode.validationFailure.rawValue)
            }
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
