/// One execution of a test as a result file reports it.
public struct TestAttempt: Codable, Sendable, Equatable {
    public var outcome: Outcome
    public var kind: AttemptKind
    /// Seconds; nil when the file gives none or an unparseable value.
    public var duration: Double?
    /// The `message` attribute (or `<message>` element) of the result element(s), joined by newlines.
    public var message: String?
    /// The `type` attribute, exception type or NUnit label.
    public var failureType: String?
    /// The element text: stack trace, pytest's long report, Go output.
    public var failureText: String?
    public var stdout: String?
    public var stderr: String?
    /// True when the outcome was inferred rather than written (pytest-rerunfailures writes
    /// failed attempts that were retried as childless `<testcase>` elements).
    public var isInferred: Bool

    public init(
        outcome: Outcome, kind: AttemptKind = .run, duration: Double? = nil, message: String? = nil,
        failureType: String? = nil, failureText: String? = nil, stdout: String? = nil,
        stderr: String? = nil, isInferred: Bool = false
    ) {
        self.outcome = outcome
        self.kind = kind
        self.duration = duration
        self.message = message
        self.failureType = failureType
        self.failureText = failureText
        self.stdout = stdout
        self.stderr = stderr
        self.isInferred = isInferred
    }
}
