import Crypto
import Foundation
import TriageModel
import TriageStore

/// Gives each failure a root-cause signature: team rules first, then the built-in rules.
public struct SignatureEngine: Sendable {
    /// The version of the built-in rules; part of every cluster key, so bump it whenever a
    /// built-in rule, phrase or detail changes what a cluster means.
    public static let builtinRulesVersion = "sig-v9"

    /// The team rules in force, in the order they are tried.
    public let teamRules: [SignatureRule]
    /// The built-in version plus a short hash of all team rules: what `triage rules` shows and
    /// clusters record. Cluster ids themselves use the version of the rule that matched.
    public let rulesVersion: String

    private let matchers: [TeamRuleMatcher]
    private let index: TeamRuleIndex
    /// Per team rule, the version part of its cluster keys: the built-in version plus a hash of
    /// that rule alone, so editing one team rule changes only the ids of the causes it names.
    private let teamRuleVersions: [String]

    /// The built-in rules only.
    public static let builtin = SignatureEngine(builtinOnly: ())

    private init(builtinOnly: Void) {
        teamRules = []
        matchers = []
        index = TeamRuleIndex([])
        teamRuleVersions = []
        rulesVersion = Self.builtinRulesVersion
    }

    /// Compiles the team rules; throws `SignatureError` naming the rule whose pattern or
    /// detail group is invalid.
    public init(teamRules: [SignatureRule] = []) throws {
        var names = Set<String>()
        var matchers: [TeamRuleMatcher] = []
        for rule in teamRules {
            guard names.insert(rule.name).inserted else { throw SignatureError.duplicateRuleName(rule.name) }
            matchers.append(try TeamRuleMatcher(rule))
        }
        self.init(matchers: matchers)
    }

    /// The engine with rules already compiled (and checked for duplicate names).
    init(matchers: [TeamRuleMatcher]) {
        let teamRules = matchers.map(\.rule)
        self.teamRules = teamRules
        self.matchers = matchers
        index = TeamRuleIndex(matchers)
        let ruleEncoder = JSONEncoder()
        ruleEncoder.outputFormatting = [.sortedKeys]
        teamRuleVersions = teamRules.map { rule in
            Self.builtinRulesVersion + "+"
                + Self.hexPrefix(SHA256.hash(data: (try? ruleEncoder.encode(rule)) ?? Data()), bytes: 4)
        }
        if teamRules.isEmpty {
            rulesVersion = Self.builtinRulesVersion
        } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let encoded = (try? encoder.encode(teamRules)) ?? Data()
            rulesVersion = Self.builtinRulesVersion + "+" + Self.hexPrefix(SHA256.hash(data: encoded), bytes: 4)
        }
    }

    /// The rules in force, in order: team rules first, then the built-in ones.
    public var rules: [RuleDescription] {
        let team = teamRules.map { rule in
            let parts = [
                rule.messagePattern.map { "message /\($0)/" },
                rule.tracePattern.map { "trace /\($0)/" },
                rule.testPattern.map { "test /\($0)/" },
                rule.detailGroup.map { "detail group \($0)" },
            ]
            return RuleDescription(
                name: rule.name, category: rule.category, origin: .team,
                summary: parts.compactMap { $0 }.joined(separator: ", "))
        }
        let builtin = BuiltinClassifier.descriptions.map {
            RuleDescription(
                name: "builtin." + $0.category, category: $0.category, origin: .builtin, summary: $0.summary)
        }
        return team + builtin
    }

    /// The signature of one failure.
    public func signature(for input: FailureInput) -> Signature {
        if !matchers.isEmpty {
            var errorLine: String?
            let lineOfText = {
                if let errorLine { return errorLine }
                let line = ASCII.string(ErrorLines.primaryLine(of: Array((input.text ?? "").utf8)))
                errorLine = line
                return line
            }
            let candidates = index.candidates(
                message: input.message, errorLine: lineOfText, text: input.text, test: input.test)
            for index in candidates {
                let matcher = matchers[index]
                guard let match = matcher.match(input, errorLine: lineOfText) else { continue }
                let evidence: ArraySlice<UInt8>
                if let line = match.evidence {
                    evidence = Array(line.utf8)[...]
                } else {
                    evidence = BuiltinClassifier.classify(input).evidence
                }
                let category = matcher.rule.category
                let isPerTest =
                    matcher.rule.isPerTest ?? (category == "assertion_failure" || category == "unclassified")
                return makeSignature(
                    category: category, detail: match.detail, evidence: evidence, isPerTest: isPerTest,
                    isToldByWording: false, input: input, rule: matcher.rule.name, version: teamRuleVersions[index])
            }
        }
        let verdict = BuiltinClassifier.classify(input)
        return makeSignature(
            category: verdict.category, detail: verdict.detail, evidence: verdict.evidence,
            isPerTest: verdict.isPerTest, isToldByWording: verdict.isToldByWording, input: input,
            rule: verdict.ruleName, version: Self.builtinRulesVersion)
    }

    private func makeSignature(
        category: String, detail: String?, evidence: ArraySlice<UInt8>, isPerTest: Bool, isToldByWording: Bool,
        input: FailureInput, rule: String, version: String
    ) -> Signature {
        // A list, set or dict has one shape whatever its length: one cause, one cluster.
        let template = ShapeCollapser.collapse(MessageMasker.mask(ErrorLines.clean(evidence)))
        // The key's fields are joined with a separator that cannot occur in them (unit
        // separator) and hashed as they come, without building the key.
        var key = SHA256()
        func add(_ field: String, separated: Bool = true) {
            if separated { withUnsafeBytes(of: UInt8(0x1F)) { key.update(bufferPointer: $0) } }
            var field = field
            field.withUTF8 { key.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        add(version, separated: false)
        add(category)
        add(detail ?? "")
        if isToldByWording {
            add(LeadingClause.of(template))
        }
        if isPerTest {
            add(template)
            add(input.testWithoutParameters ?? "")
        }
        let clusterID = Self.hexPrefix(key.finalize(), bytes: 5)
        return Signature(category: category, detail: detail, template: template, clusterID: clusterID, rule: rule)
    }

    private static func hexPrefix(_ digest: SHA256.Digest, bytes count: Int) -> String {
        let digits: StaticString = "0123456789abcdef"
        return digits.withUTF8Buffer { digits in
            String(unsafeUninitializedCapacity: count * 2) { hex in
                for (offset, byte) in digest.prefix(count).enumerated() {
                    hex[2 * offset] = digits[Int(byte >> 4)]
                    hex[2 * offset + 1] = digits[Int(byte & 0x0F)]
                }
                return count * 2
            }
        }
    }
}
