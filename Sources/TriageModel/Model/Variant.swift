/// The conditions a test ran under (browser project, Python version, OS, matrix shard), as
/// key–value pairs. The same test under two variants is one test with two histories, as LUCI
/// keys results by test and variant.
///
/// Keys are `[A-Za-z0-9_.-]+`; values are any non-empty text without control characters.
/// The canonical form, which is stored and hashed, lists the pairs sorted by key as
/// `key=value`, separated by `, ` (a comma or backslash inside a value is escaped with `\`).
public struct Variant: Hashable, Codable, Sendable, Comparable {
    public private(set) var pairs: [String: String]

    public init(_ pairs: [String: String] = [:]) {
        self.pairs = pairs
    }

    public static let none = Variant()

    public init(from decoder: any Decoder) throws {
        pairs = try decoder.singleValueContainer().decode([String: String].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(pairs)
    }

    public var isEmpty: Bool { pairs.isEmpty }

    /// `key=value, key=value`, sorted by key; empty without pairs.
    public var canonical: String {
        guard !pairs.isEmpty else { return "" }  // most tests, asked for each one at ingest
        return pairs.keys.sorted().map { key in
            var value = ""
            for character in pairs[key] ?? "" {
                if character == "," || character == "\\" { value.append("\\") }
                value.append(character)
            }
            return "\(key)=\(value)"
        }.joined(separator: ", ")
    }

    /// Pairs from `other` win over this variant's.
    public func merging(_ other: Variant) -> Variant {
        Variant(pairs.merging(other.pairs) { _, new in new })
    }

    public static func < (lhs: Variant, rhs: Variant) -> Bool { lhs.canonical < rhs.canonical }

    /// Reads the canonical form back (as stored).
    public init(canonical text: String) {
        var pairs: [String: String] = [:]
        var current = ""
        var escaped = false
        func finish() {
            guard let equals = current.firstIndex(of: "=") else { return }
            pairs[String(current[..<equals])] = String(current[current.index(after: equals)...])
            current = ""
        }
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," {
                finish()
                _ = iterator.next()  // the space after the comma
            } else {
                current.append(character)
            }
        }
        finish()
        self.pairs = pairs
    }

    /// Parses the `key=value` arguments of `--variant`, refusing a malformed one with a
    /// message that says what a variant looks like.
    public static func parse(arguments: [String]) throws -> Variant {
        var pairs: [String: String] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw TriageError.invalidArgument(
                    "--variant \"\(argument)\": write a variant as key=value, e.g. --variant python=3.12")
            }
            let key = String(argument[..<equals])
            let value = String(argument[argument.index(after: equals)...])
            guard !key.isEmpty, key.utf8.allSatisfy(isVariantKeyByte) else {
                throw TriageError.invalidArgument(
                    "--variant \"\(argument)\": a variant key is letters, digits, '_', '.' or '-', e.g. --variant python=3.12"
                )
            }
            guard !value.isEmpty, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw TriageError.invalidArgument(
                    "--variant \"\(argument)\": the value after '=' must be non-empty text on one line")
            }
            if let earlier = pairs[key], earlier != value {
                throw TriageError.invalidArgument(
                    "--variant \(key) is given twice (\(earlier) and \(value)); give each key once")
            }
            pairs[key] = value
        }
        return Variant(pairs)
    }

    private static func isVariantKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
