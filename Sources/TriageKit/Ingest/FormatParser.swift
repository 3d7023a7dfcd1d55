import Foundation
import TriageModel
import TriageStore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Counts a parser reports besides the cases it streams out.
public struct ParseStats: Codable, Sendable, Equatable {
    /// Leaf suites (a suite with cases or without child suites).
    public var suites = 0
    /// `<testcase>`-like elements read, before repeated ones are merged into attempts.
    public var elements = 0
    /// Header counts as the file states them (top-level suites summed); often wrong, kept for reference.
    public var reportedTests: Int?
    public var reportedFailures: Int?
    public var reportedErrors: Int?
    public var reportedSkipped: Int?
    /// Failures the file reports outside any test (xUnit.net `<errors>`, suite-level errors).
    public var environmentErrors: [String] = []
    /// The earliest time the file states for its tests (a suite's `timestamp`, a run's start).
    public var startedAt: Date?

    public init() {}

    /// Keeps the earliest of the timestamps seen; text that is not a date is ignored.
    mutating func noteTimestamp(_ text: String?, time: String? = nil) {
        guard let text, let date = ReportTimestamp.parse(text, time: time) else { return }
        if startedAt.map({ date < $0 }) ?? true { startedAt = date }
    }

    mutating func addReported(tests: Int?, failures: Int?, errors: Int?, skipped: Int?) {
        func add(_ current: Int?, _ value: Int?) -> Int? {
            guard let value else { return current }
            return (current ?? 0) + value
        }
        reportedTests = add(reportedTests, tests)
        reportedFailures = add(reportedFailures, failures)
        reportedErrors = add(reportedErrors, errors)
        reportedSkipped = add(reportedSkipped, skipped)
    }
}

/// A streaming `XMLParser` delegate for one format: it hands each finished case to `sink`.
protocol FormatParser: XMLParserDelegate {
    init(sink: @escaping (TestCase) throws -> Void)
    var stats: ParseStats { get }
    /// The first error the sink threw or the parser found in the content; parsing stops there.
    var failure: Error? { get }
    /// Names of the elements open right now, outermost first, for "the file ends inside <x>".
    var openElements: [String] { get }
}

/// A parser that collects character data into a stack of capped buffers, one per element
/// whose text it keeps (innermost last).
protocol TextCollectingParser: FormatParser, AnyObject {
    var texts: [CappedText] { get set }
}

extension TextCollectingParser {
    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !texts.isEmpty else { return }
        texts[texts.count - 1].append(string)
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !texts.isEmpty else { return }
        texts[texts.count - 1].append(CDATABlock)
    }

    /// External entities are never resolved (the sniffer refuses their declarations anyway).
    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        nil
    }
}

/// Element names without a namespace prefix.
@inline(__always)
func localName(_ qualified: String) -> String {
    // By UTF-8 byte: a `Character` search breaks graphemes, at two calls per element.
    let utf8 = qualified.utf8
    guard let colon = utf8.lastIndex(of: UInt8(ascii: ":")) else { return qualified }
    return String(qualified[utf8.index(after: colon)...])
}

extension Dictionary where Key == String, Value == String {
    /// An attribute value with surrounding whitespace removed, nil when absent or blank.
    func value(_ name: String) -> String? {
        guard let raw = self[name], !raw.utf8.allSatisfy(isASCIIWhitespace) else { return nil }
        return raw
    }

    func integer(_ name: String) -> Int? {
        guard let raw = self[name] else { return nil }
        let trimmed = asciiTrimmed(raw)
        return Int(trimmed) ?? Double(trimmed).flatMap { $0.isFinite && abs($0) < 1e15 ? Int($0) : nil }
    }
}

