import Foundation

/// Plain-text renderings of ingest, parse and run listings. Pure functions of their values.
public enum IngestText {
    public static func report(_ report: IngestReport, databasePath: String) -> String {
        var lines: [String] = []
        for file in report.files {
            switch file.status {
            case .ingested:
                lines.append(
                    "ingested \(SafeText.terminal(file.path)): \(file.format?.rawValue ?? "?"), \(file.cases) tests")
            case .duplicate:
                lines.append("skipped \(SafeText.terminal(file.path)): \(file.note ?? "already stored"), nothing added")
            case .failed:
                lines.append("FAILED \(SafeText.terminal(file.note ?? file.path))")
            }
        }
        if let id = report.runID, let totals = report.totals {
            lines.append(
                "run \(id) (\(SafeText.terminal(report.runKey)))\(report.isNewRun ? "" : ", added to the existing run"): \(totals.line)"
            )
            lines.append("database: \(databasePath)")
        } else {
            lines.append("nothing stored")
        }
        return lines.joined(separator: "\n")
    }

    public static func runs(_ runs: [RunSummary]) -> String {
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
                    + pad(String(t.tests), 5, right: true) + "  " + pad(String(t.passed), 6, right: true) + "  "
                    + pad(String(t.failed), 6, right: true) + "  " + pad(String(t.errors), 6, right: true) + "  "
                    + pad(String(t.skipped), 7, right: true) + "  " + pad(t.passRate?.percent ?? "-", 9, right: true))
        }
        return lines.joined(separator: "\n")
    }

    public static func runDetail(_ detail: RunDetail) -> String {
        let run = detail.run
        let meta = run.metadata
        var lines = [
            "run \(run.id)  \(SafeText.terminal(run.key))",
            "created   \(run.createdAt)",
            "commit    \(SafeText.terminal(meta.commit ?? "-"))",
            "branch    \(SafeText.terminal(meta.branch ?? "-"))",
            "ci        " + SafeText.terminal("\(meta.ciProvider ?? "-") \(meta.buildID ?? "") \(meta.buildURL ?? "")"),
            "totals    \(run.totals.line)",
        ]
        if !meta.labels.isEmpty {
            lines.append(
                "labels    "
                    + meta.labels.sorted { $0.key < $1.key }.map { SafeText.terminal("\($0.key)=\($0.value)") }.joined(
                        separator: " "))
        }
        lines.append("files")
        for file in detail.files {
            lines.append(
                "  \(SafeText.terminal(file.path))  \(file.format)  \(file.cases) tests  \(file.size) bytes  sha256 \(file.sha256.prefix(12))"
            )
        }
        if !detail.failuresByCluster.isEmpty {
            lines.append("failures by cluster")
            for cluster in detail.failuresByCluster {
                lines.append(
                    "  \(pad(String(cluster.tests), 5, right: true)) × \(cluster.clusterID)  \(cluster.category)\(cluster.detail.map { " (\(SafeText.terminal($0)))" } ?? "")  \(SafeText.line(cluster.template, limit: 90))"
                )
            }
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
    /// "55 tests: 28 passed, 25 failed, 2 errors, 0 skipped, 1 retried; pass rate 50.9%"
    public var line: String {
        "\(tests) tests: \(passed) passed, \(failed) failed, \(errors) errors, \(skipped) skipped, \(retried) passed on retry; pass rate \(passRate?.percent ?? "n/a")"
    }
}
