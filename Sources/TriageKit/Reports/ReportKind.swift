import Foundation
import TriageModel
import TriageStore

/// The reports `triage report` renders.
public enum ReportKind: String, Sendable, CaseIterable, Codable {
    case cycle
    case status
    case run

    /// The template that renders this report.
    public var templateName: String { "\(rawValue).md" }
}
