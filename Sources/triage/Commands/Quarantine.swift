import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct QuarantineCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "quarantine",
            abstract:
                "Tests whose failures do not fail the CI gate until the quarantine expires (they still run and are recorded).",
            subcommands: [Add.self, List.self, Remove.self, Export.self], defaultSubcommand: List.self)

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Quarantine a test, or change the reason, owner or expiry of a quarantine.",
                discussion: """
                    TEST is named as every command names a test: its full id, a pytest node id or a \
                    unique part of its id. A name that matches several tests lists them; a name that \
                    matches no stored test is refused unless --pattern says it is a glob on purpose: \
                    * stands for any run of characters, ? for exactly one, and every other character \
                    (brackets included) for itself.

                    With --cluster ID only the test's failures of that cause are quarantined (a Redis \
                    refused failure is excused, an assertion failure of the same test still fails the \
                    gate); --cluster ID without TEST quarantines the cause across all tests.

                    Adding a quarantined test again changes only the options given and says what changed.
                    """)
            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The test: its id, a pytest node id or a unique part of its id; with --pattern, a glob.")
            var test: String?
            @Flag(help: "TEST is a glob over test ids (* any run of characters, ? one, all else literal).")
            var pattern = false
            @Option(help: "Only failures in this cluster (id or unique prefix); without TEST, of every test.")
            var cluster: String?
            @Option(help: "Why (required for a new quarantine).") var reason: String?
            @Option(help: "Who looks after it.") var owner: String?
            @Option(help: "How long (12h, 14d, 2w; at most 3650d) or until when (2025-07-01); default: no expiry.")
            var expires: String?

            func validate() throws {
                if test == nil && cluster == nil {
                    throw ValidationError("name the test to quarantine, or a cause with --cluster ID")
                }
                if test == nil && pattern { throw ValidationError("--pattern needs TEST, the glob") }
            }

            func run() async throws {
                try runReportingErrors {
                    let now = Date()
                    let request = QuarantineRequest(
                        name: test ?? "", isPattern: pattern, cluster: cluster, reason: reason, owner: owner,
                        expiresAt: try expires.map { try TriageKit.Quarantine.expiry($0, now: now) }, now: now)
                    let change = try TriageKit.Quarantine.add(request, to: try database.open())
                    emit(SafeText.terminal(change.summary))
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List quarantined tests, expired ones marked.")
            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            func validate() throws { try output.allow([.text, .json]) }

            func run() async throws {
                try runReportingErrors {
                    let entries = try TriageKit.Quarantine.list(try database.open())
                    if output.format == .json { return emit(try jsonString(entries)) }
                    if entries.isEmpty { return emit("no quarantined tests") }
                    let now = Date()
                    emit(
                        entries.map { entry in
                            "\(entry.isExpired(at: now) ? "EXPIRED " : "")\(SafeText.terminal(entry.isCauseWide ? entry.scope : entry.test))\(entry.isPattern && !entry.isCauseWide ? " (pattern)" : "")\(entry.clusterID.map { entry.isCauseWide ? "" : " (cause \($0))" } ?? "")  \(SafeText.terminal(entry.reason))  owner \(SafeText.terminal(entry.owner ?? "-"))  until \(entry.expiresAt ?? "no expiry")"
                        }.joined(separator: "\n"))
                }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Take a test out of quarantine.")
            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The test or glob, as `quarantine list` shows it or as it was added.") var test: String?
            @Option(help: "The cause the quarantine is for; without TEST, the cause across all tests.")
            var cluster: String?

            func validate() throws {
                if test == nil && cluster == nil {
                    throw ValidationError("name the test to take out of quarantine, or a cause with --cluster ID")
                }
            }

            func run() async throws {
                try runReportingErrors {
                    let removed = try TriageKit.Quarantine.remove(
                        test ?? "", cluster: cluster, from: try database.open())
                    emit("removed \(SafeText.terminal(removed)) from quarantine")
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
                    if let output { try OutputFile.check(output, database: database.path) }
                    let db = try database.open()
                    let entries = try TriageKit.Quarantine.list(db)
                    let now = Date()
                    let text: String
                    switch format {
                    case .pytest:
                        text = TriageKit.Quarantine.pytestPlugin(
                            entries, now: now, causePatterns: try TriageKit.Quarantine.causePatterns(entries, in: db))
                    case .json: text = try jsonString(entries.filter { !$0.isExpired(at: now) })
                    case .junitSkip: text = TriageKit.Quarantine.junitSkip(entries, now: now)
                    }
                    if let output {
                        try OutputFile.write(text, to: output, database: database.path)
                    } else {
                        emit(text)
                    }
                }
            }
        }
    }
}
