import Foundation

/// The knobs of the flakiness analysis (defaults documented in the README).
public struct FlakinessOptions: Sendable, Codable, Equatable {
    /// How many of the newest runs are looked at.
    public var window = 50
    /// Results a test needs in the window before the flip rate can call it flaky.
    public var minimumRuns = 5
    /// Share of consecutive results that flip (weighted toward recent runs) from which a test is flaky.
    public var flipThreshold = 0.1
    /// Weight kept per step back in time by the exponentially weighted flip rate.
    public var decay = 0.9
    /// A run where more than this share of the tests that ran failed is an infrastructure failure.
    public var infrastructureThreshold = 0.8
    /// Runs with fewer tests than this are never called infrastructure failures.
    public var infrastructureMinimumTests = 5
    /// Recent runs looked at for "broken".
    public var brokenWindow = 10
    /// Share of those runs a broken test fails in.
    public var brokenShare = 0.9
    /// Passing runs in a row after which a broken test counts as recovered; a flaky test needs
    /// as many as make its pass streak unlikely (under 5%) at its earlier failure rate.
    public var recoveredAfter = 3
    public var branch: String?

    public init() {}
}

/// What the history says about one test.
public enum TestState: String, Codable, Sendable, CaseIterable {
    case flaky
    case broken
    case recovered
    case stable
}

/// A kind of evidence of flakiness, named in the output.
public enum FlakyEvidence: String, Codable, Sendable, CaseIterable {
    /// Failed, then passed on a retry in the same run.
    case retried
    /// Passed and failed on the same commit in different runs.
    case sameCommit = "same-commit"
    /// The outcome flipped between consecutive runs often enough.
    case flipRate = "flip-rate"
}

/// One test in the flakiness ranking.
public struct FlakyEntry: Codable, Sendable, Equatable {
    public var test: String
    public var testID: Int64
    public var state: TestState
    /// 0…1; ranks the list: the weighted flip rate, or the share of runs that needed a retry if higher.
    public var score: Double
    public var evidence: [FlakyEvidence]
    /// Runs in the window where the test ran (skips and infrastructure runs left out).
    public var runs: Int
    public var failures: Int
    public var retriedRuns: Int
    /// Commits on which the test both passed and failed.
    public var sameCommitCount: Int
    public var flipRate: Double
    public var weightedFlipRate: Double
    /// Per test over the window: passed / (passed + failed + error).
    public var passRate: Double?
    public var mainCluster: StoredCluster?
    public var lastFailureRun: Int64?
    /// Oldest first: "P" passed, "F" failed or errored, "R" passed on retry.
    public var recent: String
}

/// The result of `triage flaky`.
public struct FlakyReport: Codable, Sendable, Equatable {
    public var options: FlakinessOptions
    /// Runs looked at, oldest first.
    public var runIDs: [Int64]
    /// Runs left out as infrastructure failures.
    public var infrastructureRuns: [Int64]
    /// Flaky, broken and recovered tests, flaky first by score, then broken, then recovered.
    public var tests: [FlakyEntry]

    public func tests(in state: TestState) -> [FlakyEntry] { tests.filter { $0.state == state } }
}

/// Finds flaky, broken and recovered tests from stored history.
public enum FlakinessAnalyzer {
    public static func analyze(_ database: TriageDatabase, options: FlakinessOptions = FlakinessOptions()) throws
        -> FlakyReport
    {
        let runs = try database.recentRuns(limit: options.window, branch: options.branch)
        let points = try database.results(inRuns: runs.map(\.id))
        var report = analyze(runs: runs, points: points, options: options)
        let testIDs = Set(report.tests.map(\.testID))
        let tests = try database.tests(ids: testIDs)
        let clusterIDs = Set(report.tests.compactMap { $0.mainCluster?.id })
        let clusters = try database.clusters(ids: clusterIDs)
        for index in report.tests.indices {
            report.tests[index].test = tests[report.tests[index].testID]?.displayID ?? "#\(report.tests[index].testID)"
            if let id = report.tests[index].mainCluster?.id { report.tests[index].mainCluster = clusters[id] }
        }
        return report
    }

