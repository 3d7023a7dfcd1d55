import Foundation

/// Outcome counts of the in-scope tests in one run.
public struct ScopeTotals: Codable, Sendable, Equatable {
    public var runID: Int64?
    public var tests = 0
    public var passed = 0
    public var failed = 0
    public var errors = 0
    public var skipped = 0
    /// failed + errors.
    public var failing: Int { failed + errors }
    /// passed / (passed + failed + errors); nil when nothing ran.
    public var passRate: Double? {
        RunTotals(tests: tests, passed: passed, failed: failed, errors: errors, skipped: skipped).passRate
    }
    /// The 95% Wilson score interval of the pass rate, [low, high]; nil when nothing ran.
    public var passRateInterval: [Double]? {
        Wilson.interval(successes: passed, trials: passed + failed + errors).map { [$0.low, $0.high] }
    }

    public init(runID: Int64? = nil) {
        self.runID = runID
    }

    enum CodingKeys: String, CodingKey {
        case runID, tests, passed, failed, errors, skipped, failing, passRate, passRateInterval
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runID = try container.decodeIfPresent(Int64.self, forKey: .runID)
        tests = try container.decode(Int.self, forKey: .tests)
        passed = try container.decode(Int.self, forKey: .passed)
        failed = try container.decode(Int.self, forKey: .failed)
        errors = try container.decode(Int.self, forKey: .errors)
        skipped = try container.decode(Int.self, forKey: .skipped)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(runID, forKey: .runID)
        try container.encode(tests, forKey: .tests)
        try container.encode(passed, forKey: .passed)
        try container.encode(failed, forKey: .failed)
        try container.encode(errors, forKey: .errors)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(failing, forKey: .failing)
        try container.encodeIfPresent(passRate, forKey: .passRate)
        try container.encodeIfPresent(passRateInterval, forKey: .passRateInterval)
    }

    mutating func count(_ outcome: Outcome) {
        tests += 1
        switch outcome {
        case .passed: passed += 1
        case .failed: failed += 1
        case .error: errors += 1
        case .skipped: skipped += 1
        }
    }
}

/// Whether a cycle moved the pass rate of its scope.
public enum CycleVerdict: String, Codable, Sendable, CaseIterable {
    case improved
    case noChange = "no change"
    case regressed
    case inconclusive
}

/// The before/after figures of a remediation cycle, counting only the tests in its scope.
public struct CycleMeasurement: Codable, Sendable, Equatable {
    /// Failing tests of one cluster (or category) before and after.
    public struct Group: Codable, Sendable, Equatable {
        public var clusterID: String?
        public var category: String
        public var detail: String?
        public var testsBefore: Int
        public var testsAfter: Int
        /// Failing both before and after.
        public var stillFailing: Int
    }

    public var scope: String
    public var beforeRunID: Int64?
    public var afterRunID: Int64?
    public var before: ScopeTotals?
    public var after: ScopeTotals?
    /// after.passed − before.passed ("+9 tests").
    public var passedChange: Int?
    public var passRateChange: Double?
    /// In scope, failing before and passing after.
    public var fixed: [String]
    /// In scope, failing after and not failing (or absent, or skipped) before.
    public var newlyFailing: [String]
    /// In scope, failing before and after.
    public var stillFailing: [String]
    /// The clusters failing in the after run (still and newly failing tests), most tests
    /// first, with their failing tests before; without an after run, the before run's.
    public var remainingByCluster: [Group]
    public var remainingByCategory: [Group]
    /// Tests in scope that passed or failed in both runs: the pairs the verdict is based on.
    public var pairedTests: Int
    public var verdict: CycleVerdict
    /// Two-sided exact McNemar p-value; nil when inconclusive.
    public var pValue: Double?
    public var verdictReason: String

    /// The fewest paired tests for which a verdict is given.
    public static let minimumPairedTests = 5
    public static let significance = 0.05

