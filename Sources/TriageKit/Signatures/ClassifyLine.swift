import Foundation

/// `triage classify`: one JSON object in, one out, per line.
public enum ClassifyLine {
    struct Input: Decodable {
        var id: String?
        var message: String?
        var trace: String?
        var test: String?
        var type: String?

        enum CodingKeys: String, CodingKey { case id, message, trace, test, type }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let text = try? container.decodeIfPresent(String.self, forKey: .id) {
                id = text
            } else if let number = try? container.decodeIfPresent(Int64.self, forKey: .id) {
                id = String(number)
            }
            message = try container.decodeIfPresent(String.self, forKey: .message)
            trace = try container.decodeIfPresent(String.self, forKey: .trace)
            test = try container.decodeIfPresent(String.self, forKey: .test)
            type = try container.decodeIfPresent(String.self, forKey: .type)
        }
    }

    struct Output: Encodable {
        var id: String?
        var category: String
        var cluster: String
        var template: String
        var detail: String?
        var rule: String
    }

    /// The output line for one input line; throws naming the line number for bad JSON.
    public static func classify(_ line: String, lineNumber: Int, engine: SignatureEngine) throws -> String {
        let input: Input
        do {
            input = try JSONDecoder().decode(Input.self, from: Data(line.utf8))
        } catch {
            throw TriageError.badInput(
                file: "stdin", line: lineNumber, reason: "not a JSON object with id, message, trace, test")
        }
        let signature = engine.signature(
            for: FailureInput(message: input.message, text: input.trace, failureType: input.type, test: input.test))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let output = Output(
            id: input.id, category: signature.category, cluster: signature.clusterID, template: signature.template,
            detail: signature.detail, rule: signature.rule)
        return String(decoding: try encoder.encode(output), as: UTF8.self)
    }
}
