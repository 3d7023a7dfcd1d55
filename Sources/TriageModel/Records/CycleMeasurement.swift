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

    package enum CodingKeys: String, CodingKey {
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

    package mutating func count(_ outcome: Outcome) {
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

        package init(clusterID: String? = nil, category: String, detail: String? = nil, testsBefore: Int, testsAfter: Int, stillFailing: Int) {
            self.clusterID = clusterID
            self.category = category
            self.detail = detail
            self.testsBefore = testsBefore
            self.testsAfter = testsAfter
            self.stillFailing = stillFailing
        }
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

    /// The verdict rule (the README states it): the same tests are measured twice, so the
    /// before and after pass rates are paired samples, and the test is McNemar's exact test on
    /// the tests that changed: improved when more went failing → passing than passing →
    /// failing and the two-sided p-value is below 0.05; regressed in the mirror case; no change
    /// otherwise. Inconclusive without a before or after run, or with fewer than 5 paired tests.
    package static func verdict(hasBefore: Bool, hasAfter: Bool, paired: Int, becamePassing: Int, becameFailing: Int) -> (
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

    package init(scope: String, beforeRunID: Int64? = nil, afterRunID: Int64? = nil, before: ScopeTotals? = nil, after: ScopeTotals? = nil, passedChange: Int? = nil, passRateChange: Double? = nil, fixed: [String], newlyFailing: [String], stillFailing: [String], remainingByCluster: [Group], remainingByCategory: [Group], pairedTests: Int, verdict: CycleVerdict, pValue: Double? = nil, verdictReason: String) {
        self.scope = scope
        self.beforeRunID = beforeRunID
        self.afterRunID = afterRunID
        self.before = before
        self.after = after
        self.passedChange = passedChange
        self.passRateChange = passRateChange
        self.fixed = fixed
        self.newlyFailing = newlyFailing
        self.stillFailing = stillFailing
        self.remainingByCluster = remainingByCluster
        self.remainingByCategory = remainingByCategory
        self.pairedTests = pairedTests
        self.verdict = verdict
        self.pValue = pValue
        self.verdictReason = verdictReason
    }
}

/// Wilson score interval of a proportion.
package enum Wilson {
    package static func interval(successes: Int, trials: Int, z: Double = 1.959964) -> (low: Double, high: Double)? {
        guard trials > 0 else { return nil }
        let n = Double(trials), p = Double(successes) / n
        let denominator = 1 + z * z / n
        let center = (p + z * z / (2 * n)) / denominator
        let half = z * ((p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()) / denominator
        return (max(0, center - half), min(1, center + half))
    }
}

/// McNemar's exact test: a two-sided binomial test of the discordant pairs at p = ½.
package enum McNemar {
    package static func exactPValue(_ b: Int, _ c: Int) -> Double {
        let n = b + c
        guard n > 0 else { return 1 }
        let k = min(b, c)
        var tail = 0.0
        for i in 0...k {
            tail += exp(logChoose(n, i) - Double(n) * log(2.0))
        }
        return min(1, 2 * tail)
    }

    package static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }
}
