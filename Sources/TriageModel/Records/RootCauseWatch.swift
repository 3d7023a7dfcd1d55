import Foundation

/// A point in the history after which runs count for a fix: the newest run stored when a
/// record was marked fixed, or a cycle's after run. No run: every run counts.
package struct FixPoint: Sendable, Equatable {
    package var runID: Int64?
    package var runAt: String?

    package init(runID: Int64? = nil, runAt: String? = nil) {
        self.runID = runID
        self.runAt = runAt
    }
}

/// A Five-Whys record marked fixed or verified, as the watch reads it.
package struct FixedWhys: Sendable {
    package var id: Int64
    package var problem: String
    package var status: WhysStatus
    package var clusterIDs: [String]
    package var fixedAt: String?
    package var point: FixPoint

    package init(id: Int64, problem: String, status: WhysStatus, clusterIDs: [String], fixedAt: String? = nil, point: FixPoint) {
        self.id = id
        self.problem = problem
        self.status = status
        self.clusterIDs = clusterIDs
        self.fixedAt = fixedAt
        self.point = point
    }
}

/// A failing result of a run in one of the clusters looked for.
package struct ClusterHit: Sendable {
    package var testID: Int64
    package var test: String
    package var clusterID: String

    package init(testID: Int64, test: String, clusterID: String) {
        self.testID = testID
        self.test = test
        self.clusterID = clusterID
    }
}

/// How long a cause has been absent from one test since a fix.
package struct CleanRuns: Sendable, Equatable {
    /// Runs of the test (not skipped) without the cause, after the fix and after its last presence.
    package var clean: Int
    /// The last run after the fix in which the test had the cause (failing or rescued by a retry).
    package var lastPresentRunID: Int64?
    package var lastPresentFailed: Bool

    package init(clean: Int, lastPresentRunID: Int64? = nil, lastPresentFailed: Bool) {
        self.clean = clean
        self.lastPresentRunID = lastPresentRunID
        self.lastPresentFailed = lastPresentFailed
    }
}

/// A cause that was fixed failing again: a cluster a `fixed` or `verified` Five-Whys record
/// names, or one a closed successful cycle removed, failing a test in a later run.
public struct Recurrence: Codable, Sendable, Equatable {
    public var runID: Int64
    public var clusterID: String
    public var category: String
    public var detail: String?
    /// The record that moved back to `open`, or nil for a cycle's.
    public var whysID: Int64?
    public var cycleID: Int64?
    /// The record's problem, or the cycle's effort and number.
    public var title: String
    /// `fixed` or `verified` for a record, `success` for a cycle.
    public var previousStatus: String
    /// When the record was marked fixed, or the cycle closed.
    public var fixedAt: String?
    /// The tests that failed with the cause in the run.
    public var tests: [String]
    /// When triage noticed it.
    public var detectedAt: String?

    /// One sentence: what came back, where from, and what triage did about it.
    public var summary: String {
        let cause = "\(clusterID) \(category)\(detail.map { "(\($0))" } ?? "")"
        let hit =
            "\(tests.count) test(s): " + tests.prefix(3).joined(separator: ", ") + (tests.count > 3 ? ", …" : "")
        let since = fixedAt.map { " since \(String($0.prefix(10)))" } ?? ""
        if let whysID {
            return
                "cause \(cause) of Five-Whys \(whysID) (\(previousStatus)\(since)) is back in run \(runID): \(hit); the record is open again"
        }
        return "cause \(cause) removed by \(title) (\(previousStatus)\(since)) is back in run \(runID): \(hit)"
    }

    package init(runID: Int64, clusterID: String, category: String, detail: String? = nil, whysID: Int64? = nil, cycleID: Int64? = nil, title: String, previousStatus: String, fixedAt: String? = nil, tests: [String], detectedAt: String? = nil) {
        self.runID = runID
        self.clusterID = clusterID
        self.category = category
        self.detail = detail
        self.whysID = whysID
        self.cycleID = cycleID
        self.title = title
        self.previousStatus = previousStatus
        self.fixedAt = fixedAt
        self.tests = tests
        self.detectedAt = detectedAt
    }
}

/// How far a fix is from being verified by the runs: the least clean runs among the tests
/// its causes hit, against the number required.
public struct Verification: Codable, Sendable, Equatable {
    public struct TestProgress: Codable, Sendable, Equatable {
        public var test: String
        public var cluster: String
        public var cleanRuns: Int
        public var isVerified: Bool
        /// The last run after the fix in which the cause failed this test again.
        public var recurredInRun: Int64?

        package init(test: String, cluster: String, cleanRuns: Int, isVerified: Bool, recurredInRun: Int64? = nil) {
            self.test = test
            self.cluster = cluster
            self.cleanRuns = cleanRuns
            self.isVerified = isVerified
            self.recurredInRun = recurredInRun
        }
    }

    public var requiredRuns: Int
    /// The fewest clean runs of any test the causes hit (capped at `requiredRuns`).
    public var cleanRuns: Int
    public var isVerified: Bool
    /// Per test, fewest clean runs first.
    public var tests: [TestProgress]

    /// "7 of 10 clean runs".
    public var progress: String { "\(cleanRuns) of \(requiredRuns) clean runs" }

    package init(requiredRuns: Int, cleanRuns: Int, isVerified: Bool, tests: [TestProgress]) {
        self.requiredRuns = requiredRuns
        self.cleanRuns = cleanRuns
        self.isVerified = isVerified
        self.tests = tests
    }
}

/// What the watch did after a run was stored.
public struct RootCauseNews: Codable, Sendable, Equatable {
    public struct Verified: Codable, Sendable, Equatable {
        public var id: Int64
        public var problem: String
        public var cleanRuns: Int

        package init(id: Int64, problem: String, cleanRuns: Int) {
            self.id = id
            self.problem = problem
            self.cleanRuns = cleanRuns
        }
    }

    /// The recurrences noted for the run (by this command or an earlier one storing into the same run).
    public var recurrences: [Recurrence]
    /// Five-Whys records this command moved back to `open`.
    public var reopened: [Int64]
    /// Records this command moved from `fixed` to `verified`.
    public var verified: [Verified]

    public static let none = RootCauseNews(recurrences: [], reopened: [], verified: [])

    /// Lines that say what changed, for a command's text output.
    public var lines: [String] {
        recurrences.map { "RECURRENCE \($0.summary)" }
            + verified.map {
                "Five-Whys \($0.id) is verified: its causes stayed away for \($0.cleanRuns) clean runs of every test they hit"
            }
    }

    package init(recurrences: [Recurrence], reopened: [Int64], verified: [Verified]) {
        self.recurrences = recurrences
        self.reopened = reopened
        self.verified = verified
    }
}
