import ArgumentParser
import Foundation
import TriageKit

extension GateRule: ExpressibleByArgument {}

extension Triage {
    struct CI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ci",
            abstract:
                "The CI post-step: ingest this build's results, compare with a baseline, print a summary and decide the exit code.",
            discussion:
                "Exit 0 when the gate passes, 1 when it fails (the summary says why), 2 and up when triage itself fails. Failures of known flaky tests and of tests under an active quarantine never fail the gate. Writes Markdown to $GITHUB_STEP_SUMMARY when it is set and to --summary FILE, and JSON to --json FILE."
        )

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "Result files, folders or globs such as \"test-results/**/*.xml\".")
        var patterns: [String]

        @Option(name: .customLong("fail-on"), help: "never, any-failure, new-failures or new-clusters.")
        var failOn: GateRule = .newFailures

        @Option(name: .customLong("min-pass-rate"), help: "Fail below this pass rate (0…1), e.g. 0.95.")
        var minimumPassRate: Double?

        @Option(
            help:
                "The run to compare with: a run id or a branch (default: the latest earlier run on this branch, else on the default branch)."
        )
        var baseline: String?

        @Option(
            name: .customLong("default-branch"), help: "The branch to compare with when this branch has no earlier run."
        )
        var defaultBranch = "main"

        @Option(name: .customLong("run-id"), help: "Name of the run (default: the CI provider and build id).")
        var runID: String?

        @Option(
            name: .customLong("label"), help: ArgumentHelp("A label for the run (repeatable).", valueName: "key=value"))
        var labels: [String] = []

        @Option(help: "Commit SHA (default: from CI variables or git).") var commit: String?
        @Option(help: "Branch (default: from CI variables or git).") var branch: String?
        @Option(help: "Write the Markdown summary to this file too.") var summary: String?
        @Option(help: "Write the result as JSON to this file.") var json: String?
        @Option(help: "A folder of NAME.mustache files that override the templates of the same name.") var templates:
            String?

        func validate() throws {
            if let minimumPassRate, !(0...1).contains(minimumPassRate) {
                throw ValidationError("--min-pass-rate is a share between 0 and 1, e.g. 0.95")
            }
            for label in labels where !label.contains("=") {
                throw ValidationError("--label \(label): write labels as key=value")
            }
        }

        func run() async throws {
            var passed = true
            try runReportingErrors {
                var options = CIOptions(patterns: patterns)
                options.failOn = failOn
                options.minimumPassRate = minimumPassRate
                options.baseline = baseline
                options.defaultBranch = defaultBranch
                options.runKey = runID
                options.metadata = RunMetadata(
                    commit: commit, branch: branch,
                    labels: Dictionary(
                        labels.map { label in
                            let parts = label.split(separator: "=", maxSplits: 1)
                            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
                        }, uniquingKeysWith: { _, last in last }))
                let result = try CIGate.run(databasePath: database.path, options: options)
                emit(CISummaryView.text(result))
                let markdown = try TemplateRenderer.standard(templatesFolder: templates).render(
                    CISummaryView(result), template: "ci-summary.md")
                if let stepSummary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !stepSummary.isEmpty {
                    try append(markdown, to: stepSummary)
                }
                if let summary { try write(markdown, to: summary) }
                if let json { try write(try jsonString(result) + "\n", to: json) }
                passed = result.passed
            }
            if !passed { throw ExitCode(1) }
        }

        private func write(_ text: String, to path: String) throws {
            do {
                let url = URL(fileURLWithPath: path)
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url, options: .atomic)
            } catch {
                throw TriageError.invalidArgument("\(path): cannot write: \(error.localizedDescription)")
            }
        }

        private func append(_ text: String, to path: String) throws {
            guard
                let handle = FileHandle(forWritingAtPath: path)
                    ?? {
                        _ = FileManager.default.createFile(atPath: path, contents: nil)
                        return FileHandle(forWritingAtPath: path)
                    }()
            else {
                throw TriageError.invalidArgument("$GITHUB_STEP_SUMMARY \(path): cannot be written")
            }
            defer { try? handle.close() }
            _ = try? handle.seekToEnd()
            handle.write(Data((text + "\n").utf8))
        }
    }
}
