import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

/// `triage classify` reads and writes JSON on bytes; `JSONDecoder` and `JSONEncoder` are the
/// reference for what it accepts and what it writes.
@Suite struct ClassifyLineTests {
    static let lines: [String] = [
        #"{"id":"a","message":"boom","trace":"at x","test":"t"}"#,
        #"  {"message" : "tab\there\nnew \"quoted\" \\ back \/ slash" , "id" : 42 }  "#,
        #"{"id":-7,"message":null,"trace":null,"test":null,"type":"OSError"}"#,
        #"{"id":-0}"#, #"{"id":9223372036854775807}"#, #"{"id":-9223372036854775808}"#,
        #"{"id":9223372036854775808}"#, #"{"id":1.5}"#, #"{"id":5.0}"#, #"{"id":1e3}"#, #"{"id":01}"#,
        #"{"id":true}"#, #"{"id":null}"#, #"{"id":[1]}"#, #"{"id":{"a":1}}"#,
        #"{"message":"\u00e9t\u00E9 \ud83d\ude00 \u0000 end"}"#, #"{"message":"\ud800"}"#,
        #"{"message":"\udc00x"}"#, #"{"message":"\ud800\u0041"}"#, #"{"message":"\x"}"#, #"{"message":"\u12"}"#,
        "{\"message\":\"raw\u{1}control\"}", "{\"message\":\"caf\u{e9} \u{1F600}\"}",
        #"{"message":"a","message":"b"}"#, #"{"other":"x","other":"y","message":"m"}"#,
        #"{"m\u0065ssage":"escaped key"}"#, #"{"extra":[1,2],"message":"m"}"#, #"{"extra":{"a":"b"},"message":"m"}"#,
        #"{"extra":-1.25e+3,"extra2":true,"extra3":false,"extra4":null,"message":"m"}"#,
        #"{"message":5}"#, #"{"message":true}"#, #"{"test":["t"]}"#, #"{}"#, #"{ }"#, #"[]"#, #""x""#, #"null"#,
        #"{"message":"m",}"#, #"{"message":"m""#, #"{"message" "m"}"#, #"{"message":"m"} x"#, #"{"message":"m"}}"#,
        "\u{FEFF}{\"message\":\"bom\"}", "{\"message\":\"m\"}\u{0B}", "{\"message\":\"m\"}\r",
        #"{"id":"x","message":"redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379. Connection refused.","trace":"  File \"/usr/lib/python3/redis/connection.py\", line 563, in connect\n    raise ConnectionError(self._error_message(e))","test":"tests/test_a.py::test_b"}"#,
    ]

    @Test(arguments: lines) func readsWhatJSONDecoderReads(line: String) throws {
        let reference = try? JSONDecoder().decode(ClassifyLine.Input.self, from: Data(line.utf8))
        guard let flat = ClassifyLine.Input(flat: Array(line.utf8)[...]) else { return }
        let decoded = try #require(reference, "the byte reader took a line JSONDecoder rejects")
        #expect(flat.id == decoded.id)
        #expect(flat.message == decoded.message)
        #expect(flat.trace == decoded.trace)
        #expect(flat.test == decoded.test)
        #expect(flat.type == decoded.type)
    }

    @Test func readsTheCommonShapesWithoutJSONDecoder() {
        for line in [Self.lines[0], Self.lines[1], Self.lines[2], Self.lines.last ?? ""] {
            #expect(ClassifyLine.Input(flat: Array(line.utf8)[...]) != nil, "\(line)")
        }
    }

    @Test func writesStringsAsJSONEncoderDoes() throws {
        struct Box: Encodable { var s: String }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var samples = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        samples += ["", "plain", "a/b\\c\"d", "\u{7F}\u{80}\u{2028}\u{2029}\u{FEFF}é\u{1F600}", "tab\tnew\nret\r\u{1B}[31m"]
        for sample in samples {
            var bytes: [UInt8] = []
            FlatJSON.appendString(sample, to: &bytes)
            let reference = String(decoding: try encoder.encode(Box(s: sample)), as: UTF8.self)
            #expect("{\"s\":" + String(decoding: bytes, as: UTF8.self) + "}" == reference, "\(sample.unicodeScalars.map(\.value))")
        }
    }

