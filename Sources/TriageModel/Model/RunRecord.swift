/// A stored run with its totals, as the history lists it.
public struct RunSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var key: String
    public var createdAt: String
    /// When the run happened: the earliest time its files state, `--date`, or when it was
    /// stored. History is ordered by it, so backfilled runs land in place.
    public var runAt: String
    public var metadata: RunMetadata
    public var totals: RunTotals

    package init(id: Int64, key: String, createdAt: String, runAt: String, metadata: RunMetadata, totals: RunTotals) {
        self.id = id
        self.key = key
        self.createdAt = createdAt
        self.runAt = runAt
        self.metadata = metadata
        self.totals = totals
    }
}

/// A stored run with its files and failure breakdown, for `triage runs show`.
public struct RunDetail: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        public var path: String
        public var format: String
        public var size: Int64
        public var sha256: String
        public var cases: Int

        package init(path: String, format: String, size: Int64, sha256: String, cases: Int) {
            self.path = path
            self.format = format
            self.size = size
            self.sha256 = sha256
            self.cases = cases
        }
    }

    public struct ClusterCount: Codable, Sendable, Equatable {
        public var clusterID: String
        public var category: String
        public var detail: String?
        public var template: String
        public var tests: Int
        /// The failing tests of this cluster in the run, by name.
        public var failing: [FailingTest] = []

        package init(clusterID: String, category: String, detail: String? = nil, template: String, tests: Int, failing: [FailingTest] = []) {
            self.clusterID = clusterID
            self.category = category
            self.detail = detail
            self.template = template
            self.tests = tests
            self.failing = failing
        }
    }

    /// One failing test of a run (by final outcome).
    public struct FailingTest: Codable, Sendable, Equatable {
        /// The test id as `triage` prints it, with the variant in brackets.
        public var test: String
        /// The id without the variant, which a quarantine entry may name.
        public var baseID: String
        /// The variant as `key=value` pairs; absent without one.
        public var variant: String?
        public var outcome: Outcome
        /// Flaky in the history (`triage flaky`).
        public var isKnownFlaky = false
        /// Under an active quarantine entry.
        public var isQuarantined = false

        package init(test: String, baseID: String, variant: String? = nil, outcome: Outcome, isKnownFlaky: Bool = false, isQuarantined: Bool = false) {
            self.test = test
            self.baseID = baseID
            self.variant = variant
            self.outcome = outcome
            self.isKnownFlaky = isKnownFlaky
            self.isQuarantined = isQuarantined
        }
    }

    public var run: RunSummary
    public var passRate: Double?
    public var files: [File]
    /// Failing tests (by final outcome) grouped by the cluster of their decisive failure.
    public var failuresByCluster: [ClusterCount]

    package init(run: RunSummary, passRate: Double? = nil, files: [File], failuresByCluster: [ClusterCount]) {
        self.run = run
        self.passRate = passRate
        self.files = files
        self.failuresByCluster = failuresByCluster
    }
}
