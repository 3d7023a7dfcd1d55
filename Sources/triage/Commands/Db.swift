import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct Db: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Work on a history as a whole.",
            subcommands: [Copy.self])

        struct Copy: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Copy a whole history between SQLite files and PostgreSQL databases.",
                discussion:
                    "The destination must hold no history yet; it is created and migrated when needed. Every id is kept, so run ids and cluster ids stay what reports and records name. The copy is one transaction, and each table's rows are counted on both sides at the end: a difference is exit 4."
            )

            @Option(help: ArgumentHelp("The history to copy: a SQLite path or a postgresql:// URL.", valueName: "path|url"))
            var from: String

            @Option(help: ArgumentHelp("Where to copy it: a SQLite path or a postgresql:// URL.", valueName: "path|url"))
            var to: String

            @OptionGroup var output: FormatOptions

            func run() async throws {
                try runReportingErrors {
                    let source = try TriageDatabase(path: from, readOnly: true)
                    let destination = try TriageDatabase(path: to)
                    let report = try source.copy(to: destination)
                    try emit(report, as: output.format, text: CopyOutput.text, markdown: CopyOutput.markdown)
                }
            }
        }
    }
}
