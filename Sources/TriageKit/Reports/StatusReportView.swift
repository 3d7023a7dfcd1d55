import Foundation
import TriageModel
import TriageStore

/// The `status` report: where the suite stands now.
public struct StatusReportView: Codable, Sendable, Equatable {
    public struct FlakyRow: Codable, Sendable, Equatable {
        public var test: String
        public var state: String
        public var score: String
        public var evidence: String
        public var cluster: String
        /// Oldest first: P passed, F failed, R passed on retry.
        public var recent: String
    }

    public struct TrendRow: Codable, Sendable, Equatable {
        public var runID: Int64
        public var date: String
        public var passRate: String
        public var fraction: String
        public var note: String
    }

    public struct AreaRow: Codable, Sendable, Equatable {
        /// The module or file the tests belong to, escaped.
        public var area: String
        public var passed: Int
        public var ran: Int
        public var passRate: String
        /// "✅" all pass, "⚠️" some fail, "❌" none pass.
        public var mark: String
    }

    public struct WhysRow: Codable, Sendable, Equatable {
        public var id: Int64
        public var problem: String
        public var status: String
        /// "ready to verify" when its clusters stopped failing, else "".
        public var note: String
        public var clusters: String
    }

    /// A fixed cause that failed again in one of the report's runs.
    public struct RecurrenceRow: Codable, Sendable, Equatable {
        public var runID: Int64
        /// "Five-Whys 3" or the cycle's effort and number.
        public var fixedBy: String
        public var cluster: String
        public var previousStatus: String
        public var tests: String
    }

    public struct CycleRow: Codable, Sendable, Equatable {
        public var id: Int64
        public var title: String
        public var label: String
        public var started: String
        public var passRate: String
    }

    public var generatedFrom: String
    public var latestRunID: Int64
    public var date: String
    public var branch: String
    public var totals: TotalsView
    public var trendSparkline: String
    /// "50.9%–100.0%": the range the sparkline is scaled to.
    public var trendRange: String?
    /// A Mermaid xychart block.
    public var trendChart: String
    public var trend: [TrendRow]
    public var passRateChange: String
    public var categories: [CategoryView]
    public var hasFailures: Bool
    public var flaky: [FlakyRow]
    public var hasFlaky: Bool
    public var broken: [FlakyRow]
    public var hasBroken: Bool
    public var recovered: [FlakyRow]
    public var hasRecovered: Bool
    public var areas: [AreaRow]
    /// Five-Whys records not yet verified.
    public var whys: [WhysRow]
    public var hasWhys: Bool
    /// Open remediation cycles.
    public var cycles: [CycleRow]
    public var hasCycles: Bool
    public var infrastructureRuns: String
    public var hasInfrastructureRuns: Bool
    /// Fixed causes that failed again in the report's runs, newest first.
    public var recurrences: [RecurrenceRow] = []
    public var hasRecurrences = false
    /// "Total test time 2m 31s; median of the 13 runs before: 2m 05s (+21%)"; absent without durations.
    public var runTime: String?
    /// Tests whose duration rose over the window (a warning; see `triage slow`).
    public var slower: [SlowerRow] = []
    public var hasSlower = false

    public struct SlowerRow: Codable, Sendable, Equatable {
        public var test: String
        public var before: String
        public var after: String
        public var change: String
        public var since: Int64
    }

    /// Adds what `triage slow` found to the view: the rises and the latest run's total time.
    mutating func add(_ slow: SlowReport) {
        slower = slow.rises.prefix(25).map {
            SlowerRow(
                test: Markdown.code($0.test), before: durationText($0.medianBefore), after: durationText($0.medianAfter),
                change: $0.change.map { String(format: "%+.0f%%", $0 * 100) } ?? "-", since: $0.startedRunID)
        }
        hasSlower = !slower.isEmpty
        runTime = slow.runTime.flatMap { $0.total > 0 ? SlowOutput.runTimeLine($0) : nil }.map {
            $0.prefix(1).uppercased() + $0.dropFirst()
        }
    }
}

/// What the `status` report shows, gathered from the history and the analyses.
public struct StatusReportData: Sendable {
    /// The latest run, as stored (failing tests not marked).
    public var run: RunDetail
    public var trend: Trend
    public var flaky: FlakyReport
    /// Cluster id → an example message from the latest run.
    public var examples: [String: String]
    /// Pass counts per area in the latest run.
    public var areas: [AreaCount]
    /// Every Five-Whys record; the report lists those not verified.
    public var whys: [FiveWhys]
    /// Every cycle; the report lists the open ones.
    public var cycles: [RemediationCycle]
    /// Fixed causes that failed again in the trend's runs, oldest first.
    public var recurrences: [Recurrence]
    public var slow: SlowReport

