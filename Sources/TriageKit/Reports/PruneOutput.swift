import Foundation
import TriageModel
import TriageStore

/// How `triage prune` reports what it removed.
public enum PruneOutput {
    public static func text(_ report: PruneReport) -> String {
        var lines: [String] = []
        if report.runs.isEmpty {
            lines.append("No run matches; nothing removed.")
        } else {
            let verb = report.dryRun ? "Would remove" : "Removed"
            lines.append(
                "\(verb) \(count(report.runs.count, "run")) (\(runList(report.runs))) with \(count(report.results, "result"))"
                    + (report.dryRun
                        ? "." : ", \(count(report.tests, "test")) and \(count(report.clusters, "cluster")) nothing else used."))
        }
        if !report.keptForCycles.isEmpty {
            lines.append(
                "Kept \(count(report.keptForCycles.count, "run")) (\(runList(report.keptForCycles))) that a remediation cycle starts from or measured."
            )
        }
        if !report.dryRun {
            lines.append("Database: \(size(report.bytesBefore)) → \(size(report.bytesAfter)).")
        }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ report: PruneReport) -> String {
        var lines = ["| | |", "| --- | ---: |"]
        lines.append("| runs \(report.dryRun ? "to remove" : "removed") | \(report.runs.count) |")
        lines.append("| results | \(report.results) |")
        if !report.dryRun {
            lines.append("| tests nothing else used | \(report.tests) |")
            lines.append("| clusters nothing else used | \(report.clusters) |")
        }
        lines.append("| runs kept for remediation cycles | \(report.keptForCycles.count) |")
        if !report.dryRun {
            lines.append("| database before | \(size(report.bytesBefore)) |")
            lines.append("| database after | \(size(report.bytesAfter)) |")
        }
        return lines.joined(separator: "\n")
    }

    static func count(_ n: Int, _ noun: String) -> String {
        "\(n.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))) \(noun)\(n == 1 ? "" : "s")"
    }

    /// Run ids, the first and last few when there are many.
    static func runList(_ ids: [Int64]) -> String {
        let shown = ids.count <= 8 ? ids.map(String.init) : ids.prefix(3).map(String.init) + ["…"] + ids.suffix(3).map(String.init)
        return (ids.count == 1 ? "run " : "runs ") + shown.joined(separator: ", ")
    }

    static func size(_ bytes: Int64) -> String {
        let megabytes = Double(bytes) / 1_048_576
        return megabytes >= 1 ? String(format: "%.1f MiB", megabytes) : String(format: "%.0f KiB", Double(bytes) / 1024)
    }
}
