import Foundation

/// Every failure the library reports to a user: one sentence naming the file or value and what to do.
public enum TriageError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A result file that cannot be read as a test report.
    case badInput(file: String, line: Int?, reason: String)
    /// A command argument or stored id that does not fit.
    case invalidArgument(String)
    /// Something that was asked for does not exist.
    case notFound(String)
    /// The database cannot be opened, read or written.
    case database(path: String, reason: String)
    /// A template cannot be loaded or rendered.
    case template(name: String, reason: String)
    /// An output (a file to write, stdout, stderr) that cannot be written.
    case unwritableOutput(path: String, reason: String)

    public var description: String {
        switch self {
        case let .badInput(file, line, reason):
            if let line { return "\(file): line \(line): \(reason)" }
            return "\(file): \(reason)"
        case let .invalidArgument(message): return message
        case let .notFound(message): return message
        case let .database(path, reason): return "\(path): \(reason)"
        case let .template(name, reason): return "template \(name): \(reason)"
        case let .unwritableOutput(path, reason): return "\(path): \(reason)"
        }
    }

    /// Whether the error is about a result file (rather than the database or a usage).
    public var isBadInput: Bool {
        if case .badInput = self { return true }
        return false
    }

    /// The process exit code for this error (see the README's exit codes).
    public var exitCode: Int32 {
        switch self {
        case .badInput: 3
        case .invalidArgument, .notFound, .unwritableOutput: 2
        case .database: 4
        case .template: 5
        }
    }
}
