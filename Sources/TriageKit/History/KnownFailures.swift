import Foundation
import TriageModel
import TriageStore

/// What the history already knows about failing tests: which are flaky and which are under an
/// active quarantine. Built once, then applied to any list of failures without the database.
public struct KnownFailures: Sendable {
    /// Display ids of the tests `triage flaky` calls flaky.
    public var flaky: Set<String>
    public var quarantine: QuarantineMatcher

    public init(flaky: Set<String>, quarantine: QuarantineMatcher) {
        self.flaky = flaky
        self.quarantine = quarantine
    }

    /// The flaky tests over the default window (as `triage flaky` and `triage ci` judge them)
    /// and the quarantine entries active at `now`.
    public static func load(_ database: TriageDatabase, now: Date = Date()) throws -> KnownFailures {
        let flaky = Set(try FlakinessAnalyzer.analyze(database).tests(in: .flaky).map(\.test))
        let active = try Quarantine.list(database).filter { !$0.isExpired(at: now) }
        return KnownFailures(flaky: flaky, quarantine: QuarantineMatcher(active))
    }

    /// The test with its marks set.
    public func marking(_ test: RunDetail.FailingTest) -> RunDetail.FailingTest {
        var test = test
        test.isKnownFlaky = flaky.contains(test.test)
        test.isQuarantined = quarantine.matches(test.test) || quarantine.matches(test.baseID)
        return test
    }

    /// The run's failing tests with their marks set.
    public func marking(_ detail: RunDetail) -> RunDetail {
        var detail = detail
        for index in detail.failuresByCluster.indices {
            detail.failuresByCluster[index].failing = detail.failuresByCluster[index].failing.map(marking)
        }
        return detail
    }
}

extension RunDetail {
    /// Run `id` with its failing tests marked known flaky or quarantined.
    public static func load(_ database: TriageDatabase, id: Int64, now: Date = Date()) throws -> RunDetail {
        let detail = try database.runDetail(id: id)
        guard !detail.failuresByCluster.isEmpty else { return detail }
        return try KnownFailures.load(database, now: now).marking(detail)
    }
}

extension RunDetail.FailingTest {
    /// "known flaky, quarantined", empty when neither.
    public var marks: [String] {
        [isKnownFlaky ? "known flaky" : nil, isQuarantined ? "quarantined" : nil].compactMap { $0 }
    }
}
