import TriageModel
import TriageStore
/// Finds the line of a failure that states its cause, and strips the decoration runners
/// put around it (pytest's `E`, `INTERNALERROR>`, short-summary prefixes, Java's
/// `Caused by:`, Go's `file_test.go:12:`).
enum ErrorLines {
    typealias Bytes = ArraySlice<UInt8>

    /// Whether a result's `message` only says that something failed and the cause is in its
    /// text: pytest's `collection failure`, `failed on setup with "..."`, a bare `Failed`.
    static func isWrapper(_ message: [UInt8]) -> Bool {
        let trimmed = trim(message[...])
        if trimmed.isEmpty { return true }
        let head = trimmed.prefix(40)
        if trimmed.count <= 40, genericMessages.contains(where: { ASCII.lowered(head, equals: $0) }) { return true }
        return wrapperPrefixes.contains { ASCII.lowered(head, hasPrefix: $0) }
    }

    private static let genericMessages: [StaticString] = [
        "collection failure", "failed", "failure", "fail", "error", "errors", "test failed", "exception",
        "test failure", "failed.", "error.", "setup failure", "teardown failure",
    ]

    private static let wrapperPrefixes: [StaticString] = [
        "failed on setup with", "failed on teardown with", "failed on call with", "error at setup of",
        "error at teardown of",
    ]

    /// The line of a failure text most likely to state the cause: pytest's first `E` line,
    /// Java's deepest `Caused by:`, the last line of a Python traceback, a Go panic or test
    /// log line, or else the first line that is not a frame or a section header.
    static func primaryLine(of text: [UInt8]) -> Bytes {
        // Most messages are one line: that line is the primary one.
        if !text.contains(UInt8(ascii: "\n")) {
            let line = trim(text[...])
            if !line.isEmpty, !isHeader(line) { return line }
        }
        let lines = splitLines(text)
        // pytest long report: the first `E` line holds the exception.
        for line in lines
        where line.count >= 2 && line.first == UInt8(ascii: "E")
            && (line[line.startIndex + 1] == UInt8(ascii: " ") || line[line.startIndex + 1] == UInt8(ascii: "\t"))
        {
            let content = trim(line.dropFirst())
            if !content.isEmpty { return content }
        }
        // Java: the deepest cause usually names the root.
        if let caused = lines.last(where: { startsWith(trim($0), "Caused by:") }) {
            return trim(caused)
        }
        // Python traceback: the last unindented line after the traceback header.
        if let header = lines.firstIndex(where: { startsWith(trim($0), "Traceback (most recent call last)") }) {
            var candidate: Bytes?
            for line in lines[(header + 1)...] {
                guard let first = line.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t") else { continue }
                if startsWith(line, "Traceback") || startsWith(line, "During handling")
                    || startsWith(line, "The above exception")
                {
                    continue
                }
                candidate = line
            }
            if let candidate { return trim(candidate) }
        }
        // Go: a panic, or the first line a test logged.
        if let panic = lines.first(where: { startsWith(trim($0), "panic: ") }) { return trim(panic) }
        if let logged = lines.first(where: { goLogPrefixLength(trim($0)) > 0 }) { return trim(logged) }
        for line in lines {
            let trimmed = trim(line)
            if trimmed.isEmpty || isHeader(trimmed) || startsWith(trimmed, "at ") || startsWith(trimmed, "File \"") {
                continue
            }
            return trimmed
        }
        return text[0..<0]
    }

    /// The first line of a text that is not blank.
    static func firstLine(of text: [UInt8]) -> Bytes {
        for line in splitLines(text) {
            let trimmed = trim(line)
            if !trimmed.isEmpty { return trimmed }
        }
        return text[0..<0]
    }

    /// Removes the decoration around an error line, keeping the error itself.
    static func clean(_ line: Bytes) -> Bytes {
        var line = trim(line)
        for _ in 0..<4 {
            let before = line.count
            if line.count >= 2, line.first == UInt8(ascii: "E"),
                line[line.startIndex + 1] == UInt8(ascii: " ") || line[line.startIndex + 1] == UInt8(ascii: "\t")
            {
                line = trim(line.dropFirst())
            }
            line = trim(dropPrefix(line, "INTERNALERROR>"))
            line = trim(dropPrefix(line, "Caused by:"))
            if startsWith(line, "FAILED ") || startsWith(line, "ERROR ") {
                if let dash = ASCII.firstRange(of: " - ", in: line) { line = trim(line[dash.upperBound...]) }
            }
            while let first = line.first, first == UInt8(ascii: "-") { line = line.dropFirst() }
            line = trim(line)
            let goPrefix = goLogPrefixLength(line)
            if goPrefix > 0 { line = trim(line.dropFirst(goPrefix)) }
            if line.count == before { break }
        }
        return line
    }

