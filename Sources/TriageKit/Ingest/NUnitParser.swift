import Foundation
import TriageModel
import TriageStore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Streams NUnit XML, both dialects, into cases: leaf `<test-case>` elements inside nested
/// `<test-suite>`s, under a `<test-run>` (NUnit 3), a `<test-results>` (NUnit 2) or no wrapper.
///
/// One reader serves both because a bare `<test-suite>` root does not say which dialect it
/// holds (`clicketyclackety.xml` is NUnit 3 without `<test-run>`); each `<test-case>` is read
/// by its own attributes: NUnit 3 writes `classname` and `duration`, NUnit 2 neither.
/// See `../shared/corpus/FORMATS.md` §6–7; outcomes follow EnricoMi's mapping.
final class NUnitParser: NSObject, TextCollectingParser {
    private let sink: (TestCase) throws -> Void
    private(set) var stats = ParseStats()
    private(set) var failure: Error?
    private(set) var openElements: [String] = []

    private struct Suite {
        var type: String
        var name: String
        /// `fullname` (NUnit 3), or the name qualified by the enclosing namespaces (NUnit 2).
        var qualifiedName: String
        var hasChildSuites = false
        var hasCases = false
        /// The suite's own `<failure><message>`: why its cases failed when they say `site="Parent"`.
        var failureMessage: String?

        var isFixture: Bool { type == "TestFixture" }

        /// A namespace level: typed so (NUnit 2.5 and later), or an untyped suite below the
        /// assembly (older NUnit 2 files nest namespaces as plain suites).
        var isNamespace: Bool {
            if type == "Namespace" { return true }
            guard type.isEmpty else { return false }
            let lowered = name.lowercased()
            return !name.contains("/") && !name.contains("\\")
                && ![".dll", ".exe", ".nunit", ".csproj"].contains { lowered.hasSuffix($0) }
        }

        /// A suite that groups the cases of one method (their names are already qualified).
        var isMethodGroup: Bool { ["ParameterizedTest", "Theory", "GenericMethod"].contains(type) }
    }

    private struct CaseBuilder {
        var attributes: [String: String]
        var hasFailure = false
        var failureMessage: String?
        var stackTrace: String?
        var reason: String?
        var output: String?
    }

    private var suites: [Suite] = []
    /// Suites opened so far: with the open one, where a case stands.
    private var suitesSeen = 0
    private var current: CaseBuilder?
    var texts: [CappedText] = []
    private static let collected: Set<String> = ["message", "stack-trace", "output"]

