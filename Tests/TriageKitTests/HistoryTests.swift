import Foundation
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

/// Builds small histories: one run per call, each test's outcome given as a letter.
struct HistoryBuilder {
    let db: TriageDatabase
    private var runs = 0

    init() throws {
        db = try TestSupport.database()
    }

    /// P passed, F failed, E error, S skipped, R failed then passed on a retry (Surefire flaky).
    @discardableResult
    mutating func run(_ outcomes: [String: Character], commit: String? = nil, message: String = "AssertionError: boom")
        throws -> Int64
    {
        runs += 1
        var cases = ""
        for (name, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
            let body: String
            switch outcome {
            case "F": body = "<failure message=\"\(message)\">trace</failure>"
            case "E": body = "<error message=\"\(message)\">trace</error>"
            case "S": body = "<skipped/>"
            case "R": body = "<flakyFailure message=\"\(message)\"/>"
            default: body = ""
            }
            cases += "<testcase classname=\"tests.test_mod\" name=\"\(name)\">\(body)</testcase>"
        }
        let url = try TestSupport.write("<testsuite name=\"pytest\">\(cases)</testsuite>")
        let report = try Ingestor(database: db).ingest(
            [url.path],
            options: IngestOptions(
                runKey: "run-\(runs)", metadata: RunMetadata(commit: commit ?? "c\(runs)", branch: "main")))
        return try #require(report.runID)
    }

    /// One run per letter of `sequence` for `test`, beside a passing filler test.
    mutating func series(_ test: String, _ sequence: String) throws {
        for letter in sequence { try run([test: letter, "filler": "P"]) }
    }
}

@Suite struct FlakinessTests {
    private func entry(_ report: FlakyReport, _ name: String) -> FlakyEntry? {
        report.tests.first { $0.test == "tests.test_mod::\(name)" }
    }

    @Test func aPassOnRetryIsFlakyEvidence() throws {
        var history = try HistoryBuilder()
        try history.series("t", "PPRP")
        let found = try #require(entry(try FlakinessAnalyzer.analyze(history.db), "t"))
        #expect(found.state == .flaky)
        #expect(found.evidence == [.retried])
        #expect(found.retriedRuns == 1)
        #expect(found.recent == "PPRP")
    }

    @Test func passAndFailOnOneCommitIsFlaky() throws {
        var history = try HistoryBuilder()
        try history.run(["t": "P"], commit: "abc")
        try history.run(["t": "F"], commit: "abc")
        try history.run(["t": "P"], commit: "def")
        let found = try #require(entry(try FlakinessAnalyzer.analyze(history.db), "t"))
        #expect(found.state == .flaky)
        #expect(found.evidence == [.sameCommit])
        #expect(found.sameCommitCount == 1)
    }

    @Test func flipsOverEnoughRunsAreFlakyAndTooFewRunsGiveNoVerdict() throws {
        var history = try HistoryBuilder()
        try history.series("flipper", "PFPPFPFP")
        let report = try FlakinessAnalyzer.analyze(history.db)
        let found = try #require(entry(report, "flipper"))
        #expect(found.state == .flaky)
        #expect(found.evidence == [.flipRate])
        #expect(found.flipRate == 0.857)
        #expect(found.weightedFlipRate > 0.5)

        var short = try HistoryBuilder()
        try short.series("young", "PFPF")  // 4 runs < minimumRuns 5
        #expect(entry(try FlakinessAnalyzer.analyze(short.db), "young") == nil)
    }

    @Test func recentFlipsWeighMoreThanOldOnes() throws {
        var old = try HistoryBuilder()
        try old.series("t", "PFPFPFPPPPPPPPPPP")
        var recent = try HistoryBuilder()
        try recent.series("t", "PPPPPPPPPPPFPFPFP")
        let oldEntry = try #require(entry(try FlakinessAnalyzer.analyze(old.db), "t"))
        let recentEntry = try #require(entry(try FlakinessAnalyzer.analyze(recent.db), "t"))
        #expect(oldEntry.flipRate == recentEntry.flipRate)
        #expect(recentEntry.weightedFlipRate > oldEntry.weightedFlipRate)
        #expect(recentEntry.score > oldEntry.score)
    }

    @Test func alwaysFailingWithOneClusterIsBrokenNotFlaky() throws {
        var history = try HistoryBuilder()
        try history.series("red", "PPFFFFFFFF")  // one change of state, then red: a regression
        let found = try #require(entry(try FlakinessAnalyzer.analyze(history.db), "red"))
        #expect(found.state == .broken)
        #expect(found.failures == 8)
        #expect(found.mainCluster != nil)
    }

    @Test func passingTheLastRunsAfterBeingBrokenIsRecovered() throws {
        var history = try HistoryBuilder()
        try history.series("fixed", "FFFFFFPPP")
        #expect(entry(try FlakinessAnalyzer.analyze(history.db), "fixed")?.state == .recovered)

        // A flaky test needs a longer streak: three passes are likely by chance at 40% failures.
        var flaky = try HistoryBuilder()
        try flaky.series("f", "PFPFFPPFPFPPP")
        #expect(entry(try FlakinessAnalyzer.analyze(flaky.db), "f")?.state == .flaky)
        var calm = try HistoryBuilder()
        try calm.series("f", "PFPFFPPFPFPPPPPPPPPPPPP")
        #expect(entry(try FlakinessAnalyzer.analyze(calm.db), "f")?.state == .recovered)
    }

