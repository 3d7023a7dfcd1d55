import Foundation
import TriageModel
import TriageStore

/// Plain-text renderings of ingest, parse and run listings. Pure functions of their values.
public enum IngestText {
    public static func report(_ report: IngestReport, databasePath: String) -> String {
        var lines: [String] = []
        for file in report.files {
            switch file.status {
            case .ingested:
                lines.append(
                    "ingested \(SafeText.terminal(file.path)): \(file.format?.rawValue ?? "?"), \(file.cases.counted("test"))")
            case .duplicate:
                lines.append("skipped \(SafeText.terminal(file.path)): \(file.note ?? "already stored"), nothing added")
            case .failed:
                lines.append("FAILED \(SafeText.terminal(file.note ?? file.path))")
            }
        }
        if let id = report.runID, let totals = report.totals {
            let stored = report.files.contains { $0.status == .ingested }
            let how = !stored ? ", unchanged" : report.isNewRun ? "" : ", added to the existing run"
            lines.append("run \(id) (\(SafeText.terminal(report.runKey)))\(how): \(totals.line)")
            lines.append("database: \(databasePath)")
        } else {
            lines.append("nothing stored")
        }
        return lines.joined(separator: "\n")
    }

    public static func runs(_ runs: [RunSummary], palette: Palette = .plain) -> String {
        if runs.isEmpty { return "no runs stored yet; `triage ingest results.xml` adds one" }
        var lines = [
            "  id  created               branch          commit    tests  passed  failed  errors  skipped  pass rate"
        ]
        for run in runs {
            let t = run.totals
            lines.append(
                pad(String(run.id), 4, right: true) + "  " + pad(String(run.createdAt.prefix(20)), 20) + "  "
                    + pad(SafeText.terminal(run.metadata.branch ?? "-"), 14) + "  "
                    + pad(SafeText.terminal(String((run.metadata.commit ?? "-").prefix(8))), 8) + "  "
                    + pad(String(t.tests), 5, right: true) + "  " + palette.passed(pad(String(t.passed), 6, right: true)) + "  "
                    + (t.failed > 0 ? palette.failed : { $0 })(pad(String(t.failed), 6, right: true)) + "  "
                    + (t.errors > 0 ? palette.failed : { $0 })(pad(String(t.errors), 6, right: true)) + "  "
                    + pad(String(t.skipped), 7, right: true) + "  " + pad(t.passRate?.percent ?? "-", 9, right: true))
        }
        return lines.joined(separator: "\n")
    }

