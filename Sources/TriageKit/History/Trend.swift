import Foundation
import TriageModel
import TriageStore

/// Pass rate per run over recent history: what `triage trend` prints.
public struct Trend: Codable, Sendable, Equatable {
    public struct Point: Codable, Sendable, Equatable {
        public var runID: Int64
        public var createdAt: String
        public var branch: String?
        public var commit: String?
        public var totals: RunTotals
        public var passRate: Double?
        public var isInfrastructureFailure: Bool
    }

    public var branch: String?
    /// Oldest first.
    public var points: [Point]

    /// Scaled to the range of the pass rates (see `range`).
    public var sparkline: String { Sparkline.renderScaled(points.map(\.passRate)) }

    /// "79.0%–93.0%": the lowest and highest pass rate the sparkline spans; nil without any.
    public var range: String? {
        let rates = points.compactMap(\.passRate)
        guard let low = rates.min(), let high = rates.max() else { return nil }
        return "\(low.percent)–\(high.percent)"
    }

    /// Change of the pass rate from the first to the last run of the trend.
    public var change: Double? {
        guard let first = points.first?.passRate, let last = points.last?.passRate else { return nil }
        return last - first
    }

    public static func load(
        _ database: TriageDatabase, last: Int, branch: String? = nil, options: FlakinessOptions = FlakinessOptions()
    ) throws -> Trend {
        let runs = try database.recentRuns(limit: last, branch: branch)
        return Trend(
            branch: branch,
            points: runs.map { run in
                Point(
                    runID: run.id, createdAt: run.createdAt, branch: run.metadata.branch, commit: run.metadata.commit,
                    totals: run.totals, passRate: run.totals.passRate,
                    isInfrastructureFailure: FlakinessAnalyzer.isInfrastructureFailure(run.totals, options: options))
            })
    }
}

/// What changed between two runs: what `triage diff A B` prints.
public struct RunComparison: Codable, Sendable, Equatable {
    public struct TestChange: Codable, Sendable, Equatable {
        public var test: String
        public var before: Outcome?
        public var after: Outcome?
        public var cluster: StoredCluster?
    }

    public struct ClusterChange: Codable, Sendable, Equatable {
        public var cluster: StoredCluster
        public var testsBefore: Int
        public var testsAfter: Int
    }

    public var before: RunSummary
    public var after: RunSummary
    public var passRateBefore: Double?
    public var passRateAfter: Double?
    public var passRateChange: Double?
    /// Failing after, not failing (or absent) before.
    public var newFailures: [TestChange]
    /// Failing before, passing after.
    public var fixed: [TestChange]
    public var stillFailing: [TestChange]
    public var newClusters: [ClusterChange]
    public var goneClusters: [ClusterChange]
    /// Clusters failing in both runs.
    public var remainingClusters: [ClusterChange]
    public var addedTests: [String]
    public var removedTests: [String]

