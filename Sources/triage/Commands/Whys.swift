import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension WhysStatus: ExpressibleByArgument {}
extension CycleStatus: ExpressibleByArgument {}

/// Prints a record in the chosen format.
func emit(_ record: FiveWhys, as format: OutputFormat) throws {
    try emit(record, as: format, text: RemediationOutput.text, markdown: RemediationOutput.markdown)
}

extension Triage {
    struct Whys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Five-Whys records: a problem, its chain of whys, root cause, options and status, tied to clusters and tests.",
            discussion:
                "Statuses: open, analysed, fixed, verified. `whys list` marks a record \"ready to verify\" when its clusters have not failed a test in the last --quiet-runs runs.",
            subcommands: [New.self, Why.self, SetFields.self, AddOption.self, Show.self, List.self, Edit.self])

        struct New: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Start a Five-Whys record for one or more clusters.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            @Option(help: "A cluster id, or a unique prefix of one (repeatable; at least one).")
            var cluster: [String] = []

            @Option(help: "What fails, in one line.")
            var problem: String

            @Option(help: "A test the record is about: its id or a unique part of it (repeatable).")
            var test: [String] = []

            @Option(help: "Who owns the analysis.")
            var owner: String?

            func run() async throws {
                try runReportingErrors {
                    let record = try FiveWhysBook.create(
                        try database.open(), problem: problem, clusters: cluster, tests: test, owner: owner)
                    try emit(record, as: output.format)
                }
            }
        }

        struct Why: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Append the next why (its answer) to a record.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            @Argument(help: "The record id.")
            var id: Int64

            @Argument(help: "The answer: why the previous step happened.")
            var answer: String

            @Option(help: "The question as asked, e.g. \"Why does the client return None?\".")
            var question: String?

            func run() async throws {
                try runReportingErrors {
                    try emit(
                        try FiveWhysBook.addWhy(try database.open(), id: id, answer: answer, question: question),
                        as: output.format)
                }
            }
        }

        struct SetFields: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "set",
                abstract: "Change a record's fields; list options add to what is there.",
                discussion:
                    "Checklist items: --done, --partial and --todo add an item, or set the state of the item with that text."
            )

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            @Argument(help: "The record id.")
            var id: Int64

            @Option var problem: String?
            @Option(name: .customLong("root-cause")) var rootCause: String?
            @Option(help: "open, analysed, fixed or verified.") var status: WhysStatus?
            @Option var owner: String?
            @Option(name: .customLong("impact"), help: "Business impact.") var businessImpact: String?
            @Option(help: "Risk, kept as entered (e.g. \"low: no customer flow affected\").") var risk: String?
            @Option(help: "Priority, kept as entered.") var priority: String?
            @Option(help: "Link another cluster (id or unique prefix; repeatable).") var cluster: [String] = []
            @Option(help: "Link another test (repeatable).") var test: [String] = []
            @Option(help: "A link to a log, build or pull request (repeatable).") var evidence: [String] = []
            @Option(help: "A key finding or \"what works now\" (repeatable).") var finding: [String] = []
            @Option(name: .customLong("next"), help: "A next step (repeatable).") var next: [String] = []
            @Option(help: "A checklist item that is done (repeatable).") var done: [String] = []
            @Option(help: "A checklist item that is partly done (repeatable).") var partial: [String] = []
            @Option(help: "A checklist item still to do (repeatable).") var todo: [String] = []

            func run() async throws {
                try runReportingErrors {
                    var changes = WhysChanges()
                    changes.problem = problem
                    changes.rootCause = rootCause
                    changes.status = status
                    changes.owner = owner
                    changes.businessImpact = businessImpact
                    changes.risk = risk
                    changes.priority = priority
                    changes.addClusters = cluster
                    changes.addTests = test
                    changes.addEvidence = evidence
                    changes.addFindings = finding
                    changes.addNextSteps = next
                    changes.checklist =
                        done.map { .init(text: $0, state: .done) } + partial.map { .init(text: $0, state: .partial) }
                        + todo.map { .init(text: $0, state: .todo) }
                    try emit(try FiveWhysBook.set(try database.open(), id: id, changes), as: output.format)
                }
            }
        }

        struct AddOption: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "option",
                abstract: "Add an option with its pros and cons, or add to the option of that title.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            @Argument(help: "The record id.")
            var id: Int64

            @Argument(help: "The option's title.")
            var title: String

            @Option(help: "How it would be done.") var approach: String?
            @Option(help: "A pro (repeatable).") var pros: [String] = []
            @Option(help: "A con (repeatable).") var cons: [String] = []
            @Flag(help: "This is the chosen option (un-chooses the others).") var chosen = false

            func run() async throws {
                try runReportingErrors {
                    let option = WhysContent.Option(
                        title: title, approach: approach, pros: pros, cons: cons, isChosen: chosen)
                    try emit(try FiveWhysBook.addOption(try database.open(), id: id, option), as: output.format)
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show one record.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            @Argument(help: "The record id.")
            var id: Int64

            @Option(
                name: .customLong("quiet-runs"),
                help: "Runs without its clusters failing before a record is ready to verify.")
            var quietRuns = FiveWhysBook.defaultQuietRuns

            @OptionGroup var verification: CleanRunsOptions

            func run() async throws {
                try runReportingErrors {
                    try emit(
                        try FiveWhysBook.show(
                            try database.open(), id: id, quietRuns: quietRuns, cleanRuns: verification.cleanRuns),
                        as: output.format)
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List the records per cluster, with status or \"ready to verify\".")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            @Option(
                name: .customLong("quiet-runs"),
                help: "Runs without its clusters failing before a record is ready to verify.")
            var quietRuns = FiveWhysBook.defaultQuietRuns

            @OptionGroup var verification: CleanRunsOptions

            func validate() throws {
                guard quietRuns >= 1 else { throw ValidationError("--quiet-runs must be at least 1") }
            }

            func run() async throws {
                try runReportingErrors {
                    let list = try FiveWhysBook.list(
                        try database.open(), quietRuns: quietRuns, cleanRuns: verification.cleanRuns)
                    try emit(
                        list, as: output.format, text: RemediationOutput.text, markdown: RemediationOutput.markdown)
                }
            }
        }

        struct Edit: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Edit a record as Markdown in $EDITOR, or replace it from a Markdown file.",
                discussion:
                    "Without --from, the record is written to a temporary .md file and $VISUAL or $EDITOR (else vi) opens it; saving replaces every field. If the file cannot be read back, nothing changes and the file is kept."
            )

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            @Argument(help: "The record id.")
            var id: Int64

            @Option(help: "Read the record from this Markdown file instead of opening an editor.")
            var from: String?

            func run() async throws {
                try runReportingErrors {
                    let db = try database.open()
                    let path: String
                    if let from {
                        path = from
                    } else {
                        let record = try db.whys(id: id)
                        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
                            "triage-whys-\(id)-\(UUID().uuidString.prefix(8)).md")
                        do {
                            try WhysMarkdown.document(record).write(to: url, atomically: true, encoding: .utf8)
                        } catch {
                            throw TriageError.invalidArgument("cannot write \(url.path): \(error.localizedDescription)")
                        }
                        try openEditor(url.path)
                        path = url.path
                    }
                    let text: String
                    do {
                        text = try String(contentsOfFile: path, encoding: .utf8)
                    } catch {
                        throw TriageError.notFound(
                            "cannot read \(path): \(error.localizedDescription); name a readable Markdown file")
                    }
                    let content = try WhysMarkdown.parse(text, file: path)
                    try emit(try FiveWhysBook.replace(db, id: id, with: content), as: output.format)
                    if from == nil { try? FileManager.default.removeItem(atPath: path) }
                }
            }

            private func openEditor(_ path: String) throws {
                let environment = ProcessInfo.processInfo.environment
                let editor =
                    [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                // Through the shell, so that EDITOR may carry arguments ("code --wait").
                process.arguments = ["-c", "\(editor) \"$1\"", "sh", path]
                do {
                    try process.run()
                } catch {
                    throw TriageError.invalidArgument(
                        "cannot start the editor \"\(editor)\": \(error.localizedDescription); set EDITOR, or use --from FILE"
                    )
                }
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    throw TriageError.invalidArgument(
                        "the editor \"\(editor)\" exited with \(process.terminationStatus); nothing was changed (the file is \(path))"
                    )
                }
            }
        }
    }
}
