import Foundation
import TriageModel
import TriageStore

/// A team rule with its patterns compiled once.
struct TeamRuleMatcher: Sendable {
    let rule: SignatureRule
    let message: Compiled?
    let trace: Compiled?
    let test: Compiled?

    /// A rule sees the first `lineLimit` bytes of each line of a message, failure text and
    /// test id, one line at a time: what is left of backtracking after `RegexShape`'s checks
    /// grows with a power of the input, so the input is bounded.
    static let lineLimit = 4096

    /// A pattern, compiled once, with the text every match must contain.
    struct Compiled: Sendable {
        let regex: NSRegularExpression
        /// Lower-cased (ASCII); empty when the pattern has no such text.
        let requiredLiteral: [UInt8]
    }

    /// What a matching rule found.
    struct Match {
        var detail: String?
        /// The line holding the message (or else trace) match.
        var evidence: Substring?
    }

    init(_ rule: SignatureRule) throws {
        try Self.validate(name: rule.name, category: rule.category)
        guard rule.messagePattern != nil || rule.tracePattern != nil || rule.testPattern != nil else {
            throw SignatureError.ruleWithoutPattern(rule: rule.name)
        }
        self.rule = rule
        message = try Self.compile(rule.messagePattern, field: "message", rule: rule.name)
        trace = try Self.compile(rule.tracePattern, field: "trace", rule: rule.name)
        test = try Self.compile(rule.testPattern, field: "test", rule: rule.name)
        if let group = rule.detailGroup {
            let patterns = [(message?.regex, rule.messagePattern), (trace?.regex, rule.tracePattern)]
            let known = patterns.contains { compiled, source in
                guard let compiled, let source else { return false }
                switch group {
                case .number(let number): return number >= 0 && number <= compiled.numberOfCaptureGroups
                case .name(let name): return source.contains("(?<\(name)>")
                }
            }
            guard known else { throw SignatureError.unknownCaptureGroup(rule: rule.name, group: group.description) }
        }
    }

    private static func compile(_ pattern: String?, field: String, rule: String) throws -> Compiled? {
        guard let pattern else { return nil }
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            // Foundation's error carries only the pattern back, so name the kind of problem.
            throw SignatureError.invalidPattern(rule: rule, field: field, pattern: pattern, reason: "invalid syntax")
        }
        do {
            let shape = try RegexShape(pattern)
            return Compiled(regex: regex, requiredLiteral: shape.requiredLiteral)
        } catch {
            throw SignatureError.slowPattern(rule: rule, field: field, pattern: pattern, reason: error.reason)
        }
    }

    private static func validate(name: String, category: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        guard !name.isEmpty, name.allSatisfy({ allowed.contains($0) }) else {
            throw SignatureError.invalidRuleField(rule: name, field: "name", value: name)
        }
        let categoryAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_")
        guard !category.isEmpty, category.allSatisfy({ categoryAllowed.contains($0) }) else {
            throw SignatureError.invalidRuleField(rule: name, field: "category", value: category)
        }
    }

    /// Whether the rule applies, and what it captured. `errorLine` gives the real error line
    /// of the text, tried when the message itself does not match.
    func match(_ input: FailureInput, errorLine: () -> String) -> Match? {
        if let test {
            guard let id = input.test, Self.firstMatch(test.regex, in: id) != nil else { return nil }
        }
        var result = Match()
        var messageMatch: (NSTextCheckingResult, String)?
        if let message {
            let candidates = [input.message ?? "", errorLine()]
            for candidate in candidates where !candidate.isEmpty {
                if let found = Self.firstMatch(message.regex, in: candidate) {
                    messageMatch = found
                    break
                }
            }
            guard messageMatch != nil else { return nil }
        }
        var traceMatch: (NSTextCheckingResult, String)?
        if let trace {
            guard let found = Self.firstMatch(trace.regex, in: input.text ?? "") else { return nil }
            traceMatch = found
        }
        if let group = rule.detailGroup {
            result.detail =
                messageMatch.flatMap { Self.capture(group, of: $0.0, in: $0.1) }
                ?? traceMatch.flatMap { Self.capture(group, of: $0.0, in: $0.1) }
        }
        if let (_, line) = messageMatch ?? traceMatch {
            result.evidence = line[...]
        }
        return result
    }

    /// The first match in the text's lines (each cut to `lineLimit` bytes), with its line.
    private static func firstMatch(_ regex: NSRegularExpression, in text: String) -> (NSTextCheckingResult, String)? {
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let bounded = String(decoding: line.prefix(lineLimit), as: UTF8.self)
            if let found = regex.firstMatch(in: bounded, range: NSRange(bounded.startIndex..., in: bounded)) {
                return (found, bounded)
            }
        }
        return nil
    }

    private static func capture(_ group: SignatureRule.DetailGroup, of match: NSTextCheckingResult, in text: String)
        -> String?
    {
        let range: NSRange
        switch group {
        case .number(let number):
            guard number <= match.numberOfRanges - 1 else { return nil }
            range = match.range(at: number)
        case .name(let name):
            range = match.range(withName: name)
        }
        guard range.location != NSNotFound, let bounds = Range(range, in: text) else { return nil }
        let value = text[bounds]
        return value.isEmpty ? nil : String(value)
    }

}

