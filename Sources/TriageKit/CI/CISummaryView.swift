import Foundation
import TriageModel
import TriageStore

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
    /// One line each ("… and 120 more rows left out …") when a table was cut; else empty.
    public var newFailuresLeftOut: [CycleReportView.Line] = []
    public var otherFailuresLeftOut: [CycleReportView.Line] = []
    public var fixedLeftOut: [CycleReportView.Line] = []
    public var newClustersLeftOut: [CycleReportView.Line] = []

    /// GitHub's limit on one step's summary.
    public static let stepSummaryLimit = 1_048_576
    /// Rows of "still failing" shown at most, however small they are.
    static let otherFailuresShown = 50
    /// Fixed causes failing again, shown first.
    public var recurrences: [CycleReportView.Line]
    public var hasRecurrences: Bool
    public var passedOnRetry: [CycleReportView.Line] = []
    public var passedOnRetryCount = 0
    public var hasPassedOnRetry = false
    /// Duration rises, "`test`: 0.21s → 0.48s (+129%) since run 9 (…)".
    public var slower: [CycleReportView.Line] = []
    public var hasSlower = false
    /// "Total test time of run 14: 2m 31s; …"; absent without durations.
    public var runTime: String?

    public init(_ result: CIResult) {
        passed = result.passed
        verdict = result.passed ? "✅ passed" : "❌ failed"
        gate =
            result.gate.rawValue + (result.failsOnRecurrence && result.gate != .recurrence ? ", recurrence" : "")
            + (result.failsOnSlower ? ", slower" : "")
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
        let other = result.failing.filter { !$0.isNew }
        otherFailures = other.prefix(Self.otherFailuresShown).map(row)
        hasOtherFailures = !otherFailures.isEmpty
        otherFailuresLeftOut = Self.leftOut(other.count - otherFailures.count, why: "`triage runs show \(result.runID)` lists them all")
        fixed = result.fixed.map { .init(text: Markdown.code($0)) }
        hasFixed = !fixed.isEmpty
        newClusters = result.newClusters.map { .init(text: ClusterView.label($0) + " — " + Markdown.cell($0.template)) }
        hasNewClusters = !newClusters.isEmpty
        recurrences = result.recurrences.map { .init(text: Markdown.cell($0.summary, limit: 600)) }
        hasRecurrences = !recurrences.isEmpty
        passedOnRetry = result.passedOnRetry.prefix(50).map { .init(text: Markdown.code($0)) }
        passedOnRetryCount = result.passedOnRetry.count
        hasPassedOnRetry = !passedOnRetry.isEmpty
        slower = result.slower.prefix(20).map { .init(text: Markdown.cell(SlowOutput.riseLine($0), limit: 600)) }
        hasSlower = !slower.isEmpty
        runTime = result.runTime.flatMap { $0.total > 0 ? SlowOutput.runTimeLine($0) : nil }.map {
            Markdown.cell($0.prefix(1).uppercased() + $0.dropFirst())
        }
    }

    /// The Markdown of `render` within `budget` bytes: while it is longer, the longest table is
    /// halved, with a line saying how many rows were left out. The tables are what grows with
    /// the run; the rest is a few lines.
    public static func markdown(
        _ result: CIResult, budget: Int, render: (CISummaryView) throws -> String
    ) rethrows -> String {
        var view = CISummaryView(result)
        var text = try render(view)
        let why = "to keep the summary under GitHub's 1 MiB; `triage runs show \(result.runID)` lists them all"
        // Rows cut per table: new failures, still failing (beyond the first 50 already), fixed, new clusters.
        var cut = [0, max(0, result.failing.filter { !$0.isNew }.count - otherFailuresShown), 0, 0]
        while text.utf8.count > budget {
            let counts = [view.newFailures.count, view.otherFailures.count, view.fixed.count, view.newClusters.count]
            guard let longest = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[longest] > 0 else { break }
            let dropped = counts[longest] - counts[longest] / 2
            cut[longest] += dropped
            let line = leftOut(cut[longest], why: why)
            switch longest {
            case 0:
                view.newFailures.removeLast(dropped)
                view.newFailuresLeftOut = line
            case 1:
                view.otherFailures.removeLast(dropped)
                view.otherFailuresLeftOut = line
            case 2:
                view.fixed.removeLast(dropped)
                view.fixedLeftOut = line
            default:
                view.newClusters.removeLast(dropped)
                view.newClustersLeftOut = line
            }
            text = try render(view)
        }
        if text.utf8.count > budget {
            // Nothing left to cut but the text around the tables: end at a line that fits.
            var head = text.utf8.prefix(max(0, budget - 64))
            if let newline = head.lastIndex(of: UInt8(ascii: "\n")) { head = head[...newline] }
            text = String(decoding: head, as: UTF8.self) + "\n… (cut to keep the summary under GitHub's 1 MiB)\n"
        }
        return text
    }

    private static func leftOut(_ count: Int, why: String) -> [CycleReportView.Line] {
        count > 0 ? [.init(text: "… and \(count) more row\(count == 1 ? "" : "s") left out, \(why)")] : []
    }

    /// The short plain-text summary printed to stdout.
    public static func text(_ result: CIResult) -> String { text(result, palette: .plain) }

    public static func text(_ result: CIResult, palette: Palette) -> String {
        var lines = result.recurrences.map { "triage: RECURRENCE \(SafeText.terminal($0.summary))" }
        lines += [
            "triage: run \(result.runID): \(result.totals.colored(palette))",
            "  against \(result.baselineRunID.map { "run \($0): pass rate \(result.baselinePassRate?.percent ?? "n/a") → \(result.passRate?.percent ?? "n/a") (\(pointsChange(result.passRateChange)))" } ?? "no baseline")",
            "  new failures \(result.newFailures.count), fixed \(result.fixed.count), still failing \(result.stillFailing.count), new clusters \(result.newClusters.count), known flaky failing \(result.flakyInvolved.count), quarantined failing \(result.quarantinedFailures.count)",
        ]
        // A known flaky or quarantined failure is named as such: it does not count for the gate.
        for test in result.failing where test.isNew {
            let mark =
                test.isKnownFlaky
                ? palette.flaky("KNOWN FLAKY") : test.isQuarantined ? palette.flaky("QUARANTINED") : palette.failed("NEW")
            lines.append(
                "  \(mark) \(SafeText.line(test.test, limit: 110))  \(test.clusterID ?? "-") \(test.category ?? "")")
        }
        if !result.passedOnRetry.isEmpty {
            lines.append(
                "  passed on retry: "
                    + palette.flaky(result.passedOnRetry.prefix(10).map { SafeText.line($0, limit: 110) }.joined(separator: ", "))
                    + (result.passedOnRetry.count > 10 ? ", and \(result.passedOnRetry.count - 10) more" : ""))
        }
        for rise in result.slower.prefix(10) {
            lines.append("  \(palette.flaky("SLOWER")) \(SlowOutput.riseLine(rise))")
        }
        if let time = result.runTime, time.total > 0, let line = SlowOutput.runTimeLine(time) { lines.append("  \(line)") }
        lines += result.notes.map { "  note: \(SafeText.terminal($0))" }
        lines += result.verifiedWhys.map {
            "  note: Five-Whys \($0.id) is now verified: \($0.cleanRuns) clean runs of every test its causes hit"
        }
        let gate =
            result.gate.rawValue + (result.failsOnRecurrence && result.gate != .recurrence ? ", recurrence" : "")
            + (result.failsOnSlower ? ", slower" : "")
        lines.append(result.passed ? "gate \(gate): \(palette.passed("passed"))" : "gate \(gate): \(palette.failed("FAILED"))")
        lines += result.reasons.map { "  because \(SafeText.terminal($0))" }
        return lines.joined(separator: "\n")
    }
}
