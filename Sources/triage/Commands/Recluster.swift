import ArgumentParser
import Foundation
import TriageKit

extension Triage {
    struct Recluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-apply the current rules to every stored failure, in one transaction.")
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
