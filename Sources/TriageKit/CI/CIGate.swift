import Foundation
import TriageModel
import TriageStore

/// What fails the build in `triage ci`.
public enum GateRule: String, Codable, Sendable, CaseIterable {
    case never
    case anyFailure = "any-failure"
    case newFailures = "new-failures"
    case newClusters = "new-clusters"
    /// A cause a fixed or verified Five-Whys record names, or a successful cycle removed, failed again.
    case recurrence
    /// Tests whose duration rose (see `triage slow`); given beside another rule.
    case slower
}

/// How `triage ci` should run.
public struct CIOptions: Sendable {
    /// Files, folders or globs (`**` crosses folders).
    public var patterns: [String]
    public var failOn: GateRule = .newFailures
    /// Fail when tests got slower (`--fail-on slower`); otherwise slowdowns are a warning.
    public var failOnSlower = false
    public var minimumPassRate: Double?
    /// A run id or a branch name; default: the latest earlier run on this branch, else on the default branch.
    public var baseline: String?
    public var defaultBranch = "main"
    public var runKey: String?
    public var metadata = RunMetadata()
    /// Added to every test's variant (one leg of a matrix).
    public var variant = Variant.none
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    public var now = Date()
    /// Also fail when a fixed cause is back (`--fail-on recurrence`, beside another rule).
    public var failOnRecurrence = false
    /// Clean runs that verify a fixed Five-Whys record.
    public var cleanRuns = RootCauseWatch.defaultCleanRuns

    public init(patterns: [String]) {
        self.patterns = patterns
    }
}

/// The outcome of `triage ci`: its JSON is documented in the README ("triage ci JSON").
public struct CIResult: Codable, Sendable {
    public struct FailingTest: Codable, Sendable, Equatable {
        public var test: String
        public var outcome: Outcome
        public var clusterID: String?
        public var category: String?
        /// Not failing in the baseline run (absent, passed or skipped there).
        public var isNew: Bool
        public var isKnownFlaky: Bool
        public var isQuarantined: Bool
        /// Whether this failure counts for the gate (not flaky, not under an active quarantine).
        public var counts: Bool
    }

    public var runID: Int64
    public var runKey: String
    public var isNewHistory: Bool
    public var baselineRunID: Int64?
    public var totals: RunTotals
    public var passRate: Double?
    public var baselinePassRate: Double?
    public var passRateChange: Double?
    public var failing: [FailingTest]
    public var newFailures: [String]
    public var fixed: [String]
    public var stillFailing: [String]
    public var newClusters: [StoredCluster]
    public var flakyInvolved: [String]
    public var quarantinedFailures: [String]
    public var expiredQuarantines: [String]
    public var gate: GateRule
    public var minimumPassRate: Double?
    public var passed: Bool
    /// Why the gate failed, one sentence each; empty when it passed.
    public var reasons: [String]
    /// Things worth knowing that did not fail the gate (no baseline, expired quarantines).
    public var notes: [String]
    /// Fixed causes failing again in this run (said first), and what triage did about them.
    public var recurrences: [Recurrence] = []
    public var reopenedWhys: [Int64] = []
    public var verifiedWhys: [RootCauseNews.Verified] = []
    public var failsOnRecurrence = false
    /// Tests that failed and then passed on a retry in this run.
    public var passedOnRetry: [String] = []
    /// Tests whose duration rose in the newest runs of this job (a warning unless `--fail-on slower`).
    public var slower: [DurationRise] = []
    /// This run's total test time against the job's previous runs.
    public var runTime: RunTime?
    public var failsOnSlower = false
}

