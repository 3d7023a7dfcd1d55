import Foundation

/// The normalized content of result files without a database: what `triage parse` prints.
/// Its JSON field names are an interface (see README, "triage parse JSON").
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

    /// Parses each file (repeats merged into attempts) into the output.
    public static func parse(_ paths: [String], format: ReportFormat? = nil) throws -> ParseOutput {
        var files: [FileResult] = []
        for path in try ResultFiles.expand(paths) {
            let (info, cases) = try ReportReader.readAll(URL(fileURLWithPath: path), displayPath: path, format: format)
            files.append(
                FileResult(
                    path: path, format: info.format, totals: totals(of: cases),
                    attempts: cases.reduce(0) { $0 + $1.attempts.count }, suites: info.stats.suites,
                    reported: Reported(
                        tests: info.stats.reportedTests, failures: info.stats.reportedFailures,
                        errors: info.stats.reportedErrors, skipped: info.stats.reportedSkipped),
                    environmentErrors: info.stats.environmentErrors,
                    cases: cases.map { testCase in
                        CaseResult(
                            id: testCase.identity.displayID, suite: testCase.suite, classname: testCase.classname,
                            name: testCase.name, file: testCase.file, line: testCase.line, time: testCase.duration,
                            outcome: testCase.outcome, retried: testCase.isRetriedToPass,
                            message: testCase.decisiveFailure?.message ?? testCase.attempts.last?.message,
                            attempts: testCase.attempts)
                    }))
        }
        return ParseOutput(files: files)
    }

    /// Totals of merged cases, each test once by its final outcome.
    public static func totals(of cases: [TestCase]) -> RunTotals {
        var totals = RunTotals()
        for testCase in cases {
            totals.tests += 1
            switch testCase.outcome {
            case .passed: totals.passed += 1
            case .failed: totals.failed += 1
            case .error: totals.errors += 1
            case .skipped: totals.skipped += 1
            }
            if testCase.isRetriedToPass { totals.retried += 1 }
        }
        return totals
    }

    /// A short plain-text summary, one block per file.
    public var text: String {
        files.map { file in
            var lines = ["\(SafeText.terminal(file.path)): \(file.format.rawValue), \(file.totals.line)"]
            for testCase in file.cases where testCase.outcome.isFailure || testCase.retried {
                let state = testCase.retried ? "retried" : testCase.outcome.rawValue
                lines.append(
                    "  \(state.uppercased()) \(SafeText.line(testCase.id, limit: 100))  \(SafeText.line(testCase.message, limit: 100))"
                )
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
