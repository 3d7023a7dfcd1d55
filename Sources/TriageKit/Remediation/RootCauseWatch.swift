import Foundation

/// A point in the history after which runs count for a fix: the newest run stored when a
/// record was marked fixed, or a cycle's after run. No run: every run counts.
struct FixPoint: Sendable, Equatable {
    var runID: Int64?
    var runAt: String?
}

/// A Five-Whys record marked fixed or verified, as the watch reads it.
struct FixedWhys: Sendable {
    var id: Int64
    var problem: String
    var status: WhysStatus
    var clusterIDs: [String]
    var fixedAt: String?
    var point: FixPoint
}

/// A failing result of a run in one of the clusters looked for.
struct ClusterHit: Sendable {
    var testID: Int64
    var test: String
    var clusterID: String
}

/// How long a cause has been absent from one test since a fix.
struct CleanRuns: Sendable, Equatable {
    /// Runs of the test (not skipped) without the cause, after the fix and after its last presence.
    var clean: Int
    /// The last run after the fix in which the test had the cause (failing or rescued by a retry).
    var lastPresentRunID: Int64?
    var lastPresentFailed: Bool
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
    }

    public var requiredRuns: Int
    /// The fewest clean runs of any test the causes hit (capped at `requiredRuns`).
    public var cleanRuns: Int
    public var isVerified: Bool
    /// Per test, fewest clean runs first.
    public var tests: [TestProgress]

    /// "7 of 10 clean runs".
    public var progress: String { "\(cleanRuns) of \(requiredRuns) clean runs" }
}

/// What the watch did after a run was stored.
public struct RootCauseNews: Codable, Sendable, Equatable {
    public struct Verified: Codable, Sendable, Equatable {
        public var id: Int64
        public var problem: String
        public var cleanRuns: Int
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
}

/// Ties what was learned about causes to the runs that follow: a fixed cause that fails again
/// reopens its record (and is noted on a successful cycle that removed it); a fixed record
/// whose causes stay away long enough becomes verified. The rules are in the README.
public enum RootCauseWatch {
    /// Clean runs of every test a cause hit before a fix counts as verified.
    public static let defaultCleanRuns = 10

    /// Looks at run `runID` (just stored) for recurrences, notes them (records move back to
    /// `open`), then moves `fixed` records whose causes have stayed away to `verified`.
    public static func check(_ database: TriageDatabase, runID: Int64, cleanRuns: Int, now: Date = Date()) throws
        -> RootCauseNews
    {
        var found: [Recurrence] = []
        for record in try database.fixedWhys() {
            guard try database.run(runID, isAfter: record.point) else { continue }
            let hits = try database.failures(runID: runID, clusterIDs: Set(record.clusterIDs))
            found += recurrences(
                hits, runID: runID, whysID: record.id, cycleID: nil, title: record.problem,
                previousStatus: record.status.rawValue, fixedAt: record.fixedAt)
        }
        for cycle in try database.allCycles() where cycle.status == .success {
            guard let removal = try removal(database, cycle),
                try database.run(runID, isAfter: removal.point)
            else { continue }
            let hits = try database.failures(runID: runID, clusterIDs: removal.clusters).filter {
                removal.scope[$0.testID] != nil
            }
            found += try recurrences(
                hits, runID: runID, whysID: nil, cycleID: cycle.id, title: "\(cycle.effort), \(cycle.label)",
                previousStatus: cycle.status.rawValue, fixedAt: cycle.closedAt
            ).filter { try !database.cycleRecurred(cycleID: cycle.id, clusterID: $0.clusterID) }
        }
        let noted = try database.record(found, now: now)

        var ready: [Int64: (problem: String, clean: Int)] = [:]
        for record in try database.fixedWhys() where record.status == .fixed {
            let verification = try verification(
                database, clusterIDs: record.clusterIDs, point: record.point, requiredRuns: cleanRuns)
            if verification.isVerified { ready[record.id] = (record.problem, verification.cleanRuns) }
        }
        let moved = try database.markVerified(ready.keys.sorted(), now: now)
        return RootCauseNews(
            recurrences: try database.recurrences(.run(runID)),
            reopened: Array(Set(noted.compactMap(\.whysID))).sorted(),
            verified: moved.compactMap { id in
                ready[id].map { RootCauseNews.Verified(id: id, problem: $0.problem, cleanRuns: $0.clean) }
            })
    }

    /// One recurrence per cluster hit, naming its tests.
    private static func recurrences(
        _ hits: [ClusterHit], runID: Int64, whysID: Int64?, cycleID: Int64?, title: String, previousStatus: String,
        fixedAt: String?
    ) -> [Recurrence] {
        Dictionary(grouping: hits, by: \.clusterID).sorted { $0.key < $1.key }.map { clusterID, hits in
            Recurrence(
                runID: runID, clusterID: clusterID, category: "", detail: nil, whysID: whysID, cycleID: cycleID,
                title: title, previousStatus: previousStatus, fixedAt: fixedAt, tests: hits.map(\.test),
                detectedAt: nil)
        }
    }

