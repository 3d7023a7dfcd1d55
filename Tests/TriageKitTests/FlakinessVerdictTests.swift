import Foundation
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

/// Histories built in memory for the pure analysis: one letter per run for each test.
private struct Histories {
    var runs: [RunSummary] = []
    var points: [ResultPoint] = []

    /// P passed, F failed, E error, R failed then passed on a retry, S skipped, - not run.
    /// `commits` names each run's commit (default: one commit per run); `outages` are runs where
    /// 20 other tests fail on a refused connection, beside the tests given.
    init(_ tests: [Int64: String], commits: [String]? = nil, outages: Set<Int> = []) {
        let count = tests.values.map(\.count).max() ?? 0
        for index in 0..<count {
            let runID = Int64(index + 1)
            var totals = RunTotals()
            func add(_ testID: Int64, _ letter: Character, category: String = "assertion") {
                let outcome: Outcome =
                    switch letter {
                    case "F": .failed
                    case "E": .error
                    case "S": .skipped
                    default: .passed
                    }
                totals.tests += 1
                switch outcome {
                case .passed: totals.passed += 1
                case .failed: totals.failed += 1
                case .error: totals.errors += 1
                case .skipped: totals.skipped += 1
                }
                points.append(
                    ResultPoint(
                        runID: runID, testID: testID, outcome: outcome, retried: letter == "R",
                        clusterID: outcome.isFailure ? category : nil, duration: nil,
                        category: outcome.isFailure ? category : nil))
            }
            for (testID, letters) in tests {
                let letter = letters[letters.index(letters.startIndex, offsetBy: index)]
                if letter != "-" { add(testID, letter) }
            }
            for filler in 0..<20 {
                add(1000 + Int64(filler), outages.contains(index) ? "F" : "P", category: "connection_refused")
            }
            runs.append(
                RunSummary(
                    id: runID, key: "run-\(runID)", createdAt: "2025-09-16T10:00:00Z", runAt: "2025-09-16T10:00:00Z",
                    metadata: RunMetadata(commit: commits?[index] ?? "c\(index)", branch: "main"), totals: totals))
        }
    }

    func report(_ options: FlakinessOptions = FlakinessOptions()) -> FlakyReport {
        FlakinessAnalyzer.analyze(runs: runs, points: points, options: options)
    }

    /// The verdict on one test; tests the report leaves out are stable.
    func state(_ testID: Int64 = 1, _ options: FlakinessOptions = FlakinessOptions()) -> TestState {
        entry(testID, options)?.state ?? .stable
    }

    func entry(_ testID: Int64 = 1, _ options: FlakinessOptions = FlakinessOptions()) -> FlakyEntry? {
        report(options).tests.first { $0.testID == testID }
    }
}

private func repeated(_ letter: Character, _ count: Int) -> String { String(repeating: letter, count: count) }

@Suite struct FlakinessVerdictTests {
    // MARK: - Retries

    @Test func aPassOnRetryNeverCountsTowardsRecovered() throws {
        let history = Histories([1: "PPPPPFFRRRRRR"])
        let entry = try #require(history.entry())
        #expect(entry.state == .flaky)
        #expect(entry.evidence.contains(.retried))
        #expect(entry.recent == "PPPPPFFRRRRRR")
    }

    @Test func cleanPassesLongAfterTheLastRetryAreRecovered() {
        #expect(Histories([1: "RRPRRPPRR" + repeated("P", 20)]).state() == .recovered)
        // A retry every few runs: twenty clean passes are likely by chance.
        #expect(Histories([1: "PPPPRPPPPPPRPPP" + repeated("P", 20)]).state() == .flaky)
    }

    // MARK: - Regressions

    @Test func aRegressionFixedIsRecoveredNotFlaky() throws {
        // Passes, fails on three successive commits, passes after the fix commit.
        let entry = try #require(Histories([1: repeated("P", 10) + "FFF" + repeated("P", 4)]).entry())
        #expect(entry.state == .recovered)
        #expect(entry.evidence.isEmpty)
        #expect(entry.failingStretches == 1)
        #expect(entry.weightedFlipRate > 0.1)  // the flip rate alone would have called it flaky
    }

    @Test func aRegressionStillFailingIsBrokenFromItsSecondFailure() {
        #expect(Histories([1: repeated("P", 10) + "FF"]).state() == .broken)
        #expect(Histories([1: repeated("P", 10) + "FFFF"]).state() == .broken)
        // One failure says nothing yet.
        #expect(Histories([1: repeated("P", 10) + "F"]).state() == .stable)
    }

    @Test func aJustFixedRegressionIsListedOnceItPassedKRuns() {
        #expect(Histories([1: repeated("P", 10) + "FFFPP"]).state() == .stable)
        #expect(Histories([1: repeated("P", 10) + "FFFPPP"]).state() == .recovered)
    }

