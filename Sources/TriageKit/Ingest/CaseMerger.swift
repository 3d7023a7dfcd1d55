import TriageModel
import TriageStore
/// Folds repeated reports of one test within a file into attempts of one case.
///
/// Producers report retries and teardown errors as repeated `<testcase>` elements with the
/// same identity: pytest-rerunfailures (failed attempts are written WITHOUT a child element,
/// so they look like passes), gotestsum `--rerun-fails`, Web Test Runner, marathon; and pytest
/// writes a call failure plus a teardown error as two elements.
enum CaseMerger {
    /// Appends `later`'s attempts to `earlier`, classifying them as retries or a teardown report.
    ///
    /// - Parameter infersUndescribedFailures: whether a childless pass followed by another report
    ///   of the test was a failed attempt (JUnit: pytest-rerunfailures). False for formats that
    ///   state every outcome (xUnit.net, NUnit, TRX), where a repeated name is a parameterized row
    ///   whose display name repeats, not a retry of a failure.
    static func merge(_ later: TestCase, into earlier: inout TestCase, infersUndescribedFailures: Bool = true) {
        if later.isTeardownReport {
            for var attempt in later.attempts {
                attempt.kind = .teardown
                earlier.attempts.append(attempt)
            }
            return
        }
        // A childless "pass" followed by another execution of the same test was a failed
        // attempt that its producer did not describe (pytest-rerunfailures).
        if infersUndescribedFailures,
            let last = earlier.attempts.indices.last(where: { earlier.attempts[$0].kind != .teardown }),
            earlier.attempts[last].outcome == .passed,
            earlier.attempts[last].message == nil, earlier.attempts[last].failureText == nil
        {
            earlier.attempts[last].outcome = .failed
            earlier.attempts[last].isInferred = true
        }
        for var attempt in later.attempts {
            attempt.kind = attempt.kind == .teardown ? .teardown : .retry
            earlier.attempts.append(attempt)
        }
        if earlier.file == nil { earlier.file = later.file }
        if earlier.line == nil { earlier.line = later.line }
    }

    /// pytest reports an error in teardown after the test's own report as a second element
    /// whose error message starts "failed on teardown with".
}

/// Holds the previous case back until a case with another identity (or under another suite
/// element) arrives, so that adjacent repeats under one parent reach the sink as one case.
final class AdjacentCaseMerger {
    private var pending: TestCase?
    private let sink: (TestCase) throws -> Void
    private let infersUndescribedFailures: Bool

    init(infersUndescribedFailures: Bool = true, sink: @escaping (TestCase) throws -> Void) {
        self.infersUndescribedFailures = infersUndescribedFailures
        self.sink = sink
    }

    func accept(_ next: TestCase) throws {
        if var current = pending, current.identity == next.identity, current.parent == next.parent {
            // Let go of the held copy first, so that the attempts grow in place: merging into a
            // copy that `pending` still shares would copy every attempt on each repeat.
            pending = nil
            CaseMerger.merge(next, into: &current, infersUndescribedFailures: infersUndescribedFailures)
            pending = current
            return
        }
        try flush()
        pending = next
    }

    func flush() throws {
        if let current = pending {
            pending = nil
            try sink(current)
        }
    }
}