    @Test func blankLinesAreSkippedAndBadLinesNamed() throws {
        var output: [UInt8] = []
        for blank in ["", "   ", "\t\r", "\u{A0}\u{2003}"] {
            try ClassifyLine.classify(Array(blank.utf8)[...], lineNumber: 1, engine: .builtin, into: &output)
        }
        #expect(output.isEmpty)
        #expect(throws: TriageError.badInput(file: "stdin", line: 7, reason: "not a JSON object with id, message, trace, test")) {
            try ClassifyLine.classify(Array("\u{A0}x".utf8)[...], lineNumber: 7, engine: .builtin, into: &output)
        }
        try ClassifyLine.classify(Array(Self.lines[0].utf8)[...], lineNumber: 2, engine: .builtin, into: &output)
        #expect(output.last == UInt8(ascii: "\n"))
        #expect(String(decoding: output.dropLast(), as: UTF8.self) == (try ClassifyLine.classify(Self.lines[0], lineNumber: 2, engine: .builtin)))
    }

    @Test func blocksOnThreadsGiveTheLinesInOrderAndNumberABadLineAcrossBlocks() throws {
        let lines = (0..<40).map { #"{"id":"\#($0)","message":"timeout after \#($0) ms"}"# }
        var oneByOne: [UInt8] = []
        for (index, line) in lines.enumerated() {
            try ClassifyLine.classify(Array(line.utf8)[...], lineNumber: index + 1, engine: .builtin, into: &oneByOne)
        }
        // Blocks of 7 lines, the last one without its newline, a CRLF and a blank line in between.
        var blocks: [[UInt8]] = stride(from: 0, to: lines.count, by: 7).map { start in
            Array(lines[start..<min(start + 7, lines.count)].map { $0 + "\n" }.joined().utf8)
        }
        blocks[1] = Array(("\r\n" + String(decoding: blocks[1], as: UTF8.self)).utf8)
        blocks[blocks.count - 1].removeLast()
        var number = 1
        var output: [UInt8] = []
        try ClassifyLine.classify(blocks: blocks, firstLineNumber: &number, memo: SignatureMemo(engine: .builtin), jobs: 3, into: &output)
        #expect(output == oneByOne)
        #expect(number == lines.count + 2)

        // A bad line in the third block: the output of every line before it, and its number.
        blocks[2] = Array(("{\"id\": oops}\n" + String(decoding: blocks[2], as: UTF8.self)).utf8)
        number = 1
        output = []
        #expect(throws: TriageError.badInput(file: "stdin", line: 16, reason: "not a JSON object with id, message, trace, test")) {
            try ClassifyLine.classify(blocks: blocks, firstLineNumber: &number, memo: SignatureMemo(engine: .builtin), jobs: 3, into: &output)
        }
        var firstFourteen: [UInt8] = []
        for (index, line) in lines.prefix(14).enumerated() {
            try ClassifyLine.classify(Array(line.utf8)[...], lineNumber: index + 1, engine: .builtin, into: &firstFourteen)
        }
        #expect(output == firstFourteen)
    }

    /// Failures that come back: the same message in many tests, the same test failing again,
    /// a team rule that looks at the test, and an assertion whose per-test cluster depends on it.
    static let repeatedLines: [String] = (0..<120).map { index in
        let messages = [
            "redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379. Connection refused.",
            "assert 3 == 4", "fixture 'db' not found", "AssertionError: elapsed 2.5 > 1.0",
            "ValueError: widget \(index % 3) exploded",
            // One text as Unicode, two as bytes: the engine reads bytes, so each gets its own answer.
            "caf\u{E9} exploded", "cafe\u{301} exploded",
            // One text written two ways in JSON, and escapes that are not what they decode to.
            #"caf\u00e9 exploded"#, #"a\/b\tc\nd \"q\" \\n"#, #"a/b\u0009c\u000ad \u0022q\u0022 \\n"#,
        ]
        let test = ["tests/test_a.py::test_one[\(index % 4)]", "tests/test_time.py::test_latency", "tests/slow::t\(index % 5)"][index % 3]
        // Every seventh line has no id, every eleventh a number for one, every thirteenth one
        // with escapes or beyond ASCII.
        let id =
            index % 7 == 0
            ? "" : index % 11 == 0 ? #""id":\#(index),"#
            : index % 13 == 0 ? #""id":"\#(index)-\u00e9-\/-\"-é","# : #""id":"\#(index)","#
        return #"{\#(id)"message":"\#(messages[index % messages.count])","test":"\#(test)"}"#
    }

    @Test func aRememberedFailureGetsTheAnswerTheEngineGivesAndTheMemoStaysBounded() throws {
        let engine = try SignatureEngine(teamRules: [
            SignatureRule(name: "slow-widgets", category: "infra", messagePattern: "widget", testPattern: "slow")
        ])
        var oneByOne: [UInt8] = []
        for (index, line) in Self.repeatedLines.enumerated() {
            try ClassifyLine.classify(Array(line.utf8)[...], lineNumber: index + 1, engine: engine, into: &oneByOne)
        }
        for capacity in [1, 3, 1_000] {
            let memo = SignatureMemo(engine: engine, capacity: capacity)
            var output: [UInt8] = []
            var number = 1
            // Twice over, so the second pass is answered from the memo where it still holds them.
            for _ in 0..<2 {
                output = []
                number = 1
                let blocks = stride(from: 0, to: Self.repeatedLines.count, by: 9).map { start in
                    Array(Self.repeatedLines[start..<min(start + 9, Self.repeatedLines.count)].map { $0 + "\n" }.joined().utf8)
                }
                try ClassifyLine.classify(blocks: blocks, firstLineNumber: &number, memo: memo, jobs: 3, into: &output)
                let got = String(decoding: output, as: UTF8.self).split(separator: "\n")
                let expected = String(decoding: oneByOne, as: UTF8.self).split(separator: "\n")
                #expect(got.count == expected.count)
                let differing = zip(got, expected).filter { $0 != $1 }.map { $0.0 }
                #expect(differing.isEmpty, "capacity \(capacity): \(differing.prefix(2))")
            }
            #expect(memo.count <= 2 * capacity)
            #expect(memo.count >= min(capacity, 2))
        }
    }
}
