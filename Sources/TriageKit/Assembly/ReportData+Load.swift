import Foundation
import TriageModel
import TriageStore

// Loaders: each gathers what one report shows from the store and the analyses into a plain
// value, which the report's view then shapes without reading anything.

extension RunReportData {
    /// Run `id` (default: the latest run) with its failing tests marked, compared with the run
    /// before it on its branch.
    public static func load(_ database: TriageDatabase, runID id: Int64? = nil) throws -> RunReportData {
        guard let runID = try id ?? database.latestRunID() else {
            throw TriageError.notFound("no runs stored yet; `triage ingest results.xml` adds one")
        }
        let detail = try RunDetail.load(database, id: runID)
        let previous = try database.previousRunID(before: runID, branch: detail.run.metadata.branch)
        let comparison = try previous.map { try RunComparison.compare(database, before: $0, after: runID) }
        return RunReportData(detail: detail, comparison: comparison, examples: try database.exampleMessages(runID: runID))
    }
}

extension StatusReportData {
    /// The latest run and the last `last` runs' trend, flakiness and slowdowns, with the
    /// Five-Whys records, cycles and recurrences.
    public static func load(
        _ database: TriageDatabase, last: Int = 30, options: FlakinessOptions = FlakinessOptions()
    ) throws -> StatusReportData {
        guard let latest = try database.latestRunID() else {
            throw TriageError.notFound("no runs stored yet; `triage ingest results.xml` adds one")
        }
        let trend = try Trend.load(database, last: last, branch: options.branch)
        var slowOptions = SlowOptions()
        slowOptions.last = last
        slowOptions.branch = options.branch
        return StatusReportData(
            run: try database.runDetail(id: latest), trend: trend,
            flaky: try FlakinessAnalyzer.analyze(database, options: options),
            examples: try database.exampleMessages(runID: latest),
            areas: try database.passRatesByArea(runID: latest),
            whys: try FiveWhysBook.list(database).records,
            cycles: try RemediationCycles.list(database),
            recurrences: try database.recurrences(.runs(trend.points.map(\.runID))),
            slow: try SlowTestAnalyzer.analyze(database, options: slowOptions))
    }
}

extension CycleReportData {
    /// Cycle `id`, or the newest cycle, measured, with its Five-Whys records.
    public static func load(_ database: TriageDatabase, cycleID id: Int64?) throws -> CycleReportData {
        let cycles = try RemediationCycles.list(database)
        guard let chosenID = id ?? cycles.map(\.id).max() else {
            throw TriageError.notFound(
                "no remediation cycles yet; `triage cycle start \"TITLE\" --scope \"tests/*\"` starts one")
        }
        let cycle = try RemediationCycles.show(database, id: chosenID)
        return CycleReportData(cycle: cycle, analyses: try cycle.whys.map { try FiveWhysBook.show(database, id: $0.id) })
    }
}