    /// Whether a record's causes have stayed away: for each test they hit, the runs since the
    /// fix (and since the cause was last seen on that test) in which the test ran without them.
    static func verification(
        _ database: TriageDatabase, clusterIDs: [String], point: FixPoint, requiredRuns: Int
    ) throws -> Verification {
        let counts = try database.cleanRuns(clusterIDs: clusterIDs, after: point)
        let names = try database.testNames(Set(counts.keys))
        let cluster = clusterIDs.count == 1 ? clusterIDs[0] : clusterIDs.joined(separator: ", ")
        return summarize(
            counts.map { testID, count in (names[testID] ?? "#\(testID)", cluster, count) }, requiredRuns: requiredRuns)
    }

    private static func summarize(_ tests: [(test: String, cluster: String, count: CleanRuns)], requiredRuns: Int)
        -> Verification
    {
        let progress = tests.map { test, cluster, count in
            Verification.TestProgress(
                test: test, cluster: cluster, cleanRuns: min(count.clean, requiredRuns),
                isVerified: count.clean >= requiredRuns,
                recurredInRun: count.lastPresentFailed ? count.lastPresentRunID : nil)
        }.sorted { ($0.cleanRuns, $0.test) < ($1.cleanRuns, $1.test) }
        let least = progress.first?.cleanRuns ?? 0
        return Verification(
            requiredRuns: requiredRuns, cleanRuns: least, isVerified: !progress.isEmpty && least >= requiredRuns,
            tests: progress)
    }

    /// Where a record stands: its verification while fixed, and the recurrences noted for it.
    static func annotate(_ database: TriageDatabase, _ record: inout FiveWhys, cleanRuns: Int) throws {
        record.recurrences = try database.recurrences(.whys(record.id))
        guard record.status == .fixed || record.status == .verified,
            let fixed = try database.fixedWhys().first(where: { $0.id == record.id })
        else { return }
        record.verification = try verification(
            database, clusterIDs: fixed.clusterIDs, point: fixed.point, requiredRuns: cleanRuns)
    }

    // MARK: - Cycles

    /// What a closed cycle removed: the clusters that failed tests in scope in its before run
    /// and none in its after run, and the point (its after run) from which they count as back.
    struct Removal {
        var clusters: Set<String>
        var scope: [Int64: StoredTest]
        var point: FixPoint
        /// Each fixed test (failing before, passing after) with the cluster it failed with before.
        var fixed: [(testID: Int64, clusterID: String?)]
    }

    static func removal(_ database: TriageDatabase, _ cycle: RemediationCycle) throws -> Removal? {
        guard cycle.status != .open, let measurement = cycle.measurement, let before = measurement.beforeRunID,
            let after = measurement.afterRunID
        else { return nil }
        guard let scope = try? RemediationCycles.tests(database, in: TestScope(cycle.scope)) else { return nil }
        let points = try database.results(inRuns: [before, after]).filter { scope[$0.testID] != nil }
        let failingBefore = points.filter { $0.runID == before && $0.outcome.isFailure }
        let afterByTest = Dictionary(
            points.filter { $0.runID == after }.map { ($0.testID, $0) }, uniquingKeysWith: { first, _ in first })
        let stillThere = Set(afterByTest.values.filter(\.outcome.isFailure).compactMap(\.clusterID))
        let clusters = Set(failingBefore.compactMap(\.clusterID)).subtracting(stillThere)
        let fixed = failingBefore.filter { afterByTest[$0.testID]?.outcome == .passed }.map {
            (testID: $0.testID, clusterID: $0.clusterID)
        }
        return Removal(clusters: clusters, scope: scope, point: try database.fixPoint(ofRun: after), fixed: fixed)
    }

    /// Per fixed test of a closed cycle: the runs since the cycle's after run in which the
    /// cluster it failed with before stayed away. Nil for an open cycle.
    static func fixedTestVerification(_ database: TriageDatabase, _ cycle: RemediationCycle, requiredRuns: Int)
        throws -> Verification?
    {
        guard let removal = try removal(database, cycle), !removal.fixed.isEmpty else { return nil }
        let names = try database.testNames(Set(removal.fixed.map(\.testID)))
        var tests: [(test: String, cluster: String, count: CleanRuns)] = []
        for (clusterID, group) in Dictionary(grouping: removal.fixed, by: { $0.clusterID ?? "" }) {
            let ids = Set(group.map(\.testID))
            let counts: [Int64: CleanRuns]
            if clusterID.isEmpty {
                // A failure without a cluster: any failure counts as the cause again; none is
                // recorded, so every later run of the test counts as clean.
                counts = try database.cleanRuns(clusterIDs: ["-"], after: removal.point, testIDs: ids)
            } else {
                counts = try database.cleanRuns(clusterIDs: [clusterID], after: removal.point, testIDs: ids)
            }
            for (testID, count) in counts {
                tests.append((names[testID] ?? "#\(testID)", clusterID.isEmpty ? "-" : clusterID, count))
            }
        }
        return summarize(tests, requiredRuns: requiredRuns)
    }
}
