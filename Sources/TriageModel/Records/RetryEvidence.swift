import Foundation

/// What retries did for one cause's failures in the history.
public struct RetryEvidence: Codable, Sendable, Equatable {
    public var cluster: StoredCluster
    /// Failing results with an attempt in the cluster.
    public var failures: Int
    /// Of those, the ones retried: another attempt followed the failing one in the same run.
    public var retried: Int
    /// Of the retried ones, those that passed on a later attempt.
    public var passedOnRetry: Int
    public var tests: Int
    public var runs: Int

    /// passedOnRetry / retried; nil when never retried.
    public var passShare: Double? { retried == 0 ? nil : Double(passedOnRetry) / Double(retried) }

    package init(cluster: StoredCluster, failures: Int, retried: Int, passedOnRetry: Int, tests: Int, runs: Int) {
        self.cluster = cluster
        self.failures = failures
        self.retried = retried
        self.passedOnRetry = passedOnRetry
        self.tests = tests
        self.runs = runs
    }
}
