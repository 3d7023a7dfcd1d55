import TriageModel
import TriageStore
/// A team's own rule: failures whose message (or real error line) and/or trace match its
/// patterns get its category, with an optional detail taken from a capture group.
/// Team rules are tried before the built-in rules, in file order.
public struct SignatureRule: Sendable, Codable, Equatable {
    /// Which capture group supplies the detail: by number (1 is the first group) or by name.
    public enum DetailGroup: Sendable, Codable, Equatable, CustomStringConvertible,
        ExpressibleByIntegerLiteral, ExpressibleByStringLiteral
    {
        case number(Int)
        case name(String)

        public init(integerLiteral value: Int) { self = .number(value) }
        public init(stringLiteral value: String) { self = .name(value) }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                self = .number(number)
            } else {
                self = .name(try container.decode(String.self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .number(let number): try container.encode(number)
            case .name(let name): try container.encode(name)
            }
        }

        public var description: String {
            switch self {
            case .number(let number): return String(number)
            case .name(let name): return "'\(name)'"
            }
        }
    }

    /// Unique name, reported as `Signature.rule`.
    public var name: String
    /// The category to give: one of the built-in labels or the team's own (snake_case).
    public var category: String
    /// Regular expression searched in the failure message, and in the real error line of
    /// the failure text when the message is only a wrapper.
    public var messagePattern: String?
    /// Regular expression searched in the failure text (traceback, stack trace, output).
    public var tracePattern: String?
    /// The capture group of `messagePattern` (else `tracePattern`) that gives the detail.
    public var detailGroup: DetailGroup?
    /// Regular expression the test id must match for the rule to apply.
    public var testPattern: String?
    /// Whether the cause is only the same within one test; default: true for
    /// `assertion_failure` and `unclassified`, false otherwise.
    public var isPerTest: Bool?

    public init(
        name: String, category: String, messagePattern: String? = nil, tracePattern: String? = nil,
        detailGroup: DetailGroup? = nil, testPattern: String? = nil, isPerTest: Bool? = nil
    ) {
        self.name = name
        self.category = category
        self.messagePattern = messagePattern
        self.tracePattern = tracePattern
        self.detailGroup = detailGroup
        self.testPattern = testPattern
        self.isPerTest = isPerTest
    }
}
