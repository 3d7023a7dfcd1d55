import ArgumentParser
import Foundation
import TriageKit

extension Triage {
    struct Recluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-apply the current rules to every stored failure.",
            discussion:
                "Failures are classified from one snapshot without holding the write lock, then written in short transactions of 5,000, so an ingest started meanwhile waits seconds, not the whole recluster.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var rulesOptions: RulesOptions

        func run() async throws {
            try runReportingErrors {
                let engine = try rulesOptions.engine()
                let result = try database.open().recluster(with: engine)
                emit(
                    "reclustered \(result.attempts) failed attempts with rules \(engine.rulesVersion): \(result.changed) changed cluster"
                )
            }
        }
    }
}
