/// The result of one attempt of a test, or a test's final result in a run.
public enum Outcome: String, Codable, Sendable, CaseIterable, Comparable {
    case passed
    case failed
    case error
    case skipped

    /// Severity used when several result elements describe one attempt:
    /// error > failed > passed > skipped (EnricoMi's and Jenkins' order).
    public var severity: Int {
        switch self {
        case .skipped: 0
        case .passed: 1
        case .failed: 2
        case .error: 3
        }
    }

    /// Whether the outcome counts against the pass rate.
    public var isFailure: Bool { self == .failed || self == .error }

    public static func < (lhs: Outcome, rhs: Outcome) -> Bool { lhs.severity < rhs.severity }
}

/// What an attempt was in the life of a test within one run.
public enum AttemptKind: String, Codable, Sendable, CaseIterable {
    /// The first (or only) execution.
    case run
    /// A later execution of the same test: Surefire's rerun/flaky elements, a repeated `<testcase>`.
    case retry
    /// A second report of the same execution for its teardown (pytest's "failed on teardown").
    case teardown
}