    /// Whether a run is an infrastructure failure: most of what ran failed.
    public static func isInfrastructureFailure(_ totals: RunTotals, options: FlakinessOptions = FlakinessOptions())
        -> Bool
    {
        let ran = totals.passed + totals.failed + totals.errors
        guard ran >= options.infrastructureMinimumTests else { return false }
        return Double(totals.failed + totals.errors) / Double(ran) > options.infrastructureThreshold
    }

    /// The analysis itself, on runs (oldest first) and their results. Test names and clusters
    /// are filled in by the caller; entries carry ids.
    static func analyze(runs: [RunSummary], points: [ResultPoint], options: FlakinessOptions) -> FlakyReport {
        let infrastructure = Set(runs.filter { isInfrastructureFailure($0.totals, options: options) }.map(\.id))
        let order = Dictionary(uniqueKeysWithValues: runs.enumerated().map { ($1.id, $0) })
        let commits = Dictionary(uniqueKeysWithValues: runs.map { ($0.id, $0.metadata.commit) })
        var byTest: [Int64: [ResultPoint]] = [:]
        for point in points where point.outcome != .skipped && !infrastructure.contains(point.runID) {
            byTest[point.testID, default: []].append(point)
        }
        // Tests that did not run in the newest run were renamed, deleted or not scheduled:
        // nothing to fix there, so they are left out.
        let newest = runs.last?.id
        let present = Set(points.filter { $0.runID == newest }.map(\.testID))
        var entries: [FlakyEntry] = []
        for (testID, unsorted) in byTest where present.contains(testID) {
            let history = unsorted.sorted { (order[$0.runID] ?? 0) < (order[$1.runID] ?? 0) }
            if let entry = classify(testID: testID, history: history, commits: commits, options: options),
                entry.state != .stable
            {
                entries.append(entry)
            }
        }
        let rank: [TestState: Int] = [.flaky: 0, .broken: 1, .recovered: 2, .stable: 3]
        entries.sort {
            if $0.state != $1.state { return rank[$0.state, default: 3] < rank[$1.state, default: 3] }
            if $0.score != $1.score { return $0.score > $1.score }
            return $0.testID < $1.testID
        }
        return FlakyReport(
            options: options, runIDs: runs.map(\.id),
            infrastructureRuns: runs.map(\.id).filter(infrastructure.contains), tests: entries)
    }

