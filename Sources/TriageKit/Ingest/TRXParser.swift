import Foundation
import TriageModel
import TriageStore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Streams Visual Studio TRX (`<TestRun>`) into cases: one per `<UnitTestResult>`.
///
/// A result names its test only by `testName` (a display name) and `testId`; the class is in
/// `<TestDefinitions>`, which VSTest writes AFTER `<Results>`. Rather than hold every result
/// until the definitions arrive, `ReportReader` first runs `classNames(in:)`, a cheap pass that
/// keeps only testId → class, and hands that map to this parser, so cases still stream out as
/// soon as they end. See `../shared/corpus/FORMATS.md` §8; outcomes follow EnricoMi's mapping.
final class TRXParser: NSObject, TextCollectingParser {
    private let sink: (TestCase) throws -> Void
    private let classNames: [String: String]
    private(set) var stats = ParseStats()
    private(set) var failure: Error?
    private(set) var openElements: [String] = []

    private struct ResultBuilder {
        var attributes: [String: String]
        var message: String?
        var stackTrace: String?
        var stdout: String?
        var stderr: String?
        var isEmitted = false
    }

    /// Open results; data-driven tests nest their rows in `<InnerResults>`.
    private var results: [ResultBuilder] = []
    var texts: [CappedText] = []
    private static let collected: Set<String> = ["Message", "StackTrace", "StdOut", "StdErr"]

    convenience init(sink: @escaping (TestCase) throws -> Void) {
        self.init(sink: sink, classNames: [:])
    }

    /// - Parameter classNames: testId → `TestMethod@className`, from `classNames(in:)`.
    init(sink: @escaping (TestCase) throws -> Void, classNames: [String: String]) {
        self.sink = sink
        self.classNames = classNames
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes: [String: String] = [:]
    ) {
        let name = localName(elementName)
        openElements.append(name)
        switch name {
        case "UnitTestResult":
            stats.elements += 1
            results.append(ResultBuilder(attributes: attributes))
        case "Times" where openElements.dropLast().last == "TestRun":
            stats.noteTimestamp(attributes["start"] ?? attributes["creation"])
        case "InnerResults":
            // The parent's own output is complete; report it before its rows, in document order
            // as EnricoMi does (it lists the parent and every row).
            emitTopResult(parser)
        case "Counters" where openElements.dropLast().last == "ResultSummary":
            stats.addReported(
                tests: attributes.integer("total"), failures: attributes.integer("failed"),
                errors: attributes.integer("error"),
                skipped: attributes.integer("notExecuted"))
        default:
            break
        }
        if Self.collected.contains(name), isCollecting {
            texts.append(CappedText())
        }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?
    ) {
        let name = localName(elementName)
        let collecting = isCollecting
        if !openElements.isEmpty { openElements.removeLast() }
        let text: String? =
            Self.collected.contains(name) && collecting && !texts.isEmpty ? texts.removeLast().text : nil
        guard !results.isEmpty else { return }
        let top = results.count - 1
        switch name {
        case "UnitTestResult":
            emitTopResult(parser)
            results.removeLast()
        case "Message": results[top].message = text
        case "StackTrace": results[top].stackTrace = text
        case "StdOut": results[top].stdout = text
        case "StdErr": results[top].stderr = text
        default: break
        }
    }

    /// Text is kept for `Output/ErrorInfo/{Message,StackTrace}` and `Output/{StdOut,StdErr}` of a result.
    private var isCollecting: Bool {
        guard !results.isEmpty, let last = openElements.last else { return false }
        let parent = openElements.dropLast().last
        switch last {
        case "Message", "StackTrace": return parent == "ErrorInfo"
        case "StdOut", "StdErr": return parent == "Output"
        default: return false
        }
    }

    // MARK: - Building a case

