import Foundation

/// The Markdown summary of `triage ci` (template `ci-summary.md`), for `$GITHUB_STEP_SUMMARY`.
public struct CISummaryView: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var test: String
        public var outcome: String
        public var cluster: String
        public var note: String
    }

    /// "✅ passed" or "❌ failed".
    public var verdict: String
    public var passed: Bool
    public var gate: String
    public var reasons: [CycleReportView.Line]
    public var notes: [CycleReportView.Line]
    public var runID: Int64
    public var baseline: String
    public var totals: TotalsView
    public var passRateChange: String
    public var newFailures: [Row]
    public var hasNewFailures: Bool
    public var otherFailures: [Row]
    public var hasOtherFailures: Bool
    public var fixed: [CycleReportView.Line]
    public var hasFixed: Bool
    public var newClusters: [CycleReportView.Line]
    public var hasNewClusters: Bool
    /// Fixed causes failing again, shown first.
    public var recurrences: [CycleReportView.Line]
    public var hasRecurrences: Bool

    public init(_ result: CIResult) {
        passed = result.passed
        verdict = result.passed ? "✅ passed" : "❌ failed"
        gate =
            result.gate.rawValue + (result.failsOnRecurrence && result.gate != .recurrence ? ", recurrence" : "")
            + (result.minimumPassRate.map { ", minimum pass rate \($0.percent)" } ?? "")
        reasons = result.reasons.map { .init(text: Markdown.cell($0, limit: 600)) }
        notes = result.notes.map { .init(text: Markdown.cell($0, limit: 600)) }
        runID = result.runID
        baseline = result.baselineRunID.map { "run \($0) (\(result.baselinePassRate?.percent ?? "n/a"))" } ?? "none"
        totals = TotalsView(result.totals)
        passRateChange = pointsChange(result.passRateChange)
        func row(_ test: CIResult.FailingTest) -> Row {
            let note = [test.isQuarantined ? "quarantined" : nil, test.isKnownFlaky ? "known flaky" : nil].compactMap {
                $0
            }.joined(separator: ", ")
            let cluster = test.clusterID.map { "`\($0)` \(test.category ?? "")" } ?? "-"
            return Row(test: Markdown.code(test.test), outcome: test.outcome.rawValue, cluster: cluster, note: note)
        }
        newFailures = result.failing.filter(\.isNew).map(row)
        hasNewFailures = !newFailures.isEmpty
        otherFailures = result.failing.filter { !$0.isNew }.prefix(50).map(row)
        hasOtherFailures = !otherFailures.isEmpty
        fixed = result.fixed.map { .init(text: Markdown.code($0)) }
        hasFixed = !fixed.isEmpty
        newClusters = result.newClusters.map { .init(text: ClusterView.label($0) + " — " + Markdown.cell($0.template)) }
        hasNewClusters = !newClusters.isEmpty
        recurrences = result.recurrences.map { .init(text: Markdown.cell($0.summary, limit: 600)) }
        hasRecurrences = !recurrences.isEmpty
    }

    /// The short plain-text summary printed to stdout.
    public static func text(_ result: CIResult) -> String {
        var lines = result.recurrences.map { "triage: RECURRENCE \(SafeText.terminal($0.summary))" }
        lines += [
            "triage: run \(result.runID): \(result.totals.line)",
            "  against \(result.baselineRunID.map { "run \($0): pass rate \(result.baselinePassRate?.percent ?? "n/a") → \(result.passRate?.percent ?? "n/a") (\(pointsChange(result.passRateChange)))" } ?? "no baseline")",
            "  new failures \(result.newFailures.count), fixed \(result.fixed.count), still failing \(result.stillFailing.count), new clusters \(result.newClusters.count), known flaky failing \(result.flakyInvolved.count), quarantined failing \(result.quarantinedFailures.count)",
        ]
        for test in result.failing where test.isNew {
            lines.append(
                "  NEW \(SafeText.line(test.test, limit: 110))  \(test.clusterID ?? "-") \(test.category ?? "")")
        }
        lines += result.notes.map { "  note: \(SafeText.terminal($0))" }
        lines += result.verifiedWhys.map {
            "  note: Five-Whys \($0.id) is now verified: \($0.cleanRuns) clean runs of every test its causes hit"
        }
        let gate = result.gate.rawValue + (result.failsOnRecurrence && result.gate != .recurrence ? ", recurrence" : "")
        lines.append(result.passed ? "gate \(gate): passed" : "gate \(gate): FAILED")
        lines += result.reasons.map { "  because \(SafeText.terminal($0))" }
        return lines.joined(separator: "\n")
    }
}
