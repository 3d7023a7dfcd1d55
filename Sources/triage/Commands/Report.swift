import ArgumentParser
import Foundation
import TriageModel
import TriageStore
import TriageKit

extension ReportKind: ExpressibleByArgument {}

extension Triage {
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a Markdown report: cycle, status or run.",
            discussion:
                "triage report KIND [ID] [FORMAT]: the ID is optional (the latest cycle or run), the format is markdown (default) or json. Templates: the built-in ones, overridden by name from .triage/templates/ and then from --templates DIR."
        )

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "cycle, status or run.")
        var kind: ReportKind

        @Argument(help: "[ID] [FORMAT]: the cycle or run id (default: the latest) and/or markdown or json.")
        var rest: [String] = []

        @Option(help: "Output format: markdown or json (also accepted as a trailing word).")
        var format: OutputFormat?

        @Option(help: "Write the report to this file instead of stdout.")
        var output: String?

        @Option(help: "A folder of NAME.mustache files that override the templates of the same name.")
        var templates: String?

        func validate() throws {
            _ = try parsedRest()
        }

        private func parsedRest() throws -> (id: Int64?, format: OutputFormat) {
            var id: Int64?
            var chosen = format
            for word in rest {
                if let number = Int64(word), id == nil {
                    id = number
                } else if let named = OutputFormat(rawValue: word), chosen == nil || chosen == named {
                    chosen = named
                } else {
                    throw ValidationError("'\(word)' is neither an id nor a format (markdown, json)")
                }
            }
            let format = chosen ?? .markdown
            try format.allow([.markdown, .json])
            return (id, format)
        }

        func run() async throws {
            try runReportingErrors {
                let (id, format) = try parsedRest()
                // Refused before anything is read or rendered: never write over the history.
                if let output { try OutputFile.check(output, database: database.path) }
                let renderer = try TemplateRenderer.standard(templatesFolder: templates)
                let text = try ReportBuilder(database: try database.openShowingClusters(), renderer: renderer).render(
                    kind, id: id, format: format)
                if let output {
                    try OutputFile.write(text, to: output, database: database.path)
                    warn("wrote \(output)")
                } else {
                    emit(text)
                }
            }
        }
    }
}
