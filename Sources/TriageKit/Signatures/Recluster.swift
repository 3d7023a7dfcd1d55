import TriageModel
import TriageStore
extension TriageDatabase {
    /// Re-applies `engine` to every stored failure; returns how many attempts changed cluster
    /// (see `recluster(rulesVersion:classify:)` for how it keeps out of other writers' way).
    public func recluster(with engine: SignatureEngine) throws -> (attempts: Int, changed: Int) {
        try recluster(rulesVersion: engine.rulesVersion) { engine.signature(for: $0) }
    }
}

extension TriageDatabase {
    /// Re-applies `rules` to every stored failure and records them as the rules of the history,
    /// which later ingests use unless told otherwise.
    public func recluster(with rules: RulesInForce) throws -> (attempts: Int, changed: Int) {
        let result = try recluster(with: rules.engine)
        try recordRulesInForce(rules.record())
        return result
    }
}