    /// Measures `scope` between two runs (either may be nil: the verdict is then inconclusive).
    static func measure(
        _ database: TriageDatabase, scope: TestScope, inScope: [Int64: StoredTest], before: Int64?, after: Int64?
    ) throws -> CycleMeasurement {
        let points = try database.results(inRuns: [before, after].compactMap { $0 }).filter {
            inScope[$0.testID] != nil
        }
        let old = Dictionary(
            points.filter { $0.runID == before }.map { ($0.testID, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(
            points.filter { $0.runID == after }.map { ($0.testID, $0) }, uniquingKeysWith: { first, _ in first })
        func totals(_ runID: Int64?, _ results: [Int64: ResultPoint]) -> ScopeTotals? {
            guard let runID else { return nil }
            var totals = ScopeTotals(runID: runID)
            for point in results.values { totals.count(point.outcome) }
            return totals
        }
        let beforeTotals = totals(before, old), afterTotals = totals(after, new)

        var fixed: [String] = [], newlyFailing: [String] = [], still: [String] = []
        if let before, let after {
            // The run comparison names the changes; only the tests in scope count here.
            let names = Set(inScope.values.map(\.displayID))
            let comparison = try RunComparison.compare(database, before: before, after: after)
            fixed = comparison.fixed.map(\.test).filter(names.contains)
            newlyFailing = comparison.newFailures.map(\.test).filter(names.contains)
            still = comparison.stillFailing.map(\.test).filter(names.contains)
        }

        var paired = 0, becamePassing = 0, becameFailing = 0
        for (testID, was) in old {
            guard let now = new[testID], was.outcome != .skipped, now.outcome != .skipped else { continue }
            paired += 1
            if was.outcome.isFailure, now.outcome == .passed { becamePassing += 1 }
            if was.outcome == .passed, now.outcome.isFailure { becameFailing += 1 }
        }
        let (verdict, pValue, reason) = Self.verdict(
            hasBefore: before != nil, hasAfter: after != nil, paired: paired, becamePassing: becamePassing,
            becameFailing: becameFailing)

        let clusters = try database.clusters(ids: Set(points.compactMap(\.clusterID)))
        // Each failing test counts under the cluster of its failure in that run.
        var byCluster: [String: Group] = [:], byCategory: [String: Group] = [:]
        func tally(_ point: ResultPoint, _ update: (inout Group) -> Void) {
            let cluster = point.clusterID.flatMap { clusters[$0] }
            let category = cluster?.category ?? "unclustered"
            update(
                &byCluster[
                    cluster?.id ?? "",
                    default: Group(
                        clusterID: cluster?.id, category: category, detail: cluster?.detail, testsBefore: 0,
                        testsAfter: 0, stillFailing: 0)])
            update(
                &byCategory[
                    category,
                    default: Group(
                        clusterID: nil, category: category, detail: nil, testsBefore: 0, testsAfter: 0, stillFailing: 0)
                ])
        }
        for point in old.values where point.outcome.isFailure { tally(point) { $0.testsBefore += 1 } }
        for point in new.values where point.outcome.isFailure {
            tally(point) { $0.testsAfter += 1 }
            if old[point.testID]?.outcome.isFailure == true { tally(point) { $0.stillFailing += 1 } }
        }
        func ordered(_ groups: [Group]) -> [Group] {
            groups.filter { after == nil ? $0.testsBefore > 0 : $0.testsAfter > 0 }.sorted {
                ($0.testsAfter, $0.testsBefore, $1.clusterID ?? $1.category) > (
                    $1.testsAfter, $1.testsBefore, $0.clusterID ?? $0.category
                )
            }
        }
        return CycleMeasurement(
            scope: scope.pattern, beforeRunID: before, afterRunID: after, before: beforeTotals, after: afterTotals,
            passedChange: afterTotals.flatMap { a in beforeTotals.map { a.passed - $0.passed } },
            passRateChange: afterTotals?.passRate.flatMap { a in beforeTotals?.passRate.map { a - $0 } },
            fixed: fixed, newlyFailing: newlyFailing, stillFailing: still,
            remainingByCluster: ordered(Array(byCluster.values)),
            remainingByCategory: ordered(Array(byCategory.values)),
            pairedTests: paired, verdict: verdict, pValue: pValue, verdictReason: reason)
    }

    /// The verdict rule (the README states it): the same tests are measured twice, so the
    /// before and after pass rates are paired samples, and the test is McNemar's exact test on
    /// the tests that changed: improved when more went failing → passing than passing →
    /// failing and the two-sided p-value is below 0.05; regressed in the mirror case; no change
    /// otherwise. Inconclusive without a before or after run, or with fewer than 5 paired tests.
    static func verdict(hasBefore: Bool, hasAfter: Bool, paired: Int, becamePassing: Int, becameFailing: Int) -> (
        CycleVerdict, Double?, String
    ) {
        guard hasBefore else { return (.inconclusive, nil, "no run with results in scope before the cycle started") }
        guard hasAfter else {
            return (.inconclusive, nil, "no run with results in scope since the cycle started; ingest one")
        }
        guard paired >= minimumPairedTests else {
            return (
                .inconclusive, nil,
                "only \(paired) tests in scope ran in both runs; at least \(minimumPairedTests) are needed for a verdict"
            )
        }
        let p = McNemar.exactPValue(becamePassing, becameFailing)
        let figures =
            "\(becamePassing) failing → passing, \(becameFailing) passing → failing, p = \(String(format: "%.4f", p))"
        if p < significance, becamePassing > becameFailing { return (.improved, p, figures) }
        if p < significance, becameFailing > becamePassing { return (.regressed, p, figures) }
        return (.noChange, p, figures + " (not below \(significance))")
    }
}

/// Wilson score interval of a proportion.
enum Wilson {
    static func interval(successes: Int, trials: Int, z: Double = 1.959964) -> (low: Double, high: Double)? {
        guard trials > 0 else { return nil }
        let n = Double(trials), p = Double(successes) / n
        let denominator = 1 + z * z / n
        let center = (p + z * z / (2 * n)) / denominator
        let half = z * ((p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()) / denominator
        return (max(0, center - half), min(1, center + half))
    }
}

/// McNemar's exact test: a two-sided binomial test of the discordant pairs at p = ½.
enum McNemar {
    static func exactPValue(_ b: Int, _ c: Int) -> Double {
        let n = b + c
        guard n > 0 else { return 1 }
        let k = min(b, c)
        var tail = 0.0
        for i in 0...k {
            tail += exp(logChoose(n, i) - Double(n) * log(2.0))
        }
        return min(1, 2 * tail)
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }
}
