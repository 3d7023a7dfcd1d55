import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

/// The signature engine gives the classifications it gave when the golden file was recorded:
/// the same category, detail, template, cluster id and rule for every input, the same
/// `triage classify` output line, and the same masked form of every line of every message and
/// trace. The inputs are real failure messages in the shapes result files give them (see
/// `Tests/Scripts/signature_golden_inputs.py`); changing what a signature means is done on
/// purpose, by re-recording with `RECORD_GOLDEN=1` (and bumping `builtinRulesVersion`).
@Suite struct SignatureGoldenTests {
    static let file = TestSupport.fixture("signatures/golden.jsonl")
    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" }

    struct Input: Codable {
        var id: String
        var message: String?
        var trace: String?
        var test: String?
        var type: String?
    }

    struct Entry: Codable {
        var input: Input
        /// What `triage classify` printed for the input.
        var classified: String?
        /// Each line of the message, then of the trace, masked.
        var masked: [String]?
    }

    /// What the code under test says for one input.
    static func record(_ input: Input) throws -> Entry {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let line = String(decoding: try encoder.encode(input), as: UTF8.self)
        let classified = try ClassifyLine.classify(line, lineNumber: 1, engine: .builtin)
        let lines = [input.message, input.trace].compactMap { $0 }.flatMap {
            $0.split(separator: "\n", omittingEmptySubsequences: false)
        }
        return Entry(input: input, classified: classified, masked: lines.map { MessageMasker.mask(String($0)) })
    }

    static func entries() throws -> [Entry] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Entry.self, from: Data($0.utf8))
        }
    }

    @Test func theEngineClassifiesAsRecorded() throws {
        let entries = try Self.entries()
        #expect(entries.count > 1_000)
        if Self.recording {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var text = ""
            for entry in entries {
                text += String(decoding: try encoder.encode(try Self.record(entry.input)), as: UTF8.self) + "\n"
            }
            try Data(text.utf8).write(to: Self.file)
            return
        }
        var differences: [String] = []
        for entry in entries {
            let now = try Self.record(entry.input)
            if now.classified != entry.classified {
                differences.append("\(entry.input.id): \(now.classified ?? "") instead of \(entry.classified ?? "")")
            }
            if now.masked != entry.masked {
                differences.append("\(entry.input.id): masked \(now.masked ?? []) instead of \(entry.masked ?? [])")
            }
        }
        #expect(
            differences.isEmpty,
            "\(differences.count) differences, the first: \(differences.prefix(5).joined(separator: "\n"))")
    }

    /// The engine's signature and the classify line agree, field by field.
    @Test func theClassifyLineCarriesTheSignature() throws {
        struct Output: Decodable {
            var category: String
            var cluster: String
            var detail: String?
            var template: String
            var rule: String
        }
        for entry in try Self.entries().prefix(400) {
            let input = entry.input
            let signature = SignatureEngine.builtin.signature(
                for: FailureInput(message: input.message, text: input.trace, failureType: input.type, test: input.test))
            let output = try JSONDecoder().decode(Output.self, from: Data((entry.classified ?? "").utf8))
            #expect(output.category == signature.category, "\(input.id)")
            #expect(output.cluster == signature.clusterID, "\(input.id)")
            #expect(output.detail == signature.detail, "\(input.id)")
            #expect(output.template == signature.template, "\(input.id)")
            #expect(output.rule == signature.rule, "\(input.id)")
        }
    }
}
