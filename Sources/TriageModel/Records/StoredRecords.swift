import Foundation

/// One test's result in one run, as the history analyses read it.
package struct ResultPoint: Sendable {
    package var runID: Int64
    package var testID: Int64
    package var outcome: Outcome
    package var retried: Bool
    package var clusterID: String?
    package var duration: Double?
    /// The category of `clusterID`.
    package var category: String? = nil

    package init(runID: Int64, testID: Int64, outcome: Outcome, retried: Bool, clusterID: String? = nil, duration: Double? = nil, category: String? = nil) {
        self.runID = runID
        self.testID = testID
        self.outcome = outcome
        self.retried = retried
        self.clusterID = clusterID
        self.duration = duration
        self.category = category
    }
}

/// One test's passing durations over a set of runs, summarized: what decides whether its
/// durations need reading at all.
package struct DurationSummary: Sendable, Equatable {
    package var testID: Int64
    package var lowest: Double
    package var highest: Double

    package init(testID: Int64, lowest: Double, highest: Double) {
        self.testID = testID
        self.lowest = lowest
        self.highest = highest
    }
}

/// A stored test-variant's identity.
public struct StoredTest: Codable, Sendable, Equatable, Hashable {
    public var id: Int64
    /// The leaf suite.
    public var suite: String
    public var suitePath: String
    public var classname: String
    public var name: String
    public var variant: Variant
    public var file: String?

    public var identity: TestIdentity {
        TestIdentity(suitePath: suitePath, classname: classname, name: name, variant: variant)
    }
    public var displayID: String { identity.displayID }
    public var baseID: String { identity.baseID }

    public init(
        id: Int64, suite: String, suitePath: String? = nil, classname: String, name: String,
        variant: Variant = .none, file: String? = nil
    ) {
        self.id = id
        self.suite = suite
        self.suitePath = suitePath ?? suite
        self.classname = classname
        self.name = name
        self.variant = variant
        self.file = file
    }
}

/// A stored failure cluster.
public struct StoredCluster: Codable, Sendable, Equatable {
    public var id: String
    public var category: String
    public var detail: String?
    public var template: String

    package init(id: String, category: String, detail: String? = nil, template: String) {
        self.id = id
        self.category = category
        self.detail = detail
        self.template = template
    }
}

