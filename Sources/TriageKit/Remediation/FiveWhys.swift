import Foundation

/// Where a Five-Whys record stands.
public enum WhysStatus: String, Codable, Sendable, CaseIterable {
    case open
    case analysed
    case fixed
    case verified
}

/// The state of one item of a record's status checklist.
public enum ChecklistState: String, Codable, Sendable, CaseIterable {
    case done
    case partial
    case todo
}

/// Everything a team writes in a Five-Whys record: what `whys edit` lets them change.
/// Clusters are full cluster ids, tests are display ids (`classname::name`).
public struct WhysContent: Codable, Sendable, Equatable {
    public struct Step: Codable, Sendable, Equatable {
        /// The question as the team phrased it ("Why does the client return None?"), if they did.
        public var question: String?
        public var answer: String

        public init(question: String? = nil, answer: String) {
            self.question = question
            self.answer = answer
        }
    }

    public struct Option: Codable, Sendable, Equatable {
        public var title: String
        public var approach: String?
        public var pros: [String]
        public var cons: [String]
        public var isChosen: Bool

        public init(
            title: String, approach: String? = nil, pros: [String] = [], cons: [String] = [], isChosen: Bool = false
        ) {
            self.title = title
            self.approach = approach
            self.pros = pros
            self.cons = cons
            self.isChosen = isChosen
        }
    }

    public struct ChecklistItem: Codable, Sendable, Equatable {
        public var text: String
        public var state: ChecklistState

        public init(text: String, state: ChecklistState) {
            self.text = text
            self.state = state
        }
    }

    public var problem: String
    public var status: WhysStatus = .open
    public var owner: String?
    public var rootCause: String?
    public var businessImpact: String?
    public var risk: String?
    public var priority: String?
    public var clusterIDs: [String] = []
    public var tests: [String] = []
    public var steps: [Step] = []
    public var options: [Option] = []
    public var checklist: [ChecklistItem] = []
    /// Key findings, "what works now".
    public var findings: [String] = []
    public var nextSteps: [String] = []
    /// Links to logs, CI builds, pull requests.
    public var evidence: [String] = []

    public init(problem: String) {
        self.problem = problem
    }