    @Test func anInfrastructureRunIsLeftOutOfFlakiness() throws {
        var history = try HistoryBuilder()
        var all: [String: Character] = [:]
        for index in 0..<10 { all["t\(index)"] = "P" }
        // Two outages: two separate failing stretches for every test unless they are left out.
        var dead: [Int64] = []
        for _ in 0..<2 {
            for _ in 0..<3 { try history.run(all) }
            dead.append(
                try history.run(
                    all.mapValues { _ in "E" },
                    message: "ConnectionError: Error 111 connecting to localhost:6381. Connection refused."))
        }
        for _ in 0..<3 { try history.run(all) }
        let report = try FlakinessAnalyzer.analyze(history.db)
        #expect(report.infrastructureRuns == dead)
        #expect(report.tests.isEmpty)

        var lenient = FlakinessOptions()
        lenient.infrastructureThreshold = 1.0
        lenient.infrastructureMedianFactor = 0
        let withoutFilter = try FlakinessAnalyzer.analyze(history.db, options: lenient)
        #expect(withoutFilter.infrastructureRuns.isEmpty)
        #expect(withoutFilter.tests.count == 10)
    }

    @Test func aPartialOutageIsLeftOutToo() throws {
        // A service down for 60% of the suite twice: under the 80% cut-off, far above the
        // window's usual failures (one flaky test of twenty).
        var history = try HistoryBuilder()
        var all: [String: Character] = [:]
        for index in 0..<20 { all["t\(index)"] = "P" }
        var dead: [Int64] = []
        for round in 0..<2 {
            for step in 0..<4 {
                var run = all
                if (round * 4 + step) % 3 == 0 { run["t19"] = "F" }
                try history.run(run)
            }
            var outage = all
            for index in 0..<12 { outage["t\(index)"] = "E" }
            dead.append(try history.run(outage, message: "redis.exceptions.ConnectionError: Error 111 connecting to localhost:6381"))
        }
        for _ in 0..<3 { try history.run(all) }
        let report = try FlakinessAnalyzer.analyze(history.db)
        #expect(report.infrastructureRuns == dead)
        #expect(report.tests(in: .flaky).map(\.test) == ["tests.test_mod::t19"])
    }
}

@Suite struct TrendAndDiffTests {
    @Test func trendListsPassRatesOldestFirstWithASparkline() throws {
        var history = try HistoryBuilder()
        try history.run(["a": "F", "b": "F", "c": "P", "d": "S"])
        try history.run(["a": "F", "b": "P", "c": "P"])
        try history.run(["a": "P", "b": "P", "c": "P"])
        let trend = try Trend.load(history.db, last: 10)
        #expect(trend.points.map(\.passRate) == [1.0 / 3.0, 2.0 / 3.0, 1.0])
        // Scaled to the range of the data, which is printed beside it.
        #expect(trend.sparkline == "▁▄█")
        #expect(trend.range == "33.3%–100.0%")
        #expect(HistoryOutput.text(trend).contains("pass rate ▁▄█ (33.3%–100.0%)"))
        #expect(Sparkline.renderScaled([0.79, 0.86, 0.93]) == "▁▄█", "79–93% is not a flat line")
        #expect(Sparkline.renderScaled([0.9, 0.9]) == "▅▅")
        #expect(trend.points[0].isInfrastructureFailure == false)
        let markdown = HistoryOutput.markdown(trend)
        #expect(markdown.contains("xychart-beta"))
        #expect(markdown.contains("line [33.3, 66.7, 100.0]"))
        #expect(try Trend.load(history.db, last: 2).points.count == 2)
    }

    @Test func diffNamesNewFailuresFixedStillFailingAndClusters() throws {
        var history = try HistoryBuilder()
        let before = try history.run(
            ["fixed": "F", "still": "F", "broke": "P", "gone": "P"], message: "AssertionError: old")
        let after = try history.run(
            ["fixed": "P", "still": "F", "broke": "E", "added": "F"], message: "AssertionError: old")
        let diff = try RunComparison.compare(history.db, before: before, after: after)
        #expect(diff.newFailures.map(\.test) == ["tests.test_mod::added", "tests.test_mod::broke"])
        #expect(diff.fixed.map(\.test) == ["tests.test_mod::fixed"])
        #expect(diff.stillFailing.map(\.test) == ["tests.test_mod::still"])
        #expect(diff.addedTests == ["tests.test_mod::added"])
        #expect(diff.removedTests == ["tests.test_mod::gone"])
        #expect(diff.passRateBefore == 0.5)
        #expect(diff.passRateAfter == 0.25)
        #expect(diff.passRateChange == -0.25)
        #expect(throws: TriageError.self) { try RunComparison.compare(history.db, before: before, after: 99) }
    }

    @Test func historyFindsATestByIdPytestNodeIdOrUniqueSubstring() throws {
        var history = try HistoryBuilder()
        try history.series("test_persist", "PFP")
        try history.run(["test_persist_other": "P"])
        let byNodeID = try TestHistory.load(history.db, test: "tests/test_mod.py::test_persist")
        #expect(byNodeID.testID == "tests.test_mod::test_persist")
        #expect(byNodeID.entries.map(\.outcome) == [.passed, .failed, .passed])
        #expect(byNodeID.entries[1].message == "AssertionError: boom")
        #expect(try TestHistory.load(history.db, test: "persist_oth").entries.count == 1)
        let ambiguous = try #require(throws: TriageError.self) { try TestHistory.load(history.db, test: "persist") }
        #expect(ambiguous.description.contains("matches several tests"))
        #expect(throws: TriageError.self) { try TestHistory.load(history.db, test: "nothing-like-it") }
    }
}
