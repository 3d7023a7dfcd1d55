import Foundation
import TriageModel
import TriageStore

/// The `cycle` report: a remediation cycle as teams write it by hand, with the numbers
/// computed from the runs.
public struct CycleReportView: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        public var text: String
    }

    public struct WhyStep: Codable, Sendable, Equatable {
        public var number: Int
        public var question: String
        public var answer: String
    }

    public struct OptionRow: Codable, Sendable, Equatable {
        public var title: String
        public var approach: String
        public var pros: String
        public var cons: String
        /// "✅ chosen" or "".
        public var chosen: String
    }

    public struct ChecklistRow: Codable, Sendable, Equatable {
        /// ✅ done, ⚠️ partial, ⬜ to do.
        public var mark: String
        public var text: String
    }

    public struct AnalysisView: Codable, Sendable, Equatable {
        public var id: Int64
        public var problem: String
        public var status: String
        public var rootCause: String
        public var hasRootCause: Bool
        public var whys: [WhyStep]
        public var hasWhys: Bool
        public var options: [OptionRow]
        public var hasOptions: Bool
        public var chosenOption: String
        public var evidence: [Line]
    }

    public struct ComparisonRow: Codable, Sendable, Equatable {
        public var label: String
        public var before: String
        public var after: String
        public var change: String
    }

    public struct GroupRow: Codable, Sendable, Equatable {
        public var name: String
        public var before: Int
        public var after: Int
        public var still: Int
    }

    public var cycleID: Int64
    public var title: String
    /// "Cycle 2 of 20".
    public var cycleLabel: String
    public var date: String
    public var status: String
    public var owner: String
    public var scope: String
    public var clusters: [Line]
    public var analyses: [AnalysisView]
    public var checklist: [ChecklistRow]
    public var hasChecklist: Bool
    public var hasMeasurement: Bool
    public var beforeRun: String
    public var afterRun: String
    public var comparison: [ComparisonRow]
    /// "+9 tests", "-2 tests".
    public var passedChange: String
    public var verdict: String
    public var verdictReason: String
    public var fixed: [Line]
    public var fixedCount: Int
    public var hasFixed: Bool
    public var newlyFailing: [Line]
    public var newlyFailingCount: Int
    public var hasNewlyFailing: Bool
    public var remainingByCategory: [GroupRow]
    public var remainingByCluster: [GroupRow]
    public var hasRemaining: Bool
    /// Findings: what works now, what was learned.
    public var findings: [Line]
    public var hasFindings: Bool
    public var notes: [Line]
    public var hasNotes: Bool
    public var nextSteps: [Line]
    public var hasNextSteps: Bool
    public var risk: String
    public var priority: String
    public var businessImpact: String
    public var hasImpact: Bool

}

/// What the `cycle` report shows: a cycle (measured) and the Five-Whys records linked to it.
public struct CycleReportData: Sendable, Equatable {
    public var cycle: RemediationCycle
    /// The linked records in the cycle's order, each with whether it is ready to verify.
    public var analyses: [FiveWhys]

    public init(cycle: RemediationCycle, analyses: [FiveWhys] = []) {
        self.cycle = cycle
        self.analyses = analyses
    }
}