    private func emitTopResult(_ parser: XMLParser) {
        guard let result = results.last, !result.isEmitted else { return }
        results[results.count - 1].isEmitted = true
        texts.removeAll()
        let attributes = result.attributes
        let testName = attributes["testName"] ?? ""
        let classname: String
        if let id = attributes["testId"], let known = classNames[id] {
            classname = known
        } else {
            classname = QualifiedName.split(testName)?.container ?? ""
        }
        let outcome = Self.outcome(attributes["outcome"])
        let attempt = TestAttempt(
            outcome: outcome, duration: duration(attributes),
            message: outcome == .passed ? nil : result.message,
            failureText: outcome.isFailure ? result.stackTrace : nil,
            stdout: result.stdout, stderr: result.stderr)
        var name = QualifiedName.dropping(prefix: classname, from: testName)
        // A data row of a data-driven test shares its parent's name; its row number tells it apart.
        if results.count > 1, let row = attributes.value("dataRowInfo"),
            testName == results[results.count - 2].attributes["testName"]
        {
            name += " [data row \(row)]"
        }
        let testCase = TestCase(suite: classname, classname: classname, name: name, attempts: [attempt])
        do {
            try sink(testCase)
        } catch {
            failure = error
            parser.abortParsing()
        }
    }

    /// EnricoMi's mapping (an outcome naming Passed, Failed or Error; anything else was not
    /// run), except `Timeout`, which is a failure for triage, and `Warning`/`Completed`, which
    /// finished without failing. A result without an outcome is an error.
    static func outcome(_ raw: String?) -> Outcome {
        guard let raw else { return .error }
        switch raw {
        case "Passed", "PassedButRunAborted", "Warning", "Completed": return .passed
        case "Failed", "Timeout": return .failed
        case "Error": return .error
        default: return .skipped
        }
    }

    private func duration(_ attributes: [String: String]) -> Double? {
        if let value = TimeValue.seconds(attributes["duration"]) { return value }
        guard let start = attributes["startTime"].flatMap(Self.date), let end = attributes["endTime"].flatMap(Self.date)
        else { return nil }
        return max(0, end.timeIntervalSince(start))
    }

    private static func date(_ text: String) -> Date? {
        // TRX writes 7 fractional digits, which ISO8601DateFormatter does not accept; 3 are enough.
        var trimmed = text
        if let dot = text.firstIndex(of: "."),
            let zone = text[dot...].firstIndex(where: { $0 == "+" || $0 == "-" || $0 == "Z" })
        {
            let fraction = text[text.index(after: dot)..<zone].prefix(3)
            trimmed = String(text[..<dot]) + "." + fraction + text[zone...]
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: trimmed) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    // MARK: - The class names pass

    /// testId → class name from `<TestDefinitions>`, read in a first streaming pass that stops
    /// at `</TestDefinitions>`; errors are left for the main pass to report.
    static func classNames(in stream: CheckedStream) throws -> [String: String] {
        let collector = ClassNameCollector()
        let parser = XMLParser(stream: stream)
        parser.delegate = collector
        parser.shouldResolveExternalEntities = false
        _ = parser.parse()
        if let refused = stream.error { throw refused }
        return collector.classNames
    }

    private final class ClassNameCollector: NSObject, XMLParserDelegate {
        var classNames: [String: String] = [:]
        private var testId: String?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes: [String: String] = [:]
        ) {
            switch localName(elementName) {
            case "UnitTest": testId = attributes["id"]
            case "TestMethod":
                // Older MSTest writes `Ns.Class, Assembly, Version=…`.
                if let testId, let className = attributes["className"] {
                    classNames[testId] =
                        className.split(separator: ",", maxSplits: 1).first
                        .map { $0.trimmingCharacters(in: .whitespaces) } ?? className
                }
            default: break
            }
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?
        ) {
            switch localName(elementName) {
            case "UnitTest": testId = nil
            case "TestDefinitions": parser.abortParsing()
            default: break
            }
        }

        func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
            nil
        }
    }
}