    public init(
        run: RunDetail, trend: Trend, flaky: FlakyReport, examples: [String: String] = [:], areas: [AreaCount] = [],
        whys: [FiveWhys] = [], cycles: [RemediationCycle] = [], recurrences: [Recurrence] = [],
        slow: SlowReport
    ) {
        self.run = run
        self.trend = trend
        self.flaky = flaky
        self.examples = examples
        self.areas = areas
        self.whys = whys
        self.cycles = cycles
        self.recurrences = recurrences
        self.slow = slow
    }
}

extension StatusReportView {
    /// Shapes the view from what the status report shows; reads nothing.
    public init(_ data: StatusReportData) {
        let (run, trend, flaky, examples) = (data.run, data.trend, data.flaky, data.examples)
        let clusters = run.failuresByCluster.map {
            ClusterView(
                StoredCluster(id: $0.clusterID, category: $0.category, detail: $0.detail, template: $0.template),
                tests: $0.tests, example: examples[$0.clusterID])
        }
        func rows(_ state: TestState) -> [FlakyRow] {
            flaky.tests(in: state).prefix(25).map {
                FlakyRow(
                    test: Markdown.code($0.test), state: $0.state.rawValue, score: String(format: "%.2f", $0.score),
                    evidence: $0.evidence.map(\.rawValue).joined(separator: ", "),
                    cluster: ClusterView.label($0.mainCluster), recent: $0.recent)
            }
        }
        let areas = data.areas.map { area in
            AreaRow(
                area: Markdown.code(area.area), passed: area.passed, ran: area.ran,
                passRate: area.ran == 0 ? "n/a" : (Double(area.passed) / Double(area.ran)).percent,
                mark: area.ran == 0 ? "➖" : area.passed == area.ran ? "✅" : area.passed == 0 ? "❌" : "⚠️")
        }
        let flakyRows = rows(.flaky), brokenRows = rows(.broken), recoveredRows = rows(.recovered)
        let whys = data.whys.filter { $0.status != .verified }.map {
            WhysRow(
                id: $0.id, problem: Markdown.cell($0.problem), status: $0.status.rawValue,
                note: $0.isReadyToVerify == true ? "ready to verify" : "",
                clusters: $0.clusters.map { ClusterView.label($0) }.joined(separator: ", "))
        }
        let cycles = data.cycles.filter { $0.status == .open }.map { cycle in
            let rates = [cycle.measurement?.before?.passRate, cycle.measurement?.after?.passRate].map {
                $0?.percent ?? "-"
            }
            return CycleRow(
                id: cycle.id, title: Markdown.cell(cycle.effort), label: cycle.label,
                started: String(cycle.startedAt.prefix(10)),
                passRate: rates.joined(separator: " → "))
        }
        let recurrences = data.recurrences.reversed().map {
            RecurrenceRow(
                runID: $0.runID,
                fixedBy: $0.whysID.map { "Five-Whys \($0)" } ?? Markdown.cell($0.title),
                cluster: Markdown.code($0.clusterID) + " " + Markdown.cell($0.category),
                previousStatus: $0.previousStatus + ($0.fixedAt.map { " since \($0.prefix(10))" } ?? ""),
                tests: "\($0.tests.count): " + $0.tests.prefix(3).map { Markdown.code($0) }.joined(separator: ", ")
                    + ($0.tests.count > 3 ? ", …" : ""))
        }
        self.init(
            generatedFrom: "\(trend.points.count) runs", latestRunID: run.run.id,
            date: String(run.run.createdAt.prefix(10)),
            branch: Markdown.code(run.run.metadata.branch ?? "-"), totals: TotalsView(run.run.totals),
            trendSparkline: trend.sparkline, trendRange: trend.range,
            trendChart: Markdown.passRateChart(
                title: "Pass rate per run", labels: trend.points.map { "#\($0.runID)" },
                rates: trend.points.map { $0.passRate ?? 0 }),
            trend: trend.points.map {
                TrendRow(
                    runID: $0.runID, date: String($0.createdAt.prefix(10)), passRate: $0.passRate?.percent ?? "n/a",
                    fraction: "\($0.totals.passed)/\($0.totals.passed + $0.totals.failed + $0.totals.errors)",
                    note: $0.isInfrastructureFailure ? "infrastructure failure" : "")
            },
            passRateChange: pointsChange(trend.change),
            categories: ClusterView.byCategory(clusters), hasFailures: !clusters.isEmpty,
            flaky: flakyRows, hasFlaky: !flakyRows.isEmpty, broken: brokenRows, hasBroken: !brokenRows.isEmpty,
            recovered: recoveredRows, hasRecovered: !recoveredRows.isEmpty, areas: areas,
            whys: whys, hasWhys: !whys.isEmpty, cycles: cycles, hasCycles: !cycles.isEmpty,
            infrastructureRuns: flaky.infrastructureRuns.map { "#\($0)" }.joined(separator: ", "),
            hasInfrastructureRuns: !flaky.infrastructureRuns.isEmpty, recurrences: Array(recurrences),
            hasRecurrences: !recurrences.isEmpty)
        add(data.slow)
    }
}
