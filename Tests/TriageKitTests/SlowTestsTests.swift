import Foundation
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

@Suite struct SlowTestsTests {
    @Test func theExactRankTestCountsOrderings() {
        var test = MannWhitney()
        // All three later values above all three earlier ones: 1 ordering of C(6, 3) = 20.
        #expect(abs(test.pValue(earlier: [1, 2, 3], later: [4, 5, 6]) - 1.0 / 20) < 1e-12)
        // Later all below: every ordering has U ≥ 0.
        #expect(test.pValue(earlier: [4, 5, 6], later: [1, 2, 3]) == 1)
        // U = 8 of 9 for 3 and 3: two orderings reach it (8 and 9).
        #expect(abs(test.pValue(earlier: [1, 2, 5], later: [4, 6, 7]) - 2.0 / 20) < 1e-12)
    }

    @Test func tiesUseTheNormalApproximation() {
        var test = MannWhitney()
        let p = test.pValue(earlier: Array(repeating: 1, count: 10) + [2], later: Array(repeating: 3, count: 10))
        #expect(p < 0.001)
        #expect(test.pValue(earlier: [1, 1, 1, 1], later: [1, 1, 1, 1]) == 1)
    }

    /// Durations of one test over `values.count` runs (ids 1…n), all passing.
    func points(_ values: [Double], testID: Int64 = 1) -> [ResultPoint] {
        values.enumerated().map {
            ResultPoint(
                runID: Int64($0.offset + 1), testID: testID, outcome: .passed, retried: false, clusterID: nil,
                duration: $0.element)
        }
    }

    @Test func aSustainedRiseIsFoundWithItsFirstRun() {
        let before: [Double] = (0..<20).map { (index: Int) -> Double in 1.0 + Double(index % 5) * 0.01 }
        let after: [Double] = (0..<8).map { (index: Int) -> Double in 1.6 + Double(index % 4) * 0.013 }
        let values = before + after
        let report = SlowTestAnalyzer.analyze(
            runIDs: Array(1...28), points: points(values), options: SlowOptions())
        #expect(report.rises.count == 1)
        #expect(report.rises.first?.startedRunID == 21)
        #expect(report.rises.first.map { $0.medianAfter > $0.medianBefore * 1.5 } == true)
    }

    @Test func oneSlowRunOrNoiseIsNotARise() {
        var values: [Double] = (0..<28).map { (index: Int) -> Double in 1.0 + Double((index * 7) % 11) * 0.03 }
        values[25] = 9
        let report = SlowTestAnalyzer.analyze(runIDs: Array(1...28), points: points(values), options: SlowOptions())
        #expect(report.rises.isEmpty)
        // A small rise (10%) is below the minimum, however regular.
        let low: [Double] = (0..<14).map { (index: Int) -> Double in 1.0 + Double(index) * 0.0001 }
        let high: [Double] = (0..<14).map { (index: Int) -> Double in 1.1 + Double(index) * 0.0001 }
        let small = low + high
        #expect(
            SlowTestAnalyzer.analyze(runIDs: Array(1...28), points: points(small), options: SlowOptions()).rises.isEmpty
        )
    }

    /// The store reads only the durations of tests that can make the report; what it finds
    /// must be what the analysis finds on every result of the window.
    @Test func readingOnlyTheTestsThatCanReportChangesNothing() throws {
        let db = try TestSupport.database()
        var seed: UInt64 = 42
        func next() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 11) / Double(1 << 53)
        }
        for run in 0..<14 {
            var cases = ""
            for index in 0..<60 {
                var seconds = 0.001 * Double(index % 7 + 1)  // short and steady: cannot rise
                if index % 10 == 0 { seconds = 0.5 + Double(index) / 100 + next() * 0.01 }  // slow, steady
                if index == 7 || index == 23 { seconds = run < 8 ? 0.2 + next() * 0.01 : 0.9 + next() * 0.01 }  // rise
                if index == 31 { seconds = next() * 0.6 }  // noise
                let time = index == 44 ? "" : " time=\"\(seconds)\""
                let failing = index % 13 == 5 && run % 3 == 0 ? "<failure message=\"boom\">trace</failure>" : ""
                cases += "<testcase classname=\"tests.test_mod\" name=\"t\(index)\"\(time)>\(failing)</testcase>"
            }
            let url = try TestSupport.write("<testsuite name=\"pytest\">\(cases)</testsuite>")
            _ = try Ingestor(database: db).ingest(
                [url.path], options: IngestOptions(runKey: "run-\(run)", metadata: RunMetadata(branch: "main")))
        }
        var options = SlowOptions()
        options.limit = 4
        let stored = try SlowTestAnalyzer.analyze(db, options: options)
        let runIDs = try db.recentRuns(limit: options.last).map(\.id)
        var everything = SlowTestAnalyzer.analyze(runIDs: runIDs, points: try db.results(inRuns: runIDs), options: options)
        everything.slowest = everything.slowest.map { var test = $0; test.test = stored.slowest.first { $0.testID == test.testID }?.test ?? ""; return test }
        everything.rises = everything.rises.map { var rise = $0; rise.test = stored.rises.first { $0.testID == rise.testID }?.test ?? ""; return rise }
        #expect(stored == everything)
        #expect(stored.slowest.map(\.test) == ["t50", "t40", "t30", "t20"].map { "tests.test_mod::\($0)" })
        #expect(Set(stored.rises.map(\.test)) == ["tests.test_mod::t7", "tests.test_mod::t23"])
        #expect(stored.runTime.map { $0.total > 0 } == true)
        let read = SlowTestAnalyzer.testsThatCanReport(try db.passingDurationSummaries(inRuns: runIDs), options: options)
        #expect(read.count < 15, "most tests are too fast and too steady to be read")
    }

    @Test func medianP95AndRunTime() {
        let values = (1...20).map(Double.init)
        let report = SlowTestAnalyzer.analyze(runIDs: Array(1...20), points: points(values), options: SlowOptions())
        #expect(report.slowest.first?.median == 10.5)
        #expect(report.slowest.first?.p95 == 19)
        #expect(report.runTime?.total == 20)
        #expect(report.runTime?.previousMedian == 10)
        #expect(
            SlowOutput.runTimeLine(report.runTime)
                == "total test time of run 20: 20.0s; median of the 19 runs before: 10.0s (+100%)")
    }

    @Test func durationsReadAsPeopleWriteThem() {
        #expect(durationText(0.012) == "0.012s")
        #expect(durationText(1.254) == "1.25s")
        #expect(durationText(151) == "2m 31s")
        #expect(durationText(3720) == "1h 02m")
    }
}

