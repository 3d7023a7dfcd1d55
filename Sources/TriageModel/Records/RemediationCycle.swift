import Foundation

/// How a cycle ended; open until it is closed.
public enum CycleStatus: String, Codable, Sendable, CaseIterable {
    case open
    case success
    case partial
    case failed
}

/// One remediation cycle of an effort ("cycle 2 of 20"): what `cycle show` prints.
public struct RemediationCycle: Codable, Sendable, Equatable {
    public struct WhysLink: Codable, Sendable, Equatable {
        public var id: Int64
        public var problem: String
        public var status: WhysStatus

        package init(id: Int64, problem: String, status: WhysStatus) {
            self.id = id
            self.problem = problem
            self.status = status
        }
    }

    public struct Note: Codable, Sendable, Equatable {
        public var createdAt: String
        public var text: String

        package init(createdAt: String, text: String) {
            self.createdAt = createdAt
            self.text = text
        }
    }

    public var id: Int64
    /// The effort's title; cycles with the same title are numbered together.
    public var effort: String
    public var number: Int
    public var maxCycles: Int?
    /// "cycle 2 of 20".
    public var label: String
    public var scope: String
    public var status: CycleStatus
    public var owner: String?
    public var startedAt: String
    public var closedAt: String?
    public var beforeRunID: Int64?
    public var risk: String?
    public var priority: String?
    public var businessImpact: String?
    public var clusters: [StoredCluster]
    public var whys: [WhysLink]
    public var notes: [Note]
    public var nextSteps: [String]
    public var findings: [String]
    /// Stored when the cycle was closed; computed from the latest run in scope while open.
    public var measurement: CycleMeasurement?
    public var isMeasurementStored: Bool
    /// Closed cycles: per fixed test, the runs since the after run in which the cluster it
    /// failed with stayed away (see the README, "Fixes verified from the runs").
    public var fixedTests: Verification? = nil
    /// Causes this cycle removed that failed again later.
    public var recurrences: [Recurrence] = []

    package init(id: Int64, effort: String, number: Int, maxCycles: Int? = nil, label: String, scope: String, status: CycleStatus, owner: String? = nil, startedAt: String, closedAt: String? = nil, beforeRunID: Int64? = nil, risk: String? = nil, priority: String? = nil, businessImpact: String? = nil, clusters: [StoredCluster], whys: [WhysLink], notes: [Note], nextSteps: [String], findings: [String], measurement: CycleMeasurement? = nil, isMeasurementStored: Bool, fixedTests: Verification? = nil, recurrences: [Recurrence] = []) {
        self.id = id
        self.effort = effort
        self.number = number
        self.maxCycles = maxCycles
        self.label = label
        self.scope = scope
        self.status = status
        self.owner = owner
        self.startedAt = startedAt
        self.closedAt = closedAt
        self.beforeRunID = beforeRunID
        self.risk = risk
        self.priority = priority
        self.businessImpact = businessImpact
        self.clusters = clusters
        self.whys = whys
        self.notes = notes
        self.nextSteps = nextSteps
        self.findings = findings
        self.measurement = measurement
        self.isMeasurementStored = isMeasurementStored
        self.fixedTests = fixedTests
        self.recurrences = recurrences
    }
}

/// What `cycle start` needs.
public struct CycleStart: Sendable, Equatable {
    public var effort: String
    public var maxCycles: Int?
    public var scope: String = "*"
    public var owner: String?
    public var clusters: [String] = []
    public var whys: [Int64] = []
    public var beforeRunID: Int64?

    public init(effort: String) {
        self.effort = effort
    }
}

/// What `cycle close` records.
public struct CycleClose: Sendable, Equatable {
    public var status: CycleStatus
    public var nextSteps: [String] = []
    public var findings: [String] = []
    public var risk: String?
    public var priority: String?
    public var businessImpact: String?
    public var afterRunID: Int64?

    public init(status: CycleStatus) {
        self.status = status
    }
}
