import Foundation

/// A team rule with its patterns compiled once.
struct TeamRuleMatcher: Sendable {
    let rule: SignatureRule
    private let message: NSRegularExpression?
    private let trace: NSRegularExpression?
    private let test: NSRegularExpression?

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
            let patterns = [(message, rule.messagePattern), (trace, rule.tracePattern)]
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

    private static func compile(_ pattern: String?, field: String, rule: String) throws -> NSRegularExpression? {
        guard let pattern else { return nil }
        do {
            return try NSRegularExpression(pattern: pattern)
        } catch {
            // Foundation's error carries only the pattern back, so name the kind of problem.
            throw SignatureError.invalidPattern(rule: rule, field: field, pattern: pattern, reason: "invalid syntax")
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
            guard let id = input.test, Self.firstMatch(test, in: id) != nil else { return nil }
        }
        var result = Match()
        var messageMatch: (NSTextCheckingResult, String)?
        if let message {
            let candidates = [input.message ?? "", errorLine()]
            for candidate in candidates where !candidate.isEmpty {
                if let found = Self.firstMatch(message, in: candidate) {
                    messageMatch = (found, candidate)
                    break
                }
            }
            guard messageMatch != nil else { return nil }
        }
        var traceMatch: (NSTextCheckingResult, String)?
        if let trace {
            let text = input.text ?? ""
            guard let found = Self.firstMatch(trace, in: text) else { return nil }
            traceMatch = (found, text)
        }
        if let group = rule.detailGroup {
            result.detail =
                messageMatch.flatMap { Self.capture(group, of: $0.0, in: $0.1) }
                ?? traceMatch.flatMap { Self.capture(group, of: $0.0, in: $0.1) }
        }
        if let (found, text) = messageMatch ?? traceMatch {
            result.evidence = Self.line(around: found.range, in: text)
        }
        return result
    }

    private static func firstMatch(_ regex: NSRegularExpression, in text: String) -> NSTextCheckingResult? {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
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

    private static func line(around range: NSRange, in text: String) -> Substring? {
        guard let bounds = Range(range, in: text) else { return nil }
        var start = bounds.lowerBound
        while start > text.startIndex, text[text.index(before: start)] != "\n" { start = text.index(before: start) }
        var end = bounds.lowerBound
        while end < text.endIndex, text[end] != "\n" { end = text.index(after: end) }
        return text[start..<end]
    }
}