@Suite struct DailyOutputTests {
    @Test func pluralsAndColour() {
        #expect(1.counted("test") == "1 test")
        #expect(2.counted("error") == "2 errors")
        let totals = RunTotals(tests: 1, passed: 0, failed: 0, errors: 1, skipped: 0, retried: 0)
        #expect(totals.line == "1 test: 0 passed, 0 failed, 1 error, 0 skipped, 0 passed on retry; pass rate 0.0%")
        let colored = totals.colored(Palette(isColored: true))
        #expect(colored.contains("\u{1B}[31m1 error\u{1B}[0m"))
        #expect(!totals.colored(.plain).contains("\u{1B}"))
    }

    @Test func noColorTurnsAutoOff() {
        #expect(Palette.resolve(.auto, isTerminal: true, environment: [:]).isColored)
        #expect(!Palette.resolve(.auto, isTerminal: true, environment: ["NO_COLOR": "1"]).isColored)
        #expect(Palette.resolve(.auto, isTerminal: true, environment: ["NO_COLOR": ""]).isColored)
        #expect(!Palette.resolve(.auto, isTerminal: false, environment: [:]).isColored)
        #expect(!Palette.resolve(.auto, isTerminal: true, environment: ["TERM": "dumb"]).isColored)
        #expect(Palette.resolve(.always, isTerminal: false, environment: ["NO_COLOR": "1"]).isColored)
        #expect(!Palette.resolve(.never, isTerminal: true, environment: [:]).isColored)
    }

    @Test func markdownEscapingIsOffForJSON() {
        #expect(Markdown.cell("a_b <num>") == "a\\_b &lt;num&gt;")
        #expect(Markdown.plain { Markdown.cell("a_b <num>") } == "a_b <num>")
        #expect(Markdown.plain { Markdown.code("main") } == "main")
    }

    @Test func aRunDetailListsTestsUnderTheirCluster() {
        let failing = (1...7).map {
            RunDetail.FailingTest(
                test: "t::test_\($0)", baseID: "t::test_\($0)", variant: nil, outcome: .failed,
                isKnownFlaky: $0 == 1, isQuarantined: false)
        }
        let run = RunSummary(
            id: 3, key: "k", createdAt: "2026-01-01T00:00:00Z", runAt: "2026-01-01T00:00:00Z", metadata: RunMetadata(),
            totals: RunTotals(tests: 7, passed: 0, failed: 7, errors: 0, skipped: 0, retried: 0))
        let detail = RunDetail(
            run: run, passRate: 0, files: [],
            failuresByCluster: [
                .init(
                    clusterID: "abc", category: "timeout", detail: nil, template: "Timeout", tests: 7, failing: failing)
            ])
        let text = IngestText.runDetail(detail, testsPerCluster: 3)
        #expect(text.contains("t::test_1  failed  (known flaky)"))
        #expect(text.contains("and 4 more"))
        #expect(!text.contains("commit") && !text.contains("branch"), "empty fields are left out")
        let view = RunReportView(RunReportData(detail: detail))
        #expect(view.clusters[0].failingTests.count == 7)
        #expect(view.clusters[0].failingTests[0].note == "known flaky")
        #expect(view.clusters[0].moreTests == nil)
        #expect(view.build == nil)
    }

    @Test func theNearestCommandToATypo() {
        let names = ["flaky", "runs", "report", "recluster", "rules", "slow", "diff"]
        #expect(Suggestion.nearest(to: "flakey", among: names) == "flaky")
        #expect(Suggestion.nearest(to: "falky", among: names) == "flaky")
        #expect(Suggestion.nearest(to: "reprot", among: names) == "report")
        #expect(Suggestion.nearest(to: "xyzzy", among: names) == nil)
        #expect(Suggestion.distance("ab", "ba") == 1)
    }
}
