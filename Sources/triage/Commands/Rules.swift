import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the signature rules in force, in order (team rules first).")
        @OptionGroup var rulesOptions: RulesOptions
        @OptionGroup var output: FormatOptions

        func run() async throws {
            try runReportingErrors {
                let engine = try rulesOptions.engine()
                try emit(
                    engine.rules, as: output.format, text: { ClusterOutput.text($0, version: engine.rulesVersion) },
                    markdown: { ClusterOutput.markdown($0, version: engine.rulesVersion) })
            }
        }
    }
}
