/// The root-cause signature of one failure: failures with the same `clusterID` share a cause.
public struct Signature: Sendable, Codable, Equatable {
    /// The cause class, such as `connection_refused`, or `unclassified`.
    public var category: String
    /// What tells causes of one category apart: the service refused, the fixture missing,
    /// the kind of out-of-memory; nil when the category alone says it.
    public var detail: String?
    /// The primary error line with what varies masked: the cluster's readable title.
    public var template: String
    /// 10 lower-case hex digits: a prefix of the SHA-256 of a versioned key made of the
    /// category and detail, plus the template and test for per-test causes (assertions,
    /// unclassified failures). The same cause gets the same id on every run and machine.
    public var clusterID: String
    /// The rule that matched: `builtin.<category>` or a team rule's name.
    public var rule: String

    public init(category: String, detail: String?, template: String, clusterID: String, rule: String) {
        self.category = category
        self.detail = detail
        self.template = template
        self.clusterID = clusterID
        self.rule = rule
    }
}

/// One rule in force, as `triage rules` lists it.
public struct RuleDescription: Sendable, Codable, Equatable {
    public enum Origin: String, Sendable, Codable {
        case team
        case builtin
    }

    /// `builtin.<category>` or the team rule's name.
    public var name: String
    public var category: String
    public var origin: Origin
    /// What the rule looks for, in a line.
    public var summary: String

    public init(name: String, category: String, origin: Origin, summary: String) {
        self.name = name
        self.category = category
        self.origin = origin
        self.summary = summary
    }
}
