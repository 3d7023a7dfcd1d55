/// A test as one result file reports it: its identity and every attempt.
public struct TestCase: Codable, Sendable, Equatable {
    /// The leaf suite (file, class or package) the case was reported under.
    public var suite: String
    public var classname: String
    public var name: String
    /// Source file, when the producer writes one (pytest xunit1, PHPUnit, xUnit.net).
    public var file: String?
    public var line: Int?
    /// Attempts in the order they happened.
    public var attempts: [TestAttempt]

    public init(
        suite: String, classname: String, name: String, file: String? = nil, line: Int? = nil,
        attempts: [TestAttempt]
    ) {
        self.suite = suite
        self.classname = classname
        self.name = name
        self.file = file
        self.line = line
        self.attempts = attempts
    }

    public var identity: TestIdentity { TestIdentity(suite: suite, classname: classname, name: name) }

    /// The final outcome in the run: the last execution decides (a pass after a failed
    /// attempt is a pass, with the retry recorded), and a teardown report can only make it worse.
    public var outcome: Outcome {
        let executions = attempts.filter { $0.kind != .teardown }
        var result = executions.last?.outcome ?? attempts.first?.outcome ?? .skipped
        for teardown in attempts where teardown.kind == .teardown && teardown.outcome > result {
            result = teardown.outcome
        }
        return result
    }

    /// Failed or errored, then passed on a retry within the same run.
    public var isRetriedToPass: Bool {
        outcome == .passed && attempts.contains { $0.outcome.isFailure && $0.kind != .teardown }
    }

    /// Number of executions after the first (teardown reports are not executions).
    public var retryCount: Int {
        max(0, attempts.filter { $0.kind != .teardown }.count - 1)
    }

    /// Duration of the attempt that decided the outcome.
    public var duration: Double? {
        attempts.last(where: { $0.kind != .teardown })?.duration ?? attempts.last?.duration
    }

    /// The attempt whose failure explains the final outcome: the last failing one.
    public var decisiveFailure: TestAttempt? {
        attempts.last { $0.outcome.isFailure }
    }
}

/// The stable identity of a test across runs.
public struct TestIdentity: Hashable, Codable, Sendable {
    public var suite: String
    public var classname: String
    public var name: String

    public init(suite: String, classname: String, name: String) {
        self.suite = suite
        self.classname = classname
        self.name = name
    }

    /// The id users type and see: `classname::name`, or `name` alone without a classname.
    public var displayID: String { classname.isEmpty ? name : "\(classname)::\(name)" }

    /// A stable 64-bit FNV-1a hash of the three parts, the database's lookup key.
    /// Stable across processes and machines (unlike `Hasher`).
    public var storageHash: Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in [suite, classname, name] {
            for byte in part.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            hash = (hash ^ 0x1F) &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
