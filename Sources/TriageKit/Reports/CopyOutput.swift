import Foundation
import TriageModel
import TriageStore

/// How `triage db copy` reports what it copied.
public enum CopyOutput {
    public static func text(_ report: CopyReport) -> String {
        let rows = report.tables.filter { $0.source > 0 }
        var lines = ["Copied \(report.from) → \(report.to); every table's count matches:"]
        let width = rows.map(\.name.count).max() ?? 0
        for table in rows {
            lines.append("  \(table.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(table.destination)")
        }
        if rows.isEmpty { lines.append("  (the source holds no history)") }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ report: CopyReport) -> String {
        var lines = ["| table | source | copy |", "| --- | ---: | ---: |"]
        for table in report.tables { lines.append("| \(table.name) | \(table.source) | \(table.destination) |") }
        return lines.joined(separator: "\n")
    }
}
