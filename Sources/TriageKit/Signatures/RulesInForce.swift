import Foundation
import TriageModel
import TriageStore

/// The team rules a command classifies with, and where they came from: commands that store
/// clusters keep using the rules the history was clustered with unless told otherwise, so a
/// history never silently mixes two rule sets (see README, "Rules that stick").
public struct RulesInForce: Sendable {
    public enum Origin: String, Sendable {
        /// `--rules FILE`.
        case named
        /// The rules recorded in the history.
        case history
        /// `.triage/rules.yaml` (or `.yml`).
        case defaultFile
        /// No team rules.
        case builtin
    }

    public let engine: SignatureEngine
    public let origin: Origin
    /// The team rules' YAML text; empty for the built-in rules alone.
    let text: String
    /// The file they came from, as given.
    let source: String?

    /// For a command that re-applies rules from disk (`recluster`, `classify`, `rules`):
    /// `rulesFile`, else the default file when it exists, else the built-in rules.
    public static func fromDisk(rulesFile: String?) throws -> RulesInForce {
        if let rulesFile { return try load(rulesFile, origin: .named) }
        if let path = SignatureEngine.defaultRulesFile { return try load(path, origin: .defaultFile) }
        return RulesInForce(engine: .builtin, origin: .builtin, text: "", source: nil)
    }

    /// For a command that stores classifications (`ingest`, `ci`): `rulesFile` when named,
    /// else the rules the history was clustered with, else as `fromDisk`.
    public static func forStoring(in database: TriageDatabase, rulesFile: String?) throws -> RulesInForce {
        if rulesFile == nil, let recorded = try database.rulesInForce() {
            let file = recorded.source.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "recorded rules"
            do {
                let engine =
                    recorded.rules.isEmpty
                    ? SignatureEngine.builtin
                    : SignatureEngine(matchers: try RulesFile.parseCompiled(recorded.rules, file: file))
                return RulesInForce(engine: engine, origin: .history, text: recorded.rules, source: recorded.source)
            } catch let error as SignatureError {
                throw TriageError.database(
                    path: database.path,
                    reason: "the team rules recorded in the history no longer compile (\(error.description)); `triage recluster --rules FILE` records new ones")
            }
        }
        return try fromDisk(rulesFile: rulesFile)
    }

    private static func load(_ path: String, origin: Origin) throws -> RulesInForce {
        do {
            let (text, matchers) = try RulesFile.loadSource(from: URL(fileURLWithPath: path))
            return RulesInForce(engine: SignatureEngine(matchers: matchers), origin: origin, text: text, source: path)
        } catch let error as SignatureError {
            let text = error.description
            throw TriageError.invalidArgument(
                text.hasPrefix(path) || text.contains(URL(fileURLWithPath: path).lastPathComponent)
                    ? text : "\(path): \(text)")
        }
    }

    /// What the history records once these rules have clustered it.
    public func record(now: Date = Date()) -> RecordedRules {
        RecordedRules(version: engine.rulesVersion, rules: text, source: source, recordedAt: ISO8601.string(now))
    }

    /// After an ingest: records these rules when the history had none, and says in one line
    /// when rules named on purpose differ from those the history was clustered with.
    public func noteAfterStoring(in database: TriageDatabase) throws -> String? {
        let recorded = try database.rulesInForce()
        guard let recorded else {
            try database.recordRulesInForce(record(), onlyIfNone: true)
            return nil
        }
        guard origin == .named, recorded.version != engine.rulesVersion else { return nil }
        return
            "note: these failures were classified with \(source ?? "the named rules") (\(engine.rulesVersion)), the rest of the history with \(Self.describe(recorded)); `triage recluster --rules \(source ?? "FILE")` makes them the rules of the whole history"
    }

    /// One line when the rules file on disk differs from the rules the history was clustered
    /// with, or when the built-in rules changed since; nil when they agree, or when there is
    /// nothing to compare.
    public static func driftNote(_ database: TriageDatabase) throws -> String? {
        guard let recorded = try database.rulesInForce() else { return nil }
        let recordedBuiltin = recorded.version.split(separator: "+").first.map(String.init) ?? recorded.version
        if recordedBuiltin != SignatureEngine.builtinRulesVersion {
            return
                "note: the history was clustered with the built-in rules \(recordedBuiltin), this version has \(SignatureEngine.builtinRulesVersion); `triage recluster` re-clusters it, so that causes seen before keep being recognised"
        }
        guard let path = SignatureEngine.defaultRulesFile else { return nil }
        let onDisk = try load(path, origin: .defaultFile)
        guard onDisk.engine.rulesVersion != recorded.version else { return nil }
        return
            "note: \(path) (\(onDisk.engine.rulesVersion)) differs from the rules the history was clustered with, \(describe(recorded)); `triage recluster` re-clusters the history with it"
    }

    private static func describe(_ recorded: RecordedRules) -> String {
        recorded.rules.isEmpty
            ? "the built-in rules (\(recorded.version))"
            : "\(recorded.source.map { "the rules of \($0)" } ?? "team rules") (\(recorded.version))"
    }
}