    /// The same content with every text trimmed and empty optional texts dropped, so that what
    /// is stored, rendered and parsed back is the same.
    public var normalized: WhysContent {
        // Line breaks become "\n" so that a Markdown round trip gives back the same text.
        func clean(_ value: String) -> String {
            value.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func text(_ value: String?) -> String? {
            guard let cleaned = value.map(clean), !cleaned.isEmpty else { return nil }
            return cleaned
        }
        func list(_ values: [String]) -> [String] { values.compactMap(text) }
        var copy = self
        copy.problem = clean(problem)
        copy.owner = text(owner)
        copy.rootCause = text(rootCause)
        copy.businessImpact = text(businessImpact)
        copy.risk = text(risk)
        copy.priority = text(priority)
        copy.clusterIDs = list(clusterIDs)
        copy.tests = list(tests)
        copy.steps = steps.map { Step(question: text($0.question), answer: clean($0.answer)) }
        copy.options = options.map {
            Option(
                title: clean($0.title), approach: text($0.approach), pros: list($0.pros), cons: list($0.cons),
                isChosen: $0.isChosen)
        }
        copy.checklist = checklist.map { ChecklistItem(text: clean($0.text), state: $0.state) }
        copy.findings = list(findings)
        copy.nextSteps = list(nextSteps)
        copy.evidence = list(evidence)
        return copy
    }

    /// Throws `invalidArgument` naming the first field that cannot be stored.
    public func validate(record id: Int64? = nil) throws {
        let name = id.map { "Five-Whys \($0)" } ?? "the Five-Whys record"
        if problem.isEmpty {
            throw TriageError.invalidArgument(
                "\(name) needs a problem: say in one line what fails, e.g. --problem \"9 persistence tests fail: Redis connection required\""
            )
        }
        if clusterIDs.isEmpty {
            throw TriageError.invalidArgument(
                "\(name) needs at least one cluster; `triage runs show` lists the clusters of a run")
        }
        if let index = steps.firstIndex(where: { $0.answer.isEmpty }) {
            throw TriageError.invalidArgument(
                "why \(index + 1) of \(name) is empty; give the answer as text, e.g. \"Redis client returns None\"")
        }
        var titles = Set<String>()
        for option in options {
            if option.title.isEmpty {
                throw TriageError.invalidArgument("an option of \(name) has no title; give each option a name")
            }
            if !titles.insert(option.title).inserted {
                throw TriageError.invalidArgument(
                    "\(name) has two options named \"\(option.title)\"; give each option its own name")
            }
        }
        if options.filter(\.isChosen).count > 1 {
            throw TriageError.invalidArgument("\(name) has more than one chosen option; choose one")
        }
        if checklist.contains(where: { $0.text.isEmpty }) {
            throw TriageError.invalidArgument("a checklist item of \(name) is empty; give it a text")
        }
    }
}

/// A stored Five-Whys record with its links resolved: what `whys show` prints.
public struct FiveWhys: Codable, Sendable, Equatable {
    public var id: Int64
    public var problem: String
    public var status: WhysStatus
    public var owner: String?
    public var rootCause: String?
    public var businessImpact: String?
    public var risk: String?
    public var priority: String?
    public var clusters: [StoredCluster]
    public var tests: [String]
    public var steps: [WhysContent.Step]
    public var options: [WhysContent.Option]
    public var checklist: [WhysContent.ChecklistItem]
    public var findings: [String]
    public var nextSteps: [String]
    public var evidence: [String]
    public var createdAt: String
    public var updatedAt: String
    /// No failing result with the record's clusters in the last `quietRuns` runs that ran its
    /// tests (see the README); nil when not evaluated. Never true for a verified record.
    public var isReadyToVerify: Bool?
    /// When the record was marked fixed; nil unless it is fixed or verified.
    public var fixedAt: String? = nil
    /// While fixed or verified: how many clean runs of every test its causes hit since the fix.
    public var verification: Verification? = nil
    /// Runs in which a cause of the record failed again after it was fixed, oldest first.
    public var recurrences: [Recurrence] = []

    /// The editable fields.
    public var content: WhysContent {
        var content = WhysContent(problem: problem)
        content.status = status
        content.owner = owner
        content.rootCause = rootCause
        content.businessImpact = businessImpact
        content.risk = risk
        content.priority = priority
        content.clusterIDs = clusters.map(\.id)
        content.tests = tests
        content.steps = steps
        content.options = options
        content.checklist = checklist
        content.findings = findings
        content.nextSteps = nextSteps
        content.evidence = evidence
        return content
    }
}

/// Five-Whys records per cluster: what `whys list` prints.
public struct WhysList: Codable, Sendable, Equatable {
    public struct Group: Codable, Sendable, Equatable {
        public var cluster: StoredCluster
        /// Failing tests with this cluster in the newest run, 0 when it did not occur there.
        public var failingInLatestRun: Int
        public var records: [Int64]
    }

    public var quietRuns: Int
    public var groups: [Group]
    public var records: [FiveWhys]
}

/// The changes `whys set` makes; nil and empty fields leave the record as it is.
public struct WhysChanges: Sendable, Equatable {
    public var problem: String?
    public var rootCause: String?
    public var status: WhysStatus?
    public var owner: String?
    public var businessImpact: String?
    public var risk: String?
    public var priority: String?
    public var addClusters: [String] = []
    public var addTests: [String] = []
    public var addEvidence: [String] = []
    public var addFindings: [String] = []
    public var addNextSteps: [String] = []
    /// Checklist items to add, or to set the state of when an item with that text exists.
    public var checklist: [WhysContent.ChecklistItem] = []

    public init() {}
}

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
