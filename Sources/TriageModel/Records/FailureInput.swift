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
    package static func withoutParameters(_ id: String) -> String {
        var text = Substring(id)
        while let last = text.last, last == "]" || last == ")" {
            let open: Character = last == "]" ? "[" : "("
            var depth = 0
            var start: Substring.Index?
            var index = text.endIndex
            while index > text.startIndex {
                index = text.index(before: index)
                if text[index] == last {
                    depth += 1
                } else if text[index] == open {
                    depth -= 1
                    if depth == 0 {
                        start = index
                        break
                    }
                }
            }
            guard let start else { break }
            let rest = text[..<start].trimmingTrailingSpaces
            // A name must be left (`[1] 1, 2` is all parameters) and end in a name character.
            guard let end = rest.last, !rest.hasSuffix("::"), end != "." else { break }
            text = rest
        }
        return String(text)
    }
}

extension Substring {
    fileprivate var trimmingTrailingSpaces: Substring {
        var text = self
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
