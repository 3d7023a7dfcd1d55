import Foundation
import TriageModel
import TriageStore

// View models the Markdown templates render. Every string that comes from test results is
// escaped for Markdown here, before it reaches a template (templates use {{%CONTENT_TYPE: TEXT}}
// and print values as they are). README, "Template fields", lists every field.

/// Totals of one run, formatted.
public struct TotalsView: Codable, Sendable, Equatable {
    public var tests: Int
    public var passed: Int
    public var failed: Int
    public var errors: Int
    public var skipped: Int
    public var retried: Int
    /// "50.9%", or "n/a" when nothing ran.
    public var passRate: String
    /// "28/55": passed over what ran.
    public var fraction: String

    public init(_ totals: RunTotals) {
        tests = totals.tests
        passed = totals.passed
        failed = totals.failed
        errors = totals.errors
        skipped = totals.skipped
        retried = totals.retried
        passRate = totals.passRate?.percent ?? "n/a"
        fraction = "\(totals.passed)/\(totals.passed + totals.failed + totals.errors)"
    }
}

/// One test in a list: a new failure, a fixed test.
public struct TestRowView: Codable, Sendable, Equatable {
    /// The test id as inline code.
    public var test: String
    public var outcome: String
    /// "`3f9a2c1b0d` connection_refused (redis)", escaped.
    public var cluster: String
}

/// One failure cluster with its count.
public struct ClusterView: Codable, Sendable, Equatable {
    public var id: String
    public var category: String
    /// The detail (service, fixture, module), escaped; empty when none.
    public var detail: String
    /// The masked primary error line, escaped for a table cell.
    public var title: String
    public var tests: Int
    /// An example message as a fenced block; empty when none.
    public var example: String
    /// The first failing tests of this cluster in the run (the run report only).
    public var failingTests: [FailingTestView] = []
    public var hasFailingTests = false
    /// "and 12 more" when more tests failed than are listed; absent otherwise.
    public var moreTests: String?
}

/// A failing test under its cluster.
public struct FailingTestView: Codable, Sendable, Equatable {
    /// The test id (with its variant in brackets) as inline code.
    public var test: String
    public var outcome: String
    /// The variant as `key=value` pairs, absent without one.
    public var variant: String?
    /// "known flaky", "quarantined" or both; absent when neither.
    public var note: String?

    init(_ test: RunDetail.FailingTest) {
        self.test = Markdown.code(test.test)
        outcome = test.outcome.rawValue
        variant = test.variant
        note = test.marks.isEmpty ? nil : test.marks.joined(separator: ", ")
    }
}

/// Failures of one category, with its clusters.
public struct CategoryView: Codable, Sendable, Equatable {
    public var category: String
    public var tests: Int
    public var clusters: [ClusterView]
}

extension TestRowView {
    init(_ change: RunComparison.TestChange) {
        test = Markdown.code(change.test)
        outcome = (change.after ?? change.before)?.rawValue ?? "-"
        cluster = ClusterView.label(change.cluster)
    }
}

extension ClusterView {
    /// How many failing tests a run report lists under each cluster.
    static let testsListed = 10

    init(_ cluster: StoredCluster, tests: Int, example: String?, failing: [RunDetail.FailingTest] = []) {
        id = cluster.id
        category = cluster.category
        detail = Markdown.cell(cluster.detail)
        title = Markdown.cell(cluster.template)
        self.tests = tests
        self.example = example.map { Markdown.block(String($0.prefix(1200))) } ?? ""
        failingTests = failing.prefix(Self.testsListed).map(FailingTestView.init)
        hasFailingTests = !failing.isEmpty
        moreTests = failing.count > Self.testsListed ? "and \(failing.count - Self.testsListed) more" : nil
    }

    static func label(_ cluster: StoredCluster?) -> String {
        guard let cluster else { return "-" }
        return "\(Markdown.code(cluster.id)) \(cluster.category)" + (cluster.detail.map { " (\(Markdown.cell($0)))" } ?? "")
    }

