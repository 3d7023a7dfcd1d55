import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the stored runs, newest first.",
            subcommands: [List.self, Show.self, Delete.self],
            defaultSubcommand: List.self)

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the stored runs, newest first.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @OptionGroup var color: ColorOptions

            @Option(help: "How many runs to list.")
            var limit = 20

            @Option(help: "Only runs of this branch.")
            var branch: String?

            func validate() throws {
                guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
            }

            func run() async throws {
                try runReportingErrors {
                    let runs = try database.open().runs(limit: limit, branch: branch)
                    let palette = color.palette
                    try emit(
                        runs, as: output.format, text: { IngestText.runs($0, palette: palette) },
                        markdown: IngestText.runsMarkdown)
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show one run: metadata, files, totals, failures by cluster.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @OptionGroup var color: ColorOptions

            @Argument(help: "The run id (see `triage runs`); omit for the latest run.")
            var id: Int64?

            @Option(help: "Failing tests listed under each cluster (0: all of them).")
            var tests = 5

            func validate() throws {
                guard tests >= 0 else { throw ValidationError("--tests must be 0 (all) or more") }
            }

            func run() async throws {
                try runReportingErrors {
                    let db = try database.openShowingClusters()
                    guard let id = try id ?? db.latestRunID() else {
                        throw TriageError.notFound("no runs stored yet; `triage ingest results.xml` adds one")
                    }
                    let detail = try RunDetail.load(db, id: id)
                    let (tests, palette) = (tests, color.palette)
                    try emit(
                        detail, as: output.format,
                        text: { IngestText.runDetail($0, testsPerCluster: tests, palette: palette, width: outputWidth) },
                        markdown: { IngestText.runDetailMarkdown($0, testsPerCluster: tests) })
                }
            }
        }


        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Remove a run stored by mistake, with its files and results.",
                discussion:
                    "Analyses stop counting the run at once. A run that a remediation cycle starts from or measured cannot be deleted (exit 2)."
            )

            @OptionGroup var database: DatabaseOptions

            @Argument(help: "The run id (see `triage runs`).")
            var id: Int64

            func run() async throws {
                try runReportingErrors {
                    let run = try database.open().deleteRun(id: id)
                    emit(
                        "Deleted run \(run.id) (\(run.key), \(run.totals.tests) tests)")
                }
            }
        }
    }
}
