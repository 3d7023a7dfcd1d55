import Foundation
import GRDB

/// The team rules a history's clusters were made with.
public struct RecordedRules: Codable, Sendable, Equatable {
    /// The engine's rules version (`sig-v1`, or `sig-v1+` and a hash of the team rules).
    public var version: String
    /// The team rules' YAML text; empty for the built-in rules alone.
    public var rules: String
    /// The file they were read from, as given.
    public var source: String?
    public var recordedAt: String

    public init(version: String, rules: String, source: String?, recordedAt: String) {
        self.version = version
        self.rules = rules
        self.source = source
        self.recordedAt = recordedAt
    }
}

/// The one row of `rules_in_force` (id 1).
struct RulesInForceRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "rules_in_force"

    var id: Int64 = 1
    var version: String
    var rules: String
    var source: String?
    var recordedAt: String

    enum CodingKeys: String, CodingKey {
        case id, version, rules, source
        case recordedAt = "recorded_at"
    }

    init(_ rules: RecordedRules) {
        version = rules.version
        self.rules = rules.rules
        source = rules.source
        recordedAt = rules.recordedAt
    }

    var recorded: RecordedRules {
        RecordedRules(version: version, rules: rules, source: source, recordedAt: recordedAt)
    }
}

extension TriageDatabase {
    /// The rules the history was clustered with, when recorded (by an ingest or a recluster).
    public func rulesInForce() throws -> RecordedRules? {
        try read { db in
            try RulesInForceRecord.fetchOneChecked(db, RulesInForceRecord.filter(key: 1))?.recorded
        }
    }

    /// Records `rules` as the rules of the whole history; with `onlyIfNone`, only when none are.
    func recordRulesInForce(_ rules: RecordedRules, onlyIfNone: Bool = false) throws {
        try transaction { db in
            let record = RulesInForceRecord(rules)
            if onlyIfNone {
                try record.insert(db, onConflict: .ignore)
            } else {
                try record.upsert(db)
            }
        }
    }
}
