/// A test as one result file reports it: its identity and every attempt.
public struct TestCase: Codable, Sendable, Equatable {
    /// The leaf suite (file, class or package) the case was reported under.
    public var suite: String
    /// The names of every enclosing suite, outermost first, joined by ` › `: the leaf suite
    /// alone unless suites are nested. Part of the identity, so that the same case name under
    /// `FiltersTest: chrome` and `FiltersTest: internet explorer` is two tests.
    public var suitePath: String
    /// The conditions the file states the test ran under (Playwright's project); `--variant`
    /// adds to it at ingest.
    public var variant: Variant
    /// Which suite element of the file holds the case (its position among the file's suites):
    /// repeated reports are retries only under the same element. Not part of the identity.
    package var parent: Int = 0
    public var classname: String
    public var name: String
    /// The method, where the producer names it apart from a display name (xUnit.net's
    /// `method`); the name is the display name.
    public var method: String?
    /// Source file, when the producer writes one (pytest xunit1, PHPUnit, xUnit.net).
    public var file: String?
    public var line: Int?
    /// Attempts in the order they happened.
    public var attempts: [TestAttempt]

    package enum CodingKeys: String, CodingKey {
        case suite, suitePath, variant, classname, name, method, file, line, attempts
    }

    public init(
        suite: String, suitePath: String? = nil, variant: Variant = .none, classname: String, name: String,
        file: String? = nil, line: Int? = nil, attempts: [TestAttempt]
    ) {
        self.suite = suite
        self.suitePath = suitePath ?? suite
        self.variant = variant
        self.classname = classname
        self.name = name
        self.file = file
        self.line = line
        self.attempts = attempts
    }

    public static func == (lhs: TestCase, rhs: TestCase) -> Bool {
        lhs.suite == rhs.suite && lhs.suitePath == rhs.suitePath && lhs.variant == rhs.variant
            && lhs.classname == rhs.classname && lhs.name == rhs.name && lhs.method == rhs.method
            && lhs.file == rhs.file && lhs.line == rhs.line
            && lhs.attempts == rhs.attempts
    }

    public var identity: TestIdentity {
        TestIdentity(suitePath: suitePath, classname: classname, name: name, variant: variant)
    }

    /// The final outcome in the run: the last execution decides (a pass after a failed
    /// attempt is a pass, with the retry recorded), and a teardown report can only make it worse.
    public var outcome: Outcome {
        // One pass, no intermediate arrays: ingest asks this of every case.
        var lastExecution: Outcome?
        var worstTeardown: Outcome?
        for attempt in attempts {
            if attempt.kind == .teardown {
                worstTeardown = max(worstTeardown ?? attempt.outcome, attempt.outcome)
            } else {
                lastExecution = attempt.outcome
            }
        }
        var result = lastExecution ?? attempts.first?.outcome ?? .skipped
        if let worstTeardown, worstTeardown > result { result = worstTeardown }
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

/// The separator of suite names in a suite path.
public let suitePathSeparator = " › "

/// The stable identity of a test-variant across runs: the suite path, the class, the name and
/// the variant (see README, "Test identity").
public struct TestIdentity: Hashable, Codable, Sendable {
    /// Every enclosing suite, outermost first, joined by ` › `.
    public var suitePath: String
    public var classname: String
    public var name: String
    public var variant: Variant

    public init(suitePath: String, classname: String, name: String, variant: Variant = .none) {
        self.suitePath = suitePath
        self.classname = classname
        self.name = name
        self.variant = variant
    }

    /// The id pytest and most tools show: `classname::name`, or `name` alone without a classname.
    public var baseID: String { classname.isEmpty ? name : "\(classname)::\(name)" }

    /// The id users type and see: the base id, after the outer suites when suites are nested
    /// (`FiltersTest: chrome › FiltersTest::testX`), and with the variant when there is one
    /// (`example.spec.ts::has title [project=firefox]`).
    public var displayID: String {
        var shown = baseID
        if let last = suitePath.range(of: suitePathSeparator, options: .backwards) {
            shown = String(suitePath[..<last.lowerBound]) + suitePathSeparator + shown
        }
        if !variant.isEmpty { shown += " [\(variant.canonical)]" }
        return shown
    }

    /// The same test under no variant: the id that covers all of its variants.
    public var withoutVariant: TestIdentity {
        TestIdentity(suitePath: suitePath, classname: classname, name: name)
    }

    /// A stable 64-bit FNV-1a hash of the parts, the database's lookup key. Stable across
    /// processes and machines (unlike `Hasher`). Without a variant it is the hash of the
    /// suite path, class and name alone, so tests stored before variants existed keep theirs.
    public var storageHash: Int64 {
        var hash = StorageHasher()
        hash.combine(suitePath)
        hash.combine(classname)
        hash.combine(name)
        if !variant.isEmpty { hash.combine(variant.canonical) }
        return hash.value
    }

    package static func hash(_ parts: [String]) -> Int64 {
        var hash = StorageHasher()
        for part in parts { hash.combine(part) }
        return hash.value
    }
}

/// FNV-1a over the parts, each followed by a separator byte.
private struct StorageHasher {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ part: String) {
        var state = self.state
        for byte in part.utf8 {
            state = (state ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        self.state = (state ^ 0x1F) &* 0x100_0000_01b3
    }

    var value: Int64 { Int64(bitPattern: state) }
}
