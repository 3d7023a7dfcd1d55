import TriageModel
import TriageStore
/// Gives a list, set or dict in a masked line one shape whatever its length, so that one
/// assertion failing on `[<num>, <num>, <num>]` and on `[<num>, <num>]` is one cause:
/// a bracketed group (`[…]`, `{…}`) that holds a top-level comma, or only a masked value or a
/// quoted string, becomes `[…]` or `{…}`. Indexing (`rows[i]`) and parameters (`test_x[a-b]`)
/// are kept: their brackets hold one bare word.
enum ShapeCollapser {
    static func collapse(_ line: String) -> String {
        let bytes = Array(line.utf8)
        guard bytes.contains(UInt8(ascii: "[")) || bytes.contains(UInt8(ascii: "{")) else { return line }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{"), let end = closing(bytes, from: index),
                isCollection(bytes[(index + 1)..<end])
            {
                output.append(byte)
                output.append(contentsOf: "…".utf8)
                output.append(bytes[end])
                index = end + 1
            } else {
                output.append(byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The index of the bracket that closes the one at `start`, skipping quoted text.
    private static func closing(_ bytes: [UInt8], from start: Int) -> Int? {
        var depth = 0
        var quote: UInt8?
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if let open = quote {
                if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == open {
                    quote = nil
                }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
            } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "(") {
                depth += 1
            } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: ")") {
                depth -= 1
                if depth == 0 {
                    let open = bytes[start]
                    let matches =
                        (open == UInt8(ascii: "[") && byte == UInt8(ascii: "]"))
                        || (open == UInt8(ascii: "{") && byte == UInt8(ascii: "}"))
                    return matches ? index : nil
                }
            }
            index += 1
        }
        return nil
    }

    /// Whether a group's content reads as a collection's elements rather than an index or a name.
    private static func isCollection(_ content: ArraySlice<UInt8>) -> Bool {
        let trimmed = content.drop { $0 == UInt8(ascii: " ") }.reversed().drop { $0 == UInt8(ascii: " ") }.reversed()
        guard let first = trimmed.first, let last = trimmed.last else { return false }
        if hasTopLevelComma(content) { return true }
        // One element: a masked value or a quoted string.
        if first == UInt8(ascii: "<"), last == UInt8(ascii: ">"), !trimmed.contains(UInt8(ascii: " ")) { return true }
        if first == last, first == UInt8(ascii: "'") || first == UInt8(ascii: "\""), trimmed.count >= 2 { return true }
        return false
    }

    private static func hasTopLevelComma(_ content: ArraySlice<UInt8>) -> Bool {
        var depth = 0
        var quote: UInt8?
        var escaped = false
        for byte in content {
            if let open = quote {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == open {
                    quote = nil
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""): quote = byte
            case UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "("): depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ")"): depth -= 1
            case UInt8(ascii: ","): if depth == 0 { return true }
            default: break
            }
        }
        return false
    }
}
