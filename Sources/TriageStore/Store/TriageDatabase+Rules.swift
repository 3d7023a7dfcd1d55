import Foundation
import TriageModel

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

extension TriageDatabase {
    /// The rules the history was clustered with, when recorded (by an ingest or a recluster).
    public func rulesInForce() throws -> RecordedRules? {
        try read { db in
            try db.fetchOne(sql: "SELECT version, rules, source, recorded_at FROM rules_in_force WHERE id = 1").map {
                RecordedRules(
                    version: try $0.required("version", of: "rules_in_force"),
                    rules: try $0.required("rules", of: "rules_in_force"), source: $0["source"],
                    recordedAt: try $0.required("recorded_at", of: "rules_in_force"))
            }
        }
    }

    /// Records `rules` as the rules of the whole history; with `onlyIfNone`, only when none are.
    package func recordRulesInForce(_ rules: RecordedRules, onlyIfNone: Bool = false) throws {
        try transaction { db in
            let onConflict =
                onlyIfNone
                ? "DO NOTHING"
                : "DO UPDATE SET version = excluded.version, rules = excluded.rules, source = excluded.source, recorded_at = excluded.recorded_at"
            try db.execute(
                sql: """
                    INSERT INTO rules_in_force (id, version, rules, source, recorded_at) VALUES (1, ?, ?, ?, ?)
                    ON CONFLICT (id) \(onConflict)
                    """,
                arguments: [rules.version, rules.rules, rules.source, rules.recordedAt])
        }
    }
}
