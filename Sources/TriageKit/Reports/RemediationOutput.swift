import Foundation
import TriageModel
import TriageStore

/// Text and Markdown renderings of Five-Whys records and remediation cycles. Pure functions of
/// their values; user and result-file text is escaped for the terminal or for Markdown.
public enum RemediationOutput {
    static func cluster(_ cluster: StoredCluster) -> String {
        "\(cluster.id) \(cluster.category)\(cluster.detail.map { "(\($0))" } ?? "")"
    }

    static func mark(_ state: ChecklistState) -> String {
        switch state {
        case .done: "[x]"
        case .partial: "[~]"
        case .todo: "[ ]"
        }
    }

    // MARK: - Five-Whys

    public static func text(_ record: FiveWhys) -> String {
        let t = { SafeText.terminal($0, keepNewlines: true) }
        var lines = [
            "Five-Whys \(record.id)  \(record.status.rawValue)\(record.isReadyToVerify == true ? "  ready to verify" : "")"
                + (record.owner.map { "  owner \(SafeText.terminal($0))" } ?? "")
        ]
        lines.append("problem: \(t(record.problem))")
        lines += RootCauseOutput.textLines(record.verification, subject: "verification")
        lines += RootCauseOutput.textLines(record.recurrences)
        for linked in record.clusters { lines.append("cluster: \(SafeText.terminal(cluster(linked)))") }
        for test in record.tests { lines.append("test: \(SafeText.terminal(test))") }
        for (index, step) in record.steps.enumerated() {
            lines.append("  \(index + 1). " + (step.question.map { "\(t($0)) → " } ?? "") + t(step.answer))
        }
        if let root = record.rootCause { lines.append("root cause: \(t(root))") }
        for option in record.options {
            lines.append(
                "option: \(t(option.title))\(option.isChosen ? "  (chosen)" : "")"
                    + (option.approach.map { " — \(t($0))" } ?? ""))
            lines += option.pros.map { "    + \(t($0))" } + option.cons.map { "    − \(t($0))" }
        }
        lines += record.checklist.map { "\(mark($0.state)) \(t($0.text))" }
        lines += record.findings.map { "finding: \(t($0))" }
        lines += record.nextSteps.map { "next: \(t($0))" }
        if let impact = record.businessImpact { lines.append("business impact: \(t(impact))") }
        if let risk = record.risk { lines.append("risk: \(t(risk))") }
        if let priority = record.priority { lines.append("priority: \(t(priority))") }
        lines += record.evidence.map { "evidence: \(SafeText.terminal($0))" }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ record: FiveWhys) -> String {
        var lines = [
            "## Five-Whys \(record.id): \(Markdown.cell(record.problem, limit: 200))", "",
            "**Status:** \(record.status.rawValue)\(record.isReadyToVerify == true ? " (ready to verify)" : "")"
                + (record.owner.map { " · **Owner:** \(Markdown.cell($0))" } ?? "")
                + (record.risk.map { " · **Risk:** \(Markdown.cell($0))" } ?? "")
                + (record.priority.map { " · **Priority:** \(Markdown.cell($0))" } ?? ""),
        ]
        if !record.clusters.isEmpty {
            lines += [
                "", "**Clusters:** " + record.clusters.map { Markdown.code(cluster($0)) }.joined(separator: ", "),
            ]
        }
        if !record.tests.isEmpty {
            lines += ["", "**Tests:** " + record.tests.map { Markdown.code($0) }.joined(separator: ", ")]
        }
        lines += RootCauseOutput.markdownLines(record.verification, subject: "Verification")
        lines += ["", "**Problem:**", "", Markdown.block(record.problem)]
        lines += RootCauseOutput.markdownLines(record.recurrences)
        if !record.steps.isEmpty {
            lines += ["", "### Five Whys", ""]
            for (index, step) in record.steps.enumerated() {
                lines.append(
                    "\(index + 1). " + (step.question.map { "**\(Markdown.cell($0, limit: 400))** → " } ?? "")
                        + Markdown.cell(step.answer, limit: 400))
            }
        }
        if let root = record.rootCause { lines += ["", "**Root cause:** \(Markdown.cell(root, limit: 400))"] }
        if !record.options.isEmpty {
            lines += [
                "", "### Options", "", "| option | approach | pros | cons | chosen |",
                "| --- | --- | --- | --- | --- |",
            ]
            for option in record.options {
                lines.append(
                    "| \(Markdown.cell(option.title)) | \(Markdown.cell(option.approach)) | \(option.pros.map { Markdown.cell($0) }.joined(separator: "; ")) | \(option.cons.map { Markdown.cell($0) }.joined(separator: "; ")) | \(option.isChosen ? "✅" : "") |"
                )
            }
        }
        func list(_ title: String, _ items: [String]) {
            guard !items.isEmpty else { return }
            lines += ["", "### \(title)", ""] + items
        }
        list("Status", record.checklist.map { "- \(mark($0.state)) \(Markdown.cell($0.text, limit: 400))" })
        list("Key findings", record.findings.map { "- \(Markdown.cell($0, limit: 400))" })
        list(
            "Next steps",
            record.nextSteps.enumerated().map { "\($0.offset + 1). \(Markdown.cell($0.element, limit: 400))" })
        if let impact = record.businessImpact {
            lines += ["", "**Business impact:** \(Markdown.cell(impact, limit: 400))"]
        }
        list("Evidence", record.evidence.map { "- \(Markdown.code($0, limit: 400))" })
        return lines.joined(separator: "\n")
    }

