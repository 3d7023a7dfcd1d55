import ArgumentParser
import Foundation
import TriageKit

extension Triage {
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
                    if let output { try OutputFile.check(output, database: database.path) }
                    let entries = try TriageKit.Quarantine.list(try database.open())
                    let now = Date()
                    let text: String
                    switch format {
                    case .pytest: text = TriageKit.Quarantine.pytestPlugin(entries, now: now)
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
