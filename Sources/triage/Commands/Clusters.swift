import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct Clusters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Failure clusters: id, category, title, failures, tests, runs, first and last seen, trend.",
            subcommands: [List.self, Show.self], defaultSubcommand: List.self)

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List failure clusters, most failures first.")
            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Option(help: "Runs the trend covers.") var last = 20

            func run() async throws {
                try runReportingErrors {
                    let clusters = try database.openShowingClusters().clusterSummaries(recentRuns: last)
                    try emit(clusters, as: output.format, text: ClusterOutput.text, markdown: ClusterOutput.markdown)
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "One cluster: template, example messages, affected tests, history by run.")
            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Argument(help: "The cluster id or a unique prefix.") var id: String
            @Option(help: "Runs the history covers.") var last = 30

            func run() async throws {
                try runReportingErrors {
                    let detail = try database.openShowingClusters().clusterDetail(id, recentRuns: last)
                    try emit(detail, as: output.format, text: ClusterOutput.text, markdown: ClusterOutput.markdown)
                }
            }
        }
    }
}
