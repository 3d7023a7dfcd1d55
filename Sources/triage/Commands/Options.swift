import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

/// `--variant key=value` (repeatable): conditions every test of the files ran under; shared by
/// `ingest` and `ci`.
struct VariantOptions: ParsableArguments {
    @Option(
        name: .customLong("variant"),
        help: ArgumentHelp(
            "A condition every test of these files ran under, e.g. python=3.12 for one leg of a matrix (repeatable).",
            valueName: "key=value"))
    var variants: [String] = []

    /// The pairs given; a malformed one is a one-line error (exit 2).
    func variant() throws -> Variant { try Variant.parse(arguments: variants) }
}

/// Where the database is; shared by every command that reads or writes history.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The history: a SQLite file, or a postgresql://user@host/db URL (default: $TRIAGE_DB, else .triage/triage.sqlite).",
            valueName: "path|url"))
    var db: String?

    var path: String {
        db ?? ProcessInfo.processInfo.environment["TRIAGE_DB"].flatMap { $0.isEmpty ? nil : $0 }
            ?? TriageDatabase.defaultPath
    }

    func open() throws -> TriageDatabase {
        try TriageDatabase(path: path)
    }

    /// `open`, for a command that shows clusters: says on stderr, in one line, when the rules
    /// file on disk differs from the rules the history was clustered with.
    func openShowingClusters() throws -> TriageDatabase {
        let database = try open()
        if let note = try RulesInForce.driftNote(database) { warn(note) }
        return database
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

    /// Refuses a format the command cannot print, rather than printing another one.
    func allow(_ formats: [OutputFormat]) throws {
        try format.allow(formats)
    }
}

extension OutputFormat: ExpressibleByArgument {
    /// Refuses a format the command cannot print, rather than printing another one.
    func allow(_ formats: [OutputFormat]) throws {
        guard formats.contains(self) else {
            throw ValidationError(
                "--format \(rawValue) is not available here; use "
                    + formats.map(\.rawValue).joined(separator: " or "))
        }
    }
}

/// `--color auto|always|never`: colour text output on a terminal (red failed, green passed,
/// yellow flaky); `NO_COLOR` turns `auto` off.
struct ColorOptions: ParsableArguments {
    @Option(
        name: .customLong("color"),
        help: "Colour text output: auto (on a terminal, unless NO_COLOR is set), always or never.")
    var choice: ColorChoice = .auto

    /// The palette for stdout.
    var palette: Palette {
        Palette.resolve(
            choice, isTerminal: isatty(STDOUT_FILENO) == 1, environment: ProcessInfo.processInfo.environment)
    }
}

/// The columns text output may use: `COLUMNS` when set, else the terminal's width when stdout
/// is one, else 100.
var outputWidth: Int {
    if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns >= 20 {
        return columns
    }
    var size = winsize()
    if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20 {
        return Int(size.ws_col)
    }
    return 100
}

extension ColorChoice: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

/// Runs a command body, turning library errors into a one-line message on stderr and the
/// exit code the README lists. Output still buffered for stdout is pushed out and checked
/// first: a command whose output was lost (a full disk behind `> file`) does not exit 0.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
        try finishStandardOutput()
    } catch let error as TriageError {
        // Errors quote the file (a root element's name, an encoding): escape it like output.
        warn("triage: \(SafeText.terminal(error.description))")
        throw ExitCode(error.exitCode)
    }
}

/// Reports the first write to stdout that failed, if any: the output is incomplete.
func finishStandardOutput() throws {
    if let code = StandardOutput.failure {
        throw TriageError.unwritableOutput(
            path: "stdout", reason: "cannot be written (\(String(cString: strerror(code)))); the output is incomplete")
    }
}

/// Writes a line to stdout. A failed write is remembered and reported when the command ends.
func emit(_ text: String) {
    if let code = write(text + "\n", to: STDOUT_FILENO) { StandardOutput.record(code) }
}

/// Writes bytes to stdout as they are (lines with their newlines), like `emit(_:)`.
func emit(bytes: [UInt8]) {
    guard !bytes.isEmpty else { return }
    if let code = bytes.withUnsafeBytes({ write($0, to: STDOUT_FILENO) }) { StandardOutput.record(code) }
}

/// Writes a diagnostic line to stderr. A stderr that cannot be written (`2>/dev/full`) loses
/// the line but never stops the command: the exit code still says what happened.
func warn(_ line: String, newline: Bool = true) {
    _ = write(newline ? line + "\n" : line, to: STDERR_FILENO)
}

/// Writes all of `text` to a file descriptor (unbuffered, so nothing is left to flush);
/// returns the errno of a failed write, nil when everything was written.
private func write(_ text: String, to descriptor: Int32) -> Int32? {
    var text = text
    return text.withUTF8 { write(UnsafeRawBufferPointer($0), to: descriptor) }
}

private func write(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
    guard let base = buffer.baseAddress else { return nil }
    var offset = 0
    while offset < buffer.count {
        let written = Foundation.write(descriptor, base + offset, buffer.count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += written
    }
    return nil
}

/// The first failed write to stdout.
/// `@unchecked Sendable` is safe here: the one stored property is read and written only while
/// `lock` is held.
private final class StandardOutput: @unchecked Sendable {
    private static let shared = StandardOutput()
    private let lock = NSLock()
    private var firstFailure: Int32?

    static var failure: Int32? { shared.lock.withLock { shared.firstFailure } }

    static func record(_ code: Int32) {
        shared.lock.withLock { shared.firstFailure = shared.firstFailure ?? code }
    }
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
