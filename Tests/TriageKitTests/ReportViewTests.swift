import Foundation
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

/// The report views built from hand-made values: no database is opened anywhere here.
@Suite struct ReportViewTests {
    static let redis = StoredCluster(
        id: "3f9a2c1b0d11", category: "connection_refused", detail: "redis", template: "ConnectionError: <*>|refused")

    static func summary(_ id: Int64, passed: Int, failed: Int, branch: String? = "main") -> RunSummary {
        RunSummary(
            id: id, key: "k\(id)", createdAt: "2026-03-0\(id)T10:00:00Z", runAt: "2026-03-0\(id)T10:00:00Z",
            metadata: RunMetadata(commit: "0123456789abcdef", branch: branch, ciProvider: "github", buildID: "77"),
            totals: RunTotals(tests: passed + failed, passed: passed, failed: failed))
    }

    static func detail(_ run: RunSummary, failing: [RunDetail.FailingTest] = []) -> RunDetail {
        RunDetail(
            run: run, passRate: run.totals.passRate, files: [],
            failuresByCluster: failing.isEmpty
                ? []
                : [
                    .init(
                        clusterID: redis.id, category: redis.category, detail: redis.detail, template: redis.template,
                        tests: failing.count, failing: failing)
                ])
    }

    static func failing(_ name: String, flaky: Bool = false) -> RunDetail.FailingTest {
        RunDetail.FailingTest(test: name, baseID: name, variant: nil, outcome: .failed, isKnownFlaky: flaky)
    }

    @Test func theRunViewShapesARunAndItsComparison() throws {
        let before = Self.summary(1, passed: 2, failed: 2), after = Self.summary(2, passed: 3, failed: 1)
        let comparison = RunComparison(
            before: before, after: after, passRateBefore: 0.5, passRateAfter: 0.75, passRateChange: 0.25,
            newFailures: [.init(test: "t::a|b", before: .passed, after: .failed, cluster: Self.redis)],
            fixed: [.init(test: "t::c", before: .failed, after: .passed, cluster: nil)], stillFailing: [],
            newClusters: [], goneClusters: [], remainingClusters: [], addedTests: [], removedTests: [])
        let data = RunReportData(
            detail: Self.detail(after, failing: [Self.failing("t::a|b", flaky: true)]), comparison: comparison,
            examples: [Self.redis.id: "ConnectionError: 127.0.0.1:6379 refused"])
        let view = RunReportView(data)
        #expect(view.runID == 2 && view.date == "2026-03-02")
        #expect(view.commit == "`0123456789ab`" && view.branch == "`main`" && view.build == "github 77")
        #expect(view.totals.passRate == "75.0%" && view.totals.fraction == "3/4")
        #expect(view.hasPrevious && view.previousRunID == 1 && view.previousPassRate == "50.0%")
        #expect(view.passRateChange == "+25.0 points")
        #expect(view.newFailures == [TestRowView(test: "`t::a\\|b`", outcome: "failed", cluster: ClusterView.label(Self.redis))])
        #expect(view.fixed.map(\.cluster) == ["-"] && view.fixedCount == 1)
        let cluster = try #require(view.clusters.first)
        #expect(cluster.title == "ConnectionError: &lt;\\*&gt;\\|refused", "escaped for a table cell")
        #expect(cluster.example.contains("127.0.0.1:6379 refused") && cluster.example.hasPrefix("```"))
        #expect(cluster.failingTests.map(\.note) == ["known flaky"])
        #expect(view.categories.map(\.category) == ["connection_refused"])
        let markdown = try TemplateRenderer().render(view, template: ReportKind.run.templateName)
        #expect(markdown.contains("+25.0 points"))
    }

    @Test func theRunViewWithoutAnEarlierRun() {
        let view = RunReportView(RunReportData(detail: Self.detail(Self.summary(1, passed: 0, failed: 0, branch: nil))))
        #expect(!view.hasPrevious && view.previousPassRate == "n/a" && view.passRateChange == "n/a")
        #expect(view.totals.passRate == "n/a" && view.branch == "`-`")
        #expect(!view.hasClusters && !view.hasNewFailures && !view.hasFixed)
    }

