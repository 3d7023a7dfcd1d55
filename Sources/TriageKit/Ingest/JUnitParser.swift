import Foundation
import TriageModel
import TriageStore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Streams JUnit/Ant-family XML (every producer in the corpus) into cases.
///
/// See `../shared/corpus/FORMATS.md` §1–4 for the quirks handled here: nested suites,
/// several result elements in one case, Surefire's rerun and flaky elements, `status`
/// attributes, lenient times.
final class JUnitParser: NSObject, TextCollectingParser {
    private let sink: (TestCase) throws -> Void
    private(set) var stats = ParseStats()
    private(set) var failure: Error?
    private(set) var openElements: [String] = []

    private struct Suite {
        var name: String
        /// The names of this suite and every enclosing one, joined by ` › `.
        var path: String
        /// Position of the element among the file's suites.
        var ordinal: Int
        /// Playwright's project name, which its reporter writes as `hostname`.
        var project: String?
        var hasChildSuites = false
        var hasCases = false
    }
    private var suitesSeen = 0

    /// One `<failure>`, `<error>`, `<skipped>` or Surefire rerun/flaky element.
    private struct ResultElement {
        enum Role { case primary, rerun, flaky }
        var role: Role
        var outcome: Outcome
        var message: String?
        var type: String?
        var text: String?
        var stackTrace: String?
        var stdout: String?
        var stderr: String?
    }

    private struct CaseBuilder {
        var classname: String
        var name: String
        var file: String?
        var line: Int?
        var time: Double?
        /// `status` and googletest's `result` attributes, lowercased.
        var statuses: [String] = []
        var results: [ResultElement] = []
        var stdout: String?
        var stderr: String?
    }

