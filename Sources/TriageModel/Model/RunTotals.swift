/// The run's totals: each test once, by its final outcome.
public struct RunTotals: Codable, Sendable, Equatable {
    public var tests: Int
    public var passed: Int
    public var failed: Int
    public var errors: Int
    public var skipped: Int
    /// Tests that failed, then passed on a retry in the same run.
    public var retried: Int

    public init(tests: Int = 0, passed: Int = 0, failed: Int = 0, errors: Int = 0, skipped: Int = 0, retried: Int = 0) {
        self.tests = tests
        self.passed = passed
        self.failed = failed
        self.errors = errors
        self.skipped = skipped
        self.retried = retried
    }

    /// passed / (passed + failed + errors), skipped left out; nil when nothing ran.
    public var passRate: Double? {
        let ran = passed + failed + errors
        return ran == 0 ? nil : Double(passed) / Double(ran)
    }
}

