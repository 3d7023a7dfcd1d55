import Foundation
import TriageModel
import TriageStore

/// Builds and renders reports: the one entry point of `triage report`.
public struct ReportBuilder: Sendable {
    public let database: TriageDatabase
    public let renderer: TemplateRenderer

    public init(database: TriageDatabase, renderer: TemplateRenderer) {
        self.database = database
        self.renderer = renderer
    }

    /// The report as Markdown (from its template) or JSON (its view model).
    public func render(_ kind: ReportKind, id: Int64? = nil, format: OutputFormat) throws -> String {
        if format == .json {
            return try Markdown.plain { try renderView(kind, id: id, format: format) }
        }
        return try renderView(kind, id: id, format: format)
    }

    private func renderView(_ kind: ReportKind, id: Int64?, format: OutputFormat) throws -> String {
        switch kind {
        case .run:
            return try output(RunReportView(RunReportData.load(database, runID: id)), kind: kind, format: format)
        case .status:
            if id != nil {
                throw TriageError.invalidArgument("the status report takes no id: it covers the latest runs")
            }
            return try output(StatusReportView(StatusReportData.load(database)), kind: kind, format: format)
        case .cycle:
            return try output(CycleReportView(CycleReportData.load(database, cycleID: id)), kind: kind, format: format)
        }
    }

    private func output<View: Encodable>(_ view: View, kind: ReportKind, format: OutputFormat) throws -> String {
        switch format {
        case .json: try jsonString(view)
        case .markdown: try renderer.render(view, template: kind.templateName)
        case .text:
            throw TriageError.invalidArgument(
                "triage report writes markdown or json, not text; `triage runs show` and `triage flaky` print text")
        }
    }
}
