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

    package init(id: Int64, problem: String, status: WhysStatus, owner: String? = nil, rootCause: String? = nil, businessImpact: String? = nil, risk: String? = nil, priority: String? = nil, clusters: [StoredCluster], tests: [String], steps: [WhysContent.Step], options: [WhysContent.Option], checklist: [WhysContent.ChecklistItem], findings: [String], nextSteps: [String], evidence: [String], createdAt: String, updatedAt: String, isReadyToVerify: Bool? = nil, fixedAt: String? = nil, verification: Verification? = nil, recurrences: [Recurrence] = []) {
        self.id = id
        self.problem = problem
        self.status = status
        self.owner = owner
        self.rootCause = rootCause
        self.businessImpact = businessImpact
        self.risk = risk
        self.priority = priority
        self.clusters = clusters
        self.tests = tests
        self.steps = steps
        self.options = options
        self.checklist = checklist
        self.findings = findings
        self.nextSteps = nextSteps
        self.evidence = evidence
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.isReadyToVerify = isReadyToVerify
        self.fixedAt = fixedAt
        self.verification = verification
        self.recurrences = recurrences
    }
}

/// Five-Whys records per cluster: what `whys list` prints.
public struct WhysList: Codable, Sendable, Equatable {
    public struct Group: Codable, Sendable, Equatable {
        public var cluster: StoredCluster
        /// Failing tests with this cluster in the newest run, 0 when it did not occur there.
        public var failingInLatestRun: Int
        public var records: [Int64]

        package init(cluster: StoredCluster, failingInLatestRun: Int, records: [Int64]) {
            self.cluster = cluster
            self.failingInLatestRun = failingInLatestRun
            self.records = records
        }
    }

    public var quietRuns: Int
    public var groups: [Group]
    public var records: [FiveWhys]

    package init(quietRuns: Int, groups: [Group], records: [FiveWhys]) {
        self.quietRuns = quietRuns
        self.groups = groups
        self.records = records
    }
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