extension CycleReportView {
    /// Shapes the view from what the cycle report shows; reads nothing.
    public init(_ data: CycleReportData) {
        let (cycle, records) = (data.cycle, data.analyses)
        func lines(_ texts: [String]) -> [Line] { texts.map { Line(text: Markdown.cell($0, limit: 600)) } }
        let analyses = records.map { record -> AnalysisView in
            let options = record.options.map {
                OptionRow(
                    title: Markdown.cell($0.title), approach: Markdown.cell($0.approach),
                    pros: Markdown.cell($0.pros.joined(separator: "; ")),
                    cons: Markdown.cell($0.cons.joined(separator: "; ")), chosen: $0.isChosen ? "✅ chosen" : "")
            }
            return AnalysisView(
                id: record.id, problem: Markdown.cell(record.problem, limit: 600), status: record.status.rawValue,
                rootCause: Markdown.cell(record.rootCause, limit: 600), hasRootCause: record.rootCause != nil,
                whys: record.steps.enumerated().map { index, step in
                    WhyStep(
                        number: index + 1,
                        question: Markdown.cell(step.question ?? (index == 0 ? "Why does it fail?" : "Why?")),
                        answer: Markdown.cell(step.answer, limit: 600))
                },
                hasWhys: !record.steps.isEmpty, options: options, hasOptions: !options.isEmpty,
                chosenOption: Markdown.cell(record.options.first(where: \.isChosen)?.title),
                evidence: lines(record.evidence))
        }
        let marks: [ChecklistState: String] = [.done: "✅", .partial: "⚠️", .todo: "⬜"]
        let checklist = records.flatMap(\.checklist).map {
            ChecklistRow(mark: marks[$0.state] ?? "⬜", text: Markdown.cell($0.text, limit: 400))
        }
        let measurement = cycle.measurement
        func figure(_ value: Int?) -> String { value.map(String.init) ?? "-" }
        func delta(_ before: Int?, _ after: Int?) -> String {
            guard let before, let after else { return "" }
            return after == before ? "0" : String(format: "%+d", after - before)
        }
        let before = measurement?.before, after = measurement?.after
        let comparison = [
            ComparisonRow(
                label: "passed", before: figure(before?.passed), after: figure(after?.passed),
                change: delta(before?.passed, after?.passed)),
            ComparisonRow(
                label: "failed", before: figure(before?.failed), after: figure(after?.failed),
                change: delta(before?.failed, after?.failed)),
            ComparisonRow(
                label: "errors", before: figure(before?.errors), after: figure(after?.errors),
                change: delta(before?.errors, after?.errors)),
            ComparisonRow(
                label: "skipped", before: figure(before?.skipped), after: figure(after?.skipped),
                change: delta(before?.skipped, after?.skipped)),
            ComparisonRow(
                label: "pass rate", before: Self.rate(before), after: Self.rate(after),
                change: pointsChange(measurement?.passRateChange)),
        ]
        func groups(_ items: [CycleMeasurement.Group]?, byCluster: Bool) -> [GroupRow] {
            (items ?? []).map {
                GroupRow(
                    name: byCluster
                        ? "`\($0.clusterID ?? "-")` \($0.category)"
                            + ($0.detail.map { " (\(Markdown.cell($0)))" } ?? "") : $0.category,
                    before: $0.testsBefore, after: $0.testsAfter, still: $0.stillFailing)
            }
        }
        let findings = lines(cycle.findings + records.flatMap(\.findings))
        let nextSteps = lines(cycle.nextSteps + records.flatMap(\.nextSteps))
        let notes = cycle.notes.map { Line(text: "\($0.createdAt.prefix(10)): \(Markdown.cell($0.text, limit: 600))") }
        let fixed = (measurement?.fixed ?? []).map { Line(text: Markdown.code($0)) }
        let newly = (measurement?.newlyFailing ?? []).map { Line(text: Markdown.code($0)) }
        let byCategory = groups(measurement?.remainingByCategory, byCluster: false)
        let impact = cycle.businessImpact ?? records.compactMap(\.businessImpact).first
        self.init(
            cycleID: cycle.id, title: Markdown.cell(cycle.effort),
            cycleLabel: cycle.label.prefix(1).uppercased() + cycle.label.dropFirst(),
            date: String((cycle.closedAt ?? cycle.startedAt).prefix(10)), status: cycle.status.rawValue,
            owner: Markdown.cell(cycle.owner ?? "-"), scope: Markdown.code(cycle.scope),
            clusters: cycle.clusters.map { Line(text: ClusterView.label($0) + " — " + Markdown.cell($0.template)) },
            analyses: analyses, checklist: checklist, hasChecklist: !checklist.isEmpty,
            hasMeasurement: measurement != nil, beforeRun: measurement?.beforeRunID.map { "run \($0)" } ?? "none",
            afterRun: measurement?.afterRunID.map { "run \($0)" } ?? "none", comparison: comparison,
            passedChange: measurement?.passedChange.map { String(format: "%+d tests", $0) } ?? "n/a",
            verdict: measurement?.verdict.rawValue ?? "inconclusive",
            verdictReason: Markdown.cell(measurement?.verdictReason ?? "not measured", limit: 400),
            fixed: fixed, fixedCount: fixed.count, hasFixed: !fixed.isEmpty,
            newlyFailing: newly, newlyFailingCount: newly.count, hasNewlyFailing: !newly.isEmpty,
            remainingByCategory: byCategory,
            remainingByCluster: groups(measurement?.remainingByCluster, byCluster: true),
            hasRemaining: !byCategory.isEmpty, findings: findings, hasFindings: !findings.isEmpty, notes: notes,
            hasNotes: !notes.isEmpty,
            nextSteps: nextSteps, hasNextSteps: !nextSteps.isEmpty,
            risk: Markdown.cell(cycle.risk ?? records.compactMap(\.risk).first ?? "-"),
            priority: Markdown.cell(cycle.priority ?? records.compactMap(\.priority).first ?? "-"),
            businessImpact: Markdown.cell(impact ?? "", limit: 600), hasImpact: impact != nil)
    }

    private static func rate(_ totals: ScopeTotals?) -> String {
        guard let totals, let rate = totals.passRate else { return "-" }
        return "\(rate.percent) (\(totals.passed)/\(totals.passed + totals.failing))"
    }
}
