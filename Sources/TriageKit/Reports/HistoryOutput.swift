import Foundation
import TriageModel
import TriageStore

/// Text and Markdown renderings of the history analyses. Pure functions of their values.
public enum HistoryOutput {
    static func cluster(_ cluster: StoredCluster?) -> String {
        guard let cluster else { return "-" }
        return "\(cluster.id) \(cluster.category)\(cluster.detail.map { "(\($0))" } ?? "")"
    }

    // MARK: - flaky

    public static func text(_ report: FlakyReport) -> String { text(report, palette: .plain) }

    /// The table fits `width` columns (a terminal's): the evidence column is as wide as its
    /// longest entry, and the test id is cut in the middle to what is left.
    public static func text(_ report: FlakyReport, palette: Palette, width: Int = 100) -> String {
        var lines = [
            "\(report.runIDs.count.counted("run")) looked at"
                + (report.infrastructureRuns.isEmpty
                    ? ""
                    : "; left out as infrastructure failures: runs \(report.infrastructureRuns.map(String.init).joined(separator: ", "))")
        ]
        if report.tests.isEmpty {
            lines.append("no flaky, broken or recovered tests")
            return lines.joined(separator: "\n")
        }
        let evidenceWidth = max(8, report.tests.map { $0.evidence.map(\.rawValue).joined(separator: ",").count }.max() ?? 0)
        let recentWidth = max(6, report.tests.map(\.recent.count).max() ?? 0)
        // state, score, runs, fails, evidence, recent and the gaps between them.
        let fixed = 9 + 2 + 5 + 2 + 4 + 2 + 5 + 2 + evidenceWidth + 2 + recentWidth + 2
        lines.append(
            "state      score  runs  fails  " + IngestText.pad("evidence", evidenceWidth) + "  "
                + IngestText.pad("recent", recentWidth) + "  test | main cluster")
        for entry in report.tests {
            let onlyOn = entry.flakyOnlyOn.map { " (flaky on \(SafeText.terminal($0.joined(separator: " and "))) only)" } ?? ""
            // What is left goes to the test id first; the cluster keeps at least its id.
            let room = width - fixed - onlyOn.count - 3
            let fullCluster = SafeText.terminal(cluster(entry.mainCluster))
            let testText = SafeText.line(entry.test, limit: 400)
            let clusterRoom = max(min(fullCluster.count, 11), room - testText.count)
            let clusterText =
                fullCluster.count > clusterRoom ? String(fullCluster.prefix(max(1, clusterRoom - 1))) + "…" : fullCluster
            let test = SafeText.middle(testText, width: max(8, room - clusterText.count))
            let paint: (String) -> String =
                switch entry.state {
                case .flaky: palette.flaky
                case .broken: palette.failed
                case .recovered: palette.passed
                case .stable: { $0 }
                }
            lines.append(
                paint(IngestText.pad(entry.state.rawValue, 9)) + "  " + String(format: "%5.2f", entry.score) + "  "
                    + IngestText.pad(String(entry.runs), 4, right: true) + "  "
                    + IngestText.pad(String(entry.failures), 5, right: true) + "  "
                    + IngestText.pad(entry.evidence.map(\.rawValue).joined(separator: ","), evidenceWidth) + "  "
                    + IngestText.pad(entry.recent, recentWidth) + "  " + test + onlyOn + " | " + clusterText)
        }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ report: FlakyReport) -> String {
        var lines = ["## Flaky and broken tests", "", "\(report.runIDs.count.counted("run")) looked at."]
        if !report.infrastructureRuns.isEmpty {
            lines.append(
                "Left out as infrastructure failures (more than \(Int(report.options.infrastructureThreshold * 100))% failed): runs \(report.infrastructureRuns.map(String.init).joined(separator: ", "))."
            )
        }
        lines += [
            "", "| state | score | runs | failures | evidence | test | main cluster | last failure |",
            "| --- | ---: | ---: | ---: | --- | --- | --- | --- |",
        ]
        for entry in report.tests {
            lines.append(
                "| \(entry.state.rawValue) | \(String(format: "%.2f", entry.score)) | \(entry.runs) | \(entry.failures) | \(entry.evidence.map(\.rawValue).joined(separator: ", ")) | \(Markdown.code(entry.test))\(entry.flakyOnlyOn.map { " (flaky on \(Markdown.cell($0.joined(separator: " and "))) only)" } ?? "") | \(Markdown.cell(cluster(entry.mainCluster))) | \(entry.lastFailureRun.map { "run \($0)" } ?? "-") |"
            )
        }
        return lines.joined(separator: "\n")
    }

