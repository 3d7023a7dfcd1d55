/// One failed test result, as the signature engine sees it.
public struct FailureInput: Sendable, Codable, Equatable {
    /// The result element's `message` attribute; may be only a wrapper such as
    /// `collection failure` or `failed on setup with "..."`.
    public var message: String?
    /// The element's text: traceback, stack trace, pytest long report, Go output.
    public var text: String?
    /// The `type` attribute or exception class, if any.
    public var failureType: String?
    /// The test id, such as `tests.test_redis::test_persist`.
    public var test: String?

    public init(message: String?, text: String? = nil, failureType: String? = nil, test: String? = nil) {
        self.message = message
        self.text = text
        self.failureType = failureType
        self.test = test
    }

    /// The test id without its parameters (`test_vat[7-de]`, `add(int, int)[2]`,
    /// `Sum(1, 2)` → `test_vat`, `add`, `Sum`): what per-test clusters are keyed by, so that the
    /// parametrized cases of one test that fail for one reason share one cluster.
    public var testWithoutParameters: String? {
        test.map(Self.withoutParameters)
    }

    /// `id` with its trailing bracketed and parenthesized groups removed, when a name is left.
    ///
    /// Read as UTF-8: every character it looks for is ASCII, and an ASCII byte never occurs
    /// inside another character's bytes.
    package static func withoutParameters(_ id: String) -> String {
        let bytes = id.utf8
        var end = bytes.endIndex
        while end > bytes.startIndex {
            let last = bytes[bytes.index(before: end)]
            guard last == UInt8(ascii: "]") || last == UInt8(ascii: ")") else { break }
            let open = last == UInt8(ascii: "]") ? UInt8(ascii: "[") : UInt8(ascii: "(")
            var depth = 0
            var start: String.Index?
            var index = end
            while index > bytes.startIndex {
                index = bytes.index(before: index)
                if bytes[index] == last {
                    depth += 1
                } else if bytes[index] == open {
                    depth -= 1
                    if depth == 0 {
                        start = index
                        break
                    }
                }
            }
            guard var restEnd = start else { break }
            while restEnd > bytes.startIndex, bytes[bytes.index(before: restEnd)] == UInt8(ascii: " ") {
                restEnd = bytes.index(before: restEnd)
            }
            // A name must be left (`[1] 1, 2` is all parameters) and end in a name character.
            guard restEnd > bytes.startIndex else { break }
            let lastOfRest = bytes[bytes.index(before: restEnd)]
            guard lastOfRest != UInt8(ascii: "."), !bytes[..<restEnd].suffix(2).elementsEqual("::".utf8) else { break }
            end = restEnd
        }
        return end == bytes.endIndex ? id : String(decoding: bytes[..<end], as: UTF8.self)
    }
}
