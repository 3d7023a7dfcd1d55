/// The `cycle` report: filled in when remediation cycles land.
public struct CycleReportView: Codable, Sendable, Equatable {
    public static func build(_ database: TriageDatabase, cycleID: Int64?) throws -> CycleReportView {
        throw TriageError.notFound("no remediation cycles are stored yet")
    }
}
