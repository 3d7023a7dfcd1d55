import Foundation

extension JSONEncoder {
    /// The encoder for every JSON output: sorted keys, so output is stable.
    package static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }
}

/// ISO-8601 timestamps (UTC, seconds), as stored and printed.
public enum ISO8601 {
    package static func string(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    package static func date(_ text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }

    /// A date a user typed: a full ISO 8601 time, or a day (midnight UTC), or a time without
    /// a zone (UTC).
    public static func parseArgument(_ text: String) -> Date? {
        date(text) ?? ReportTimestamp.parse(text)
    }
}

extension BinaryInteger {
    /// "1 test", "2 tests", "0 tests"; `plural` for irregular words ("1 was", "2 were").
    public func counted(_ singular: String, _ plural: String? = nil) -> String {
        "\(self) \(self == 1 ? singular : plural ?? singular + "s")"
    }
}
