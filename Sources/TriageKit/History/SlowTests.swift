import Foundation
import TriageModel
import TriageStore

/// The knobs of `triage slow` (defaults documented in the README).
public struct SlowOptions: Sendable, Codable, Equatable {
    /// How many of the newest runs are looked at.
    public var last = 30
    public var branch: String?
    /// Only runs of this CI job (`triage ci`: totals of other jobs ran other tests).
    public var job: String?
    /// How many of the slowest tests are listed.
    public var limit = 20
    /// Passing runs a test needs on each side of a rise.
    public var minimumRunsEachSide = 3
    /// The false discovery rate over all tests tried (Benjamini–Hochberg).
    public var falseDiscoveryRate = 0.05
    /// A rise must make the median at least this much larger (0.2: 20 %)…
    public var minimumRatio = 0.2
    /// …and at least this many seconds longer, so that noise on very short tests is not a rise.
    public var minimumSeconds = 0.05
    /// For warnings (`report status`, `triage ci`): only rises that began in this many newest
    /// runs; 0 for every rise in the window.
    public var recentRuns = 0

    public init() {}
}

/// One test's durations over the window.
public struct SlowTest: Codable, Sendable, Equatable {
    public var test: String
    public var testID: Int64
    /// Passing runs with a duration.
    public var runs: Int
    public var median: Double
    /// The 95th percentile (nearest rank).
    public var p95: Double
    /// The duration in the newest run it passed in.
    public var latest: Double
}

/// A test whose duration rose: its later runs are slower than its earlier ones by a rank test.
public struct DurationRise: Codable, Sendable, Equatable {
    public var test: String
    public var testID: Int64
    /// The first run of the slower stretch.
    public var startedRunID: Int64
    public var runsBefore: Int
    public var runsAfter: Int
    public var medianBefore: Double
    public var medianAfter: Double
    /// medianAfter / medianBefore − 1; absent when the earlier median is 0.
    public var change: Double?
    /// One-sided Mann–Whitney U p-value, multiplied by the number of starting runs tried.
    public var pValue: Double
}

/// The run's total test time against the runs before it.
public struct RunTime: Codable, Sendable, Equatable {
    public var runID: Int64
    /// Sum of the durations of the run's results, in seconds.
    public var total: Double
    /// Median total of the runs before it in the window; absent with none.
    public var previousMedian: Double?
    public var previousRuns: Int
    /// total / previousMedian − 1.
    public var change: Double?
}

/// The result of `triage slow`.
public struct SlowReport: Codable, Sendable, Equatable {
    public var options: SlowOptions
    /// Runs looked at, oldest first.
    public var runIDs: [Int64]
    /// Slowest by median, then by p95.
    public var slowest: [SlowTest]
    /// Largest rise first.
    public var rises: [DurationRise]
    /// The newest run's total test time; absent without runs.
    public var runTime: RunTime?
}

/// Finds the slowest tests and the tests whose duration rose, from stored durations.
public enum SlowTestAnalyzer {
    public static func analyze(_ database: TriageDatabase, options: SlowOptions = SlowOptions()) throws -> SlowReport {
        let runIDs = try database.recentRuns(limit: options.last, branch: options.branch, job: options.job).map(\.id)
        let sums = try database.durationTotals(inRuns: runIDs, cap: durationCap)
        // Only the durations of the tests that can make the report are read (a few hundred of
        // thousands of results, on a suite whose slowest tests stand out).
        let summaries = try database.passingDurationSummaries(inRuns: runIDs)
        let wanted = testsThatCanReport(summaries, options: options)
        let points = try database.passingDurations(
            inRuns: runIDs, tests: wanted.count * 2 > summaries.count ? nil : wanted
        ).filter { wanted.contains($0.testID) }
        var report = analyze(
            runIDs: runIDs, totals: runIDs.map { roundedToMicroseconds(sums[$0] ?? 0) }, byTest: series(points, runIDs: runIDs),
            options: options)
        let names = try database.tests(ids: Set(report.slowest.map(\.testID) + report.rises.map(\.testID)))
        for index in report.slowest.indices {
            report.slowest[index].test =
                names[report.slowest[index].testID]?.displayID ?? "#\(report.slowest[index].testID)"
        }
        for index in report.rises.indices {
            report.rises[index].test = names[report.rises[index].testID]?.displayID ?? "#\(report.rises[index].testID)"
        }
        return report
    }

