import Foundation

/// A test whose failures do not fail the CI gate until the quarantine expires.
public struct QuarantineEntry: Codable, Sendable, Equatable {
    /// One test's full id (`classname::name`), or with `isPattern` a glob over full ids.
    public var test: String
    /// Whether `test` is a glob given on purpose (`--pattern`) rather than one test's id.
    public var isPattern: Bool
    /// With a cluster, only the test's failures of that cause are quarantined (`--cluster`);
    /// `test` is then `*` (a pattern) for the cause across all tests.
    public var clusterID: String?
    public var reason: String
    public var owner: String?
    public var createdAt: String
    /// ISO-8601; nil for no expiry.
    public var expiresAt: String?

    public init(
        test: String, isPattern: Bool = false, clusterID: String? = nil, reason: String, owner: String? = nil,
        createdAt: String, expiresAt: String? = nil
    ) {
        self.test = test
        self.isPattern = isPattern
        self.clusterID = clusterID
        self.reason = reason
        self.owner = owner
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// Whether the entry excuses a cause across every test (`quarantine add --cluster ID` alone).
    public var isCauseWide: Bool { clusterID != nil && isPattern && test == "*" }

    /// What the entry covers, as `quarantine list` and `add` name it.
    public var scope: String {
        let tests = isCauseWide ? "every test" : isPattern ? "tests matching \(test)" : test
        return tests + (clusterID.map { " (cause \($0))" } ?? "")
    }

    public func isExpired(at now: Date) -> Bool {
        guard let expiresAt, let date = ISO8601.date(expiresAt) else { return false }
        return date <= now
    }

    /// The texts this entry is matched with: as stored and, when written as a pytest node id
    /// (`tests/test_x.py::test_b`), in the dotted form stored ids have (`tests.test_x::test_b`).
    package var matchedForms: [String] {
        let normalized = TestIdentity.normalizedQuery(test)
        return normalized == test ? [test] : [test, normalized]
    }
}