    static func whys(_ id: Int64, _ status: WhysStatus, ready: Bool? = nil) -> FiveWhys {
        FiveWhys(
            id: id, problem: "Redis | down", status: status, owner: nil, rootCause: "no Redis in CI",
            businessImpact: nil, risk: "high", priority: nil, clusters: [redis], tests: ["t::a"],
            steps: [.init(answer: "the client cannot connect"), .init(question: "Why no server?", answer: "not started")],
            options: [
                .init(title: "Start Redis", approach: "service container", pros: ["real"], cons: ["slow", "big"], isChosen: true),
                .init(title: "Mock it"),
            ],
            checklist: [.init(text: "add service", state: .done), .init(text: "docs", state: .todo)],
            findings: ["Redis is needed"], nextSteps: ["watch"], evidence: ["run 2"],
            createdAt: "2026-03-01T00:00:00Z", updatedAt: "2026-03-02T00:00:00Z", isReadyToVerify: ready)
    }

    static func cycle(_ id: Int64, _ status: CycleStatus, measurement: CycleMeasurement? = nil) -> RemediationCycle {
        RemediationCycle(
            id: id, effort: "Redis remediation", number: Int(id), maxCycles: 20, label: "cycle \(id) of 20",
            scope: "tests/integration/*", status: status, owner: "ana", startedAt: "2026-03-0\(id)T09:00:00Z",
            closedAt: status == .open ? nil : "2026-03-05T09:00:00Z", beforeRunID: 1, risk: nil, priority: "P1",
            businessImpact: nil, clusters: [redis],
            whys: [.init(id: 1, problem: "Redis down", status: .analysed)],
            notes: [.init(createdAt: "2026-03-03T12:00:00Z", text: "started the service")], nextSteps: ["close it"],
            findings: [], measurement: measurement, isMeasurementStored: measurement != nil)
    }

    @Test func theStatusViewShapesTheAnalyses() {
        let runs = [Self.summary(1, passed: 2, failed: 2), Self.summary(2, passed: 4, failed: 0)]
        let trend = Trend(
            branch: nil,
            points: runs.map {
                Trend.Point(
                    runID: $0.id, createdAt: $0.createdAt, branch: "main", commit: nil, totals: $0.totals,
                    passRate: $0.totals.passRate, isInfrastructureFailure: $0.id == 1)
            })
        let flaky = FlakyReport(options: FlakinessOptions(), runIDs: [1, 2], infrastructureRuns: [1], tests: [])
        var before = ScopeTotals(runID: 1), after = ScopeTotals(runID: 2)
        (before.passed, before.failed, after.passed) = (2, 2, 4)
        let measurement = CycleMeasurement(
            scope: "*", beforeRunID: 1, afterRunID: 2, before: before, after: after, passedChange: 2,
            passRateChange: 0.5, fixed: [], newlyFailing: [], stillFailing: [], remainingByCluster: [],
            remainingByCategory: [], pairedTests: 4, verdict: .inconclusive, pValue: nil, verdictReason: "too few")
        let recurrence = { (run: Int64) in
            Recurrence(
                runID: run, clusterID: Self.redis.id, category: "connection_refused", detail: nil, whysID: 3,
                cycleID: nil, title: "Redis", previousStatus: "fixed", fixedAt: "2026-03-01T00:00:00Z",
                tests: ["a", "b", "c", "d"], detectedAt: nil)
        }
        let data = StatusReportData(
            run: Self.detail(runs[1]), trend: trend, flaky: flaky,
            areas: [
                AreaCount(area: "tests/api", passed: 3, ran: 3), AreaCount(area: "tests/db", passed: 1, ran: 2),
                AreaCount(area: "tests/ui", passed: 0, ran: 0),
            ],
            whys: [Self.whys(1, .verified), Self.whys(2, .fixed, ready: true)],
            cycles: [Self.cycle(1, .success), Self.cycle(2, .open, measurement: measurement)],
            recurrences: [recurrence(1), recurrence(2)],
            slow: SlowReport(options: SlowOptions(), runIDs: [1, 2], slowest: [], rises: [], runTime: nil))
        let view = StatusReportView(data)
        #expect(view.latestRunID == 2 && view.generatedFrom == "2 runs" && view.date == "2026-03-02")
        #expect(view.trend.map(\.note) == ["infrastructure failure", ""])
        #expect(view.trendRange == "50.0%–100.0%" && view.passRateChange == "+50.0 points")
        #expect(view.infrastructureRuns == "#1" && view.hasInfrastructureRuns && !view.hasFlaky)
        #expect(view.areas.map(\.mark) == ["✅", "⚠️", "➖"])
        #expect(view.areas.map(\.passRate) == ["100.0%", "50.0%", "n/a"])
        #expect(view.whys.map(\.id) == [2], "verified records are left out")
        #expect(view.whys.first?.note == "ready to verify" && view.whys.first?.problem == "Redis \\| down")
        #expect(view.cycles.map(\.id) == [2], "only open cycles")
        #expect(view.cycles.first?.passRate == "50.0% → 100.0%")
        #expect(view.recurrences.map(\.runID) == [2, 1], "newest first")
        #expect(view.recurrences.first?.tests == "4: `a`, `b`, `c`, …")
        #expect(view.runTime == nil && !view.hasSlower && !view.hasFailures)
    }