    // MARK: - history

    public static func text(_ history: TestHistory) -> String {
        var lines = [
            "\(SafeText.terminal(history.testID))  (suite \(SafeText.terminal(history.test.suite)); pass rate \(history.passRate?.percent ?? "n/a") over \(history.entries.count) runs)"
        ]
        for entry in history.entries {
            let outcome = entry.retried ? "passed (retried)" : entry.outcome.rawValue
            let duration = entry.duration.map { String(format: "%.3fs", $0) } ?? "-"
            lines.append(
                "  run " + IngestText.pad(String(entry.runID), 5) + " "
                    + IngestText.pad(String(entry.commit?.prefix(8) ?? "-"), 8) + "  "
                    + IngestText.pad(outcome, 16) + "  " + IngestText.pad(duration, 9) + "  "
                    + (entry.outcome.isFailure
                        ? SafeText.terminal(cluster(entry.cluster)) + "  " + SafeText.line(entry.message, limit: 80)
                        : ""))
        }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ history: TestHistory) -> String {
        var lines = [
            "## \(Markdown.code(history.testID))", "",
            "Pass rate \(history.passRate?.percent ?? "n/a") over \(history.entries.count) runs.", "",
            "| run | commit | outcome | duration | cluster | message |", "| ---: | --- | --- | ---: | --- | --- |",
        ]
        for entry in history.entries {
            lines.append(
                "| \(entry.runID) | \(Markdown.code(entry.commit.map { String($0.prefix(8)) } ?? "")) | \(entry.retried ? "passed (retried)" : entry.outcome.rawValue) | \(entry.duration.map { String(format: "%.3fs", $0) } ?? "-") | \(Markdown.cell(entry.outcome.isFailure ? cluster(entry.cluster) : "")) | \(Markdown.cell(entry.outcome.isFailure ? entry.message : nil)) |"
            )
        }
        return lines.joined(separator: "\n")
    }

    // MARK: - trend

    public static func text(_ trend: Trend) -> String {
        guard !trend.points.isEmpty else { return "no runs stored yet" }
        var lines = [
            "pass rate \(trend.sparkline)\(trend.range.map { " (\($0))" } ?? "")  \(trend.points.first?.passRate?.percent ?? "-") → \(trend.points.last?.passRate?.percent ?? "-") over \(trend.points.count) runs"
        ]
        for point in trend.points {
            lines.append(
                "  run " + IngestText.pad(String(point.runID), 5) + " "
                    + IngestText.pad(String(point.createdAt.prefix(16)), 16) + "  "
                    + IngestText.pad(SafeText.terminal(point.branch ?? "-"), 14) + "  "
                    + IngestText.pad(point.passRate?.percent ?? "-", 6, right: true)
                    + "  \(point.totals.passed)/\(point.totals.passed + point.totals.failed + point.totals.errors)"
                    + (point.isInfrastructureFailure ? "  infrastructure failure" : ""))
        }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ trend: Trend) -> String {
        guard !trend.points.isEmpty else { return "No runs stored yet." }
        var lines = [
            "## Pass rate" + (trend.branch.map { " on \(Markdown.code($0))" } ?? ""), "",
            Markdown.passRateChart(
                title: "Pass rate per run", labels: trend.points.map { "#\($0.runID)" },
                rates: trend.points.map { $0.passRate ?? 0 }),
            "", "`\(trend.sparkline)`\(trend.range.map { " (\($0))" } ?? "")", "", "| run | date | branch | passed | failed | errors | skipped | pass rate |",
            "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for point in trend.points {
            let t = point.totals
            lines.append(
                "| \(point.runID) | \(point.createdAt.prefix(10)) | \(Markdown.cell(point.branch ?? "-")) | \(t.passed) | \(t.failed) | \(t.errors) | \(t.skipped) | \(point.passRate?.percent ?? "-")\(point.isInfrastructureFailure ? " (infrastructure)" : "") |"
            )
        }
        return lines.joined(separator: "\n")
    }

