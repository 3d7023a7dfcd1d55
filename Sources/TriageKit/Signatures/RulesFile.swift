import Foundation
import TriageModel
import TriageStore
import Yams

/// Reads a team's rules from a YAML file:
///
/// ```yaml
/// rules:
///   - name: redis-maxmemory
///     category: oom
///     message: "OOM command not allowed"
///   - name: flaky-grpc-port
///     category: address_in_use
///     trace: "grpc.*bind to port (\\d+)"
///     detail: 1            # capture group number or name
///     test: "^tests/grpc/"  # optional
/// ```
public enum RulesFile {
    private static let keys = ["name", "category", "message", "trace", "detail", "test", "per_test"]

    /// The rules of a `.yaml`/`.yml` file, checked: an unreadable file, bad YAML, a missing
    /// or unknown key, or an invalid pattern throws a one-line `SignatureError` naming the
    /// file (and line) and what is wrong.
    public static func load(from url: URL) throws -> [SignatureRule] {
        try loadCompiled(from: url).map(\.rule)
    }

    /// The rules of a file, compiled (once: the engine takes them as they are).
    static func loadCompiled(from url: URL) throws -> [TeamRuleMatcher] {
        try loadSource(from: url).matchers
    }

    /// The text of a rules file and its rules, compiled.
    static func loadSource(from url: URL) throws -> (text: String, matchers: [TeamRuleMatcher]) {
        let file = url.lastPathComponent
        let ext = url.pathExtension.lowercased()
        guard ext == "yaml" || ext == "yml" else {
            throw SignatureError.invalidRulesFile(
                file: file, line: nil, reason: "a rules file must be YAML, named *.yaml or *.yml")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SignatureError.unreadableRulesFile(file: url.path, reason: (error as NSError).localizedDescription)
        }
        guard let yaml = String(data: data, encoding: .utf8) else {
            throw SignatureError.invalidRulesFile(file: file, line: nil, reason: "the file is not UTF-8 text")
        }
        return (yaml, try parseCompiled(yaml, file: file))
    }

    /// The rules in a YAML document; `file` names it in errors.
    public static func parse(_ yaml: String, file: String = "rules.yaml") throws -> [SignatureRule] {
        try parseCompiled(yaml, file: file).map(\.rule)
    }

    static func parseCompiled(_ yaml: String, file: String) throws -> [TeamRuleMatcher] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw SignatureError.invalidRulesFile(file: file, line: line(of: error), reason: reason(of: error))
        }
        guard let root else { return [] }
        guard let mapping = root.mapping else {
            throw invalid(file, root, "expected a mapping with a 'rules:' list at the top")
        }
        guard let rulesNode = mapping["rules"] else {
            throw invalid(file, root, "the 'rules:' key is missing")
        }
        if case .scalar(let scalar) = rulesNode,
            scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null"
        {
            return []
        }
        guard let sequence = rulesNode.sequence else {
            throw invalid(file, rulesNode, "'rules' must be a list of rules, each starting with '- name:'")
        }
        var rules: [TeamRuleMatcher] = []
        var names = Set<String>()
        for node in sequence {
            let rule = try parseRule(node, file: file, position: rules.count + 1)
            // Compile now, so a bad pattern is reported with its file and line.
            do {
                rules.append(try TeamRuleMatcher(rule))
            } catch let error as SignatureError {
                throw SignatureError.invalidRulesFile(file: file, line: node.mark?.line, reason: error.description)
            }
            guard names.insert(rule.name).inserted else {
                throw invalid(file, node, SignatureError.duplicateRuleName(rule.name).description)
            }
        }
        return rules
    }

    private static func parseRule(_ node: Node, file: String, position: Int) throws -> SignatureRule {
        guard let mapping = node.mapping else {
            throw invalid(file, node, "rule \(position) must be a mapping with name, category and patterns")
        }
        var values: [String: (String, Node)] = [:]
        for (keyNode, valueNode) in mapping {
            let key = keyNode.scalar?.string ?? ""
            guard keys.contains(key) else {
                throw invalid(
                    file, keyNode,
                    "rule \(position): unknown key '\(key)'; expected \(keys.joined(separator: ", "))")
            }
            guard let scalar = valueNode.scalar else {
                throw invalid(
                    file, valueNode, "rule \(position): '\(key)' must be a single value, not a list or mapping")
            }
            values[key] = (scalar.string, valueNode)
        }
        guard let name = values["name"]?.0, !name.isEmpty else {
            throw invalid(file, node, "rule \(position): 'name' is missing")
        }
        guard let category = values["category"]?.0, !category.isEmpty else {
            throw invalid(file, node, "rule '\(name)': 'category' is missing")
        }
        var detail: SignatureRule.DetailGroup?
        if let (text, _) = values["detail"] {
            detail = Int(text).map { .number($0) } ?? .name(text)
        }
        var isPerTest: Bool?
        if let (text, valueNode) = values["per_test"] {
            switch text.lowercased() {
            case "true", "yes", "on": isPerTest = true
            case "false", "no", "off": isPerTest = false
            default: throw invalid(file, valueNode, "rule '\(name)': 'per_test' must be true or false")
            }
        }
        return SignatureRule(
            name: name, category: category, messagePattern: values["message"]?.0, tracePattern: values["trace"]?.0,
            detailGroup: detail, testPattern: values["test"]?.0, isPerTest: isPerTest)
    }

    private static func invalid(_ file: String, _ node: Node, _ reason: String) -> SignatureError {
        SignatureError.invalidRulesFile(file: file, line: node.mark?.line, reason: reason)
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }

    private static func reason(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return "not valid YAML: " + problem
        default:
            return "not valid YAML: " + (String(describing: error).split(separator: "\n").first.map(String.init) ?? "")
        }
    }
}
