import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension Triage {
    struct Classify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Classify failure messages for scripts: JSON lines {id, message, trace, test} in, {id, category, cluster, template, detail, rule} out.",
            discussion: """
                Lines are classified in blocks on all cores; the output lines keep the order of \
                the input lines. A failure seen lately (the same message, trace, type and test) \
                is not classified again: its answer is the one it got before.
                """
        )
        @OptionGroup var rulesOptions: RulesOptions

        func run() async throws {
            try runReportingErrors {
                let memo = SignatureMemo(engine: try rulesOptions.engine())
                let jobs = ProcessInfo.processInfo.activeProcessorCount
                var nextLineNumber = 1
                var blocks: [[UInt8]] = []
                var output: [UInt8] = []
                func classifyBlocks() throws {
                    defer {
                        // The output of every line before a bad one goes out too.
                        emit(bytes: output)
                        output.removeAll(keepingCapacity: true)
                        blocks.removeAll(keepingCapacity: true)
                    }
                    try ClassifyLine.classify(
                        blocks: blocks, firstLineNumber: &nextLineNumber, memo: memo, jobs: jobs, into: &output)
                }
                // Output goes out whenever the input has to be waited for, so a script that
                // writes one line and reads the answer gets it at once; otherwise a few blocks
                // per core are classified at a time, so memory stays bounded.
                try StandardInputBlocks.forEach(beforeWaiting: classifyBlocks) { block in
                    blocks.append(block)
                    if blocks.count >= 8 * jobs { try classifyBlocks() }
                }
                try classifyBlocks()
            }
        }
    }
}

/// Standard input in blocks of whole lines, each line ended by its newline, except perhaps the
/// input's last line.
enum StandardInputBlocks {
    static let readSize = 1 << 16
    /// A block is handed on once it holds at least this many bytes.
    static let blockSize = 1 << 16

    /// Calls `body` with each block; `beforeWaiting` when the input has no more bytes ready
    /// and reading would wait for them.
    static func forEach(beforeWaiting: () throws -> Void, _ body: ([UInt8]) throws -> Void) throws {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: readSize)
        while true {
            if !isReady() {
                if let block = takeWholeLines(from: &pending) { try body(block) }
                try beforeWaiting()
            }
            let count = buffer.withUnsafeMutableBytes { bytes in read(STDIN_FILENO, bytes.baseAddress!, bytes.count) }
            if count < 0, errno == EINTR { continue }
            // A read error ends the input, as it ends `readLine`.
            guard count > 0 else { break }
            pending.append(contentsOf: buffer[0..<count])
            if pending.count >= blockSize, let block = takeWholeLines(from: &pending) { try body(block) }
        }
        if !pending.isEmpty { try body(pending) }
    }

    /// The whole lines at the start of `pending`, removed from it; nil when there are none.
    private static func takeWholeLines(from pending: inout [UInt8]) -> [UInt8]? {
        guard let lastNewline = pending.lastIndex(of: UInt8(ascii: "\n")) else { return nil }
        let block = Array(pending[...lastNewline])
        pending.removeSubrange(...lastNewline)
        return block
    }

    /// Whether standard input has bytes (or its end) ready, so reading it would not wait.
    private static func isReady() -> Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }
}
