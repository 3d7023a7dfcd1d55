import ArgumentParser
import Foundation
import TriageKit

extension Triage {
    struct Classify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Classify failure messages for scripts: JSON lines {id, message, trace, test} in, {id, category, cluster, template, detail, rule} out."
        )
        @OptionGroup var rulesOptions: RulesOptions

        func run() async throws {
            try runReportingErrors {
                let engine = try rulesOptions.engine()
                var number = 0
                var output: [UInt8] = []
                // Output goes out whenever the input has to be waited for, so a script that
                // writes one line and reads the answer gets it at once.
                try StandardInputLines.forEach(beforeWaiting: {
                    emit(bytes: output)
                    output.removeAll(keepingCapacity: true)
                }) { line in
                    number += 1
                    try ClassifyLine.classify(line, lineNumber: number, engine: engine, into: &output)
                }
                emit(bytes: output)
            }
        }
    }
}

/// The lines of standard input, read in large blocks, each without its newline (as
/// `readLine(strippingNewline:)` gives them, but as bytes).
enum StandardInputLines {
    static let blockSize = 1 << 16

    /// Calls `body` for each line; `beforeWaiting` before each read of standard input.
    static func forEach(beforeWaiting: () -> Void, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: blockSize)
        var filled = 0
        while true {
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            beforeWaiting()
            let count = buffer.withUnsafeMutableBytes { bytes in
                read(STDIN_FILENO, bytes.baseAddress! + filled, bytes.count - filled)
            }
            if count < 0, errno == EINTR { continue }
            // A read error ends the input, as it ends `readLine`.
            guard count > 0 else { break }
            filled += count
            var start = 0
            while let newline = buffer[start..<filled].firstIndex(of: UInt8(ascii: "\n")) {
                try body(strippingReturn(buffer[start..<newline]))
                start = newline + 1
            }
            buffer.replaceSubrange(0..<start, with: EmptyCollection())
            buffer.append(contentsOf: repeatElement(0, count: start))
            filled -= start
        }
        if filled > 0 { try body(buffer[0..<filled]) }
    }

    /// A line without the carriage return of a `\r\n` ending.
    private static func strippingReturn(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == UInt8(ascii: "\r") ? line.dropLast() : line
    }
}
