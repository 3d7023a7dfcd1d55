import Foundation
import TriageModel
import TriageStore

/// Text and Markdown renderings of clusters and rules. Pure functions of their values.
public enum ClusterOutput {
    public static func text(_ clusters: [ClusterSummary]) -> String {
        guard !clusters.isEmpty else { return "no failures stored" }
        var lines = [
            "id          category              failures  tests  runs  first  last  trend                 title"
        ]
        for cluster in clusters {
            lines.append(
                IngestText.pad(cluster.id, 10) + "  " + IngestText.pad(cluster.category, 20) + "  "
                    + IngestText.pad(String(cluster.failures), 8, right: true) + "  "
                    + IngestText.pad(String(cluster.tests), 5, right: true) + "  "
                    + IngestText.pad(String(cluster.runs), 4, right: true) + "  "
                    + IngestText.pad(String(cluster.firstSeenRun), 5, right: true) + "  "
                    + IngestText.pad(String(cluster.lastSeenRun), 4, right: true) + "  "
                    + IngestText.pad(cluster.trend, 20) + "  "
                    + SafeText.line((cluster.detail.map { "[\($0)] " } ?? "") + cluster.title, limit: 100))
        }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ clusters: [ClusterSummary]) -> String {
        var lines = [
            "## Failure clusters", "",
            "| cluster | category | detail | failures | tests | runs | first | last | trend | title |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        for c in clusters {
            lines.append(
                "| `\(c.id)` | \(c.category) | \(Markdown.cell(c.detail)) | \(c.failures) | \(c.tests) | \(c.runs) | \(c.firstSeenRun) | \(c.lastSeenRun) | `\(c.trend)` | \(Markdown.cell(c.title)) |"
            )
        }
        return lines.joined(separator: "\n")
    }

    public static func text(_ detail: ClusterDetail) -> String {
        let s = detail.summary
        var lines = [
            "cluster   \(s.id)  (rules \(detail.rulesVersion))",
            "category  \(s.category)\(s.detail.map { "  detail \(SafeText.terminal($0))" } ?? "")",
            "template  \(SafeText.terminal(s.title))",
            "seen      \(s.failures) failures of \(s.tests) tests in \(s.runs) runs (runs \(s.firstSeenRun)–\(s.lastSeenRun))",
            "history   \(Sparkline.render(scaled(detail.history.map(\.failures))))  "
                + detail.history.map { "\($0.runID):\($0.failures)" }.joined(separator: " "),
            "examples",
        ]
        lines += detail.examples.map { "  " + SafeText.line($0, limit: 160) }
        lines.append("tests")
        lines += detail.tests.map {
            "  \(IngestText.pad(String($0.failures), 4, right: true)) × \(SafeText.line($0.test, limit: 120))  (last run \($0.lastRun))"
        }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ detail: ClusterDetail) -> String {
        let s = detail.summary
        var lines = [
            "## Cluster `\(s.id)`: \(s.category)\(s.detail.map { " (\(Markdown.cell($0)))" } ?? "")", "",
            Markdown.block(s.title), "",
            "\(s.failures) failures of \(s.tests) tests in \(s.runs) runs. History: `\(Sparkline.render(scaled(detail.history.map(\.failures))))`",
            "",
            "### Examples", "",
        ]
        lines += detail.examples.map { Markdown.block(String($0.prefix(1500))) + "\n" }
        lines += ["### Tests", "", "| test | failures | last run |", "| --- | ---: | ---: |"]
        lines += detail.tests.map { "| \(Markdown.code($0.test)) | \($0.failures) | \($0.lastRun) |" }
        return lines.joined(separator: "\n")
    }

    public static func text(_ rules: [RuleDescription], version: String) -> String {
        (["rules version \(version); first match wins, team rules first"]
            + rules.enumerated().map { index, rule in
                "\(IngestText.pad(String(index + 1), 3, right: true)). \(IngestText.pad(rule.origin.rawValue, 7)) \(IngestText.pad(rule.name, 34)) \(IngestText.pad(rule.category, 20)) \(SafeText.terminal(rule.summary))"
            }).joined(separator: "\n")
    }

    public static func markdown(_ rules: [RuleDescription], version: String) -> String {
        ([
            "## Signature rules (\(version))", "", "| # | origin | rule | category | looks for |",
            "| ---: | --- | --- | --- | --- |",
        ]
            + rules.enumerated().map {
                "| \($0 + 1) | \($1.origin.rawValue) | \(Markdown.cell($1.name)) | \($1.category) | \(Markdown.cell($1.summary)) |"
            })
            .joined(separator: "\n")
    }

    static func scaled(_ values: [Int]) -> [Double?] {
        let peak = Double(values.max() ?? 0)
        return values.map { peak == 0 ? 0 : Double($0) / peak }
    }
}
