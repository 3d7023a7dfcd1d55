import Foundation
import TriageModel
import TriageStore

extension SignatureEngine {
    /// The rules files looked for when none is named, relative to the current folder.
    public static let defaultRulesFiles = [".triage/rules.yaml", ".triage/rules.yml"]

    /// The engine with the team's rules: from `rulesFile`, else from `.triage/rules.yaml`
    /// (or `.yml`) when it exists, else the built-in rules alone.
    public static func standard(rulesFile: String? = nil) throws -> SignatureEngine {
        try RulesInForce.fromDisk(rulesFile: rulesFile).engine
    }

    /// The rules file a command reads when none is named: `.triage/rules.yaml` (or `.yml`).
    static var defaultRulesFile: String? {
        defaultRulesFiles.first { FileManager.default.fileExists(atPath: $0) }
    }
}
