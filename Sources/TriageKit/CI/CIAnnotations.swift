import Foundation
import TriageModel
import TriageStore

/// GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`) for the new
/// failures of a `triage ci` run, at the test's file and line when the result file gives them.
///
/// GitHub shows at most 10 error and 10 warning annotations per step; beyond that, one notice
/// says how many were left out.
public enum CIAnnotations {
    /// Where a test is and what its decisive failure said, as the result files state it.
    public struct Location: Sendable, Equatable {
        public var file: String?
        public var line: Int?
        public var message: String?
    }

    public static let limitPerKind = 10

    /// The file, line and failure message of each failing test in `files`, by the id the run
    /// stores it under (`variant` added as ingest adds it). Files were checked when they were
    /// ingested; one that cannot be read now gives no locations.
    public static func locations(files: [String], variant: Variant, failing: Set<String>) -> [String: Location] {
        var found: [String: Location] = [:]
        for file in files {
            _ = try? ReportReader.read(URL(fileURLWithPath: file), displayPath: file) { testCase in
                var identity = testCase.identity
                identity.variant = identity.variant.merging(variant)
                let id = identity.displayID
                guard failing.contains(id) else { return }
                let failure = testCase.attempts.last { $0.outcome.isFailure }
                found[id] = Location(
                    file: testCase.file ?? found[id]?.file, line: testCase.line ?? found[id]?.line,
                    message: failure?.message ?? failure?.failureText ?? found[id]?.message)
            }
        }
        return found
    }

    /// The workflow commands: an error for each new failure that counts for the gate, a warning
    /// for each new failure of a known flaky or quarantined test, at most `limitPerKind` of each,
    /// then one notice with how many more there were.
    public static func commands(_ result: CIResult, locations: [String: Location]) -> [String] {
        let new = result.failing.filter(\.isNew)
        let errors = new.filter(\.counts)
        let warnings = new.filter { !$0.counts }
        var lines: [String] = []
        for (kind, tests) in [("error", errors), ("warning", warnings)] {
            for test in tests.prefix(limitPerKind) {
                let location = locations[test.test]
                var properties: [String] = []
                if let file = location?.file, !file.isEmpty {
                    properties.append("file=\(property(file))")
                    if let line = location?.line, line > 0 { properties.append("line=\(line)") }
                }
                let why = test.isQuarantined ? " (quarantined)" : test.isKnownFlaky ? " (known flaky)" : ""
                properties.append("title=\(property("new failure\(why): \(SafeText.line(test.test, limit: 200))"))")
                let cluster = test.clusterID.map { "cluster \($0) \(test.category ?? "")\n" } ?? ""
                // Control characters shown, not sent: a message cannot start a command of its own.
                let message = SafeText.terminal(
                    String((location?.message ?? test.outcome.rawValue).prefix(4000)), keepNewlines: true)
                lines.append("::\(kind) \(properties.joined(separator: ","))::\(data(cluster + message))")
            }
        }
        let leftOut = max(0, errors.count - limitPerKind) + max(0, warnings.count - limitPerKind)
        if leftOut > 0 {
            lines.append(
                "::notice title=triage::\(leftOut) more new failure(s) not annotated (GitHub shows \(limitPerKind) errors and \(limitPerKind) warnings per step); the step summary lists them all"
            )
        }
        return lines
    }

    /// A workflow command's message: `%`, CR and LF escaped.
    static func data(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// A workflow command's property value: as `data`, and `:` and `,` too.
    static func property(_ text: String) -> String {
        data(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