/// The CI post-step: ingest, compare with a baseline, decide the gate.
public enum CIGate {
    public static func run(databasePath: String, options: CIOptions) throws -> CIResult {
        // A SQLite history is new when its file is; a server's when its database holds nothing.
        let onServer = TriageDatabase.isServerURL(databasePath)
        let shownPath = TriageDatabase.displayName(of: databasePath)
        var isNewHistory = !onServer && !FileManager.default.fileExists(atPath: databasePath)
        var files: [String] = []
        for pattern in options.patterns { files += Glob.files(pattern) }
        guard !files.isEmpty else {
            throw TriageError.invalidArgument(
                "no result files match \(options.patterns.map { "\"\($0)\"" }.joined(separator: ", ")); did the test step write them?"
            )
        }
        var opened: TriageDatabase?
        if onServer {
            opened = try TriageDatabase(path: databasePath)
            isNewHistory = try opened?.isEmptyHistory() ?? false
        }
        if isNewHistory, let given = options.baseline {
            throw TriageError.notFound(
                "--baseline \(given): there is no history at \(shownPath) yet; leave --baseline out of the first run")
        }
        let fromEnvironment = CIEnvironment.metadata(from: options.environment)
        var metadata = fromEnvironment.overridden(by: options.metadata)
        if metadata.commit == nil || metadata.branch == nil {
            let git = CIEnvironment.gitMetadata(in: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            metadata.commit = metadata.commit ?? git.commit
            metadata.branch = metadata.branch ?? git.branch
        }
        let database = try opened ?? TriageDatabase(path: databasePath)
        try checkBaseline(database, job: metadata.job, options: options)
        // Jobs of one build are runs of their own, each compared with the same job's runs.
        let runKey =
            options.runKey
            ?? metadata.buildID.map { "\(metadata.ciProvider ?? "ci")-\($0)" + (metadata.job.map { "-\($0)" } ?? "") }
        let rules = try RulesInForce.forStoring(in: database, rulesFile: nil)
        let report = try Ingestor(database: database, engine: rules.engine).ingest(
            files, options: IngestOptions(runKey: runKey, metadata: metadata, now: options.now, variant: options.variant))
        guard let runID = report.runID, let totals = report.totals else {
            throw TriageError.notFound(
                "nothing was stored from \(files.count.counted("file")); every one was already in the history")
        }
        var notes: [String] = []
        if isNewHistory { notes.append("no history at \(shownPath): started a new one") }
        _ = try rules.noteAfterStoring(in: database)
        if let drift = try RulesInForce.driftNote(database) { notes.append(drift) }
        let baselineID = try baseline(
            database, current: runID, branch: metadata.branch, job: metadata.job, options: options)
        var comparison = try baselineID.map { try RunComparison.compare(database, before: $0, after: runID) }
        if let candidates = comparison?.newClusters, !candidates.isEmpty {
            // New since the baseline is not new: a cause any earlier run already had is not.
            let seen = try database.clustersSeen(Set(candidates.map(\.cluster.id)), before: runID)
            comparison?.newClusters = candidates.filter { !seen.contains($0.cluster.id) }
        }
        if baselineID == nil { notes.append("no earlier run to compare with: every failure is reported, none is new") }
        let news = try RootCauseWatch.check(database, runID: runID, cleanRuns: options.cleanRuns, now: options.now)

        let flaky = Set(try FlakinessAnalyzer.analyze(database).tests(in: .flaky).map(\.test))
        let quarantine = try Quarantine.list(database)
        let active = QuarantineMatcher(quarantine.filter { !$0.isExpired(at: options.now) })
        let expired = QuarantineMatcher(quarantine.filter { $0.isExpired(at: options.now) })

        // A failing test the baseline did not run is new only if it did not fail the last time
        // this job ran it.
        let failingBefore = try baselineID.map {
            try database.failingBeforeInJob(runID: runID, baseline: $0, job: metadata.job)
        } ?? []
        let newFailures = (comparison?.newFailures.map(\.test) ?? []).filter { !failingBefore.contains($0) }
        let newNames = Set(newFailures)
        let detail = try database.failingTests(runID: runID)
        let failing = detail.map { item in
            let cause = item.cluster?.id
            let quarantined =
                active.matches(item.test, cluster: cause) || active.matches(item.allVariants, cluster: cause)
            let known = flaky.contains(item.test)
            return CIResult.FailingTest(
                test: item.test, outcome: item.outcome, clusterID: item.cluster?.id, category: item.cluster?.category,
                isNew: baselineID != nil && newNames.contains(item.test), isKnownFlaky: known,
                isQuarantined: quarantined,
                counts: !known && !quarantined)
        }
        let expiredHits = expired.entries(coveringAnyOf: failing.map(\.test) + detail.map(\.allVariants)).map(\.test)
        for entry in expiredHits { notes.append("the quarantine of \(entry) has expired: its failures count again") }

        var reasons: [String] = []
        let counted = failing.filter(\.counts)
        switch options.failOn {
        case .never:
            break
        case .anyFailure:
            if !counted.isEmpty {
                reasons.append("\(counted.count.counted("test")) failed that \(counted.count == 1 ? "is" : "are") neither known flaky nor quarantined")
            }
        case .newFailures:
            let fresh = counted.filter(\.isNew)
            if !fresh.isEmpty {
                reasons.append(
                    "\(fresh.count.counted("new failure")) since run \(baselineID.map(String.init) ?? "-"): "
                        + fresh.prefix(5).map(\.test).joined(separator: ", ") + (fresh.count > 5 ? ", …" : ""))
            }
        case .recurrence, .slower:
            break
        case .newClusters:
            let countedClusters = Set(counted.compactMap(\.clusterID))
            let fresh = (comparison?.newClusters ?? []).filter { countedClusters.contains($0.cluster.id) }
            if !fresh.isEmpty {
                reasons.append(
                    "\(fresh.count.counted("new failure cluster")): "
                        + fresh.map { "\($0.cluster.id) \($0.cluster.category)" }.joined(separator: ", "))
            }
        }
        let failsOnRecurrence = options.failOnRecurrence || options.failOn == .recurrence
        if failsOnRecurrence {
            // A recurrence fails the gate unless every test it hit is quarantined.
            let excused = Set(failing.filter(\.isQuarantined).map(\.test))
            for recurrence in news.recurrences where recurrence.tests.contains(where: { !excused.contains($0) }) {
                reasons.append(recurrence.summary)
            }
        }
        if let minimum = options.minimumPassRate, let rate = totals.passRate, rate < minimum {
            reasons.append("pass rate \(rate.percent) is below the minimum \(minimum.percent)")
        }
        let slow = try slowdowns(database, runID: runID, branch: metadata.branch, job: metadata.job)
        if options.failOnSlower, !slow.rises.isEmpty {
            reasons.append(
                "\(slow.rises.count.counted("test")) got slower: "
                    + slow.rises.prefix(5).map(\.test).joined(separator: ", ") + (slow.rises.count > 5 ? ", …" : ""))
        }
        var result = CIResult(
            runID: runID, runKey: report.runKey, isNewHistory: isNewHistory, baselineRunID: baselineID, totals: totals,
            passRate: totals.passRate, baselinePassRate: comparison?.passRateBefore,
            passRateChange: comparison?.passRateChange,
            failing: failing, newFailures: newFailures,
            fixed: comparison?.fixed.map(\.test) ?? [],
            stillFailing: comparison?.stillFailing.map(\.test) ?? [],
            newClusters: comparison?.newClusters.map(\.cluster) ?? [],
            flakyInvolved: failing.filter(\.isKnownFlaky).map(\.test),
            quarantinedFailures: failing.filter(\.isQuarantined).map(\.test),
            expiredQuarantines: expiredHits, gate: options.failOn, minimumPassRate: options.minimumPassRate,
            passed: reasons.isEmpty, reasons: reasons, notes: notes, recurrences: news.recurrences,
            reopenedWhys: news.reopened, verifiedWhys: news.verified, failsOnRecurrence: failsOnRecurrence)
        result.passedOnRetry = try database.testsPassedOnRetry(runID: runID)
        result.slower = slow.rises
        result.runTime = slow.runTime?.runID == runID ? slow.runTime : nil
        result.failsOnSlower = options.failOnSlower
        return result
    }

    /// Duration rises that began in the job's last 10 runs on this branch, and the run's total time.
    static func slowdowns(_ database: TriageDatabase, runID: Int64, branch: String?, job: String?) throws -> SlowReport {
        var options = SlowOptions()
        options.branch = branch
        options.job = job
        options.recentRuns = 10
        return try SlowTestAnalyzer.analyze(database, options: options)
    }

    /// Checks `--baseline` before the run is stored: a bad one must change nothing.
    static func checkBaseline(_ database: TriageDatabase, job: String?, options: CIOptions) throws {
        guard let given = options.baseline else { return }
        if let id = Int64(given) {
            do { _ = try database.run(id: id) } catch TriageError.notFound {
                throw TriageError.notFound("--baseline \(given): run \(id) does not exist; `triage runs` lists the stored runs")
            }
        } else if try !database.hasRun(branch: given, job: job) {
            throw TriageError.notFound(
                "--baseline \(given): no run of \(job.map { "job \($0)" } ?? "runs without a job") on branch \(given) to use as the baseline; name a stored run id or branch (`triage runs`)")
        }
    }

    /// The run to compare with: `--baseline` (a run id, or a branch), else the latest earlier
    /// run of the same job on this branch, else on the default branch. Runs of other jobs ran
    /// other tests: comparing with them makes identical results look new.
    static func baseline(
        _ database: TriageDatabase, current: Int64, branch: String?, job: String?, options: CIOptions
    ) throws -> Int64? {
        if let given = options.baseline {
            if let id = Int64(given) {
                _ = try database.run(id: id)
                return id
            }
            guard let id = try database.latestRun(before: current, branch: given, job: job) else {
                throw TriageError.notFound("no earlier run of this job on branch \(given) to use as the baseline")
            }
            return id
        }
        if let branch, let id = try database.latestRun(before: current, branch: branch, job: job) { return id }
        return try database.latestRun(before: current, branch: options.defaultBranch, job: job)
    }
}
