import Foundation
import TriageModel
import TriageStore

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
