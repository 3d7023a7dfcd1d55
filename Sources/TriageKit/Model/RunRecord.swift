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
}

/// A stored run with its files and failure breakdown, for `triage runs show`.
public struct RunDetail: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        public var path: String
        public var format: String
        public var size: Int64
        public var sha256: String
        public var cases: Int
    }

    public struct ClusterCount: Codable, Sendable, Equatable {
        public var clusterID: String
        public var category: String
        public var detail: String?
        public var template: String
        public var tests: Int
        /// The failing tests of this cluster in the run, by name.
        public var failing: [FailingTest] = []
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
    }

    public var run: RunSummary
    public var passRate: Double?
    public var files: [File]
    /// Failing tests (by final outcome) grouped by the cluster of their decisive failure.
    public var failuresByCluster: [ClusterCount]
}
