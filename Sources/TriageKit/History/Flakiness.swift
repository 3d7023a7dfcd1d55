import Foundation
import TriageModel
import TriageStore

/// The knobs of the flakiness analysis (defaults documented in the README).
public struct FlakinessOptions: Sendable, Codable, Equatable {
    /// How many of the newest runs are looked at.
    public var window = 50
    /// Results a test needs in the window before interleaved failures can call it flaky.
    public var minimumRuns = 5
    /// Weight kept per step back in time by the exponentially weighted flip rate.
    public var decay = 0.9
    /// A run where more than this share of the tests that ran failed is an infrastructure failure.
    public var infrastructureThreshold = 0.8
    /// A run where at least half of what ran failed, and at least this many times the window's
    /// median share of failures, is an infrastructure failure too (a partial outage); 0 turns it off.
    public var infrastructureMedianFactor = 6.0
    /// Runs with fewer tests than this are never called infrastructure failures.
    public var infrastructureMinimumTests = 5
    /// Recent runs looked at for "broken".
    public var brokenWindow = 10
    /// Share of those runs a broken test fails in.
    public var brokenShare = 0.9
    /// Clean passes in a row after which a broken test or a fixed regression counts as
    /// recovered; a flaky test needs as many as make its pass streak unlikely (under
    /// `recoveredChance`) had it kept failing as often as it did over the window.
    public var recoveredAfter = 3
    /// The chance below which a flaky test's final pass streak is not luck. Small, because it is
    /// tried on every flaky test: at 5%, one still-flaky test in twenty-five was called recovered
    /// on generated histories; at 1% a fixed test waits a few more runs.
    public var recoveredChance = 0.01
    public var branch: String?
    /// Only test-variants with all of these pairs (e.g. project=firefox); empty for all.
    public var variant = Variant.none

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
    /// Failures interleaved with passes: at least two separate stretches of failed runs.
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
    /// The variant this entry is about (empty without one).
    public var variant: Variant = .none
    /// When the test ran under several variants in the window and only some of them are flaky:
    /// those, as `key=value` (`project=firefox`).
    public var flakyOnlyOn: [String]?
    /// Separate stretches of failed runs in the window (passes, clean or on retry, end one).
    public var failingStretches: Int
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
        // A test that neither failed nor passed on retry in the window is stable whatever else
        // it did: only the others' results are read.
        let points = try database.results(inRuns: runs.map(\.id), failingTestsOnly: true)
        var report = analyze(runs: runs, points: points, options: options)
        let testIDs = Set(report.tests.map(\.testID))
        let tests = try database.tests(ids: testIDs)
        let clusterIDs = Set(report.tests.compactMap { $0.mainCluster?.id })
        let clusters = try database.clusters(ids: clusterIDs)
        for index in report.tests.indices {
            report.tests[index].test = tests[report.tests[index].testID]?.displayID ?? "#\(report.tests[index].testID)"
            report.tests[index].variant = tests[report.tests[index].testID]?.variant ?? .none
            if let id = report.tests[index].mainCluster?.id { report.tests[index].mainCluster = clusters[id] }
        }
        // Noted before the filter, so that "only" speaks of every variant, shown or not.
        try noteVariantsFlakyAlone(&report, tests: tests, runIDs: runs.map(\.id), database: database)
        if !options.variant.isEmpty {
            report.tests.removeAll { entry in
                options.variant.pairs.contains { entry.variant.pairs[$0.key] != $0.value }
            }
        }
        return report
    }

    /// Marks flaky entries of tests that ran under several variants in the window when only
    /// some of the variants are flaky ("flaky on project=firefox only").
    private static func noteVariantsFlakyAlone(
        _ report: inout FlakyReport, tests: [Int64: StoredTest], runIDs: [Int64], database: TriageDatabase
    ) throws {
        let varied = report.tests.filter { $0.state == .flaky && !$0.variant.isEmpty }
        guard !varied.isEmpty else { return }
        // Every variant of those tests that ran in the window (one lookup by id per 500 tests).
        var ranVariants: [TestIdentity: Set<Variant>] = [:]
        let bases = Set(varied.compactMap { tests[$0.testID]?.identity.withoutVariant })
        for test in try database.tests(ids: database.testIDs(inRuns: runIDs)).values
        where bases.contains(test.identity.withoutVariant) {
            ranVariants[test.identity.withoutVariant, default: []].insert(test.variant)
        }
        var flakyVariants: [TestIdentity: Set<Variant>] = [:]
        for entry in varied {
            guard let base = tests[entry.testID]?.identity.withoutVariant else { continue }
            flakyVariants[base, default: []].insert(entry.variant)
        }
        for index in report.tests.indices where report.tests[index].state == .flaky {
            guard let base = tests[report.tests[index].testID]?.identity.withoutVariant,
                let flaky = flakyVariants[base], let ran = ranVariants[base], ran.count > flaky.count
            else { continue }
            report.tests[index].flakyOnlyOn = flaky.sorted().map(\.canonical)
        }
    }

    /// Whether a run is an infrastructure failure: most of what ran failed.
    public static func isInfrastructureFailure(_ totals: RunTotals, options: FlakinessOptions = FlakinessOptions())
        -> Bool
    {
        let ran = totals.passed + totals.failed + totals.errors
        guard ran >= options.infrastructureMinimumTests else { return false }
        return Double(totals.failed + totals.errors) / Double(ran) > options.infrastructureThreshold
    }

    /// The runs of a window that are infrastructure failures: most of what ran failed (over
    /// `infrastructureThreshold`), or at least half of it failed where the window's typical run
    /// fails under a sixth as much, so that a partial outage (a service down for 60% of the
    /// suite) is no evidence against the tests it took down.
    static func infrastructureRuns(_ runs: [RunSummary], options: FlakinessOptions) -> Set<Int64> {
        func share(_ totals: RunTotals) -> Double? {
            let ran = totals.passed + totals.failed + totals.errors
            guard ran >= options.infrastructureMinimumTests else { return nil }
            return Double(totals.failed + totals.errors) / Double(ran)
        }
        let shares = runs.compactMap { share($0.totals) }.sorted()
        let median = shares.isEmpty ? 0 : shares[shares.count / 2]
        return Set(
            runs.filter { run in
                guard let value = share(run.totals) else { return false }
                return value > options.infrastructureThreshold
                    || (options.infrastructureMedianFactor > 0 && value >= 0.5
                        && value >= options.infrastructureMedianFactor * median)
            }.map(\.id))
    }

    /// The analysis itself, on runs (oldest first) and their results. Test names and clusters
    /// are filled in by the caller; entries carry ids.
    static func analyze(runs: [RunSummary], points: [ResultPoint], options: FlakinessOptions) -> FlakyReport {
        let infrastructure = infrastructureRuns(runs, options: options)
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
        let stretches = failingStretches(failed)
        var clusterCounts: [String: Int] = [:]
        for point in history where point.outcome.isFailure {
            if let cluster = point.clusterID { clusterCounts[cluster, default: 0] += 1 }
        }
        let mainCluster = clusterCounts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key

        var evidence: [FlakyEvidence] = []
        if retriedRuns > 0 { evidence.append(.retried) }
        if sameCommitCount > 0 { evidence.append(.sameCommit) }
        // Failures in one stretch are a regression (and its fix), however quickly the outcome
        // flipped; flakiness needs failures interleaved with passes: two stretches or more.
        if history.count >= options.minimumRuns, stretches >= 2 { evidence.append(.flipRate) }

        let state = state(history: history, evidence: evidence, options: options)
        let score = max(weightedFlipRate, Double(retriedRuns) / Double(history.count))
        let recent = history.suffix(20).map { $0.retried ? "R" : $0.outcome.isFailure ? "F" : "P" }.joined()
        return FlakyEntry(
            test: "", testID: testID, state: state, score: (score * 1000).rounded() / 1000, evidence: evidence,
            runs: history.count, failures: failures, retriedRuns: retriedRuns, sameCommitCount: sameCommitCount,
            flipRate: (flipRate * 1000).rounded() / 1000, weightedFlipRate: (weightedFlipRate * 1000).rounded() / 1000,
            passRate: Double(history.count - failures) / Double(history.count),
            mainCluster: mainCluster.map { StoredCluster(id: $0, category: "", detail: nil, template: "") },
            lastFailureRun: history.last { $0.outcome.isFailure }?.runID, failingStretches: stretches, recent: recent)
    }

    /// Separate stretches of failed results: a pass, clean or on retry, ends one.
    static func failingStretches(_ failed: [Bool]) -> Int {
        zip([false] + failed, failed).filter { !$0 && $1 }.count
    }

    private static func state(history: [ResultPoint], evidence: [FlakyEvidence], options: FlakinessOptions)
        -> TestState
    {
        let failed = history.map(\.outcome.isFailure)
        if isRecovered(history, evidence: evidence, options: options) { return .recovered }
        if isBroken(failed, history: history, regression: evidence.isEmpty, options: options),
            !history.suffix(options.brokenWindow).contains(where: \.retried),
            evidence.isEmpty || isUnlikelyStreak(history, failing: true, options: options)
        {
            return .broken
        }
        return evidence.isEmpty ? .stable : .flaky
    }

    /// Whether the final streak of failures (or of clean passes) of a flaky test is unlikely to be
    /// luck: had its other results been spread evenly over the window, all of them would have
    /// fallen before the streak less than `recoveredChance` of the time. With k such results
    /// among n, that chance is C(n - streak, k) / C(n, k).
    private static func isUnlikelyStreak(_ history: [ResultPoint], failing: Bool, options: FlakinessOptions) -> Bool {
        let isClean = { (point: ResultPoint) in !point.outcome.isFailure && !point.retried }
        let inStreak = { (point: ResultPoint) in failing ? point.outcome.isFailure : isClean(point) }
        let streak = history.reversed().prefix(while: inStreak).count
        let others = history.count - history.filter(inStreak).count
        var chance = 1.0
        for index in 0..<others { chance *= Double(history.count - streak - index) / Double(history.count - index) }
        return chance < options.recoveredChance
    }

    /// A streak of at least `recoveredAfter` clean passes at the end (a pass on retry is no clean
    /// pass) after the test was broken (a regression, one failing stretch of two runs or more,
    /// included), or after it was flaky if the streak is unlikely to be luck.
    private static func isRecovered(_ history: [ResultPoint], evidence: [FlakyEvidence], options: FlakinessOptions)
        -> Bool
    {
        let streak = history.reversed().prefix { !$0.outcome.isFailure && !$0.retried }.count
        guard streak >= options.recoveredAfter, streak < history.count else { return false }
        let earlier = Array(history.dropLast(streak))
        let earlierFailed = earlier.map(\.outcome.isFailure)
        if isBroken(earlierFailed, history: earlier, regression: evidence.isEmpty, options: options) { return true }
        return !evidence.isEmpty && isUnlikelyStreak(history, failing: false, options: options)
    }

    /// Fails the newest run, with one root-cause category behind most of its recent failures, and
    /// either fails (nearly) every recent run, or every run for a while now, or (when
    /// `regression` allows it: no retry, no same-commit flip) every run since a regression: one
    /// stretch of at least two failed runs, with no failure before it. The category, not the
    /// cluster: a test that fails every run on a missing fixture whose name changes is red, not
    /// flaky.
    private static func isBroken(
        _ failed: [Bool], history: [ResultPoint], regression: Bool, options: FlakinessOptions
    ) -> Bool {
        guard failed.last == true else { return false }
        let recent = failed.suffix(options.brokenWindow)
        let share = Double(recent.filter { $0 }.count) / Double(recent.count)
        let streak = failed.reversed().prefix { $0 }.count
        let isRed =
            recent.count >= min(options.minimumRuns, options.brokenWindow)
            && (share >= options.brokenShare || streak >= options.minimumRuns)
        let isRegression = regression && streak >= 2 && failingStretches(failed) == 1
        guard isRed || isRegression else { return false }
        var counts: [String?: Int] = [:]
        for point in history.suffix(options.brokenWindow) where point.outcome.isFailure {
            counts[point.category, default: 0] += 1
        }
        let top = counts.values.max() ?? 0
        return Double(top) / Double(max(1, recent.filter { $0 }.count)) >= 0.8
    }
}
