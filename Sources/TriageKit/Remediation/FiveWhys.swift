import Foundation
import TriageModel
import TriageStore

/// Five-Whys records: creating, changing and reading them. Each change is validated, then
/// written in one transaction; a change that does not fit throws and writes nothing.
public enum FiveWhysBook {
    /// The default number of quiet runs before a record is ready to verify.
    public static let defaultQuietRuns = 3

    public static func create(
        _ database: TriageDatabase, problem: String, clusters: [String], tests: [String] = [], owner: String? = nil,
        now: Date = Date()
    ) throws -> FiveWhys {
        var content = WhysContent(problem: problem)
        content.owner = owner
        content.clusterIDs = try clusters.map { try database.cluster(prefix: $0).id }
        content.tests = try tests.map { try database.findTest($0).displayID }
        content = unique(content.normalized)
        try content.validate()
        let id = try database.insertWhys(content, now: now)
        return try database.whys(id: id)
    }

    /// Appends the next why.
    public static func addWhy(
        _ database: TriageDatabase, id: Int64, answer: String, question: String? = nil, now: Date = Date()
    ) throws -> FiveWhys {
        let trimmed = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw TriageError.invalidArgument(
                "the why is empty; give the answer as text, e.g. triage whys why \(id) \"Redis client returns None\"")
        }
        return try database.updateWhys(id: id, now: now) { content in
            content.steps.append(.init(question: question, answer: trimmed))
        }
    }

    public static func set(_ database: TriageDatabase, id: Int64, _ changes: WhysChanges, now: Date = Date()) throws
        -> FiveWhys
    {
        let clusters = try changes.addClusters.map { try database.cluster(prefix: $0).id }
        let tests = try changes.addTests.map { try database.findTest($0).displayID }
        return try database.updateWhys(id: id, now: now) { content in
            if let problem = changes.problem { content.problem = problem }
            if let rootCause = changes.rootCause { content.rootCause = rootCause }
            if let status = changes.status { content.status = status }
            if let owner = changes.owner { content.owner = owner }
            if let impact = changes.businessImpact { content.businessImpact = impact }
            if let risk = changes.risk { content.risk = risk }
            if let priority = changes.priority { content.priority = priority }
            content.clusterIDs += clusters
            content.tests += tests
            content.evidence += changes.addEvidence
            content.findings += changes.addFindings
            content.nextSteps += changes.addNextSteps
            for item in changes.checklist {
                let text = item.text.trimmingCharacters(in: .whitespacesAndNewlines)
                if let index = content.checklist.firstIndex(where: { $0.text == text }) {
                    content.checklist[index].state = item.state
                } else {
                    content.checklist.append(.init(text: text, state: item.state))
                }
            }
        }
    }

    /// Adds an option, or adds pros and cons to the option of that title. Choosing an option
    /// un-chooses the others.
    public static func addOption(
        _ database: TriageDatabase, id: Int64, _ option: WhysContent.Option, now: Date = Date()
    ) throws -> FiveWhys {
        let title = option.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else {
            throw TriageError.invalidArgument(
                "the option has no title; name it, e.g. triage whys option \(id) \"Install Redis locally\"")
        }
        return try database.updateWhys(id: id, now: now) { content in
            if option.isChosen { for index in content.options.indices { content.options[index].isChosen = false } }
            if let index = content.options.firstIndex(where: { $0.title == title }) {
                content.options[index].pros += option.pros
                content.options[index].cons += option.cons
                if let approach = option.approach { content.options[index].approach = approach }
                if option.isChosen { content.options[index].isChosen = true }
            } else {
                var new = option
                new.title = title
                content.options.append(new)
            }
        }
    }

    /// Replaces every editable field (what `whys edit` does with the parsed Markdown).
    public static func replace(_ database: TriageDatabase, id: Int64, with content: WhysContent, now: Date = Date())
        throws -> FiveWhys
    {
        var resolved = content.normalized
        resolved.clusterIDs = try resolved.clusterIDs.map { try database.cluster(prefix: $0).id }
        resolved.tests = try resolved.tests.map { try database.findTest($0).displayID }
        return try database.updateWhys(id: id, now: now) { $0 = resolved }
    }

    /// One record, with whether it is ready to verify.
    public static func show(
        _ database: TriageDatabase, id: Int64, quietRuns: Int = defaultQuietRuns,
        cleanRuns: Int = RootCauseWatch.defaultCleanRuns
    ) throws -> FiveWhys {
        var record = try database.whys(id: id)
        record.isReadyToVerify = try isReadyToVerify(database, record, quietRuns: quietRuns)
        try RootCauseWatch.annotate(database, &record, cleanRuns: cleanRuns)
        return record
    }

    /// Every record, grouped by the clusters they link to.
    public static func list(
        _ database: TriageDatabase, quietRuns: Int = defaultQuietRuns, cleanRuns: Int = RootCauseWatch.defaultCleanRuns
    ) throws -> WhysList {
        guard quietRuns >= 1 else { throw TriageError.invalidArgument("--quiet-runs must be at least 1") }
        var records = try database.allWhys()
        for index in records.indices {
            records[index].isReadyToVerify = try isReadyToVerify(database, records[index], quietRuns: quietRuns)
            try RootCauseWatch.annotate(database, &records[index], cleanRuns: cleanRuns)
        }
        let latest = try database.latestRunID().map { try database.runDetail(id: $0).failuresByCluster } ?? []
        let failing = Dictionary(latest.map { ($0.clusterID, $0.tests) }, uniquingKeysWith: +)
        var clusters: [String: StoredCluster] = [:]
        var members: [String: [Int64]] = [:]
        for record in records {
            for cluster in record.clusters {
                clusters[cluster.id] = cluster
                members[cluster.id, default: []].append(record.id)
            }
        }
        let groups = clusters.values.map { cluster in
            WhysList.Group(
                cluster: cluster, failingInLatestRun: failing[cluster.id] ?? 0, records: members[cluster.id] ?? [])
        }.sorted { ($0.failingInLatestRun, $1.cluster.id) > ($1.failingInLatestRun, $0.cluster.id) }
        return WhysList(quietRuns: quietRuns, groups: groups, records: records)
    }

    /// Ready to verify: not yet verified, and none of the record's clusters failed a test in
    /// the last `quietRuns` runs that ran any test those clusters (or the record) name.
    static func isReadyToVerify(_ database: TriageDatabase, _ record: FiveWhys, quietRuns: Int) throws -> Bool {
        guard record.status != .verified, !record.clusters.isEmpty else { return false }
        return try database.clustersAreQuiet(whysID: record.id, clusterIDs: record.clusters.map(\.id), runs: quietRuns)
    }

    /// Clusters and tests named twice are kept once, in their first place.
    static func unique(_ content: WhysContent) -> WhysContent {
        var copy = content
        var seenClusters = Set<String>(), seenTests = Set<String>()
        copy.clusterIDs = content.clusterIDs.filter { seenClusters.insert($0).inserted }
        copy.tests = content.tests.filter { seenTests.insert($0).inserted }
        return copy
    }
}

extension TriageDatabase {
    /// Loads a record, applies `change`, normalizes and validates the result and writes it
    /// back, all in one transaction.
    func updateWhys(id: Int64, now: Date, _ change: (inout WhysContent) throws -> Void) throws -> FiveWhys {
        try storeWhys(id: id, now: now) { content in
            try change(&content)
            content = FiveWhysBook.unique(content.normalized)
            try content.validate(record: id)
        }
    }
}
