import ArgumentParser
import Foundation
import TriageKit

extension Triage {
    struct Classify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Classify failure messages for scripts: JSON lines {id, message, trace, test} in, {id, category, cluster, template, detail, rule} out."
        )
        @OptionGroup var rulesOptions: RulesOptions

        func run() async throws {
            try runReportingErrors {
                let engine = try rulesOptions.engine()
                var number = 0
                while let line = readLine(strippingNewline: true) {
                    number += 1
                    if line.allSatisfy(\.isWhitespace) { continue }
                    emit(try ClassifyLine.classify(line, lineNumber: number, engine: engine))
                }
            }
        }
    }
}
