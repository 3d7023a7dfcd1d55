import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct Recluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-apply the current rules to every stored failure, and keep them for later ingests.",
            discussion:
                "Failures are read 5,000 at a time, classified holding no lock, and written in a short transaction per batch, so an ingest started meanwhile waits for one batch, not the whole recluster.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var rulesOptions: RulesOptions

        func run() async throws {
            try runReportingErrors {
                let rules = try RulesInForce.fromDisk(rulesFile: rulesOptions.rules)
                let result = try database.open().recluster(with: rules)
                emit(
                    "reclustered \(result.attempts) failed attempts with rules \(rules.engine.rulesVersion): \(result.changed) changed cluster; later ingests use these rules unless --rules names others"
                )
            }
        }
    }
}
