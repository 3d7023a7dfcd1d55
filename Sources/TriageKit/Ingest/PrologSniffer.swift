import Foundation
import TriageModel
import TriageStore

/// Reads the start of a file, before any XML parser sees it: finds the root element and
/// refuses what must never reach the parser (entity declarations and external DTDs).
struct PrologSniffer {
    /// How much of the file's head is read to find the root element.
    static let headSize = 256 * 1024

    struct Result: Sendable {
        var rootName: String
        var rootLine: Int
        /// Whether the parser will read the file as UTF-8 (no UTF-16 signature, and no
        /// declared encoding other than UTF-8 or ASCII).
        var isUTF8: Bool
        /// For a UTF-16 file, whether it is little-endian; nil for any other encoding.
        var utf16LittleEndian: Bool?
    }

    /// Finds the root element's local name in `head`, the first bytes of `file`.
    static func sniff(_ head: Data, file: String) throws -> Result {
        if head.isEmpty {
            throw TriageError.badInput(
                file: file, line: nil, reason: "the file is empty; did the test run write its report?")
        }
        let text = try decode(head, file: file)
        let isUTF16 =
            head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF])
            || (head.count >= 2 && (head[head.startIndex] == 0 || head[head.startIndex + 1] == 0))
        var declared: String?
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
                throw TriageError.badInput(
                    file: file, line: line, reason: "the file ends inside \(what); was it cut off?")
            }
            advance(scanner.distance(from: scanner.startIndex, to: range.upperBound))
        }
        while true {
            skipWhitespace()
            if scanner.isEmpty {
                throw TriageError.badInput(
                    file: file, line: line, reason: "no root element found; the file holds no XML test report")
            }
            if scanner.hasPrefix("<?") {
                let start = scanner
                try skip(until: "?>", what: "a processing instruction")
                if start.hasPrefix("<?xml"), start.dropFirst(5).first?.isWhitespace == true {
                    declared = try checkDeclaredEncoding(start[..<scanner.startIndex], file: file, line: line)
                }
            } else if scanner.hasPrefix("<!--") {
                try skip(until: "-->", what: "a comment")
            } else if scanner.hasPrefix("<!DOCTYPE") {
                let doctype = try doctypeDeclaration(scanner, file: file, line: line)
                let upper = doctype.uppercased()
                if upper.contains("<!ENTITY") {
                    throw TriageError.badInput(
                        file: file, line: line,
                        reason:
                            "the file declares XML entities in its DOCTYPE; triage refuses them (external-entity and expansion attacks), and test reports never need them"
                    )
                }
                if upper.contains("SYSTEM") || upper.contains("PUBLIC") {
                    throw TriageError.badInput(
                        file: file, line: line,
                        reason:
                            "the file's DOCTYPE names an external DTD; triage never fetches or reads one, and test reports never need it"
                    )
                }
                if upper.contains("[") {
                    // Any internal subset: <!ATTLIST> defaults would add attributes the file
                    // does not show, and markup hidden from this check must not reach the parser.
                    throw TriageError.badInput(
                        file: file, line: line,
                        reason:
                            "the file's DOCTYPE has an internal subset ([…] declarations); triage refuses them, and test reports never need them"
                    )
                }
                advance(doctype.count)
            } else if scanner.hasPrefix("<") {
                let name = scanner.dropFirst().prefix { !$0.isWhitespace && $0 != ">" && $0 != "/" }
                if name.isEmpty {
                    throw TriageError.badInput(
                        file: file, line: line, reason: "this is not XML: '<' is not followed by an element name")
                }
                let local = name.split(separator: ":").last.map(String.init) ?? String(name)
                let isUTF8 =
                    !isUTF16
                    && (declared.map { ["UTF-8", "UTF8", "US-ASCII", "ASCII"].contains($0.uppercased()) } ?? true)
                let littleEndian: Bool? =
                    isUTF16 ? (head.starts(with: [0xFF, 0xFE]) || head[head.startIndex + 1] == 0) : nil
                return Result(rootName: local, rootLine: line, isUTF8: isUTF8, utf16LittleEndian: littleEndian)
            } else {
                throw TriageError.badInput(
                    file: file, line: line, reason: "this is not XML: it starts with text, not with a tag")
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

    /// Decodes the head for sniffing only; the XML parser does the real decoding. Refuses the
    /// encodings whose bytes for `<`, `!` and letters are not ASCII (UTF-32, EBCDIC): in them,
    /// declarations could hide from this check and still reach the parser.
    private static func decode(_ head: Data, file: String) throws -> String {
        let bytes = [UInt8](head)
        let signatures: [(bytes: [UInt8], name: String)] = [
            ([0x00, 0x00, 0xFE, 0xFF], "UTF-32"), ([0xFF, 0xFE, 0x00, 0x00], "UTF-32"),
            ([0x00, 0x00, 0x00, 0x3C], "UTF-32"), ([0x3C, 0x00, 0x00, 0x00], "UTF-32"),
            ([0x00, 0x00, 0x3C, 0x00], "UCS-4"), ([0x00, 0x3C, 0x00, 0x00], "UCS-4"),
            ([0x4C, 0x6F, 0xA7, 0x94], "EBCDIC"),
        ]
        if let signature = signatures.first(where: { bytes.starts(with: $0.bytes) }) {
            throw unsupportedEncoding(signature.name, file: file)
        }
        if bytes.starts(with: [0xFF, 0xFE]) { return utf16(bytes.dropFirst(2), littleEndian: true) }
        if bytes.starts(with: [0xFE, 0xFF]) { return utf16(bytes.dropFirst(2), littleEndian: false) }
        if bytes.count >= 2, bytes[0] == 0x3C, bytes[1] == 0x00 { return utf16(bytes[...], littleEndian: true) }
        if bytes.count >= 2, bytes[0] == 0x00, bytes[1] == 0x3C { return utf16(bytes[...], littleEndian: false) }
        // UTF-8 or a single-byte encoding: the markup looked for is ASCII either way
        // (`checkDeclaredEncoding` refuses the encodings where it is not).
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Encodings in which every character this sniffer looks for (`<`, `!`, `[`, letters) is
    /// written as its ASCII byte, or UTF-16, which `decode` reads itself. Anything else (UTF-7
    /// above all, where `<!+AEU-NTITY` is `<!ENTITY`) could hide declarations from the check.
    private static func isSniffable(_ encoding: String) -> Bool {
        let name = encoding.uppercased().replacingOccurrences(of: "_", with: "-")
        if [
            "UTF-8", "UTF8", "UTF-16", "UTF16", "UTF-16LE", "UTF-16BE", "US-ASCII", "ASCII",
            "LATIN1", "LATIN-1", "ISO-LATIN-1", "CP1252",
        ].contains(name) {
            return true
        }
        if name.hasPrefix("ISO-8859-") || name.hasPrefix("ISO8859-") {
            return Int(name.split(separator: "-").last ?? "") != nil
        }
        if name.hasPrefix("WINDOWS-125") { return name.count == "WINDOWS-125X".count && name.last?.isNumber == true }
        return false
    }

    /// Refuses an XML declaration whose `encoding` is not one `isSniffable` knows.
    /// Returns the declared encoding's name, nil when none is declared.
    private static func checkDeclaredEncoding(_ declaration: Substring, file: String, line: Int) throws -> String? {
        guard let key = declaration.range(of: "encoding") else { return nil }
        let rest = declaration[key.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" || $0.isNewline }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let name = rest.dropFirst().prefix { $0 != quote }
        if !isSniffable(String(name)) {
            throw unsupportedEncoding(String(name.prefix(40)), file: file, line: line)
        }
        return String(name)
    }

    private static func unsupportedEncoding(_ name: String, file: String, line: Int? = 1) -> TriageError {
        .badInput(
            file: file, line: line,
            reason:
                "the file is in the \(name) encoding, which triage does not read (it reads UTF-8, UTF-16, ASCII, ISO-8859 and Windows-125x); write the report in UTF-8"
        )
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
