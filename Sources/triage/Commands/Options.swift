import ArgumentParser
import Foundation
import TriageKit

/// Where the database is; shared by every command that reads or writes history.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("The SQLite database (default: $TRIAGE_DB, else .triage/triage.sqlite).", valueName: "path"))
    var db: String?

    var path: String {
        db ?? ProcessInfo.processInfo.environment["TRIAGE_DB"].flatMap { $0.isEmpty ? nil : $0 }
            ?? TriageDatabase.defaultPath
    }

    func open() throws -> TriageDatabase {
        try TriageDatabase(path: path)
    }
}

/// The team rules file option shared by commands that classify.
struct RulesOptions: ParsableArguments {
    @Option(help: "Team rules (YAML); default .triage/rules.yaml when it exists.")
    var rules: String?

    func engine() throws -> SignatureEngine { try SignatureEngine.standard(rulesFile: rules) }
}

/// The output format option shared by commands that print results.
struct FormatOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text
}

extension OutputFormat: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

/// Runs a command body, turning library errors into a one-line message on stderr and the
/// exit code the README lists.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as TriageError {
        // Errors quote the file (a root element's name, an encoding): escape it like output.
        FileHandle.standardError.write(Data("triage: \(SafeText.terminal(error.description))\n".utf8))
        throw ExitCode(error.exitCode)
    }
}

/// Writes a line to stdout.
func emit(_ text: String) {
    print(text)
}

/// Whether stderr is a terminal: progress lines and colour only then.
var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

/// Prints a value in the chosen format: JSON from its `Encodable` form, text and Markdown from
/// the library's pure renderers.
func emit<Value: Encodable>(
    _ value: Value, as format: OutputFormat, text: (Value) -> String, markdown: (Value) -> String
) throws {
    switch format {
    case .json: emit(try jsonString(value))
    case .markdown: emit(markdown(value))
    case .text: emit(text(value))
    }
}
