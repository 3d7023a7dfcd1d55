import Foundation
import TriageModel
import TriageStore

/// The normalized content of result files without a database: what `triage parse` prints.
/// Its JSON field names are an interface (see README, "triage parse JSON").
///
/// `stream` hands the cases over as they are read, so that printing a 100 MB file takes the
/// memory of a few cases; `parse` collects them, for tests and small files.
public struct ParseOutput: Codable, Sendable {
    public struct FileResult: Codable, Sendable {
        public var path: String
        public var format: ReportFormat
        public var totals: RunTotals
        /// Attempts in all (every execution and teardown report).
        public var attempts: Int
        public var suites: Int
        public var reported: Reported
        public var environmentErrors: [String]
        public var cases: [CaseResult]
    }

    /// A file's fields other than its cases, known once it has been read.
    public struct FileSummary: Codable, Sendable {
        public var path: String
        public var format: ReportFormat
        public var totals: RunTotals
        public var attempts: Int
        public var suites: Int
        public var reported: Reported
        public var environmentErrors: [String]
    }

    /// The header counts the file states, which are often wrong; kept for reference.
    public struct Reported: Codable, Sendable {
        public var tests: Int?
        public var failures: Int?
        public var errors: Int?
        public var skipped: Int?
    }

    public struct CaseResult: Codable, Sendable {
        public var id: String
        public var suite: String
        public var classname: String
        public var name: String
        public var file: String?
        public var line: Int?
        public var time: Double?
        public var outcome: Outcome
        public var retried: Bool
        public var message: String?
        public var attempts: [TestAttempt]
    }

    public var files: [FileResult]

    /// Parses each file (repeats merged into attempts) into the output, in memory.
    public static func parse(_ paths: [String], format: ReportFormat? = nil) throws -> ParseOutput {
        var files: [FileResult] = []
        var cases: [CaseResult] = []
        try stream(paths, format: format) { cases.append($0) } fileEnd: { summary in
            files.append(
                FileResult(
                    path: summary.path, format: summary.format, totals: summary.totals, attempts: summary.attempts,
                    suites: summary.suites, reported: summary.reported, environmentErrors: summary.environmentErrors,
                    cases: cases))
            cases = []
        }
        return ParseOutput(files: files)
    }

    /// Reads each file (folders are searched) and hands over its cases as they are read, then
    /// the file's summary. Repeats of a test are folded into its attempts: adjacent ones as
    /// they come; for repeats apart, a first, cheaper pass over the file finds which tests
    /// repeat, and those are held back and handed over at their last report.
    public static func stream(
        _ paths: [String], format: ReportFormat? = nil, onCase: (CaseResult) throws -> Void,
        fileEnd: (FileSummary) throws -> Void
    ) throws {
        // `ReportReader.read` keeps its sink only while it reads.
        try withoutActuallyEscaping(onCase) { onCase in
            try stream(paths, format: format, escaping: onCase, fileEnd: fileEnd)
        }
    }

    private static func stream(
        _ paths: [String], format: ReportFormat?, escaping onCase: @escaping (CaseResult) throws -> Void,
        fileEnd: (FileSummary) throws -> Void
    ) throws {
        for path in try ResultFiles.expand(paths) {
            let url = URL(fileURLWithPath: path)
            let inspection = try ReportReader.inspect(url, displayPath: path, fingerprint: false)
            // Pass one: how many separate reports each repeated test has (by identity hash).
            var seen = Set<Int64>()
            var reports: [Int64: Int] = [:]
            let first = try ReportReader.read(url, displayPath: path, format: format, inspection: inspection) { testCase in
                let hash = testCase.identity.storageHash
                if !seen.insert(hash).inserted { reports[hash, default: 1] += 1 }
            }
            seen = []
            // Pass two: hand cases over, holding back the repeated ones until their last report.
            var held: [TestIdentity: TestCase] = [:]
            var heldOrder: [TestIdentity] = []
            var totals = RunTotals()
            var attempts = 0
            let infers = first.format.omitsFailedAttempts
            func handOver(_ testCase: TestCase) throws {
                totals.add(testCase)
                attempts += testCase.attempts.count
                try onCase(caseResult(testCase))
            }
            let info = try ReportReader.read(url, displayPath: path, format: format, inspection: inspection) {
                testCase in
                let hash = testCase.identity.storageHash
                guard let remaining = reports[hash] else { return try handOver(testCase) }
                let identity = testCase.identity
                if var earlier = held.removeValue(forKey: identity) {
                    CaseMerger.merge(testCase, into: &earlier, infersUndescribedFailures: infers)
                    held[identity] = earlier
                } else {
                    held[identity] = testCase
                    heldOrder.append(identity)
                }
                if remaining > 1 {
                    reports[hash] = remaining - 1
                } else if let done = held.removeValue(forKey: identity) {
                    reports[hash] = nil
                    try handOver(done)
                }
            }
            // Identities that shared a hash with another test are still held: hand them over.
            for identity in heldOrder {
                if let rest = held.removeValue(forKey: identity) { try handOver(rest) }
            }
            try fileEnd(
                FileSummary(
                    path: path, format: info.format, totals: totals, attempts: attempts, suites: info.stats.suites,
                    reported: Reported(
                        tests: info.stats.reportedTests, failures: info.stats.reportedFailures,
                        errors: info.stats.reportedErrors, skipped: info.stats.reportedSkipped),
                    environmentErrors: info.stats.environmentErrors))
        }
    }

