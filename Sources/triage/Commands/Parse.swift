import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct Parse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the normalized results of result files, without a database.",
            discussion: "The JSON fields are documented in the README (\"triage parse JSON\").")

        @Argument(help: "Result files or folders.")
        var paths: [String]

        @Option(
            name: .customLong("input-format"),
            help: "Force the input format: junit, xunit1, xunit2, nunit2, nunit3, trx.")
        var inputFormat: ReportFormat?

        @Option(help: "Output format: json or text.")
        var format: OutputFormat = .json

        func validate() throws { try format.allow([.json, .text]) }

        func run() async throws {
            try runReportingErrors {
                // Printed as the cases are read, a few hundred KB at a time: memory stays flat
                // whatever the size of the files.
                var output = BufferedOutput()
                if format == .json {
                    var json = ParseOutput.JSONStreamer()
                    output.write(json.start())
                    try ParseOutput.stream(paths, format: inputFormat) { testCase in
                        output.write(try json.piece(for: testCase))
                    } fileEnd: { summary in
                        output.write(try json.piece(for: summary))
                    }
                    output.write(json.end())
                } else {
                    var first = true
                    try ParseOutput.stream(paths, format: inputFormat) { testCase in
                        if let line = ParseOutput.textLine(testCase) { output.line(line, first: &first) }
                    } fileEnd: { summary in
                        output.line(ParseOutput.textLine(summary), first: &first)
                    }
                }
                output.finish()
            }
        }
    }
}

/// Collects output and prints it in large pieces through `emit`, which ends the last one
/// with a newline.
private struct BufferedOutput {
    private var pending = ""
    private var started = false

    mutating func write(_ piece: String) {
        pending += piece
        if pending.utf8.count >= 256 * 1024 { flush() }
    }

    /// `text` on a line of its own.
    mutating func line(_ text: String, first: inout Bool) {
        write(first ? text : "\n" + text)
        first = false
    }

    private mutating func flush() {
        // `emit` adds a newline: hold back a trailing one, or the piece ends mid-line.
        guard let last = pending.utf8.lastIndex(of: UInt8(ascii: "\n")) else { return }
        emit(String(pending[..<last]))
        pending = String(pending[pending.index(after: last)...])
        started = true
    }

    mutating func finish() {
        if !pending.isEmpty || !started { emit(pending) }
    }
}
