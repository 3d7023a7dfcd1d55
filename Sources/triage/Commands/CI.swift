import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension GateRule: ExpressibleByArgument {}

extension Triage {
    struct CI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ci",
            abstract:
                "The CI post-step: ingest this build's results, compare with a baseline, print a summary and decide the exit code.",
            discussion:
                "Exit 0 when the gate passes, 1 when it fails (the summary says why), 2 and up when triage itself fails. Failures of known flaky tests and of tests under an active quarantine never fail the gate. Writes Markdown to $GITHUB_STEP_SUMMARY when it is set (cut to GitHub's 1 MiB) and to --summary FILE, and JSON to --json FILE."
        )

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "Result files, folders or globs such as \"test-results/**/*.xml\".")
        var patterns: [String]

        @Option(
            name: .customLong("fail-on"),
            help:
                "never, any-failure, new-failures (default), new-clusters; recurrence (a fixed cause is back) and slower (tests got slower) can be given beside one of them, or alone (repeatable: --fail-on new-failures --fail-on slower)."
        )
        var failOn: [GateRule] = []

        @OptionGroup var verification: CleanRunsOptions
        @OptionGroup var color: ColorOptions

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

        @Option(
            help:
                "The CI job these results come from; the baseline is an earlier run of the same job (default: from CI variables, e.g. GITHUB_WORKFLOW/GITHUB_JOB, CI_JOB_NAME)."
        )
        var job: String?
        @OptionGroup var variantOptions: VariantOptions
        @Option(help: "Commit SHA (default: from CI variables or git).") var commit: String?
        @Option(help: "Branch (default: from CI variables or git).") var branch: String?
        @Option(help: "Write the Markdown summary to this file too.") var summary: String?
        @Option(help: "Write the result as JSON to this file.") var json: String?
        @Option(help: "A folder of NAME.mustache files that override the templates of the same name.") var templates:
            String?
        @Flag(
            help:
                "Print GitHub Actions annotations for new failures, at the test's file and line when the result file gives them (at most 10 errors and 10 warnings)."
        )
        var annotations = false

        func validate() throws {
            if Set(failOn.filter { $0 != .recurrence && $0 != .slower }).count > 1 {
                throw ValidationError("--fail-on takes one of never, any-failure, new-failures, new-clusters (and recurrence or slower beside it)")
            }
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
                // Everything that can be checked is checked before the run is stored: after
                // that, a retry would find its files already stored.
                let stepSummary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"].flatMap {
                    $0.isEmpty ? nil : $0
                }
                for output in [summary, json, stepSummary].compactMap({ $0 }) {
                    try OutputFile.check(output, database: database.path)
                }
                let renderer = try TemplateRenderer.standard(templatesFolder: templates)
                var options = CIOptions(patterns: patterns)
                options.variant = try variantOptions.variant()
                let rules = failOn.filter { $0 != .slower }
                // Alone, recurrence is the rule; slower alone keeps the default rule beside it.
                options.failOn = rules.first { $0 != .recurrence } ?? (rules.contains(.recurrence) ? .recurrence : .newFailures)
                options.failOnRecurrence = rules.contains(.recurrence)
                options.failOnSlower = failOn.contains(.slower)
                options.cleanRuns = verification.cleanRuns
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
                        }, uniquingKeysWith: { _, last in last }),
                    job: job)
                let result = try CIGate.run(databasePath: database.path, options: options)
                emit(CISummaryView.text(result, palette: color.palette))
                if annotations {
                    let files = (try? ResultFiles.expand(patterns.flatMap(Glob.files))) ?? []
                    let locations = CIAnnotations.locations(
                        files: files, variant: options.variant, failing: Set(result.failing.filter(\.isNew).map(\.test)))
                    let commands = CIAnnotations.commands(result, locations: locations)
                    if !commands.isEmpty { emit(commands.joined(separator: "\n")) }
                }
                // GitHub refuses a step summary over 1 MiB: the tables are cut to fit what is left.
                let used = stepSummary.flatMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int } ?? 0
                let markdown = try CISummaryView.markdown(
                    result, budget: CISummaryView.stepSummaryLimit - used - 1
                ) { try renderer.render($0, template: "ci-summary.md") }
                // The run is stored: write every output that can be written, then report the first failure.
                var failure: Error?
                func attempt(_ write: () throws -> Void) {
                    do { try write() } catch { failure = failure ?? error }
                }
                if let stepSummary {
                    attempt { try OutputFile.append(markdown + "\n", to: stepSummary, database: database.path) }
                }
                if let summary { attempt { try OutputFile.write(markdown, to: summary, database: database.path) } }
                if let json {
                    attempt { try OutputFile.write(try jsonString(result) + "\n", to: json, database: database.path) }
                }
                if let failure { throw failure }
                passed = result.passed
            }
            if !passed { throw ExitCode(1) }
        }
    }
}
