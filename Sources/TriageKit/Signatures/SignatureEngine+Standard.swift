import Foundation

extension SignatureEngine {
    /// The rules files looked for when none is named, relative to the current folder.
    public static let defaultRulesFiles = [".triage/rules.yaml", ".triage/rules.yml"]

    /// The engine with the team's rules: from `rulesFile`, else from `.triage/rules.yaml`
    /// (or `.yml`) when it exists, else the built-in rules alone.
    public static func standard(rulesFile: String? = nil) throws -> SignatureEngine {
        let path = rulesFile ?? defaultRulesFiles.first { FileManager.default.fileExists(atPath: $0) }
        guard let path else { return .builtin }
        do {
            return SignatureEngine(matchers: try RulesFile.loadCompiled(from: URL(fileURLWithPath: path)))
        } catch let error as SignatureError {
            let text = error.description
            throw TriageError.invalidArgument(
                text.hasPrefix(path) || text.contains(URL(fileURLWithPath: path).lastPathComponent)
                    ? text : "\(path): \(text)")
        }
    }
}
