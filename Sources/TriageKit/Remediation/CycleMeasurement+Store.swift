import Foundation
import TriageModel
import TriageStore

extension CycleMeasurement {
    /// Measures `scope` between two runs (either may be nil: the verdict is then inconclusive).
    static func measure(
        _ database: TriageDatabase, scope: TestScope, inScope: [Int64: StoredTest], before: Int64?, after: Int64?
    ) throws -> CycleMeasurement {
        let points = try database.results(inRuns: [before, after].compactMap { $0 }).filter {
            inScope[$0.testID] != nil
        }
        let old = Dictionary(
            points.filter { $0.runID == before }.map { ($0.testID, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(
            points.filter { $0.runID == after }.map { ($0.testID, $0) }, uniquingKeysWith: { first, _ in first })
        func totals(_ runID: Int64?, _ results: [Int64: ResultPoint]) -> ScopeTotals? {
            guard let runID else { return nil }
            var totals = ScopeTotals(runID: runID)
            for point in results.values { totals.count(point.outcome) }
            return totals
        }
        let beforeTotals = totals(before, old), afterTotals = totals(after, new)

        var fixed: [String] = [], newlyFailing: [String] = [], still: [String] = []
        if let before, let after {
            // The run comparison names the changes; only the tests in scope count here.
            let names = Set(inScope.values.map(\.displayID))
            let comparison = try RunComparison.compare(database, before: before, after: after)
            fixed = comparison.fixed.map(\.test).filter(names.contains)
            newlyFailing = comparison.newFailures.map(\.test).filter(names.contains)
            still = comparison.stillFailing.map(\.test).filter(names.contains)
        }

        var paired = 0, becamePassing = 0, becameFailing = 0
        for (testID, was) in old {
            guard let now = new[testID], was.outcome != .skipped, now.outcome != .skipped else { continue }
            paired += 1
            if was.outcome.isFailure, now.outcome == .passed { becamePassing += 1 }
            if was.outcome == .passed, now.outcome.isFailure { becameFailing += 1 }
        }
        let (verdict, pValue, reason) = Self.verdict(
            hasBefore: before != nil, hasAfter: after != nil, paired: paired, becamePassing: becamePassing,
            becameFailing: becameFailing)

        let clusters = try database.clusters(ids: Set(points.compactMap(\.clusterID)))
        // Each failing test counts under the cluster of its failure in that run.
        var byCluster: [String: Group] = [:], byCategory: [String: Group] = [:]
        func tally(_ point: ResultPoint, _ update: (inout Group) -> Void) {
            let cluster = point.clusterID.flatMap { clusters[$0] }
            let category = cluster?.category ?? "unclustered"
            update(
                &byCluster[
                    cluster?.id ?? "",
                    default: Group(
                        clusterID: cluster?.id, category: category, detail: cluster?.detail, testsBefore: 0,
                        testsAfter: 0, stillFailing: 0)])
            update(
                &byCategory[
                    category,
                    default: Group(
                        clusterID: nil, category: category, detail: nil, testsBefore: 0, testsAfter: 0, stillFailing: 0)
                ])
        }
        for point in old.values where point.outcome.isFailure { tally(point) { $0.testsBefore += 1 } }
        for point in new.values where point.outcome.isFailure {
            tally(point) { $0.testsAfter += 1 }
            if old[point.testID]?.outcome.isFailure == true { tally(point) { $0.stillFailing += 1 } }
        }
        func ordered(_ groups: [Group]) -> [Group] {
            groups.filter { after == nil ? $0.testsBefore > 0 : $0.testsAfter > 0 }.sorted {
                ($0.testsAfter, $0.testsBefore, $1.clusterID ?? $1.category) > (
                    $1.testsAfter, $1.testsBefore, $0.clusterID ?? $0.category
                )
            }
        }
        return CycleMeasurement(
            scope: scope.pattern, beforeRunID: before, afterRunID: after, before: beforeTotals, after: afterTotals,
            passedChange: afterTotals.flatMap { a in beforeTotals.map { a.passed - $0.passed } },
            passRateChange: afterTotals?.passRate.flatMap { a in beforeTotals?.passRate.map { a - $0 } },
            fixed: fixed, newlyFailing: newlyFailing, stillFailing: still,
            remainingByCluster: ordered(Array(byCluster.values)),
            remainingByCategory: ordered(Array(byCategory.values)),
            pairedTests: paired, verdict: verdict, pValue: pValue, verdictReason: reason)
    }
}
