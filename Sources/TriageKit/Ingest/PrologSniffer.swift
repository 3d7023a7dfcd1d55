import Foundation

/// Reads the start of a file, before any XML parser sees it: finds the root element and
/// refuses what must never reach the parser (entity declarations and external DTDs).
struct PrologSniffer {
    /// How much of the file's head is read to find the root element.
    static let headSize = 256 * 1024

    struct Result {
        var rootName: String
        var rootLine: Int
    }

    /// Finds the root element's local name in `head`, the first bytes of `file`.
    static func sniff(_ head: Data, file: String) throws -> Result {
        if head.isEmpty {
            throw TriageError.badInput(file: file, line: nil, reason: "the file is empty; did the test run write its report?")
        }
        let text = decode(head)
        var scanner = Substring(text)
        var line = 1
        func advance(_ count: Int) {
            let skipped = scanner.prefix(count)
            // `\r\n` is ONE Character in Swift, so test `isNewline` rather than compare with "\n".
            line += skipped.reduce(0) { $0 + ($1.isNewline ? 1 : 0) }
            scanner = scanner.dropFirst(count)
        }
        func skipWhitespace() {
            let blank = scanner.prefix { $0 == " " || $0 == "\t" || $0.isNewline || $0 == "\u{FEFF}" }
            advance(blank.count)
        }
        func skip(until terminator: String, what: String) throws {
            guard let range = scanner.range(of: terminator) else {
                throw TriageError.badInput(file: file, line: line, reason: "the file ends inside \(what); was it cut off?")
            }
            advance(scanner.distance(from: scanner.startIndex, to: range.upperBound))
        }
        while true {
            skipWhitespace()
            if scanner.isEmpty {
                throw TriageError.badInput(file: file, line: line, reason: "no root element found; the file holds no XML test report")
            }
            if scanner.hasPrefix("<?") {
                try skip(until: "?>", what: "a processing instruction")
            } else if scanner.hasPrefix("<!--") {
                try skip(until: "-->", what: "a comment")
            } else if scanner.hasPrefix("<!DOCTYPE") {
                let doctype = try doctypeDeclaration(scanner, file: file, line: line)
                let upper = doctype.uppercased()
                if upper.contains("<!ENTITY") {
                    throw TriageError.badInput(
                        file: file, line: line,
                        reason: "the file declares XML entities in its DOCTYPE; triage refuses them (external-entity and expansion attacks), and test reports never need them")
                }
                if upper.contains("SYSTEM") || upper.contains("PUBLIC") {
                    throw TriageError.badInput(
                        file: file, line: line,
                        reason: "the file's DOCTYPE names an external DTD; triage never fetches or reads one, and test reports never need it")
                }
                advance(doctype.count)
            } else if scanner.hasPrefix("<") {
                let name = scanner.dropFirst().prefix { !$0.isWhitespace && $0 != ">" && $0 != "/" }
                if name.isEmpty {
                    throw TriageError.badInput(file: file, line: line, reason: "this is not XML: '<' is not followed by an element name")
                }
                let local = name.split(separator: ":").last.map(String.init) ?? String(name)
                return Result(rootName: local, rootLine: line)
            } else {
                throw TriageError.badInput(file: file, line: line, reason: "this is not XML: it starts with text, not with a tag")
            }
        }
    }

    /// The `<!DOCTYPE …>` declaration at the start of `text`, internal subset included.
    private static func doctypeDeclaration(_ text: Substring, file: String, line: Int) throws -> Substring {
        var depth = 0
        var quote: Character?
        for index in text.indices {
            let character = text[index]
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'": quote = character
            case "[": depth += 1
            case "]": depth -= 1
            case ">" where depth <= 0: return text[...index]
            default: break
            }
        }
        throw TriageError.badInput(file: file, line: line, reason: "the file ends inside its DOCTYPE; was it cut off?")
    }

    /// Decodes the head for sniffing only; the XML parser does the real decoding.
    private static func decode(_ head: Data) -> String {
        let bytes = [UInt8](head)
        if bytes.starts(with: [0xFF, 0xFE]) { return utf16(bytes.dropFirst(2), littleEndian: true) }
        if bytes.starts(with: [0xFE, 0xFF]) { return utf16(bytes.dropFirst(2), littleEndian: false) }
        if bytes.count >= 2, bytes[0] == 0x3C, bytes[1] == 0x00 { return utf16(bytes[...], littleEndian: true) }
        if bytes.count >= 2, bytes[0] == 0x00, bytes[1] == 0x3C { return utf16(bytes[...], littleEndian: false) }
        // UTF-8 or a single-byte encoding: the markup looked for is ASCII either way.
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func utf16(_ bytes: ArraySlice<UInt8>, littleEndian: Bool) -> String {
        let start = bytes.startIndex
        let units = stride(from: 0, to: bytes.count - 1, by: 2).map { offset -> UInt16 in
            let first = UInt16(bytes[start + offset]), second = UInt16(bytes[start + offset + 1])
            return littleEndian ? first | second << 8 : first << 8 | second
        }
        return String(decoding: units, as: UTF16.self)
    }
}