    @Test func theCycleViewShapesACycleAndItsRecords() throws {
        var before = ScopeTotals(runID: 1), after = ScopeTotals(runID: 2)
        (before.passed, before.failed, after.passed, after.failed) = (28, 27, 37, 18)
        let measurement = CycleMeasurement(
            scope: "*", beforeRunID: 1, afterRunID: 2, before: before, after: after, passedChange: 9,
            passRateChange: 9.0 / 55, fixed: ["t::a"], newlyFailing: [], stillFailing: [],
            remainingByCluster: [
                .init(clusterID: "abc", category: "oom", detail: "worker", testsBefore: 3, testsAfter: 2, stillFailing: 2)
            ],
            remainingByCategory: [
                .init(clusterID: nil, category: "oom", detail: nil, testsBefore: 3, testsAfter: 2, stillFailing: 2)
            ],
            pairedTests: 55, verdict: .improved, pValue: 0.01, verdictReason: "9 more pass")
        let view = CycleReportView(
            CycleReportData(cycle: Self.cycle(2, .success, measurement: measurement), analyses: [Self.whys(1, .fixed)]))
        #expect(view.cycleLabel == "Cycle 2 of 20" && view.date == "2026-03-05" && view.status == "success")
        #expect(view.comparison[0] == .init(label: "passed", before: "28", after: "37", change: "+9"))
        #expect(view.comparison[4] == .init(label: "pass rate", before: "50.9% (28/55)", after: "67.3% (37/55)", change: "+16.4 points"))
        #expect(view.passedChange == "+9 tests" && view.verdict == "improved")
        #expect(view.fixed.map(\.text) == ["`t::a`"] && !view.hasNewlyFailing)
        #expect(view.remainingByCluster.map(\.name) == ["`abc` oom (worker)"])
        #expect(view.remainingByCategory.map(\.name) == ["oom"])
        let analysis = try #require(view.analyses.first)
        #expect(analysis.whys.map(\.question) == ["Why does it fail?", "Why no server?"])
        #expect(analysis.options.map(\.chosen) == ["✅ chosen", ""] && analysis.chosenOption == "Start Redis")
        #expect(analysis.options.first?.cons == "slow; big")
        #expect(view.checklist.map(\.mark) == ["✅", "⬜"])
        #expect(view.notes.map(\.text) == ["2026-03-03: started the service"])
        #expect(view.findings.map(\.text) == ["Redis is needed"] && view.nextSteps.map(\.text) == ["close it", "watch"])
        #expect(view.risk == "high" && view.priority == "P1", "the cycle's own fields win, the records' fill in")
        #expect(!view.hasImpact)
    }

    @Test func theCycleViewBeforeAnyMeasurement() {
        let view = CycleReportView(CycleReportData(cycle: Self.cycle(1, .open)))
        #expect(!view.hasMeasurement && view.beforeRun == "none" && view.verdict == "inconclusive")
        #expect(view.comparison.allSatisfy { $0.before == "-" && $0.after == "-" })
        #expect(view.passedChange == "n/a" && view.verdictReason == "not measured")
    }
}