    /// The longest a single duration counts for in a run's total, in seconds.
    static let durationCap = 1e9

    /// The tests whose durations can change the report: each test whose range is wide enough
    /// for a rise, and each that can be among the `limit` slowest. A test whose highest
    /// duration is below the `limit`-th largest lowest duration cannot: that many tests have
    /// a larger median than any of its durations.
    static func testsThatCanReport(_ summaries: [DurationSummary], options: SlowOptions) -> Set<Int64> {
        let lowests = summaries.map(\.lowest).sorted(by: >)
        let bar = options.limit <= 0 ? Double.infinity : lowests.count < options.limit ? -Double.infinity : lowests[options.limit - 1]
        return Set(
            summaries.filter { $0.highest >= bar || canRise(low: $0.lowest, high: $0.highest, options: options) }
                .map(\.testID))
    }

    /// Both medians of any split lie between the lowest and the highest duration, so a test
    /// whose range is too narrow for the minimum rise cannot rise.
    static func canRise(low: Double, high: Double, options: SlowOptions) -> Bool {
        high - low >= options.minimumSeconds && high >= low * (1 + options.minimumRatio)
    }

    /// Totals are kept in whole microseconds, so that the order a backend adds rows in does
    /// not show.
    static func roundedToMicroseconds(_ seconds: Double) -> Double { (seconds * 1_000_000).rounded() / 1_000_000 }

    /// Each test's passing durations with the position of their run in `runIDs`.
    private static func series(_ points: [ResultPoint], runIDs: [Int64]) -> [Int64: [(run: Int, seconds: Double)]] {
        let order = Dictionary(uniqueKeysWithValues: runIDs.enumerated().map { ($0.element, $0.offset) })
        var byTest: [Int64: [(run: Int, seconds: Double)]] = [:]
        for point in points {
            guard point.outcome == .passed, let position = order[point.runID], let seconds = point.duration,
                seconds.isFinite, seconds >= 0
            else { continue }
            byTest[point.testID, default: []].append((position, seconds))
        }
        return byTest
    }

    /// The analysis on values: runs oldest first, their results. Test names are left empty.
    static func analyze(runIDs: [Int64], points: [ResultPoint], options: SlowOptions) -> SlowReport {
        let order = Dictionary(uniqueKeysWithValues: runIDs.enumerated().map { ($0.element, $0.offset) })
        var sums = Array(repeating: 0.0, count: runIDs.count)
        for point in points {
            guard let position = order[point.runID], let seconds = point.duration, seconds.isFinite, seconds >= 0
            else { continue }
            sums[position] += min(seconds, durationCap)
        }
        return analyze(
            runIDs: runIDs, totals: sums.map(roundedToMicroseconds), byTest: series(points, runIDs: runIDs),
            options: options)
    }

