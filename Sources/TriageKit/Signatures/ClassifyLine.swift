import Foundation
import TriageModel
import TriageStore

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

        init() {}

        /// The input a line holds, read as `JSONDecoder` reads it (the line as text, invalid
        /// UTF-8 replaced, as `readLine` gives it); nil when it is not such an object.
        init?(_ line: ArraySlice<UInt8>) {
            guard
                let input = Input(flat: line)
                    ?? (try? JSONDecoder().decode(Input.self, from: Data(String(decoding: line, as: UTF8.self).utf8)))
            else { return nil }
            self = input
        }

        /// The failure to classify.
        var failure: FailureInput { FailureInput(message: message, text: trace, failureType: type, test: test) }

        /// The input as `init(from:)` decodes it, read straight from the bytes when the line is
        /// a flat object `FlatJSON` is sure of; nil when it is not, or when a field has a
        /// value that `init(from:)` decides on (it rejects or ignores it): `JSONDecoder` then
        /// reads the line.
        init?(flat line: ArraySlice<UInt8>) {
            guard let written = WrittenInput(line), let id = written.idText, let input = written.failureInput else {
                return nil
            }
            self.id = id
            message = input.message
            trace = input.text
            test = input.test
            type = input.failureType
        }
    }

    /// The fields of a flat line as the line writes them (JSON string literals, not read yet):
    /// what a remembered failure is found by, without reading its strings, and what
    /// `Input(flat:)` reads. Nil for the lines left to `JSONDecoder`: not a flat object
    /// `FlatJSON` is sure of, a key twice, or a field with a value `Input(from:)` decides on
    /// (it rejects or ignores it).
    struct WrittenInput {
        var id: FlatJSON.Value?
        var message: ArraySlice<UInt8>?
        var trace: ArraySlice<UInt8>?
        var test: ArraySlice<UInt8>?
        var type: ArraySlice<UInt8>?

        init?(_ line: ArraySlice<UInt8>) {
            var seen: UInt8 = 0  // a bit for each key read
            var fields = WrittenInput()
            let isFlat = FlatJSON.forEachMember(of: line) { keyBytes, value in
                guard let key = Self.key(keyBytes) else { return true }
                let bit: UInt8 =
                    switch key {
                    case .id: 1
                    case .message: 2
                    case .trace: 4
                    case .test: 8
                    case .type: 16
                    }
                guard seen & bit == 0 else { return false }
                seen |= bit
                switch (key, value) {
                case (.id, .string), (.id, .integer): fields.id = value
                case (_, .null): break
                case (.message, .string(let text)): fields.message = text
                case (.trace, .string(let text)): fields.trace = text
                case (.test, .string(let text)): fields.test = text
                case (.type, .string(let text)): fields.type = text
                default: return false
                }
                return true
            }
            guard isFlat else { return nil }
            self = fields
        }

        private init() {}

        /// The key a member's name is, compared as bytes.
        private static func key(_ name: ArraySlice<UInt8>) -> Input.CodingKeys? {
            keyNames.first { $0.name.count == name.count && $0.name.elementsEqual(name) }?.key
        }

        private static let keyNames: [(key: Input.CodingKeys, name: [UInt8])] =
            [Input.CodingKeys.id, .message, .trace, .test, .type].map { ($0, Array($0.rawValue.utf8)) }

        /// The id as `Input` holds it; nil when it has none.
        var idText: String?? {
            switch id {
            case .string(let text): FlatJSON.decoded(text).map { .some($0) }
            case .integer(let number): .some(String(number))
            default: .some(nil)
            }
        }

        /// The failure the line describes, its strings read.
        var failureInput: FailureInput? {
            func read(_ text: ArraySlice<UInt8>?) -> String?? {
                guard let text else { return .some(nil) }
                return FlatJSON.decoded(text).map { .some($0) }
            }
            guard let message = read(message), let trace = read(trace), let type = read(type), let test = read(test)
            else { return nil }
            return FailureInput(message: message, text: trace, failureType: type, test: test)
        }
    }

    /// The output line for one input line; throws naming the line number for bad JSON.
    public static func classify(_ line: String, lineNumber: Int, engine: SignatureEngine) throws -> String {
        var output: [UInt8] = []
        try classify(Array(line.utf8)[...], lineNumber: lineNumber, engine: engine, into: &output)
        guard !output.isEmpty else { throw badLine(lineNumber) }
        return String(decoding: output.dropLast(), as: UTF8.self)
    }

    private static func badLine(_ number: Int) -> TriageError {
        TriageError.badInput(file: "stdin", line: number, reason: "not a JSON object with id, message, trace, test")
    }

    /// Appends the output line for one input line (its bytes, without the newline) to
    /// `output`, with a newline; a blank line appends nothing. Throws naming the line number
    /// for bad JSON.
    public static func classify(
        _ line: ArraySlice<UInt8>, lineNumber: Int, engine: SignatureEngine, into output: inout [UInt8]
    ) throws {
        try classify(line, lineNumber: lineNumber, signature: engine.signature(for:), into: &output)
    }

    /// As `classify(_:lineNumber:engine:into:)`, with the signature given by `signature`.
    private static func classify(
        _ line: ArraySlice<UInt8>, lineNumber: Int, signature signatureOf: (FailureInput) -> Signature,
        into output: inout [UInt8]
    ) throws {
        if isBlank(line) { return }
        guard let input = Input(line) else { throw badLine(lineNumber) }
        Answer(signatureOf(input.failure)).write(id: input.id, into: &output)
    }

    /// As `classify(_:lineNumber:engine:into:)`, with the answers `memo` remembers: a line
    /// whose failure it remembers is answered without reading the failure's strings. Keys are
    /// built in `scratch`.
    private static func classify(
        _ line: ArraySlice<UInt8>, lineNumber: Int, memo: SignatureMemo, scratch: inout [UInt8],
        into output: inout [UInt8]
    ) throws {
        if let written = WrittenInput(line),
            let answer = memo.answer(
                asWritten: SignatureMemo.Fields(
                    message: written.message, text: written.trace, failureType: written.type, test: written.test),
                scratch: &scratch, input: { written.failureInput })
        {
            // An ASCII string id without escapes is written as it came: `JSONEncoder` would
            // write the same bytes (it has no quote, backslash or control character).
            if case .string(let text) = written.id,
                text.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\\") })
            {
                answer.write(idAsWritten: text, into: &output)
                return
            }
            if let id = written.idText {
                answer.write(id: id, into: &output)
                return
            }
        }
        if isBlank(line) { return }
        guard let input = Input(line) else { throw badLine(lineNumber) }
        memo.answer(for: input.failure, scratch: &scratch).write(id: input.id, into: &output)
    }

    /// An answer as `triage classify` writes it: the signature, and its output line cut around
    /// the id, written once (a remembered answer is copied out for every line that repeats it).
    final class Answer: Sendable {
        let signature: Signature
        /// The output line without the id: the fields that sort before it, then from `idAt` on
        /// the fields that sort after it, `}` and the newline.
        private let line: [UInt8]
        private let idAt: Int

        init(_ signature: Signature) {
            self.signature = signature
            // The fields in sorted order, absent ones left out, as `JSONEncoder` with sorted
            // keys writes them.
            var line: [UInt8] = []
            line.reserveCapacity(
                64 + signature.category.utf8.count + signature.clusterID.utf8.count + (signature.detail?.utf8.count ?? 0)
                    + signature.rule.utf8.count + signature.template.utf8.count)
            func field(_ name: StaticString, _ value: String?, first: Bool = false) {
                guard let value else { return }
                name.withUTF8Buffer { name in
                    line.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
                    line.append(UInt8(ascii: "\""))
                    line.append(contentsOf: name)
                    line.append(UInt8(ascii: "\""))
                    line.append(UInt8(ascii: ":"))
                }
                FlatJSON.appendString(value, to: &line)
            }
            field("category", signature.category, first: true)
            field("cluster", signature.clusterID)
            field("detail", signature.detail)
            idAt = line.count
            field("rule", signature.rule)
            field("template", signature.template)
            line.append(UInt8(ascii: "}"))
            line.append(UInt8(ascii: "\n"))
            self.line = line
        }

        /// Appends the output line, with the id given as JSON writes it (quotes included).
        func write(idAsWritten id: ArraySlice<UInt8>?, into output: inout [UInt8]) {
            output.append(contentsOf: line[..<idAt])
            if let id {
                output.append(contentsOf: #","id":"#.utf8)
                output.append(contentsOf: id)
            }
            output.append(contentsOf: line[idAt...])
        }

        /// Appends the output line, with `id` written as JSON.
        func write(id: String?, into output: inout [UInt8]) {
            guard let id else { return write(idAsWritten: nil, into: &output) }
            var written: [UInt8] = []
            FlatJSON.appendString(id, to: &written)
            write(idAsWritten: written[...], into: &output)
        }
    }

    /// Appends the output lines for `blocks` of input lines to `output`, in the input's order,
    /// the blocks classified `jobs` at a time on threads of their own. A failure `memo` has seen
    /// lately is not classified again.
    ///
    /// Each block holds whole lines, each ended by a newline, but the last block of the input
    /// may end without one. `firstLineNumber` is the number of the first block's first line,
    /// and is advanced past the blocks' lines. For bad JSON, `output` holds the output of every
    /// line before the bad one when this throws, naming its line number.
    public static func classify(
        blocks: [[UInt8]], firstLineNumber: inout Int, memo: SignatureMemo, jobs: Int,
        into output: inout [UInt8]
    ) throws {
        // Each block counts its own lines as it goes; the numbers are put together afterwards.
        let classified = parallelMap(blocks, jobs: jobs) { block in
            var output: [UInt8] = []
            output.reserveCapacity(block.count / 2)
            var lines = 0
            let isBad = (try? classify(block: block, memo: memo, lines: &lines, into: &output)) == nil
            return (output: output, lines: lines, isBad: isBad)
        }
        for block in classified {
            output.append(contentsOf: block.output)
            if block.isBad { throw badLine(firstLineNumber + block.lines) }
            firstLineNumber += block.lines
        }
    }

    /// Appends the output lines for one block of input lines to `output`, counting in `lines`
    /// the lines it has classified; throws at the first bad one.
    private static func classify(
        block: [UInt8], memo: SignatureMemo, lines: inout Int, into output: inout [UInt8]
    ) throws {
        var scratch: [UInt8] = []
        var start = block.startIndex
        while start < block.endIndex {
            let end = block[start...].firstIndex(of: UInt8(ascii: "\n")) ?? block.endIndex
            var line = block[start..<end]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            try classify(line, lineNumber: lines + 1, memo: memo, scratch: &scratch, into: &output)
            lines += 1
            start = end + 1
        }
    }

    /// Whether a line is only white space (as `Character.isWhitespace` sees it).
    private static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        guard let other = line.first(where: { !($0 == 0x20 || (0x09...0x0D).contains($0)) }) else { return true }
        // An ASCII byte other than those is not white space; other bytes need the characters.
        return other >= 0x80 && String(decoding: line, as: UTF8.self).allSatisfy(\.isWhitespace)
    }
}
