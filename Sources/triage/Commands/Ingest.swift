import ArgumentParser
import Foundation
import TriageKit

extension Triage {
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store result files (or every result file under a folder) as one run.",
            discussion:
                "Formats are detected from the root element: JUnit/Ant XML (pytest, Surefire, Jest, gotestsum, …), xUnit.net v1/v2/v3, NUnit 2/3 and TRX. Commit, branch and build come from the CI environment (GitHub Actions, GitLab, Jenkins, Buildkite, CircleCI, Azure Pipelines) or from git; the options override them. A file already stored (same SHA-256) is not stored again. Without --keep-going one bad file means nothing is written."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var rulesOptions: RulesOptions

        @Argument(help: "Result files or folders.")
        var paths: [String]

        @Option(name: .customLong("run-id"), help: "Name of the run; shards of one CI job share it.")
        var runID: String?

        @Option(help: "Commit SHA (default: from CI variables or git).")
        var commit: String?

        @Option(help: "Branch (default: from CI variables or git).")
        var branch: String?

        @Option(help: "CI build or job id.")
        var build: String?

        @Option(name: .customLong("build-url"), help: "Link to the CI build.")
        var buildURL: String?

        @Option(
            name: .customLong("label"), help: ArgumentHelp("A label for the run (repeatable).", valueName: "key=value"))
        var labels: [String] = []

        @Option(
            name: .customLong("input-format"),
            help: "Force the input format: junit, xunit1, xunit2, nunit2, nunit3, trx.")
        var inputFormat: ReportFormat?

        @Flag(
            name: .customLong("keep-going"),
            help: "Store the good files and list the bad ones instead of storing nothing.")
        var keepGoing = false

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func validate() throws {
            for label in labels where !label.contains("=") {
                throw ValidationError("--label \(label): write labels as key=value")
            }
        }

        func run() async throws {
            try runReportingErrors {
                let metadata = RunMetadata.current(
                    overrides: RunMetadata(
                        commit: commit, branch: branch, buildID: build, buildURL: buildURL, labels: parsedLabels))
                let db = try database.open()
                let showProgress = stderrIsTerminal
                let options = IngestOptions(
                    runKey: runID, metadata: metadata, format: inputFormat, keepGoing: keepGoing)
                let report = try TriageKit.Ingestor(database: db, engine: try rulesOptions.engine()).ingest(
                    paths, options: options, progress: showProgress ? Self.printProgress : nil)
                if showProgress { warn("\r\u{1B}[K", newline: false) }
                emit(format == .json ? try jsonString(report) : IngestText.report(report, databasePath: db.path))
                if !report.failedFiles.isEmpty {
                    for file in report.failedFiles {
                        warn("triage: \(SafeText.terminal(file.note ?? file.path))")
                    }
                    throw ExitCode(3)
                }
            }
        }

        @Sendable static func printProgress(_ progress: IngestProgress) {
            let rate = Double(progress.cases) / max(progress.elapsed, 0.001)
            let megabyte = 1_048_576.0
            let line = String(
                format: "\r\u{1B}[Kfile %d/%d (%.1f MB; %.1f of %.1f MB done before it)  %d tests  %.0f tests/s",
                progress.fileIndex + 1, progress.fileCount, Double(progress.fileBytes) / megabyte,
                Double(progress.bytesDone) / megabyte, Double(progress.totalBytes) / megabyte, progress.cases, rate)
            warn(line, newline: false)
        }

        private var parsedLabels: [String: String] {
            Dictionary(
                labels.map { label in
                    let parts = label.split(separator: "=", maxSplits: 1)
                    return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
                }, uniquingKeysWith: { _, last in last })
        }
    }
}