    @Test func outageRunsAndSkipsDoNotSplitARegression() {
        // Run 13 is an outage (every test fails), and the test is skipped once while broken.
        let letters = repeated("P", 10) + "FF" + "F" + "SF" + repeated("P", 6)
        let history = Histories([1: letters], outages: [12])
        #expect(history.report().infrastructureRuns == [13])
        #expect(history.state() == .recovered)
        let outageMidRecovery = Histories([1: repeated("P", 10) + "FFPPF" + repeated("P", 6)], outages: [14])
        #expect(outageMidRecovery.state() == .recovered)
    }

    @Test func aTestAddedBrokenThenFixedIsRecovered() {
        #expect(
            Histories([1: repeated("-", 10) + "FFF" + repeated("P", 8), 2: repeated("P", 21)]).state() == .recovered)
    }

    @Test func aRegressionWithPassesOnItsCommitsIsFlaky() throws {
        // The third failing commit was run twice and passed once: not deterministic.
        let letters = "PPPPPFFFPPPPP"
        let commits = ["a", "b", "c", "d", "e", "f", "g", "h", "h", "i", "j", "k", "l"]
        let entry = try #require(Histories([1: letters], commits: commits).entry())
        #expect(entry.state == .flaky)
        #expect(entry.evidence == [.sameCommit])
    }

    // MARK: - Interleaved failures

    @Test func twoSeparateFailingStretchesAreFlakyAtAnyRate() throws {
        let entry = try #require(
            Histories([1: repeated("P", 20) + "F" + repeated("P", 15) + "F" + repeated("P", 6)]).entry())
        #expect(entry.state == .flaky)
        #expect(entry.evidence == [.flipRate])
        #expect(entry.failingStretches == 2)
        #expect(entry.flipRate < 0.1)
    }

    @Test func oneIsolatedFailureIsNotFlaky() {
        #expect(Histories([1: repeated("P", 20) + "F" + repeated("P", 20)]).state() == .stable)
    }

    @Test func twoRegressionsOfOneTestAreFlaky() {
        // Failing stretches between passes, however long, are what flakiness looks like here.
        #expect(Histories([1: "PPPPFFFPPPPPFFFPPPP"]).state() == .flaky)
    }

    @Test func aRetryEndsAFailingStretch() throws {
        let entry = try #require(Histories([1: "PPPFFRFFPPP"]).entry())
        #expect(entry.failingStretches == 2)
        #expect(entry.evidence == [.retried, .flipRate])
    }

    @Test func interleavedFailuresNeedMinimumRuns() {
        #expect(Histories([1: "FPFP"]).state() == .stable)
        var lenient = FlakinessOptions()
        lenient.minimumRuns = 4
        #expect(Histories([1: "FPFP"]).state(1, lenient) == .flaky)
    }

    // MARK: - Recovered after flakiness

    @Test func aFlakyTestNeedsAStreakThatIsUnlikelyByChance() {
        // Failing 2 runs in 30, then 20 passes: quite likely by chance, still flaky.
        let rare = "PPPPPFPPPPPPPPPPPPPPPPFPPPPPPP" + repeated("P", 20)
        #expect(Histories([1: rare]).state() == .flaky)
        // Failing half the runs, then 12 passes: under 1% by chance.
        let often = "PFFPFPFFPPFPFFPF" + repeated("P", 12)
        #expect(Histories([1: often]).state() == .recovered)
        #expect(Histories([1: "PFFPFPFFPPFPFFPF" + repeated("P", 3)]).state() == .flaky)
    }

    @Test func brokenThenPassingKRunsIsRecovered() {
        #expect(Histories([1: repeated("F", 8) + "PPP"]).state() == .recovered)
        #expect(Histories([1: repeated("F", 8) + "PP"]).state() == .stable)
    }

    // MARK: - Broken

    @Test func aTestFailingNearlyEveryRecentRunIsBroken() {
        #expect(Histories([1: "PPPFPPF" + repeated("F", 9)]).state() == .broken)
        // A retry among the recent runs: it can pass, so it is flaky.
        #expect(Histories([1: "PPPFPPF" + repeated("F", 5) + "R" + repeated("F", 5)]).state() == .flaky)
    }

    @Test func aFlakyTestIsBrokenOnlyWhenItsFailingStreakIsUnlikelyByChance() {
        // Failing half the runs, then 6 failures in a row: likely by chance, still flaky.
        let often = "PFFPFPFFPPFPFFPFPPFP"
        #expect(Histories([1: often + repeated("F", 6)]).state() == .flaky)
        #expect(Histories([1: often + repeated("F", 14)]).state() == .broken)
    }

    @Test func outageRunsAreLeftOut() {
        let history = Histories([1: repeated("P", 20), 2: repeated("P", 20)], outages: [5, 12])
        #expect(history.report().infrastructureRuns == [6, 13])
        #expect(history.report().tests.isEmpty)
    }
}
