import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store result files (or every result file under a folder) as one run, or one run per file with --each.",
            discussion:
                "Formats are detected from the root element: JUnit/Ant XML (pytest, Surefire, Jest, gotestsum, …), xUnit.net v1/v2/v3, NUnit 2/3 and TRX. Commit, branch and build come from the CI environment (GitHub Actions, GitLab, Jenkins, Buildkite, CircleCI, Azure Pipelines) or from git; the options override them. A file already stored (same SHA-256) is not stored again. Without --keep-going one bad file means nothing is written.\n\nThe files of one run must not report the same test twice (under the same variant): such files are separate runs (use --each) or separate configurations (use --variant). A run's time is the earliest time its files state, unless --date says otherwise; history is ordered by it."
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

        @OptionGroup var variantOptions: VariantOptions

        @Flag(help: "Store each file as a run of its own (a folder of past runs).")
        var each = false

        @Option(help: "When the run happened (ISO 8601, e.g. 2026-05-01T12:00:00Z); default: the earliest time its files state.")
        var date: String?

        @Option(help: "The CI job that wrote the files (default: from CI variables).")
        var job: String?

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

        @Option(help: "How many files to check and parse at once; one writer stores them in order (default: the number of cores).")
        var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

        @OptionGroup var verification: CleanRunsOptions

        func validate() throws {
            try format.allow([.text, .json])
            for label in labels where !label.contains("=") {
                throw ValidationError("--label \(label): write labels as key=value")
            }
            if jobs < 1 {
                throw ValidationError("--jobs \(jobs): give at least 1")
            }
            if let date, ISO8601.parseArgument(date) == nil {
                throw ValidationError("--date \(date): write a date as ISO 8601, e.g. 2026-05-01 or 2026-05-01T12:00:00Z")
            }
        }

        func run() async throws {
            try runReportingErrors {
                let variant = try variantOptions.variant()
                let given = RunMetadata(
                    commit: commit, branch: branch, buildID: build, buildURL: buildURL, labels: parsedLabels, job: job)
                // Past runs stored with --each did not happen at this commit or in this CI build.
                let metadata = each ? given : RunMetadata.current(overrides: given)
                let db = try database.open()
                let showProgress = stderrIsTerminal
                let options = IngestOptions(
                    runKey: runID, metadata: metadata, format: inputFormat, keepGoing: keepGoing, variant: variant,
                    runTime: date.flatMap(ISO8601.parseArgument), jobs: jobs)
                // The rules the history was clustered with, unless --rules names others.
                let rules = try RulesInForce.forStoring(in: db, rulesFile: rulesOptions.rules)
                let ingestor = TriageKit.Ingestor(database: db, engine: rules.engine)
                let reports =
                    each
                    ? try ingestor.ingestEach(paths, options: options, progress: showProgress ? Self.printProgress : nil)
                    : [try ingestor.ingest(paths, options: options, progress: showProgress ? Self.printProgress : nil)]
                if showProgress { warn("\r\u{1B}[K", newline: false) }
                if reports.contains(where: { $0.runID != nil }), let note = try rules.noteAfterStoring(in: db) {
                    warn(note)
                }
                if rules.origin == .history, let drift = try RulesInForce.driftNote(db) { warn(drift) }
                // Fixed causes failing again reopen their records; fixes that held are verified.
                let news = try reports.compactMap(\.runID).flatMap {
                    try RootCauseWatch.check(db, runID: $0, cleanRuns: verification.cleanRuns).lines
                }
                if format == .json {
                    emit(each ? try jsonString(reports) : try jsonString(reports[0]))
                    for line in news { warn("triage: \(SafeText.terminal(line))") }
                } else {
                    emit(
                        (reports.map { IngestText.report($0, databasePath: db.path) } + news.map { SafeText.terminal($0) })
                            .joined(separator: "\n"))
                }
                let failedFiles = reports.flatMap(\.failedFiles)
                if !failedFiles.isEmpty {
                    for file in failedFiles {
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
