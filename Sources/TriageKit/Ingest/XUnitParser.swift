import Foundation
import TriageModel
import TriageStore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Streams xUnit.net XML into cases: v2/v3 `<assemblies>` → `<assembly>` → `<collection>` →
/// `<test>`, and v1 `<assembly>` → `<class>` → `<test>`.
///
/// See `../shared/corpus/FORMATS.md` §5. The `name` attribute is a display name (the full
/// `Ns.Class.Method(x: 1)`, or a sentence from `DisplayName`); the case name is that display
/// name without the class, so the rows of a theory and tests renamed by `DisplayName` stay
/// distinct tests instead of looking like retries of one.
final class XUnitParser: NSObject, TextCollectingParser {
    private let sink: (TestCase) throws -> Void
    private(set) var stats = ParseStats()
    private(set) var failure: Error?
    private(set) var openElements: [String] = []

    /// Collections (v2/v3) or classes (v1) read so far: the parent of the cases in the current one.
    private var suitesSeen = 0

    private struct TestBuilder {
        var suite: String
        var classname: String
        var name: String
        var method: String?
        var file: String?
        var line: Int?
        var time: Double?
        var result: String
        var message: String?
        var exceptionType: String?
        var stackTrace: String?
        var reason: String?
        var output: String?
    }

    /// An assembly-level `<errors><error>`: a cleanup or fatal failure that belongs to no test.
    private struct EnvironmentError {
        var type: String?
        var name: String?
        var exceptionType: String?
        var message: String?
    }

    /// The `<collection>` (v2/v3) or `<class>` (v1) being read.
    private var suite: String?
    private var assemblyHasSuites = false
    private var current: TestBuilder?
    private var environmentError: EnvironmentError?
    /// Text of the open `message`, `stack-trace`, `reason` or `output` elements, innermost last.
    var texts: [CappedText] = []
    private static let collected: Set<String> = ["message", "stack-trace", "reason", "output"]

    init(sink: @escaping (TestCase) throws -> Void) {
        self.sink = sink
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes: [String: String] = [:]
    ) {
        let name = localName(elementName)
        openElements.append(name)
        switch name {
        case "assembly":
            assemblyHasSuites = false
            stats.noteTimestamp(attributes["start-rtf"])
            stats.noteTimestamp(attributes["run-date"], time: attributes["run-time"])
            stats.addReported(
                tests: attributes.integer("total"), failures: attributes.integer("failed"), errors: nil,
                skipped: attributes.integer("skipped").map { $0 + (attributes.integer("not-run") ?? 0) })
        case "collection", "class":
            assemblyHasSuites = true
            stats.suites += 1
            suitesSeen += 1
            suite = attributes["name"] ?? ""
        case "test":
            stats.elements += 1
            current = makeTest(attributes)
        case "error" where openElements.dropLast().last == "errors":
            environmentError = EnvironmentError(type: attributes.value("type"), name: attributes.value("name"))
        case "failure":
            let type = attributes.value("exception-type")
            if current != nil {
                current?.exceptionType = type
            } else if environmentError != nil {
                environmentError?.exceptionType = type
            } else {
                // v1 reports a failed class fixture as a `<failure>` of the `<class>` itself.
                environmentError = EnvironmentError(type: "class", name: suite, exceptionType: type)
            }
        default:
            break
        }
        if Self.collected.contains(name), current != nil || environmentError != nil {
            texts.append(CappedText())
        }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?
    ) {
        let name = localName(elementName)
        if !openElements.isEmpty { openElements.removeLast() }
        let parent = openElements.last
        let text: String? =
            Self.collected.contains(name) && (current != nil || environmentError != nil) && !texts.isEmpty
            ? texts.removeLast().text : nil
        switch name {
        case "test":
            finishTest(parser)
        case "collection", "class":
            suite = nil
            if name == "class", let error = environmentError, error.type == "class" {
                recordEnvironmentError(error)
            }
        case "assembly":
            if !assemblyHasSuites { stats.suites += 1 }
        case "error" where parent == "errors":
            if let error = environmentError { recordEnvironmentError(error) }
        case "message":
            if current != nil {
                // v1 puts a skip reason in `<reason><message>`.
                if parent == "reason" { current?.reason = text } else { current?.message = text }
            } else {
                environmentError?.message = text
            }
        case "stack-trace":
            current?.stackTrace = text
        case "reason":
            if let text { current?.reason = text }
        case "output":
            current?.output = text
        default:
            break
        }
    }

    // MARK: - Building a case

    private func makeTest(_ attributes: [String: String]) -> TestBuilder {
        let display = attributes["name"] ?? ""
        let method = attributes.value("method")
        let classname: String
        if let type = attributes["type"] {
            classname = type
        } else {
            classname = QualifiedName.split(display)?.container ?? ""
        }
        return TestBuilder(
            suite: suite ?? classname, classname: classname,
            name: Self.caseName(display: display, classname: classname, method: method), method: method,
            file: attributes.value("source-file"), line: attributes.integer("source-line"),
            time: TimeValue.seconds(attributes["time"]),
            result: (attributes["result"] ?? "").lowercased())
    }

    /// The display name without its class: `Method(x: 1)` for `Ns.Class.Method(x: 1)`, the
    /// sentence itself for a `DisplayName`. The display name is what xUnit.net tells rows and
    /// renamed tests apart by, so it is the name; `method` is only a fallback for a blank one.
    static func caseName(display: String, classname: String, method: String?) -> String {
        let shown = QualifiedName.dropping(prefix: classname, from: display)
        if shown.isEmpty, let method { return method }
        return shown
    }

    private func finishTest(_ parser: XMLParser) {
        guard let test = current else { return }
        current = nil
        texts.removeAll()
        let outcome: Outcome
        var message: String?
        switch test.result {
        case "pass": outcome = .passed
        case "fail": outcome = .failed; message = test.message
        // NotRun (v3 explicit tests) is neither a pass nor a failure.
        case "skip", "notrun": outcome = .skipped; message = test.reason ?? test.message
        default: outcome = test.message != nil || test.exceptionType != nil ? .failed : .passed
        }
        let attempt = TestAttempt(
            outcome: outcome, duration: test.time, message: message,
            failureType: outcome.isFailure ? test.exceptionType : nil,
            failureText: outcome.isFailure ? test.stackTrace : nil, stdout: test.output)
        var testCase = TestCase(
            suite: test.suite, classname: test.classname, name: test.name, file: test.file, line: test.line,
            attempts: [attempt])
        testCase.parent = suitesSeen
        testCase.method = test.method
        do {
            try sink(testCase)
        } catch {
            failure = error
            parser.abortParsing()
        }
    }

    private func recordEnvironmentError(_ error: EnvironmentError) {
        environmentError = nil
        texts.removeAll()
        let origin = [error.type, error.name].compactMap { $0 }.joined(separator: " ")
        let detail = [error.exceptionType, error.message?.trimmingCharacters(in: .whitespacesAndNewlines)]
            .compactMap { $0 }.joined(separator: ": ")
        stats.environmentErrors.append(origin.isEmpty ? detail : "\(origin): \(detail)")
    }
}
