import Foundation

/// The formats commands print in.
public enum OutputFormat: String, Sendable, CaseIterable, Codable {
    case text
    case json
    case markdown
}

/// Untrusted text (test names, messages) made safe for each output.
public enum SafeText {
    /// For a terminal: control characters (ESC sequences above all) and bidirectional
    /// overrides become visible `\u{…}` escapes, so a result file cannot move the cursor,
    /// recolour or retitle the terminal, or show text in another order than it has.
    public static func terminal(_ text: String, keepNewlines: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let isControl =
                value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
                || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
            if isControl, !(keepNewlines && (scalar == "\n" || scalar == "\t")) {
                out += scalar == "\n" ? "⏎" : scalar == "\t" ? " " : "\\u{\(String(value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// One line, cut to `limit` characters with an ellipsis.
    /// `text` cut in the middle with `…` to at most `width` characters: both ends of a long test
    /// id (its module and its name) stay readable.
    public static func middle(_ text: String, width: Int) -> String {
        guard text.count > width, width >= 3 else { return text }
        let head = (width - 1) / 2
        return String(text.prefix(head)) + "…" + String(text.suffix(width - 1 - head))
    }

    public static func line(_ text: String?, limit: Int = 120) -> String {
        let first = terminal((text ?? "").split(whereSeparator: \.isNewline).first.map(String.init) ?? "")
        return first.count > limit ? String(first.prefix(limit - 1)) + "…" : first
    }
}

extension Double {
    /// A rate as a percentage with one decimal: "50.9%".
    public var percent: String { String(format: "%.1f%%", self * 100) }
}

/// Encodes a value as the JSON every command prints: sorted keys, pretty, stable.
public func jsonString<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try JSONEncoder.sorted.encode(value), as: UTF8.self)
}