    /// The exception class a cleaned line starts with (`ImportError`, `NoClassDefFoundError`),
    /// without its package, or nil when the line does not start with one.
    static func leadingExceptionClass(_ line: Bytes) -> Substring? {
        var end = line.startIndex
        while end < line.endIndex,
            ASCII.isWordByte(line[end]) || line[end] == UInt8(ascii: ".") || line[end] == UInt8(ascii: "$")
        {
            end += 1
        }
        guard end > line.startIndex else { return nil }
        var next = end
        while next < line.endIndex, line[next] == UInt8(ascii: " ") { next += 1 }
        guard next == line.endIndex || line[next] == UInt8(ascii: ":") || line[next] == UInt8(ascii: "(") else {
            return nil
        }
        var start = end
        while start > line.startIndex, line[start - 1] != UInt8(ascii: ".") && line[start - 1] != UInt8(ascii: "$") {
            start -= 1
        }
        let name = line[start..<end]
        guard endsWith(name, "Error") || endsWith(name, "Exception") || endsWith(name, "Failure") else { return nil }
        return Substring(ASCII.string(name))
    }

    /// The first line of the text that, cleaned, is a bare Python `assert` statement (how
    /// pytest reports a failed plain assert).
    static func assertStatement(in text: [UInt8]) -> Bytes? {
        for line in splitLines(text) {
            let cleaned = clean(line)
            if startsWith(cleaned, "assert ") || startsWith(cleaned, "AssertionError: assert ") { return line }
        }
        return nil
    }

    // MARK: - Helpers

    static func splitLines(_ text: [UInt8]) -> [Bytes] {
        var lines: [Bytes] = []
        var start = 0
        for index in 0..<text.count where text[index] == UInt8(ascii: "\n") {
            lines.append(text[start..<index])
            start = index + 1
        }
        lines.append(text[start..<text.count])
        return lines
    }

    static func trim(_ bytes: Bytes) -> Bytes {
        var slice = bytes
        while let first = slice.first, ASCII.isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, ASCII.isSpace(last) { slice = slice.dropLast() }
        return slice
    }

    static func startsWith(_ bytes: Bytes, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        return prefix.withUTF8Buffer { expected in
            var index = bytes.startIndex
            for byte in expected {
                if bytes[index] != byte { return false }
                index += 1
            }
            return true
        }
    }

    static func endsWith(_ bytes: Bytes, _ suffix: StaticString) -> Bool {
        let count = suffix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        return startsWith(bytes.suffix(count), suffix)
    }

    private static func dropPrefix(_ bytes: Bytes, _ prefix: StaticString) -> Bytes {
        startsWith(bytes, prefix) ? bytes.dropFirst(prefix.utf8CodeUnitCount) : bytes
    }

    /// pytest section rules (`____ test ____`, `==== ERRORS ====`) and Go's run/fail markers.
    private static func isHeader(_ line: Bytes) -> Bool {
        guard let first = line.first else { return true }
        if first == UInt8(ascii: "_") || first == UInt8(ascii: "=") { return true }
        return startsWith(line, "--- FAIL") || startsWith(line, "=== RUN") || startsWith(line, "Traceback")
    }

    /// The length of a Go test log prefix such as `client_test.go:528: `, or 0.
    static func goLogPrefixLength(_ line: Bytes) -> Int {
        // The file name must be the first token: find its `.go:`.
        var index = line.startIndex
        while index + 4 <= line.endIndex, !ASCII.isSpace(line[index]) {
            if line[index] == UInt8(ascii: "."), line[index + 1] == UInt8(ascii: "g"),
                line[index + 2] == UInt8(ascii: "o"), line[index + 3] == UInt8(ascii: ":")
            {
                break
            }
            index += 1
        }
        guard index + 4 <= line.endIndex, line[index] == UInt8(ascii: ".") else { return 0 }
        index += 4
        let digitsStart = index
        while index < line.endIndex, ASCII.isDigit(line[index]) { index += 1 }
        guard index > digitsStart, index < line.endIndex, line[index] == UInt8(ascii: ":") else { return 0 }
        index += 1
        if index < line.endIndex, line[index] == UInt8(ascii: " ") { index += 1 }
        return index - line.startIndex
    }
}
