import ArgumentParser
import Foundation
import TriageKit

/// The team rules file option shared by commands that classify.
struct RulesOptions: ParsableArguments {
    @Option(help: "Team rules (YAML); default .triage/rules.yaml when it exists.")
    var rules: String?

    func engine() throws -> SignatureEngine { try SignatureEngine.standard(rulesFile: rules) }
}

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
                    let clusters = try database.open().clusterSummaries(recentRuns: last)
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
                    let detail = try database.open().clusterDetail(id, recentRuns: last)
                    try emit(detail, as: output.format, text: ClusterOutput.text, markdown: ClusterOutput.markdown)
                }
            }
        }
    }

    struct Classify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Classify failure messages for scripts: JSON lines {id, message, trace, test} in, {id, category, cluster, template, detail, rule} out."
        )
        @OptionGroup var rulesOptions: RulesOptions

        func run() async throws {
            try runReportingErrors {
                let engine = try rulesOptions.engine()
                var number = 0
                while let line = readLine(strippingNewline: true) {
                    number += 1
                    if line.allSatisfy(\.isWhitespace) { continue }
                    emit(try ClassifyLine.classify(line, lineNumber: number, engine: engine))
                }
            }
        }
    }

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
