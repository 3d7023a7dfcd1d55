import Foundation
import TriageModel
import TriageStore

/// Remediation cycles: starting, noting, closing and measuring them.
public enum RemediationCycles {
    public static func start(_ database: TriageDatabase, _ request: CycleStart, now: Date = Date()) throws
        -> RemediationCycle
    {
        let effort = request.effort.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !effort.isEmpty else {
            throw TriageError.invalidArgument(
                "the cycle needs a title naming its effort, e.g. triage cycle start \"Redis integration remediation\"")
        }
        if let max = request.maxCycles, max < 1 {
            throw TriageError.invalidArgument("--max must be at least 1 (it is \(max))")
        }
        let clusters = try request.clusters.map { try database.cluster(prefix: $0).id }
        let scope = TestScope(request.scope)
        let inScope = try self.tests(database, in: scope)
        let before: Int64?
        if let requested = request.beforeRunID {
            before = try database.run(id: requested).id
        } else {
            before = try database.latestRun(withResultsFor: Set(inScope.keys))
        }
        let id = try database.insertCycle(
            .init(
                effort: effort, maxCycles: request.maxCycles, scope: scope.pattern, owner: clean(request.owner),
                clusterIDs: clusters,
                whysIDs: request.whys, beforeRunID: before, now: now))
        return try show(database, id: id)
    }

    public static func note(_ database: TriageDatabase, id: Int64, _ text: String, now: Date = Date()) throws
        -> RemediationCycle
    {
        guard let text = clean(text) else {
            throw TriageError.invalidArgument(
                "the note is empty; give it as text, e.g. triage cycle note \(id) \"fakeredis approach validated\"")
        }
        try database.addCycleItems(cycleID: id, [(.note, text)], now: now)
        return try show(database, id: id)
    }

    /// Closes an open cycle, storing its figures against the latest run in scope (or `afterRunID`).
    public static func close(_ database: TriageDatabase, id: Int64, _ request: CycleClose, now: Date = Date()) throws
        -> RemediationCycle
    {
        guard request.status != .open else {
            throw TriageError.invalidArgument("a cycle closes as success, partial or failed, not open")
        }
        let cycle = try database.storedCycle(id: id)
        guard cycle.status == .open else {
            throw TriageError.invalidArgument(
                "cycle \(id) is already closed (\(cycle.status.rawValue)); add to it with `triage cycle note \(id)`, or start the next cycle"
            )
        }
        let measurement = try measure(database, cycle, afterRunID: request.afterRunID)
        let items =
            request.nextSteps.compactMap(clean).map { (TriageDatabase.CycleItemKind.nextStep, $0) }
            + request.findings.compactMap(clean).map { (TriageDatabase.CycleItemKind.finding, $0) }
        try database.closeCycle(
            id: id,
            .init(
                status: request.status, items: items, risk: clean(request.risk), priority: clean(request.priority),
                businessImpact: clean(request.businessImpact), measurement: measurement, now: now))
        return try database.storedCycle(id: id)
    }

    /// A cycle with its figures: stored ones when closed, else measured now (against
    /// `afterRunID`, or the latest run in scope).
    public static func show(
        _ database: TriageDatabase, id: Int64, afterRunID: Int64? = nil,
        cleanRuns: Int = RootCauseWatch.defaultCleanRuns
    ) throws -> RemediationCycle {
        var cycle = try database.storedCycle(id: id)
        if cycle.measurement == nil || afterRunID != nil {
            cycle.measurement = try measure(database, cycle, afterRunID: afterRunID)
            cycle.isMeasurementStored = false
        }
        if cycle.isMeasurementStored {
            cycle.fixedTests = try RootCauseWatch.fixedTestVerification(database, cycle, requiredRuns: cleanRuns)
            cycle.recurrences = try database.recurrences(.cycle(id))
        }
        return cycle
    }

    /// Every cycle, by effort and number; open cycles are measured now.
    public static func list(_ database: TriageDatabase) throws -> [RemediationCycle] {
        try database.allCycles().map { cycle in
            cycle.measurement == nil ? try show(database, id: cycle.id) : cycle
        }
    }

    static func measure(_ database: TriageDatabase, _ cycle: RemediationCycle, afterRunID: Int64?) throws
        -> CycleMeasurement
    {
        let scope = TestScope(cycle.scope)
        let inScope = try tests(database, in: scope)
        let after: Int64?
        if let afterRunID {
            let run = try database.run(id: afterRunID).id
            if let before = cycle.beforeRunID, run <= before {
                throw TriageError.invalidArgument(
                    "run \(afterRunID) is not after the cycle's before run \(before); name a later run with --after")
            }
            after = run
        } else {
            after = try database.latestRun(withResultsFor: Set(inScope.keys), after: cycle.beforeRunID ?? 0)
        }
        return try CycleMeasurement.measure(
            database, scope: scope, inScope: inScope, before: cycle.beforeRunID, after: after)
    }

    /// The stored tests in `scope`; throws when there are none, since a cycle about no test cannot be measured.
    static func tests(_ database: TriageDatabase, in scope: TestScope) throws -> [Int64: StoredTest] {
        guard !scope.pattern.isEmpty else {
            throw TriageError.invalidArgument(
                "the scope is empty; give a glob such as \"tests/integration/*\", or leave --scope out for every test")
        }
        let matching = try database.allTests().filter(scope.matches)
        guard !matching.isEmpty else {
            throw TriageError.invalidArgument(
                "the scope \"\(scope.pattern)\" matches no stored test; use `*` and `?` over test ids (classname::name) or pytest paths (tests/x/test_y.py::test_z), and ingest the runs first"
            )
        }
        return Dictionary(uniqueKeysWithValues: matching.map { ($0.id, $0) })
    }

    static func clean(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}