    static func caseResult(_ testCase: TestCase) -> CaseResult {
        CaseResult(
            id: testCase.identity.displayID, suite: testCase.suite, classname: testCase.classname,
            name: testCase.name, file: testCase.file, line: testCase.line, time: testCase.duration,
            outcome: testCase.outcome, retried: testCase.isRetriedToPass,
            message: testCase.decisiveFailure?.message ?? testCase.attempts.last?.message,
            attempts: testCase.attempts)
    }

    /// Totals of merged cases, each test once by its final outcome.
    public static func totals(of cases: [TestCase]) -> RunTotals {
        var totals = RunTotals()
        for testCase in cases { totals.add(testCase) }
        return totals
    }

    // MARK: - Text

    /// A short plain-text summary, one block per file: its failing and retried tests, then
    /// a line with its format and totals.
    public var text: String {
        files.map { file in
            let lines = file.cases.compactMap(Self.textLine) + [Self.textLine(file.summary)]
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// The text line of a failing or retried case; nil for the others.
    public static func textLine(_ testCase: CaseResult) -> String? {
        guard testCase.outcome.isFailure || testCase.retried else { return nil }
        let state = testCase.retried ? "retried" : testCase.outcome.rawValue
        return
            "  \(state.uppercased()) \(SafeText.line(testCase.id, limit: 100))  \(SafeText.line(testCase.message, limit: 100))"
    }

    /// The text line that ends a file's block.
    public static func textLine(_ summary: FileSummary) -> String {
        "\(SafeText.terminal(summary.path)): \(summary.format.rawValue), \(summary.totals.line)"
    }

    // MARK: - JSON, streamed

    /// Writes the JSON document `{"files": [...]}` piece by piece: the same fields as
    /// `ParseOutput` encodes, with each file's cases before its other fields and each case
    /// on a line of its own.
    public struct JSONStreamer {
        private let encoder = JSONEncoder.sorted
        private var filesWritten = 0
        private var casesInFile = 0

        public init() {}

        /// The document's opening.
        public func start() -> String { #"{"files":["# }

        /// A case of the current file (the file's opening before its first case).
        public mutating func piece(for testCase: CaseResult) throws -> String {
            let json = String(decoding: try encoder.encode(testCase), as: UTF8.self)
            defer { casesInFile += 1 }
            return (casesInFile == 0 ? fileOpening : ",") + "\n" + json
        }

        /// The end of a file: its other fields.
        public mutating func piece(for summary: FileSummary) throws -> String {
            let json = String(decoding: try encoder.encode(summary), as: UTF8.self)
            defer {
                casesInFile = 0
                filesWritten += 1
            }
            // `json` is an object; its fields follow the cases inside the same object.
            return (casesInFile == 0 ? fileOpening : "") + "\n]," + json.dropFirst()
        }

        /// The document's end.
        public func end() -> String { "]}" }

        private var fileOpening: String { (filesWritten == 0 ? "" : ",") + #"{"cases":["# }
    }
}

extension ParseOutput.FileResult {
    var summary: ParseOutput.FileSummary {
        ParseOutput.FileSummary(
            path: path, format: format, totals: totals, attempts: attempts, suites: suites, reported: reported,
            environmentErrors: environmentErrors)
    }
}

extension RunTotals {
    mutating func add(_ testCase: TestCase) {
        tests += 1
        switch testCase.outcome {
        case .passed: passed += 1
        case .failed: failed += 1
        case .error: errors += 1
        case .skipped: skipped += 1
        }
        if testCase.isRetriedToPass { retried += 1 }
    }
}