    /// Clusters grouped by category, largest first.
    static func byCategory(_ clusters: [ClusterView]) -> [CategoryView] {
        Dictionary(grouping: clusters, by: \.category)
            .map {
                CategoryView(
                    category: $0.key, tests: $0.value.reduce(0) { $0 + $1.tests },
                    clusters: $0.value.sorted { $0.tests > $1.tests || ($0.tests == $1.tests && $0.id < $1.id) })
            }
            .sorted { $0.tests > $1.tests || ($0.tests == $1.tests && $0.category < $1.category) }
    }
}

/// What the `run` report shows: a run (failing tests marked), its comparison with the run
/// before it on its branch, and an example message per cluster.
public struct RunReportData: Sendable, Equatable {
    public var detail: RunDetail
    public var comparison: RunComparison?
    /// Cluster id → an example message from this run.
    public var examples: [String: String]

    public init(detail: RunDetail, comparison: RunComparison? = nil, examples: [String: String] = [:]) {
        self.detail = detail
        self.comparison = comparison
        self.examples = examples
    }
}

/// The `run` report: one run against the one before it.
public struct RunReportView: Codable, Sendable, Equatable {
    public var runID: Int64
    public var date: String
    public var commit: String
    public var branch: String
    /// The CI provider and build id; absent when the run has neither.
    public var build: String?
    public var totals: TotalsView
    public var hasPrevious: Bool
    public var previousRunID: Int64
    public var previousPassRate: String
    /// "+16.4 points", "no change".
    public var passRateChange: String
    public var newFailures: [TestRowView]
    public var newFailureCount: Int
    public var hasNewFailures: Bool
    public var fixed: [TestRowView]
    public var fixedCount: Int
    public var hasFixed: Bool
    public var clusters: [ClusterView]
    public var hasClusters: Bool
    public var categories: [CategoryView]
}

extension RunReportView {
    /// Shapes the view from what the run report shows; reads nothing.
    public init(_ data: RunReportData) {
        let (detail, comparison, examples) = (data.detail, data.comparison, data.examples)
        let clusters = detail.failuresByCluster.map {
            ClusterView(
                StoredCluster(id: $0.clusterID, category: $0.category, detail: $0.detail, template: $0.template),
                tests: $0.tests, example: examples[$0.clusterID], failing: $0.failing)
        }
        let run = detail.run
        let newFailures = comparison?.newFailures.map(TestRowView.init) ?? []
        let fixed = comparison?.fixed.map(TestRowView.init) ?? []
        let build = [run.metadata.ciProvider, run.metadata.buildID].compactMap { $0 }.filter { !$0.isEmpty }
        self.init(
            runID: run.id, date: String(run.createdAt.prefix(10)),
            commit: Markdown.code(run.metadata.commit.map { String($0.prefix(12)) } ?? "-"),
            branch: Markdown.code(run.metadata.branch ?? "-"),
            build: build.isEmpty ? nil : Markdown.cell(build.joined(separator: " ")),
            totals: TotalsView(run.totals), hasPrevious: comparison != nil, previousRunID: comparison?.before.id ?? 0,
            previousPassRate: comparison?.passRateBefore?.percent ?? "n/a",
            passRateChange: pointsChange(comparison?.passRateChange),
            newFailures: newFailures, newFailureCount: newFailures.count, hasNewFailures: !newFailures.isEmpty,
            fixed: fixed, fixedCount: fixed.count, hasFixed: !fixed.isEmpty,
            clusters: clusters, hasClusters: !clusters.isEmpty, categories: ClusterView.byCategory(clusters))
    }
}

/// "+16.4 points", "-3.0 points", "no change", "n/a".
func pointsChange(_ change: Double?) -> String {
    guard let change else { return "n/a" }
    if abs(change) < 0.0005 { return "no change" }
    return String(format: "%+.1f points", change * 100)
}