    init(sink: @escaping (TestCase) throws -> Void) {
        self.sink = sink
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes: [String: String] = [:]
    ) {
        let name = localName(elementName)
        openElements.append(name)
        if openElements.count == 1, elementName != name || attributes.keys.contains(where: { $0.hasPrefix("xmlns") }) {
            // NUnit never uses namespaces; Allure 1 writes a namespaced `<ns2:test-suite>`.
            fail(
                parser,
                reason:
                    "root <\(elementName)> is namespaced, so it is not an NUnit report (Allure 1 results look like this); pass NUnit's TestResult.xml instead"
            )
            return
        }
        switch name {
        case "test-run":
            stats.noteTimestamp(attributes["start-time"])
            stats.addReported(
                tests: attributes.integer("total") ?? attributes.integer("testcasecount"),
                failures: attributes.integer("failed"), errors: nil,
                skipped: sum(attributes.integer("skipped"), attributes.integer("inconclusive")))
        case "test-results":
            stats.noteTimestamp(attributes["date"], time: attributes["time"])
            stats.addReported(
                tests: attributes.integer("total"), failures: attributes.integer("failures"),
                errors: attributes.integer("errors"),
                skipped: sum(
                    attributes.integer("not-run"), attributes.integer("skipped"), attributes.integer("ignored"),
                    attributes.integer("inconclusive")))
        case "test-suite":
            if !suites.isEmpty { suites[suites.count - 1].hasChildSuites = true }
            suites.append(makeSuite(attributes))
            suitesSeen += 1
        case "test-case":
            stats.elements += 1
            if !suites.isEmpty { suites[suites.count - 1].hasCases = true }
            current = CaseBuilder(attributes: attributes)
        case "failure":
            if current != nil { current?.hasFailure = true }
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
        let parent = openElements.last
        let text: String? =
            Self.collected.contains(name) && collecting && !texts.isEmpty ? texts.removeLast().text : nil
        switch name {
        case "test-suite":
            if let suite = suites.popLast(), suite.hasCases || !suite.hasChildSuites {
                stats.suites += 1
            }
        case "test-case":
            finishCase(parser)
        case "message" where parent == "failure":
            if current != nil {
                current?.failureMessage = text
            } else if !suites.isEmpty {
                suites[suites.count - 1].failureMessage = text
            }
        case "message" where parent == "reason":
            current?.reason = text
        case "stack-trace" where parent == "failure":
            current?.stackTrace = text
        case "output" where parent == "test-case":
            current?.output = text
        default:
            break
        }
    }

    /// Text is kept for a case's failure, reason and output, and for a suite's own failure message.
    private var isCollecting: Bool {
        guard let last = openElements.last else { return false }
        let parent = openElements.dropLast().last
        if current != nil {
            // `<assertions><assertion><message>` repeat the failure; properties hold no text we keep.
            return (last == "output" && parent == "test-case") || parent == "failure" || parent == "reason"
        }
        return last == "message" && parent == "failure" && openElements.dropLast(2).last == "test-suite"
    }

    // MARK: - Building a case

    private func makeSuite(_ attributes: [String: String]) -> Suite {
        let type = attributes["type"] ?? ""
        let name = attributes["name"] ?? ""
        var qualified = attributes.value("fullname") ?? name
        if attributes.value("fullname") == nil, let parent = suites.last, parent.isNamespace,
            !parent.qualifiedName.isEmpty
        {
            qualified = parent.qualifiedName + "." + name
        }
        return Suite(type: type, name: name, qualifiedName: qualified)
    }

    private func finishCase(_ parser: XMLParser) {
        guard let builder = current else { return }
        current = nil
        texts.removeAll()
        let attributes = builder.attributes
        let fullName = attributes["name"] ?? ""
        // The fixture's qualified name; in files that do not type their suites, the innermost
        // suite that is not a method's group of cases.
        let fixture =
            suites.last(where: \.isFixture)?.qualifiedName
            ?? suites.last(where: { !$0.isMethodGroup && $0.type.isEmpty })?.qualifiedName
        let classname: String
        let name: String
        if let explicit = attributes["classname"] {
            // NUnit 3: `name` is the method with its arguments, `classname` the fixture class.
            classname = explicit
            name = fullName
        } else if let split = QualifiedName.split(fullName) {
            // NUnit 2: `name` is `Ns.Class.Method(args)`; the dots inside the arguments do not count.
            classname = split.container
            name = split.member
        } else {
            classname = fixture ?? ""
            name = fullName
        }
        let outcome = Self.outcome(of: attributes, hasFailure: builder.hasFailure)
        var message: String?
        if outcome.isFailure {
            message = builder.failureMessage ?? builder.reason
            if message == nil, attributes["site"] == "Parent" {
                message = suites.last(where: { $0.failureMessage != nil })?.failureMessage
            }
        } else if outcome == .skipped {
            message = builder.reason ?? builder.failureMessage
        }
        let attempt = TestAttempt(
            outcome: outcome, duration: TimeValue.seconds(attributes["duration"] ?? attributes["time"]),
            message: message, failureType: outcome.isFailure ? attributes.value("label") : nil,
            failureText: outcome.isFailure ? builder.stackTrace : nil, stdout: builder.output)
        var testCase = TestCase(
            suite: fixture ?? classname, classname: classname, name: name, attempts: [attempt])
        testCase.parent = suitesSeen
        do {
            try sink(testCase)
        } catch {
            failure = error
            parser.abortParsing()
        }
    }

    /// The outcome from NUnit 3's `result` (Passed, Failed, Skipped, Inconclusive, Warning) or
    /// NUnit 2's (Success, Failure, Error, Ignored, NotRunnable, …), or from the `executed` and
    /// `success` flags of files older than `result`.
    static func outcome(of attributes: [String: String], hasFailure: Bool) -> Outcome {
        switch attributes["result"]?.lowercased() {
        // NUnit 3 `result="Failed" label="Error"` is an exception, yet EnricoMi (and NUnit's own
        // JUnit transform) report it as a failure; the label is kept as the failure type.
        case "passed", "success", "warning": return .passed
        case "failed", "failure": return .failed
        // NUnit 2's NotRunnable is a test that cannot run (a bad signature or fixture): NUnit
        // counts it among the errors, and so does triage.
        case "error", "cancelled", "notrunnable": return .error
        case "skipped", "ignored", "inconclusive", "explicit": return .skipped
        default: break
        }
        if attributes["executed"]?.lowercased() == "false" { return .skipped }
        if attributes["success"]?.lowercased() == "false" || hasFailure { return .failed }
        return .passed
    }

    private func sum(_ values: Int?...) -> Int? {
        let present = values.compactMap { $0 }
        return present.isEmpty ? nil : present.reduce(0, +)
    }

    private func fail(_ parser: XMLParser, reason: String) {
        failure = TriageError.badInput(file: "", line: parser.lineNumber, reason: reason)
        parser.abortParsing()
    }
}
