extension TriageDatabase {
    /// Re-applies `engine` to every stored failure; returns how many attempts changed cluster
    /// (see `recluster(rulesVersion:classify:)` for how it keeps out of other writers' way).
    public func recluster(with engine: SignatureEngine) throws -> (attempts: Int, changed: Int) {
        try recluster(rulesVersion: engine.rulesVersion) { engine.signature(for: $0) }
    }
}