    // MARK: - diff

    public static func text(_ diff: RunComparison) -> String { text(diff, palette: .plain) }

    public static func text(_ diff: RunComparison, palette: Palette) -> String {
        var lines = [
            "run \(diff.before.id) → run \(diff.after.id): pass rate \(diff.passRateBefore?.percent ?? "-") → \(diff.passRateAfter?.percent ?? "-")\(diff.passRateChange.map { String(format: " (%+.1f points)", $0 * 100) } ?? "")",
            "  \(diff.before.totals.colored(palette))", "  \(diff.after.totals.colored(palette))",
        ]
        func section(_ title: String, _ items: [RunComparison.TestChange], paint: (String) -> String) {
            guard !items.isEmpty else { return }
            lines.append("\(title) (\(items.count))")
            for item in items.prefix(50) {
                lines.append("  \(paint(SafeText.line(item.test, limit: 100)))  \(SafeText.terminal(cluster(item.cluster)))")
            }
            if items.count > 50 { lines.append("  … and \(items.count - 50) more") }
        }
        section("new failures", diff.newFailures, paint: palette.failed)
        section("fixed", diff.fixed, paint: palette.passed)
        section("still failing", diff.stillFailing, paint: palette.failed)
        for (title, clusters) in [("new clusters", diff.newClusters), ("gone clusters", diff.goneClusters)]
        where !clusters.isEmpty {
            lines.append("\(title) (\(clusters.count))")
            for change in clusters {
                lines.append(
                    "  \(change.cluster.id) \(change.cluster.category)  \(change.testsBefore) → \(change.testsAfter.counted("test"))  \(SafeText.line(change.cluster.template, limit: 80))"
                )
            }
        }
        for (title, tests) in [("added tests", diff.addedTests), ("removed tests", diff.removedTests)] where !tests.isEmpty {
            lines.append("\(title) (\(tests.count))")
            for test in tests.prefix(50) { lines.append("  \(SafeText.line(test, limit: 100))") }
            if tests.count > 50 { lines.append("  … and \(tests.count - 50) more") }
        }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ diff: RunComparison) -> String {
        var lines = [
            "## Run \(diff.before.id) → run \(diff.after.id)", "",
            "| | run \(diff.before.id) | run \(diff.after.id) |", "| --- | ---: | ---: |",
        ]
        let b = diff.before.totals, a = diff.after.totals
        for (label, x, y) in [
            ("passed", b.passed, a.passed), ("failed", b.failed, a.failed), ("errors", b.errors, a.errors),
            ("skipped", b.skipped, a.skipped),
        ] {
            lines.append("| \(label) | \(x) | \(y) |")
        }
        lines.append("| pass rate | \(diff.passRateBefore?.percent ?? "-") | \(diff.passRateAfter?.percent ?? "-") |")
        func section(_ title: String, _ items: [RunComparison.TestChange]) {
            guard !items.isEmpty else { return }
            lines += ["", "### \(title) (\(items.count))", "", "| test | cluster |", "| --- | --- |"]
            for item in items {
                lines.append("| \(Markdown.code(item.test)) | \(Markdown.cell(cluster(item.cluster))) |")
            }
        }
        section("New failures", diff.newFailures)
        section("Fixed", diff.fixed)
        section("Still failing", diff.stillFailing)
        for (title, clusters) in [("New clusters", diff.newClusters), ("Gone clusters", diff.goneClusters)]
        where !clusters.isEmpty {
            lines += [
                "", "### \(title) (\(clusters.count))", "", "| cluster | category | tests before | tests after | title |",
                "| --- | --- | ---: | ---: | --- |",
            ]
            for change in clusters {
                lines.append(
                    "| `\(change.cluster.id)` | \(Markdown.cell(change.cluster.category)) | \(change.testsBefore) | \(change.testsAfter) | \(Markdown.cell(change.cluster.template)) |"
                )
            }
        }
        for (title, tests) in [("Added tests", diff.addedTests), ("Removed tests", diff.removedTests)] where !tests.isEmpty {
            lines += ["", "### \(title) (\(tests.count))", ""]
            lines += tests.map { "- \(Markdown.code($0))" }
        }
        return lines.joined(separator: "\n")
    }
}