    private var suites: [Suite] = []
    private var current: CaseBuilder?
    private var openResult: ResultElement?
    /// Text buffers of the elements whose character data is being collected, innermost last.
    var texts: [CappedText] = []
    /// Elements inside which character data is collected.
    private static let collected: Set<String> = [
        "failure", "error", "skipped", "rerunFailure", "rerunError", "flakyFailure", "flakyError",
        "stackTrace", "system-out", "system-err",
    ]

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
        case "testsuites" where openElements.count == 1:
            stats.noteTimestamp(attributes["timestamp"])
        case "testsuite":
            if suites.isEmpty {
                stats.addReported(
                    tests: attributes.integer("tests"), failures: attributes.integer("failures"),
                    errors: attributes.integer("errors"),
                    skipped: (attributes.integer("skipped") ?? attributes.integer("skip")).map {
                        $0 + (attributes.integer("disabled") ?? 0)
                    })
            }
            stats.noteTimestamp(attributes["timestamp"])
            if !suites.isEmpty { suites[suites.count - 1].hasChildSuites = true }
            let name = attributes["name"] ?? ""
            // A hostile file nests suites a million deep: the path stops growing at 16 KiB, so
            // memory stays linear in the depth.
            let path =
                suites.last.map { $0.path.utf8.count < 16_384 ? $0.path + suitePathSeparator + name : $0.path } ?? name
            suites.append(
                Suite(
                    name: name, path: path, ordinal: suitesSeen,
                    project: Self.isPlaywrightSpec(name) ? attributes.value("hostname") : nil))
            suitesSeen += 1
        case "testcase":
            stats.elements += 1
            if !suites.isEmpty { suites[suites.count - 1].hasCases = true }
            current = CaseBuilder(
                classname: attributes["classname"] ?? attributes["class"] ?? "",
                name: attributes["name"] ?? "",
                file: attributes.value("file"),
                line: attributes.integer("line"),
                time: TimeValue.seconds(attributes["time"] ?? attributes["duration"]),
                statuses: Self.statuses(attributes))
        case "failure", "error", "skipped", "rerunFailure", "rerunError", "flakyFailure", "flakyError":
            guard openResult == nil else { break }
            let role: ResultElement.Role =
                name.hasPrefix("rerun") ? .rerun : name.hasPrefix("flaky") ? .flaky : .primary
            let outcome: Outcome =
                switch name {
                case "skipped": .skipped
                case "error", "rerunError", "flakyError": .error
                default: .failed
                }
            if current == nil, !suites.isEmpty, name == "error" || name == "failure" {
                // An error reported by the suite itself (a class that failed to load): Jenkins
                // shows it as a case named "<init>"; so do we, so that it counts.
                current = CaseBuilder(classname: suites.last?.name ?? "", name: "<init>")
                suites[suites.count - 1].hasCases = true
                stats.elements += 1
            }
            openResult = ResultElement(
                role: role, outcome: outcome, message: attributes["message"],
                type: attributes.value("type"))
        default:
            break
        }
        if Self.collected.contains(name), current != nil {
            texts.append(CappedText())
        }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?
    ) {
        let name = localName(elementName)
        if !openElements.isEmpty { openElements.removeLast() }
        let collectedText: String? =
            Self.collected.contains(name) && current != nil && !texts.isEmpty ? texts.removeLast().text : nil
        switch name {
        case "testsuite":
            if let suite = suites.popLast(), suite.hasCases || !suite.hasChildSuites {
                stats.suites += 1
            }
        case "testcase":
            finishCase(parser)
        case "failure", "error", "skipped", "rerunFailure", "rerunError", "flakyFailure", "flakyError":
            guard var result = openResult else { break }
            openResult = nil
            result.text = collectedText
            current?.results.append(result)
            if current?.name == "<init>", openElements.last == "testsuite" {
                finishCase(parser)
            }
        case "stackTrace":
            openResult?.stackTrace = collectedText
        case "system-out":
            if openResult != nil { openResult?.stdout = collectedText } else { current?.stdout = collectedText }
        case "system-err":
            if openResult != nil { openResult?.stderr = collectedText } else { current?.stderr = collectedText }
        default:
            break
        }
    }

    // MARK: - Building a case

    private func finishCase(_ parser: XMLParser) {
        guard let builder = current else { return }
        current = nil
        texts.removeAll()
        // Cases with neither a name nor a classname identify nothing (EnricoMi skips them too).
        guard !builder.name.isEmpty || !builder.classname.isEmpty else { return }
        let suite = suites.last
        var testCase = TestCase(
            suite: suite?.name ?? "", suitePath: suite?.path,
            variant: suite?.project.map { Variant(["project": $0]) } ?? .none,
            classname: builder.classname, name: builder.name,
            file: builder.file, line: builder.line, attempts: attempts(of: builder))
        testCase.parent = suite?.ordinal ?? -1
        do {
            try sink(testCase)
        } catch {
            failure = error
            parser.abortParsing()
        }
    }

    /// `status` and googletest's `result`, lowercased; most files state neither, and then
    /// no array is made (this runs for every case).
    private static func statuses(_ attributes: [String: String]) -> [String] {
        let status = attributes.value("status")
        let result = attributes.value("result")
        guard status != nil || result != nil else { return [] }
        return [status, result].compactMap { $0?.lowercased() }
    }

    private func attempts(of builder: CaseBuilder) -> [TestAttempt] {
        if builder.results.isEmpty {
            // Most cases: one run, its outcome stated by `status` if at all.
            return [
                TestAttempt(
                    outcome: builder.statuses.lazy.map(Self.outcome(ofStatus:)).first { $0 != .passed } ?? .passed,
                    duration: builder.time, stdout: builder.stdout, stderr: builder.stderr)
            ]
        }
        let primaries = builder.results.filter { $0.role == .primary }
        var primary: TestAttempt
        if let worst = primaries.map(\.outcome).max() {
            let winners = primaries.filter { $0.outcome == worst }
            primary = TestAttempt(
                outcome: worst, duration: builder.time,
                message: joined(winners.map(\.message)),
                failureType: winners.lazy.compactMap(\.type).first,
                failureText: joined(winners.map { $0.text ?? $0.stackTrace }),
                stdout: builder.stdout, stderr: builder.stderr)
        } else {
            primary = TestAttempt(
                outcome: builder.statuses.map(Self.outcome(ofStatus:)).first { $0 != .passed } ?? .passed,
                duration: builder.time,
                stdout: builder.stdout, stderr: builder.stderr)
        }
        let flaky = builder.results.filter { $0.role == .flaky }.map(attempt(from:))
        let reruns = builder.results.filter { $0.role == .rerun }.map(attempt(from:))
        // Surefire: flaky elements are failed runs BEFORE the final pass; rerun elements are
        // runs AFTER the first failure.
        var all = flaky + [primary] + reruns
        for index in all.indices {
            all[index].kind = index == 0 ? .run : .retry
        }
        return all
    }

    private func attempt(from element: ResultElement) -> TestAttempt {
        TestAttempt(
            outcome: element.outcome, message: element.message, failureType: element.type,
            failureText: element.stackTrace ?? element.text, stdout: element.stdout, stderr: element.stderr)
    }

    private func joined(_ parts: [String?]) -> String? {
        let present = parts.compactMap { $0 }
        return present.isEmpty ? nil : present.joined(separator: "\n")
    }

    /// Playwright's JUnit reporter writes one suite per spec file per project, named after the
    /// file, with the project's name in `hostname`. Elsewhere `hostname` is the machine, which
    /// says nothing about the test, so it is read as a variant only under a suite named after
    /// a JavaScript or TypeScript file.
    static func isPlaywrightSpec(_ suiteName: String) -> Bool {
        let lowered = suiteName.lowercased()
        return [".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"].contains { lowered.hasSuffix($0) }
    }

    /// The outcome a `status` (or googletest `result`) attribute states when no child does.
    static func outcome(ofStatus status: String) -> Outcome {
        switch status {
        case "notrun", "not_run", "disabled", "skipped", "skip", "ignored", "notexecuted", "suppressed", "pending":
            .skipped
        case "failed", "fail", "failure":
            .failed
        case "error", "errored", "broken":
            .error
        default:
            .passed
        }
    }
}