    /// The analysis on each run's total and each test's passing durations (with their run's
    /// position in `runIDs`, oldest first).
    private static func analyze(
        runIDs: [Int64], totals: [Double], byTest: [Int64: [(run: Int, seconds: Double)]], options: SlowOptions
    ) -> SlowReport {
        var slowest: [SlowTest] = []
        var candidates: [(rise: DurationRise, p: Double)] = []
        var test = MannWhitney()
        // Benjamini–Hochberg over every test that could show a rise at all: enough runs, and a
        // range wide enough for the minimum rise. That range does not depend on the order of the
        // runs, so leaving out the tests too steady to rise keeps the rank test's p-values valid
        // (Tarone's argument); counting them would only make real rises harder to see.
        var tried = 0
        for (testID, series) in byTest {
            let ordered = series.sorted { $0.run < $1.run }
            let seconds = ordered.map(\.seconds)
            let sorted = seconds.sorted()
            slowest.append(
                SlowTest(
                    test: "", testID: testID, runs: seconds.count, median: median(sorted),
                    p95: sorted[max(0, Int((0.95 * Double(sorted.count)).rounded(.up)) - 1)],
                    latest: seconds[seconds.count - 1]))
            guard canRise(low: sorted[0], high: sorted[sorted.count - 1], options: options) else { continue }
            if seconds.count >= 2 * options.minimumRunsEachSide { tried += 1 }
            if let rise = rise(testID: testID, ordered: ordered, runIDs: runIDs, options: options, test: &test) {
                candidates.append(rise)
            }
        }
        slowest.sort { ($0.median, $0.p95, $1.testID) > ($1.median, $1.p95, $0.testID) }
        candidates.sort { $0.p < $1.p }
        var accepted = 0
        for (rank, candidate) in candidates.enumerated()
        where candidate.p <= Double(rank + 1) / Double(max(tried, 1)) * options.falseDiscoveryRate {
            accepted = rank + 1
        }
        var rises = candidates.prefix(accepted).map(\.rise)
        if options.recentRuns > 0 {
            let recent = Set(runIDs.suffix(options.recentRuns))
            rises.removeAll { !recent.contains($0.startedRunID) }
        }
        rises.sort {
            ($0.change ?? .greatestFiniteMagnitude, $1.testID) > ($1.change ?? .greatestFiniteMagnitude, $0.testID)
        }
        var runTime: RunTime?
        if let last = runIDs.last {
            let previous = totals.dropLast().filter { $0 > 0 }.sorted()
            let before = previous.isEmpty ? nil : median(previous)
            let total = totals[totals.count - 1]
            runTime = RunTime(
                runID: last, total: total, previousMedian: before, previousRuns: previous.count,
                change: before.flatMap { $0 > 0 ? total / $0 - 1 : nil })
        }
        return SlowReport(
            options: options, runIDs: runIDs, slowest: Array(slowest.prefix(options.limit)), rises: rises,
            runTime: runTime)
    }

    /// Where a test's passing durations changed level, and whether the later runs are slower.
    /// The split is where two medians fit the durations best (least absolute deviations: one
    /// odd run barely moves it); the one-sided rank test at that split, Bonferroni-corrected
    /// for the splits it was chosen from, says whether the rise is more than noise.
    static func rise(
        testID: Int64, ordered: [(run: Int, seconds: Double)], runIDs: [Int64], options: SlowOptions,
        test: inout MannWhitney
    ) -> (rise: DurationRise, p: Double)? {
        let side = max(options.minimumRunsEachSide, 1)
        guard ordered.count >= 2 * side else { return nil }
        let seconds = ordered.map(\.seconds)
        let splits = Array(side...(seconds.count - side))
        var best: (split: Int, cost: Double, before: Double, after: Double)?
        for split in splits {
            let earlier = seconds[..<split], later = seconds[split...]
            let before = median(earlier.sorted()), after = median(later.sorted())
            let cost = earlier.reduce(0) { $0 + abs($1 - before) } + later.reduce(0) { $0 + abs($1 - after) }
            if best == nil || cost < best!.cost { best = (split, cost, before, after) }
        }
        guard let best, best.after >= best.before * (1 + options.minimumRatio),
            best.after - best.before >= options.minimumSeconds
        else { return nil }
        let p = test.pValue(earlier: Array(seconds[..<best.split]), later: Array(seconds[best.split...]))
        let corrected = min(1, p * Double(splits.count))
        return (
            DurationRise(
                test: "", testID: testID, startedRunID: runIDs[ordered[best.split].run], runsBefore: best.split,
                runsAfter: seconds.count - best.split, medianBefore: best.before, medianAfter: best.after,
                change: best.before > 0 ? best.after / best.before - 1 : nil, pValue: corrected),
            corrected
        )
    }

    static func median(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// "0.012s", "1.25s", "12.3s", "2m 05s", "1h 02m".
public func durationText(_ seconds: Double) -> String {
    if seconds < 0.1 { return String(format: "%.3fs", seconds) }
    if seconds < 10 { return String(format: "%.2fs", seconds) }
    if seconds < 60 { return String(format: "%.1fs", seconds) }
    let whole = Int(seconds.rounded())
    if whole < 3600 { return String(format: "%dm %02ds", whole / 60, whole % 60) }
    return String(format: "%dh %02dm", whole / 3600, (whole % 3600) / 60)
}
