import TriageModel
import TriageStore
import ArgumentParser
import TriageKit

extension Triage {
    struct RetryAdviceCommand: AsyncParsableCommand {
        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case text, pytest, json
        }

        static let configuration = CommandConfiguration(
            commandName: "retry-advice",
            abstract: "Which causes pass on retry in the history, as pytest-rerunfailures --only-rerun arguments.",
            discussion: """
                A cause is worth retrying when its failures were retried at least --min-retries times \
                and passed on a retry at least --min-share of those times; retried that often and never \
                passed, it is listed as not worth retrying. --format pytest prints only the arguments: \
                pytest --reruns 2 $(triage retry-advice --format pytest).
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "text, pytest or json.") var format: Kind = .text
        @Option(name: .customLong("min-retries"), help: "Retries of a cause needed for advice.")
        var minimumRetries = TriageKit.RetryAdvice.defaultMinimumRetries
        @Option(name: .customLong("min-share"), help: "Share of retries that passed for a cause to be retried.")
        var minimumShare = TriageKit.RetryAdvice.defaultMinimumShare
        @Option(help: "Only the newest N runs (default: all).") var last: Int?

        func validate() throws {
            if minimumRetries < 1 { throw ValidationError("--min-retries must be at least 1") }
            if !(minimumShare > 0 && minimumShare <= 1) {
                throw ValidationError("--min-share is a share above 0 and at most 1, e.g. 0.5")
            }
            if let last, last < 1 { throw ValidationError("--last must be at least 1") }
        }

        func run() async throws {
            try runReportingErrors {
                let advice = try TriageKit.RetryAdvice.build(
                    try database.open(), minimumRetries: minimumRetries, minimumShare: minimumShare, lastRuns: last)
                switch format {
                case .text: emit(advice.text)
                case .pytest:
                    if advice.retry.isEmpty {
                        warn("triage: no cause passed on retry often enough; these arguments retry nothing")
                    }
                    emit(advice.pytestArguments)
                case .json: emit(try jsonString(advice))
                }
            }
        }
    }
}
