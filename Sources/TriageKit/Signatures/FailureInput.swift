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
}