    /// Run details; under each cluster its first `testsPerCluster` failing tests (0: all),
    /// marked known flaky or quarantined.
    /// Fits `width` columns: cluster titles and test ids are cut (ids in the middle) to what is left.
    public static func runDetail(
        _ detail: RunDetail, testsPerCluster: Int = 5, palette: Palette = .plain, width: Int = 100
    ) -> String {
        let run = detail.run
        let meta = run.metadata
        var lines = ["run \(run.id)  \(SafeText.terminal(run.key))", "created   \(run.createdAt)"]
        if let commit = meta.commit { lines.append("commit    \(SafeText.terminal(commit))") }
        if let branch = meta.branch { lines.append("branch    \(SafeText.terminal(branch))") }
        let ci = [meta.ciProvider, meta.buildID, meta.buildURL].compactMap { $0 }.filter { !$0.isEmpty }
        if !ci.isEmpty { lines.append("ci        " + SafeText.terminal(ci.joined(separator: " "))) }
        lines.append("totals    \(run.totals.colored(palette))")
        if !meta.labels.isEmpty {
            lines.append(
                "labels    "
                    + meta.labels.sorted { $0.key < $1.key }.map { SafeText.terminal("\($0.key)=\($0.value)") }.joined(
                        separator: " "))
        }
        lines.append("files")
        for file in detail.files {
            lines.append(
                "  \(SafeText.terminal(file.path))  \(file.format)  \(file.cases.counted("test"))  \(file.size.counted("byte"))  sha256 \(file.sha256.prefix(12))"
            )
        }
        if !detail.failuresByCluster.isEmpty {
            lines.append("failures by cluster")
            for cluster in detail.failuresByCluster {
                let head =
                    "  \(pad(String(cluster.tests), 5, right: true)) × \(cluster.clusterID)  \(cluster.category)\(cluster.detail.map { " (\(SafeText.terminal($0)))" } ?? "")  "
                lines.append(head + SafeText.line(cluster.template, limit: max(8, width - head.count)))
                let shown = testsPerCluster > 0 ? Array(cluster.failing.prefix(testsPerCluster)) : cluster.failing
                for test in shown {
                    let marks = test.marks
                    let tail = 2 + test.outcome.rawValue.count + (marks.isEmpty ? 0 : 4 + marks.joined(separator: ", ").count)
                    let name = SafeText.middle(SafeText.line(test.test, limit: 400), width: max(8, width - 10 - tail))
                    let painted = marks.isEmpty ? palette.failed(name) : palette.flaky(name)
                    lines.append(
                        "          \(painted)  \(test.outcome.rawValue)"
                            + (marks.isEmpty ? "" : "  " + palette.flaky("(\(marks.joined(separator: ", ")))")))
                }
                if cluster.failing.count > shown.count {
                    lines.append("          and \(cluster.failing.count - shown.count) more (--tests 0 lists them all)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The run list as a Markdown table.
    public static func runsMarkdown(_ runs: [RunSummary]) -> String {
        if runs.isEmpty { return "No runs stored yet." }
        var lines = [
            "| id | run at | branch | commit | tests | passed | failed | errors | skipped | pass rate |",
            "| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for run in runs {
            let t = run.totals
            lines.append(
                "| \(run.id) | \(Markdown.cell(String(run.runAt.prefix(20)))) | \(Markdown.code(run.metadata.branch ?? "-")) | \(Markdown.code(String((run.metadata.commit ?? "-").prefix(8)))) | \(t.tests) | \(t.passed) | \(t.failed) | \(t.errors) | \(t.skipped) | \(t.passRate?.percent ?? "n/a") |"
            )
        }
        return lines.joined(separator: "\n")
    }

    /// Run details as Markdown: metadata, files, and the failing tests under each cluster.
    public static func runDetailMarkdown(_ detail: RunDetail, testsPerCluster: Int = 5) -> String {
        let run = detail.run
        let meta = run.metadata
        var facts = ["**Run at:** \(Markdown.cell(run.runAt))"]
        if let branch = meta.branch { facts.append("**Branch:** \(Markdown.code(branch))") }
        if let commit = meta.commit { facts.append("**Commit:** \(Markdown.code(String(commit.prefix(12))))") }
        let build = [meta.ciProvider, meta.buildID].compactMap { $0 }.filter { !$0.isEmpty }
        if !build.isEmpty { facts.append("**Build:** \(Markdown.cell(build.joined(separator: " ")))") }
        var lines = [
            "# Run \(run.id): \(Markdown.cell(run.key))", "", facts.joined(separator: " · "), "",
            "\(run.totals.line)", "", "## Files", "", "| file | format | tests | bytes | sha256 |",
            "| --- | --- | ---: | ---: | --- |",
        ]
        for file in detail.files {
            lines.append(
                "| \(Markdown.code(file.path)) | \(file.format) | \(file.cases) | \(file.size) | `\(file.sha256.prefix(12))` |")
        }
        if !detail.failuresByCluster.isEmpty {
            lines += ["", "## Failures by cluster"]
            for cluster in detail.failuresByCluster {
                lines += [
                    "",
                    "### `\(cluster.clusterID)` \(cluster.category)\(cluster.detail.map { " (\(Markdown.cell($0)))" } ?? ""): \(cluster.tests.counted("test"))",
                    "", Markdown.cell(cluster.template), "",
                ]
                let shown = testsPerCluster > 0 ? Array(cluster.failing.prefix(testsPerCluster)) : cluster.failing
                for test in shown {
                    let marks = test.marks
                    lines.append(
                        "- \(Markdown.code(test.test)) \(test.outcome.rawValue)"
                            + (marks.isEmpty ? "" : " (\(marks.joined(separator: ", ")))"))
                }
                if cluster.failing.count > shown.count {
                    lines.append("- and \(cluster.failing.count - shown.count) more")
                }
            }
        } else {
            lines += ["", "No failures."]
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        guard text.count < width else { return text }
        let fill = String(repeating: " ", count: width - text.count)
        return right ? fill + text : text + fill
    }
}

extension RunTotals {
    /// "55 tests: 28 passed, 25 failed, 2 errors, 0 skipped, 1 passed on retry; pass rate 50.9%"
    public var line: String { colored(.plain) }

    /// `line`, with the passed count green and the failed and error counts red when not zero.
    public func colored(_ palette: Palette) -> String {
        let failedText = "\(failed) failed", errorText = errors.counted("error")
        return
            "\(tests.counted("test")): \(palette.passed("\(passed) passed")), \(failed > 0 ? palette.failed(failedText) : failedText), \(errors > 0 ? palette.failed(errorText) : errorText), \(skipped) skipped, \(retried > 0 ? palette.flaky("\(retried) passed on retry") : "\(retried) passed on retry"); pass rate \(passRate?.percent ?? "n/a")"
    }
}