    public static func text(_ list: WhysList) -> String {
        guard !list.records.isEmpty else {
            return "no Five-Whys records yet; `triage whys new --cluster ID --problem TEXT` starts one"
        }
        let byID = Dictionary(uniqueKeysWithValues: list.records.map { ($0.id, $0) })
        var lines: [String] = []
        for group in list.groups {
            lines.append(
                "cluster \(SafeText.terminal(cluster(group.cluster)))  \(group.failingInLatestRun) failing in the latest run"
            )
            for id in group.records {
                guard let record = byID[id] else { continue }
                let state = record.isReadyToVerify == true ? "ready to verify" : record.status.rawValue
                lines.append(
                    "  " + IngestText.pad("#\(id)", 5) + " " + IngestText.pad(state, 15) + " "
                        + IngestText.pad(SafeText.terminal(record.owner ?? "-"), 12)
                        + " " + SafeText.line(record.problem, limit: 90))
            }
        }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ list: WhysList) -> String {
        let byID = Dictionary(uniqueKeysWithValues: list.records.map { ($0.id, $0) })
        var lines = [
            "## Five-Whys records", "", "| cluster | failing now | record | status | owner | problem |",
            "| --- | ---: | ---: | --- | --- | --- |",
        ]
        for group in list.groups {
            for id in group.records {
                guard let record = byID[id] else { continue }
                let state = record.isReadyToVerify == true ? "ready to verify" : record.status.rawValue
                lines.append(
                    "| \(Markdown.code(cluster(group.cluster))) | \(group.failingInLatestRun) | \(id) | \(state) | \(Markdown.cell(record.owner ?? "")) | \(Markdown.cell(record.problem)) |"
                )
            }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: - Cycles

    static func totals(_ totals: ScopeTotals?) -> String {
        guard let totals else { return "-" }
        return
            "\(totals.passed) passed / \(totals.failing) failing (\(totals.failed) failed, \(totals.errors.counted("error"))), \(totals.skipped) skipped, pass rate \(passRate(totals)) (run \(totals.runID.map(String.init) ?? "-"))"
    }

    /// "67.3% (95% CI 54.1–78.2%)", "n/a" when nothing ran.
    static func passRate(_ totals: ScopeTotals) -> String {
        guard let rate = totals.passRate else { return "n/a" }
        guard let interval = totals.passRateInterval, interval.count == 2 else { return rate.percent }
        return "\(rate.percent) (95% CI \(String(format: "%.1f", interval[0] * 100))–\(interval[1].percent))"
    }

    static func signed(_ value: Int?) -> String {
        guard let value else { return "-" }
        return value > 0 ? "+\(value)" : "\(value)"
    }

    public static func text(_ cycle: RemediationCycle) -> String {
        var lines = [
            "\(SafeText.terminal(cycle.effort)): \(cycle.label)  (#\(cycle.id), \(cycle.status.rawValue))"
                + (cycle.owner.map { "  owner \(SafeText.terminal($0))" } ?? "")
        ]
        lines.append(
            "scope \(SafeText.terminal(cycle.scope)); started \(cycle.startedAt)"
                + (cycle.closedAt.map { ", closed \($0)" } ?? ""))
        for linked in cycle.clusters { lines.append("cluster: \(SafeText.terminal(cluster(linked)))") }
        for whys in cycle.whys {
            lines.append("five-whys #\(whys.id) (\(whys.status.rawValue)): \(SafeText.line(whys.problem, limit: 90))")
        }
        if let m = cycle.measurement {
            lines.append("before: \(totals(m.before))")
            if m.after == nil {
                lines.append("after:  none yet: no run with results in scope since the cycle started")
            } else {
                lines.append("after:  \(totals(m.after))\(cycle.isMeasurementStored ? "" : "  (measured now)")")
            }
            lines.append(
                "fixed \(m.fixed.count), newly failing \(m.newlyFailing.count), still failing \(m.stillFailing.count); passed \(signed(m.passedChange))"
            )
            lines.append("verdict: \(m.verdict.rawValue) (\(m.verdictReason))")
            for group in m.remainingByCluster {
                // Without an after run there is nothing to compare: say what failed before.
                let counts =
                    m.after == nil
                    ? "\(group.testsBefore) failing before"
                    : IngestText.pad(String(group.testsAfter), 4, right: true) + " (was \(group.testsBefore))"
                lines.append(
                    "  " + counts + "  "
                        + SafeText.terminal(
                            (group.clusterID ?? "-") + " " + group.category + (group.detail.map { "(\($0))" } ?? "")))
            }
        }
        lines += RootCauseOutput.textLines(cycle.fixedTests, subject: "fixed tests verified")
        lines += RootCauseOutput.textLines(cycle.recurrences)
        lines += cycle.notes.map { "note \($0.createdAt): \(SafeText.terminal($0.text, keepNewlines: true))" }
        lines += cycle.findings.map { "finding: \(SafeText.terminal($0, keepNewlines: true))" }
        lines += cycle.nextSteps.map { "next: \(SafeText.terminal($0, keepNewlines: true))" }
        if let risk = cycle.risk { lines.append("risk: \(SafeText.terminal(risk))") }
        if let priority = cycle.priority { lines.append("priority: \(SafeText.terminal(priority))") }
        if let impact = cycle.businessImpact {
            lines.append("business impact: \(SafeText.terminal(impact, keepNewlines: true))")
        }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ cycle: RemediationCycle) -> String {
        var lines = [
            "## \(Markdown.cell(cycle.effort)): \(cycle.label)", "",
            "**Status:** \(cycle.status.rawValue) · **Scope:** \(Markdown.code(cycle.scope)) · **Started:** \(cycle.startedAt)"
                + (cycle.closedAt.map { " · **Closed:** \($0)" } ?? "")
                + (cycle.owner.map { " · **Owner:** \(Markdown.cell($0))" } ?? ""),
        ]
        if !cycle.clusters.isEmpty {
            lines += ["", "**Clusters:** " + cycle.clusters.map { Markdown.code(cluster($0)) }.joined(separator: ", ")]
        }
        if !cycle.whys.isEmpty {
            lines += [
                "",
                "**Five-Whys:** " + cycle.whys.map { "#\($0.id) \(Markdown.cell($0.problem))" }.joined(separator: "; "),
            ]
        }
        if let m = cycle.measurement {
            lines += [
                "", "### Results", "", "| | run | passed | failing | skipped | pass rate |",
                "| --- | ---: | ---: | ---: | ---: | ---: |",
            ]
            for (label, totals) in [("before", m.before), ("after", m.after)] {
                guard let totals else { lines.append("| \(label) | - | | | | |"); continue }
                lines.append(
                    "| \(label) | \(totals.runID.map(String.init) ?? "-") | \(totals.passed) | \(totals.failing) | \(totals.skipped) | \(passRate(totals)) |"
                )
            }
            lines += [
                "",
                "**\(signed(m.passedChange)) passed**: \(m.fixed.count) fixed, \(m.newlyFailing.count) newly failing, \(m.stillFailing.count) still failing. **Verdict:** \(m.verdict.rawValue) (\(Markdown.cell(m.verdictReason))).\(cycle.isMeasurementStored ? "" : " Measured now; the cycle is open.")",
            ]
            if !m.remainingByCluster.isEmpty {
                lines += [
                    "", "| remaining cluster | category | failing before | failing after |",
                    "| --- | --- | ---: | ---: |",
                ]
                for group in m.remainingByCluster {
                    lines.append(
                        "| \(Markdown.code(group.clusterID ?? "-")) | \(Markdown.cell(group.category + (group.detail.map { " (\($0))" } ?? ""))) | \(group.testsBefore) | \(group.testsAfter) |"
                    )
                }
            }
        }
        func list(_ title: String, _ items: [String]) {
            guard !items.isEmpty else { return }
            lines += ["", "### \(title)", ""] + items
        }
        list("Notes", cycle.notes.map { "- \($0.createdAt): \(Markdown.cell($0.text, limit: 400))" })
        list("Key findings", cycle.findings.map { "- \(Markdown.cell($0, limit: 400))" })
        list(
            "Next steps",
            cycle.nextSteps.enumerated().map { "\($0.offset + 1). \(Markdown.cell($0.element, limit: 400))" })
        var impact: [String] = []
        if let risk = cycle.risk { impact.append("**Risk:** \(Markdown.cell(risk))") }
        if let priority = cycle.priority { impact.append("**Priority:** \(Markdown.cell(priority))") }
        if let business = cycle.businessImpact {
            impact.append("**Business impact:** \(Markdown.cell(business, limit: 400))")
        }
        list("Business impact", impact.map { "- \($0)" })
        return lines.joined(separator: "\n")
    }

    public static func text(_ cycles: [RemediationCycle]) -> String {
        guard !cycles.isEmpty else { return "no cycles yet; `triage cycle start TITLE --scope GLOB` starts one" }
        return cycles.map { cycle in
            let m = cycle.measurement
            return IngestText.pad("#\(cycle.id)", 5) + " " + IngestText.pad(SafeText.line(cycle.effort, limit: 40), 40)
                + " " + IngestText.pad(cycle.label, 14) + " "
                + IngestText.pad(cycle.status.rawValue, 8) + " " + (m?.before?.passRate?.percent ?? "-") + " → "
                + (m?.after?.passRate?.percent ?? "-")
                + "  " + (m.map { "\(signed($0.passedChange)) passed, \($0.verdict.rawValue)" } ?? "")
        }.joined(separator: "\n")
    }

    public static func markdown(_ cycles: [RemediationCycle]) -> String {
        var lines = [
            "## Remediation cycles", "", "| # | effort | cycle | status | before | after | change | verdict |",
            "| ---: | --- | --- | --- | ---: | ---: | ---: | --- |",
        ]
        for cycle in cycles {
            let m = cycle.measurement
            lines.append(
                "| \(cycle.id) | \(Markdown.cell(cycle.effort)) | \(cycle.label) | \(cycle.status.rawValue) | \(m?.before?.passRate?.percent ?? "-") | \(m?.after?.passRate?.percent ?? "-") | \(signed(m?.passedChange)) | \(m?.verdict.rawValue ?? "-") |"
            )
        }
        return lines.joined(separator: "\n")
    }
}
