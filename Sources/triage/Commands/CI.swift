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

    struct QuarantineCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "quarantine",
            abstract:
                "Tests whose failures do not fail the CI gate until the quarantine expires (they still run and are recorded).",
            subcommands: [Add.self, List.self, Remove.self, Export.self], defaultSubcommand: List.self)

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Quarantine a test (its id, or a glob over ids).")
            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The test id, e.g. tests/test_ws.py::test_reconnect, or a glob.") var test: String
            @Option(help: "Why (required).") var reason: String
            @Option(help: "Who looks after it.") var owner: String?
            @Option(help: "How long: 12h, 14d, 2w (default: no expiry).") var expires: String?

            func run() async throws {
                try runReportingErrors {
                    let now = Date()
                    let expiry = try expires.map { now.addingTimeInterval(try TriageKit.Quarantine.duration($0)) }
                    let entry = QuarantineEntry(
                        test: test, reason: reason, owner: owner, createdAt: now.formatted(.iso8601),
                        expiresAt: expiry?.formatted(.iso8601))
                    try TriageKit.Quarantine.add(entry, to: try database.open())
                    emit("quarantined \(test)" + (entry.expiresAt.map { " until \($0)" } ?? " with no expiry"))
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List quarantined tests, expired ones marked.")
            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            func run() async throws {
                try runReportingErrors {
                    let entries = try TriageKit.Quarantine.list(try database.open())
                    if output.format == .json { return emit(try jsonString(entries)) }
                    if entries.isEmpty { return emit("no quarantined tests") }
                    let now = Date()
                    emit(
                        entries.map { entry in
                            "\(entry.isExpired(at: now) ? "EXPIRED " : "")\(SafeText.terminal(entry.test))  \(SafeText.terminal(entry.reason))  owner \(SafeText.terminal(entry.owner ?? "-"))  until \(entry.expiresAt ?? "no expiry")"
                        }.joined(separator: "\n"))
                }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Take a test out of quarantine.")
            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The test id or glob, as it was added.") var test: String

            func run() async throws {
                try runReportingErrors {
                    try TriageKit.Quarantine.remove(test, from: try database.open())
                    emit("removed \(test) from quarantine")
                }
            }
        }

        struct Export: AsyncParsableCommand {
            enum Kind: String, ExpressibleByArgument, CaseIterable {
                case pytest, json
                case junitSkip = "junit-skip"
            }

            static let configuration = CommandConfiguration(
                abstract: "Export the active quarantine: a pytest plugin, JSON, or JUnit XML of skipped tests.")
            @OptionGroup var database: DatabaseOptions
            @Option(help: "pytest, json or junit-skip.") var format: Kind = .json
            @Option(help: "Write to this file instead of stdout.") var output: String?

            func run() async throws {
                try runReportingErrors {
                    let entries = try TriageKit.Quarantine.list(try database.open())
                    let now = Date()
                    let text: String
                    switch format {
                    case .pytest: text = TriageKit.Quarantine.pytestPlugin(entries, now: now)
                    case .json: text = try jsonString(entries.filter { !$0.isExpired(at: now) })
                    case .junitSkip: text = TriageKit.Quarantine.junitSkip(entries, now: now)
                    }
                    if let output {
                        do { try Data(text.utf8).write(to: URL(fileURLWithPath: output)) } catch {
                            throw TriageError.invalidArgument("\(output): cannot write: \(error.localizedDescription)")
                        }
                    } else {
                        emit(text)
                    }
                }
            }
        }
    }
}
