extension TestCase {
    /// pytest's separate report of a test that failed in teardown (one error attempt whose
    /// message says so): an attempt of the test before it, not a test of its own.
    package var isTeardownReport: Bool {
        guard attempts.count == 1, let only = attempts.first else { return false }
        return only.outcome == .error && (only.message?.hasPrefix("failed on teardown") ?? false)
    }
}
