import Foundation
import TriageModel
import TriageStore

/// Renderings of `triage slow`. Pure functions of the report.
public enum SlowOutput {
    public static func text(_ report: SlowReport) -> String { text(report, palette: .plain) }

    public static func text(_ report: SlowReport, palette: Palette) -> String {
        let runs = report.runIDs.count
        if runs == 0 { return "no runs stored yet; `triage ingest results.xml` adds one" }
        var lines = [
            "slowest tests over the last \(runs.counted("run"))\(report.options.branch.map { " of branch \(SafeText.terminal($0))" } ?? "") (passing runs)"
        ]
        if report.slowest.isEmpty {
            lines.append("  no passing test has a duration in these runs")
        } else {
            lines.append("   median      p95   latest  runs  test")
            for test in report.slowest {
                lines.append(
                    "  "
                        + [durationText(test.median), durationText(test.p95), durationText(test.latest)].map {
                            IngestText.pad($0, 7, right: true)
                        }.joined(separator: "  ") + "  " + IngestText.pad(String(test.runs), 4, right: true) + "  "
                        + SafeText.line(test.test, limit: 110))
            }
        }
        if report.rises.isEmpty {
            lines.append("no test got slower (rank test against its own earlier runs)")
        } else {
            lines.append("tests that got slower (Mann-Whitney U against their own earlier runs)")
            for rise in report.rises { lines.append("  " + palette.flaky(riseLine(rise))) }
        }
        if let line = runTimeLine(report.runTime) { lines.append(line) }
        return lines.joined(separator: "\n")
    }

    /// "tests/test_x.py::test_y: 0.21s → 0.48s (+129%) since run 9 (10 runs before, 4 after; p = 0.0004)"
    public static func riseLine(_ rise: DurationRise) -> String {
        "\(SafeText.line(rise.test, limit: 110)): \(durationText(rise.medianBefore)) → \(durationText(rise.medianAfter))"
            + (rise.change.map { String(format: " (%+.0f%%)", $0 * 100) } ?? "")
            + " since run \(rise.startedRunID) (\(rise.runsBefore) runs before, \(rise.runsAfter) after; p = \(pText(rise.pValue)))"
    }

    /// "total test time of run 14: 2m 31s; median of the 13 runs before: 2m 05s (+21%)"
    public static func runTimeLine(_ time: RunTime?) -> String? {
        guard let time else { return nil }
        var line = "total test time of run \(time.runID): \(durationText(time.total))"
        if let before = time.previousMedian {
            line +=
                "; median of the \(time.previousRuns.counted("run")) before: \(durationText(before))"
                + (time.change.map { String(format: " (%+.0f%%)", $0 * 100) } ?? "")
        }
        return line
    }

    public static func markdown(_ report: SlowReport) -> String {
        var lines = ["# Slow tests", ""]
        if report.runIDs.isEmpty { return (lines + ["No runs stored yet."]).joined(separator: "\n") }
        lines.append(
            "Over the last \(report.runIDs.count.counted("run"))\(report.options.branch.map { " of branch \(Markdown.code($0))" } ?? ""), passing runs only."
        )
        lines += ["", "| median | p95 | latest | runs | test |", "| ---: | ---: | ---: | ---: | --- |"]
        for test in report.slowest {
            lines.append(
                "| \(durationText(test.median)) | \(durationText(test.p95)) | \(durationText(test.latest)) | \(test.runs) | \(Markdown.code(test.test)) |"
            )
        }
        lines += ["", "## Got slower", ""]
        if report.rises.isEmpty {
            lines.append("No test got slower (rank test against its own earlier runs).")
        } else {
            lines += [
                "| test | before | after | change | since run | p |", "| --- | ---: | ---: | ---: | ---: | ---: |",
            ]
            for rise in report.rises {
                lines.append(
                    "| \(Markdown.code(rise.test)) | \(durationText(rise.medianBefore)) | \(durationText(rise.medianAfter)) | \(rise.change.map { String(format: "%+.0f%%", $0 * 100) } ?? "-") | \(rise.startedRunID) | \(pText(rise.pValue)) |"
                )
            }
        }
        if let line = runTimeLine(report.runTime) {
            lines += ["", line.prefix(1).uppercased() + line.dropFirst() + "."]
        }
        return lines.joined(separator: "\n")
    }

    static func pText(_ p: Double) -> String {
        p < 0.0001 ? "< 0.0001" : String(format: "%.4f", p)
    }
}