/// Picks, for one failure, the team rules that can match it: each rule is filed under three
/// bytes of the text its longest-literal pattern requires, and a failure looks up the
/// three-byte runs of its message, error line, text and test id. 10,000 rules then cost a
/// few lookups per byte of input instead of 10,000 regular expressions.
struct TeamRuleIndex: Sendable {
    private enum Field: Int, CaseIterable {
        case message, trace, test
    }

    /// Per field, rule positions by the three bytes (lower-cased) they require.
    private var byGram: [[UInt32: [Int]]] = Array(repeating: [:], count: Field.allCases.count)
    /// Per rule, the field and text it requires, if any.
    private var required: [(field: Field, literal: [UInt8])?] = []
    /// Rules without a required text of three bytes or more: always tried.
    private var always: [Int] = []

    init(_ matchers: [TeamRuleMatcher]) {
        for (index, matcher) in matchers.enumerated() {
            let choices: [(Field, [UInt8])] = [
                (.message, matcher.message?.requiredLiteral ?? []), (.trace, matcher.trace?.requiredLiteral ?? []),
                (.test, matcher.test?.requiredLiteral ?? []),
            ]
            guard let (field, literal) = choices.max(by: { $0.1.count < $1.1.count }), literal.count >= 3 else {
                required.append(nil)
                always.append(index)
                continue
            }
            required.append((field, literal))
            // File the rule under its least crowded three bytes.
            let grams = (0...(literal.count - 3)).map { Self.gram(literal, at: $0) }
            let gram =
                grams.min { (byGram[field.rawValue][$0]?.count ?? 0) < (byGram[field.rawValue][$1]?.count ?? 0) }
                ?? grams[0]
            byGram[field.rawValue][gram, default: []].append(index)
        }
    }

    /// The positions of the rules that can match, in rule order.
    func candidates(message: String?, errorLine: () -> String, text: String?, test: String?) -> [Int] {
        var found = always
        for field in Field.allCases where !byGram[field.rawValue].isEmpty {
            let texts: [[UInt8]]
            switch field {
            case .message: texts = [Self.lowered(message), Self.lowered(errorLine())]
            case .trace: texts = [Self.lowered(text)]
            case .test: texts = [Self.lowered(test)]
            }
            var seen = Set<Int>()
            for bytes in texts where bytes.count >= 3 {
                for offset in 0...(bytes.count - 3) {
                    guard let rules = byGram[field.rawValue][Self.gram(bytes, at: offset)] else { continue }
                    for rule in rules where !seen.contains(rule) {
                        seen.insert(rule)
                        if let (_, literal) = required[rule], texts.contains(where: { Self.contains($0, literal) }) {
                            found.append(rule)
                        }
                    }
                }
            }
        }
        return found.count == always.count ? found : found.sorted()
    }

    private static func gram(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 16 | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2])
    }

    private static func lowered(_ text: String?) -> [UInt8] {
        guard let text else { return [] }
        return text.utf8.map(RegexShape.lowerASCII)
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count, let first = needle.first else { return needle.isEmpty }
        var offset = 0
        while offset + needle.count <= haystack.count {
            if haystack[offset] == first && haystack[offset..<offset + needle.count].elementsEqual(needle) {
                return true
            }
            offset += 1
        }
        return false
    }
}
