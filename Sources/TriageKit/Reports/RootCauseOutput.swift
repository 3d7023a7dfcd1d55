import Foundation
import TriageModel
import TriageStore

/// Text and Markdown lines about fixes verified from the runs and causes that came back, for
/// the Five-Whys and cycle outputs.
public enum RootCauseOutput {
    /// "verification: 7 of 10 clean runs", with the tests furthest behind.
    static func textLines(_ verification: Verification?, subject: String) -> [String] {
        guard let verification else { return [] }
        if verification.tests.isEmpty {
            return ["\(subject): no test has failed with these causes, so no run can verify the fix"]
        }
        var lines = [
            "\(subject): \(verification.progress)"
                + (verification.isVerified
                    ? ", verified"
                    : " (the least of \(verification.tests.count) test(s); each needs \(verification.requiredRuns))")
        ]
        for test in verification.tests.prefix(5) where !test.isVerified {
            lines.append(
                "  \(IngestText.pad("\(test.cleanRuns)/\(verification.requiredRuns)", 6)) \(SafeText.line(test.test, limit: 100))"
                    + (test.recurredInRun.map { "  (failed again in run \($0))" } ?? ""))
        }
        return lines
    }

    static func textLines(_ recurrences: [Recurrence]) -> [String] {
        recurrences.map {
            "recurred in run \($0.runID): \(SafeText.terminal($0.clusterID)) failed \($0.tests.count) test(s) again"
                + ($0.detectedAt.map { " (noticed \($0))" } ?? "") + "; was \($0.previousStatus)"
        }
    }

    static func markdownLines(_ verification: Verification?, subject: String) -> [String] {
        guard let verification, !verification.tests.isEmpty else { return [] }
        return ["", "**\(subject):** \(verification.progress)\(verification.isVerified ? " (verified)" : "")"]
    }

    static func markdownLines(_ recurrences: [Recurrence]) -> [String] {
        guard !recurrences.isEmpty else { return [] }
        return ["", "### Recurrences", ""]
            + recurrences.map {
                "- run \($0.runID): \(Markdown.code($0.clusterID)) failed \($0.tests.count) test(s) again (was \($0.previousStatus))"
            }
    }
}