    static func classify(testID: Int64, history: [ResultPoint], commits: [Int64: String?], options: FlakinessOptions)
        -> FlakyEntry?
    {
        guard !history.isEmpty else { return nil }
        let failed = history.map(\.outcome.isFailure)
        let flips = zip(failed, failed.dropFirst()).map { $0 != $1 }
        let flipRate = flips.isEmpty ? 0 : Double(flips.filter { $0 }.count) / Double(flips.count)
        var weightSum = 0.0, weighted = 0.0
        for (age, flipped) in flips.reversed().enumerated() {
            let weight = pow(options.decay, Double(age))
            weightSum += weight
            if flipped { weighted += weight }
        }
        let weightedFlipRate = weightSum == 0 ? 0 : weighted / weightSum
        let retriedRuns = history.filter(\.retried).count
        var outcomesByCommit: [String: Set<Bool>] = [:]
        for point in history {
            if let commit = commits[point.runID] ?? nil {
                outcomesByCommit[commit, default: []].insert(point.outcome.isFailure)
            }
        }
        let sameCommitCount = outcomesByCommit.values.filter { $0.count == 2 }.count
        let failures = failed.filter { $0 }.count
        var clusterCounts: [String: Int] = [:]
        for point in history where point.outcome.isFailure {
            if let cluster = point.clusterID { clusterCounts[cluster, default: 0] += 1 }
        }
        let mainCluster = clusterCounts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key

        var evidence: [FlakyEvidence] = []
        if retriedRuns > 0 { evidence.append(.retried) }
        if sameCommitCount > 0 { evidence.append(.sameCommit) }
        // One change of state is a regression or a fix, not flakiness: flip-rate evidence needs two.
        if history.count >= options.minimumRuns, flips.filter({ $0 }).count >= 2,
            max(weightedFlipRate, flipRate) >= options.flipThreshold
        {
            evidence.append(.flipRate)
        }

        let state = state(
            failed: failed, evidence: evidence, options: options, history: history, clusterCounts: clusterCounts)
        let score = max(weightedFlipRate, Double(retriedRuns) / Double(history.count))
        let recent = history.suffix(20).map { $0.retried ? "R" : $0.outcome.isFailure ? "F" : "P" }.joined()
        return FlakyEntry(
            test: "", testID: testID, state: state, score: (score * 1000).rounded() / 1000, evidence: evidence,
            runs: history.count, failures: failures, retriedRuns: retriedRuns, sameCommitCount: sameCommitCount,
            flipRate: (flipRate * 1000).rounded() / 1000, weightedFlipRate: (weightedFlipRate * 1000).rounded() / 1000,
            passRate: Double(history.count - failures) / Double(history.count),
            mainCluster: mainCluster.map { StoredCluster(id: $0, category: "", detail: nil, template: "") },
            lastFailureRun: history.last { $0.outcome.isFailure }?.runID, recent: recent)
    }

    private static func state(
        failed: [Bool], evidence: [FlakyEvidence], options: FlakinessOptions, history: [ResultPoint],
        clusterCounts: [String: Int]
    ) -> TestState {
        // Recovered: a streak of passes at the end, after the test was flaky or broken. The
        // streak must be long enough that a test failing as often as this one did before would
        // pass that many times in a row by chance less than 5% of the time (at least K runs).
        let streak = failed.reversed().prefix { !$0 }.count
        if streak >= options.recoveredAfter, streak < failed.count {
            let earlierFailed = Array(failed.dropLast(streak))
            let failureShare = Double(earlierFailed.filter { $0 }.count) / Double(earlierFailed.count)
            let needed =
                failureShare >= 0.999
                ? options.recoveredAfter
                : max(options.recoveredAfter, Int((log(0.05) / log(1 - failureShare)).rounded(.up)))
            let earlier = Array(history.dropLast(streak))
            if streak >= needed, isBroken(earlierFailed, history: earlier, options: options) || !evidence.isEmpty {
                return .recovered
            }
        }
        if isBroken(failed, history: history, options: options),
            !history.suffix(options.brokenWindow).contains(where: \.retried)
        {
            return .broken
        }
        return evidence.isEmpty ? .stable : .flaky
    }

    /// Fails in (nearly) every recent run, or in every run for a while now, with one root-cause
    /// category behind most of those failures. The category, not the cluster: a test that fails
    /// every run on a missing fixture whose name changes is red, not flaky.
    private static func isBroken(_ failed: [Bool], history: [ResultPoint], options: FlakinessOptions) -> Bool {
        let recent = failed.suffix(options.brokenWindow)
        guard recent.count >= min(options.minimumRuns, options.brokenWindow), failed.last == true else { return false }
        let share = Double(recent.filter { $0 }.count) / Double(recent.count)
        let streak = failed.reversed().prefix { $0 }.count
        guard share >= options.brokenShare || streak >= options.minimumRuns else { return false }
        var counts: [String?: Int] = [:]
        for point in history.suffix(options.brokenWindow) where point.outcome.isFailure {
            counts[point.category, default: 0] += 1
        }
        let top = counts.values.max() ?? 0
        return Double(top) / Double(max(1, recent.filter { $0 }.count)) >= 0.8
    }
}
