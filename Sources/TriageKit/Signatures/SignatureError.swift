import TriageModel
import TriageStore
/// Why team rules could not be used. Each description is one sentence that names the file
/// or rule and says what to fix.
public enum SignatureError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A rule's `message`, `trace` or `test` is not a valid regular expression.
    case invalidPattern(rule: String, field: String, pattern: String, reason: String)
    /// A rule's pattern could backtrack for seconds or hours on a message that almost matches.
    case slowPattern(rule: String, field: String, pattern: String, reason: String)
    /// A rule has none of `message`, `trace` and `test`, so it would match every failure.
    case ruleWithoutPattern(rule: String)
    /// A rule's `detail` names a capture group its patterns do not have.
    case unknownCaptureGroup(rule: String, group: String)
    /// A rule's name or category is empty or not snake_case-like.
    case invalidRuleField(rule: String, field: String, value: String)
    /// Two rules have the same name.
    case duplicateRuleName(String)
    /// The rules file could not be read.
    case unreadableRulesFile(file: String, reason: String)
    /// The rules file is not valid YAML or not in the expected shape.
    case invalidRulesFile(file: String, line: Int?, reason: String)

    public var description: String {
        switch self {
        case .invalidPattern(let rule, let field, let pattern, let reason):
            return "rule '\(rule)': its \(field) pattern '\(pattern)' is not a valid regular expression (\(reason)); "
                + "fix the pattern, and escape characters such as ( [ . * that should match literally"
        case .slowPattern(let rule, let field, let pattern, let reason):
            return "rule '\(rule)': its \(field) pattern '\(pattern)' could take minutes on one message: it has "
                + "\(reason); rewrite it without that (see Team rules in the README)"
        case .ruleWithoutPattern(let rule):
            return "rule '\(rule)' has no message, trace or test pattern, so it would match every failure; "
                + "give it at least one"
        case .unknownCaptureGroup(let rule, let group):
            return "rule '\(rule)': detail names capture group \(group), which its message and trace patterns "
                + "do not have; add the group or change detail"
        case .invalidRuleField(let rule, let field, let value):
            let allowed =
                field == "category" ? "lower-case letters, digits and '_'" : "letters, digits, '_', '-' and '.'"
            return "rule '\(rule)': \(field) '\(value)' is not valid; use \(allowed) only"
        case .duplicateRuleName(let name):
            return "two rules are named '\(name)'; give each rule its own name"
        case .unreadableRulesFile(let file, let reason):
            return "\(file): cannot read the rules file (\(reason))"
        case .invalidRulesFile(let file, let line, let reason):
            let place = line.map { "\(file):\($0)" } ?? file
            return "\(place): \(reason)"
        }
    }
}