    public static func compare(_ database: TriageDatabase, before beforeID: Int64, after afterID: Int64) throws
        -> RunComparison
    {
        let before = try database.run(id: beforeID)
        let after = try database.run(id: afterID)
        let points = try database.results(inRuns: [beforeID, afterID])
        let old = Dictionary(
            points.filter { $0.runID == beforeID }.map { ($0.testID, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(
            points.filter { $0.runID == afterID }.map { ($0.testID, $0) }, uniquingKeysWith: { first, _ in first })
        let tests = try database.tests(ids: Set(old.keys).union(new.keys))
        let clusters = try database.clusters(ids: Set(points.compactMap(\.clusterID)))
        // Each name built once: sorting compares them many times.
        let ids = Set(old.keys).union(new.keys)
        let names = Dictionary(uniqueKeysWithValues: ids.map { ($0, tests[$0]?.displayID ?? "#\($0)") })
        func name(_ id: Int64) -> String { names[id] ?? "#\(id)" }
        func change(_ id: Int64) -> TestChange {
            TestChange(
                test: name(id), before: old[id]?.outcome, after: new[id]?.outcome,
                cluster: (new[id]?.clusterID ?? old[id]?.clusterID).flatMap { clusters[$0] })
        }
        var newFailures: [TestChange] = [], fixed: [TestChange] = [], still: [TestChange] = []
        for id in ids.sorted(by: { name($0) < name($1) }) {
            let wasFailing = old[id]?.outcome.isFailure ?? false
            let isFailing = new[id]?.outcome.isFailure ?? false
            if isFailing, !wasFailing { newFailures.append(change(id)) }
            if wasFailing, new[id]?.outcome == .passed { fixed.append(change(id)) }
            if wasFailing, isFailing { still.append(change(id)) }
        }
        func clusterCounts(_ results: [Int64: ResultPoint]) -> [String: Int] {
            var counts: [String: Int] = [:]
            for point in results.values where point.outcome.isFailure {
                if let id = point.clusterID { counts[id, default: 0] += 1 }
            }
            return counts
        }
        let oldClusters = clusterCounts(old), newClusters = clusterCounts(new)
        func clusterChanges(_ ids: Set<String>) -> [ClusterChange] {
            ids.compactMap { id in
                clusters[id].map {
                    ClusterChange(cluster: $0, testsBefore: oldClusters[id] ?? 0, testsAfter: newClusters[id] ?? 0)
                }
            }.sorted {
                max($0.testsBefore, $0.testsAfter) > max($1.testsBefore, $1.testsAfter)
                    || (max($0.testsBefore, $0.testsAfter) == max($1.testsBefore, $1.testsAfter)
                        && $0.cluster.id < $1.cluster.id)
            }
        }
        let oldKeys = Set(oldClusters.keys), newKeys = Set(newClusters.keys)
        return RunComparison(
            before: before, after: after, passRateBefore: before.totals.passRate, passRateAfter: after.totals.passRate,
            passRateChange: after.totals.passRate.flatMap { a in before.totals.passRate.map { a - $0 } },
            newFailures: newFailures, fixed: fixed, stillFailing: still,
            newClusters: clusterChanges(newKeys.subtracting(oldKeys)),
            goneClusters: clusterChanges(oldKeys.subtracting(newKeys)),
            remainingClusters: clusterChanges(newKeys.intersection(oldKeys)),
            addedTests: Set(new.keys).subtracting(old.keys).map(name).sorted(),
            removedTests: Set(old.keys).subtracting(new.keys).map(name).sorted())
    }
}

/// One test's outcome per run: what `triage history TEST` prints.
public struct TestHistory: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var runID: Int64
        public var createdAt: String
        public var commit: String?
        public var branch: String?
        public var outcome: Outcome
        public var retried: Bool
        public var duration: Double?
        public var cluster: StoredCluster?
        public var message: String?
    }

    public var test: StoredTest
    public var testID: String
    /// Oldest first.
    public var entries: [Entry]
    public var passRate: Double?

    public static func load(_ database: TriageDatabase, test query: String, limit: Int = 50) throws -> TestHistory {
        try load(database, test: try database.findTest(query), limit: limit)
    }

    /// The history of every variant of the test a name matches (one entry without variants):
    /// `name` alone for a test run on several browsers shows each browser's history.
    public static func loadVariants(_ database: TriageDatabase, test query: String, limit: Int = 50) throws
        -> [TestHistory]
    {
        try database.findTests(query, allVariants: true).map { try load(database, test: $0, limit: limit) }
    }

    static func load(_ database: TriageDatabase, test: StoredTest, limit: Int) throws -> TestHistory {
        let timeline = try database.timeline(testID: test.id, limit: limit)
        let clusters = try database.clusters(ids: Set(timeline.compactMap(\.point.clusterID)))
        let entries = timeline.map { item in
            Entry(
                runID: item.run.id, createdAt: item.run.createdAt, commit: item.run.metadata.commit,
                branch: item.run.metadata.branch,
                outcome: item.point.outcome, retried: item.point.retried, duration: item.point.duration,
                cluster: item.point.clusterID.flatMap { clusters[$0] }, message: item.message)
        }
        let ran = entries.filter { $0.outcome != .skipped }
        let passRate = ran.isEmpty ? nil : Double(ran.filter { $0.outcome == .passed }.count) / Double(ran.count)
        return TestHistory(test: test, testID: test.displayID, entries: entries, passRate: passRate)
    }
}
