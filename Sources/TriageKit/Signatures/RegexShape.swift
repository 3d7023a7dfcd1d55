import Foundation
import TriageModel
import TriageStore

/// The shape of a team rule's regular expression, checked before the rule is used.
///
/// Foundation's regular expressions backtrack, so some patterns take exponential time on a
/// message that almost matches: `(x+x+)+y` spends seconds on 30 characters. A team rule is
/// refused when its pattern has
/// - a repetition inside a repeated group (`(x+)+`, `(a|b?)*`, `(\s*x){2,}`),
/// - alternatives under a repetition that can start with the same character (`(a|ab)+`),
/// - two repetitions in a row that can match the same characters (`\w+\w*`, `.*.*`),
/// - more than one repetition of almost any character (`.*x.*y`, `a\S+b.+c`),
/// - a backreference (`\1`, `\k<name>`), or the `x` (free spacing) flag.
/// What is left can still cost time proportional to a power of the input, which is why a
/// rule sees each line's first `TeamRuleMatcher.lineLimit` bytes only.
struct RegexShape {
    /// Lower-cased (ASCII) text that every match contains, the longest found; empty if none.
    let requiredLiteral: [UInt8]

    /// Why a pattern was refused: a short phrase naming the construct.
    struct Refusal: Error {
        var reason: String
    }

    init(_ pattern: String) throws(Refusal) {
        var parser = Parser(Array(pattern.unicodeScalars))
        let alternatives = try parser.parseAlternatives(depth: 0)
        var checker = Checker()
        try checker.check(alternatives, underRepeat: false)
        requiredLiteral =
            alternatives.count == 1 ? Self.longestLiteral(alternatives[0], foldsNonASCII: parser.isCaseInsensitive) : []
    }

    // MARK: - Syntax

    indirect enum Node {
        /// One character from a set: a literal, `.`, `\d`, `[a-z]`, `\p{L}`…
        case atom(source: String, literal: Unicode.Scalar?)
        /// Matches no characters: anchors, `\b`, flags, lookarounds (checked, then ignored).
        case zeroWidth
        case group([[Piece]])
    }

    struct Piece {
        var node: Node
        var min: Int
        /// nil: unbounded.
        var max: Int?
        var isRepeated: Bool { max.map { $0 > 1 } ?? true }
        var isVariable: Bool { max != min }
    }

    struct Parser {
        let scalars: [Unicode.Scalar]
        var position = 0
        var isCaseInsensitive = false

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

        mutating func next() -> Unicode.Scalar? {
            guard let scalar = peek else { return nil }
            position += 1
            return scalar
        }

        func text(from start: Int) -> String {
            var result = ""
            result.unicodeScalars.append(contentsOf: scalars[start..<position])
            return result
        }

        mutating func parseAlternatives(depth: Int) throws(Refusal) -> [[Piece]] {
            var alternatives: [[Piece]] = [[]]
            while let scalar = peek {
                switch scalar {
                case "|":
                    position += 1
                    alternatives.append([])
                    continue
                case ")":
                    guard depth > 0 else { throw Refusal(reason: "an unbalanced ')'") }
                    return alternatives
                default:
                    break
                }
                let nodes = try parseItem()
                for node in nodes {
                    alternatives[alternatives.count - 1].append(Piece(node: node, min: 1, max: 1))
                }
                if !nodes.isEmpty, let (min, max) = parseQuantifier() {
                    alternatives[alternatives.count - 1][alternatives[alternatives.count - 1].count - 1].min = min
                    alternatives[alternatives.count - 1][alternatives[alternatives.count - 1].count - 1].max = max
                }
            }
            guard depth == 0 else { throw Refusal(reason: "an unclosed '('") }
            return alternatives
        }

        /// The next item; several for `\Q…\E`, none for a comment or a stray `\E`.
        mutating func parseItem() throws(Refusal) -> [Node] {
            let start = position
            guard let scalar = next() else { return [] }
            switch scalar {
            case "(": return try parseGroup()
            case "[":
                try skipClass()
                return [.atom(source: text(from: start), literal: nil)]
            case ".": return [.atom(source: ".", literal: nil)]
            case "^", "$": return [.zeroWidth]
            case "\\": return try parseEscape(start: start)
            default: return [.atom(source: text(from: start), literal: scalar)]
            }
        }

        mutating func parseGroup() throws(Refusal) -> [Node] {
            guard peek == "?" else {
                let inner = try parseAlternatives(depth: 1)
                position += 1
                return [.group(inner)]
            }
            position += 1
            guard let kind = next() else { throw Refusal(reason: "an unclosed '('") }
            switch kind {
            case ":", ">":
                break
            case "=", "!":
                return try lookaround()
            case "<" where peek == "=" || peek == "!":
                position += 1
                return try lookaround()
            case "<":
                while let scalar = next(), scalar != ">" {}
            case "#":
                while let scalar = next(), scalar != ")" {}
                return []
            default:
                // Flags: (?i) or (?i-m:…)
                position -= 1
                var isOn = true
                while let scalar = peek, scalar != ")" && scalar != ":" {
                    position += 1
                    if scalar == "-" { isOn = false }
                    if scalar == "x" && isOn {
                        throw Refusal(reason: "the x (free spacing) flag, which team rules do not support")
                    }
                    if scalar == "i" && isOn { isCaseInsensitive = true }
                }
                if next() == ")" { return [.zeroWidth] }
            }
            let inner = try parseAlternatives(depth: 1)
            position += 1
            return [.group(inner)]
        }

        mutating func lookaround() throws(Refusal) -> [Node] {
            let inner = try parseAlternatives(depth: 1)
            position += 1
            // Checked like any group, then it matches no characters.
            var checker = Checker()
            try checker.check(inner, underRepeat: false)
            return [.zeroWidth]
        }

        mutating func skipClass() throws(Refusal) {
            var depth = 1
            if peek == "^" { position += 1 }
            if peek == "]" { position += 1 }
            while let scalar = next() {
                switch scalar {
                case "\\": position += 1
                case "[": depth += 1
                case "]":
                    depth -= 1
                    if depth == 0 { return }
                default: break
                }
            }
            throw Refusal(reason: "an unclosed '['")
        }

        mutating func parseEscape(start: Int) throws(Refusal) -> [Node] {
            guard let scalar = next() else { throw Refusal(reason: "a '\\' at the end") }
            switch scalar {
            case "1"..."9", "k":
                throw Refusal(reason: "a backreference (\\\(scalar)…), which team rules do not support")
            case "b", "B", "A", "Z", "z", "G":
                return [.zeroWidth]
            case "Q":
                var nodes: [Node] = []
                while let literal = next() {
                    if literal == "\\" && peek == "E" {
                        position += 1
                        break
                    }
                    nodes.append(
                        .atom(source: NSRegularExpression.escapedPattern(for: String(literal)), literal: literal))
                }
                return nodes
            case "E":
                return []
            case "p", "P", "x", "N":
                if peek == "{" {
                    while let inner = next(), inner != "}" {}
                } else if scalar == "x" {
                    position = min(position + 2, scalars.count)
                } else {
                    position = min(position + 1, scalars.count)
                }
            case "u": position = min(position + 4, scalars.count)
            case "U": position = min(position + 8, scalars.count)
            case "c": position = min(position + 1, scalars.count)
            case "0":
                var digits = 0
                while digits < 3, let digit = peek, ("0"..."7").contains(digit) {
                    position += 1
                    digits += 1
                }
            case "t", "n", "r", "f", "e", "a", "d", "D", "w", "W", "s", "S", "h", "H", "v", "V", "R", "X":
                break
            default:
                // An escaped punctuation character stands for itself.
                if !scalar.properties.isAlphabetic && !("0"..."9").contains(scalar) {
                    return [.atom(source: text(from: start), literal: scalar)]
                }
            }
            return [.atom(source: text(from: start), literal: nil)]
        }

        /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each optionally lazy or possessive.
        mutating func parseQuantifier() -> (Int, Int?)? {
            guard let scalar = peek else { return nil }
            var bounds: (Int, Int?)
            switch scalar {
            case "*": bounds = (0, nil)
            case "+": bounds = (1, nil)
            case "?": bounds = (0, 1)
            case "{":
                let start = position
                position += 1
                let low = number()
                var high: Int?? = .some(low)
                if peek == "," {
                    position += 1
                    high = .some(number())
                }
                guard let low, peek == "}" else {
                    position = start
                    return nil
                }
                bounds = (low, high ?? nil)
            default: return nil
            }
            position += 1
            if peek == "?" || peek == "+" { position += 1 }
            return bounds
        }

        mutating func number() -> Int? {
            var value: Int?
            while let digit = peek, let digitValue = Int(String(digit)), ("0"..."9").contains(digit) {
                value = min((value ?? 0) * 10 + digitValue, 1_000_000)
                position += 1
            }
            return value
        }
    }

    // MARK: - Checks

    /// Which of a sample of characters an atom matches: enough to tell whether two atoms can
    /// match the same character.
    struct Checker {
        private var sets: [String: [Bool]] = [:]
        private var wideRepetitions = 0
        private static let samples: [String] =
            (1...127).map { String(UnicodeScalar(UInt8($0))) } + ["é", "É", "ß", "\u{00A0}", "中", "😀", "\u{2028}"]

        /// Sets already worked out, shared by all rules: 10,000 rules mostly repeat a few atoms.
        private final class SharedSets: @unchecked Sendable {
            private let lock = NSLock()
            private var sets: [String: [Bool]] = [:]
            subscript(source: String) -> [Bool]? {
                get { lock.withLock { sets[source] } }
                set { lock.withLock { sets[source] = newValue } }
            }
        }
        private static let shared = SharedSets()

        mutating func set(of source: String) -> [Bool] {
            if let known = sets[source] ?? Self.shared[source] { return known }
            let regex = try? NSRegularExpression(pattern: "^(?:" + source + ")$")
            let set = Self.samples.map { sample in
                // An atom that cannot be checked alone counts as matching everything.
                guard let regex else { return true }
                return regex.firstMatch(in: sample, range: NSRange(sample.startIndex..., in: sample)) != nil
            }
            sets[source] = set
            Self.shared[source] = set
            return set
        }

        /// The characters an alternative can start with, or nil when that is not one required
        /// character.
        mutating func firstSet(of pieces: [Piece]) -> [Bool]? {
            for piece in pieces {
                switch piece.node {
                case .zeroWidth: continue
                case .atom(let source, _): return piece.min >= 1 ? set(of: source) : nil
                case .group(let alternatives):
                    guard piece.min >= 1 else { return nil }
                    var union = [Bool](repeating: false, count: Self.samples.count)
                    for alternative in alternatives {
                        guard let first = firstSet(of: alternative) else { return nil }
                        for index in union.indices where first[index] { union[index] = true }
                    }
                    return union
                }
            }
            return nil
        }

        static func overlap(_ a: [Bool], _ b: [Bool]) -> Bool {
            zip(a, b).contains { $0 && $1 }
        }

        mutating func check(_ alternatives: [[Piece]], underRepeat: Bool) throws(Refusal) {
            if underRepeat && alternatives.count > 1 {
                var seen: [[Bool]] = []
                for alternative in alternatives {
                    guard let first = firstSet(of: alternative), !seen.contains(where: { Self.overlap($0, first) })
                    else {
                        throw Refusal(
                            reason: "alternatives under a repetition that can start with the same character "
                                + "(write (ab|ac)+ as (a[bc])+)")
                    }
                    seen.append(first)
                }
            }
            for alternative in alternatives {
                try check(sequence: alternative, underRepeat: underRepeat)
            }
        }

        mutating func check(sequence: [Piece], underRepeat: Bool) throws(Refusal) {
            var pending: [Bool]?
            for piece in sequence {
                if case .zeroWidth = piece.node { continue }
                if underRepeat && piece.isVariable {
                    throw Refusal(reason: "a repetition inside a repeated group, such as (x+)+ or (a?b)*")
                }
                switch piece.node {
                case .zeroWidth:
                    continue
                case .atom(let source, _):
                    if piece.max == nil {
                        let set = set(of: source)
                        // Two of these can each take any part of the line: cubic time with the
                        // search's own loop over start positions (.*x.*y on a line of x).
                        if set.filter({ $0 }).count * 4 >= Self.samples.count * 3 {
                            wideRepetitions += 1
                            if wideRepetitions > 1 {
                                throw Refusal(
                                    reason: "more than one repetition of almost any character, such as .*x.*y")
                            }
                        }
                        if let pending, Self.overlap(pending, set) {
                            throw Refusal(
                                reason: "two repetitions in a row that can match the same characters, "
                                    + "such as \\w+\\w* or .*.*")
                        }
                        pending = set
                    } else if !piece.isVariable {
                        pending = nil
                    }
                case .group(let alternatives):
                    pending = nil
                    try check(alternatives, underRepeat: underRepeat || piece.isRepeated)
                }
            }
        }
    }

    // MARK: - Literals

    private static func longestLiteral(_ pieces: [Piece], foldsNonASCII: Bool) -> [UInt8] {
        var best: [UInt8] = []
        var run: [UInt8] = []
        func end() {
            if run.count > best.count { best = run }
            run = []
        }
        for piece in pieces {
            switch piece.node {
            case .zeroWidth:
                continue
            case .atom(_, let literal?) where piece.min == 1 && piece.max == 1:
                if literal.isASCII {
                    run.append(lowerASCII(UInt8(literal.value)))
                } else if foldsNonASCII {
                    end()
                } else {
                    run += Array(String(literal).utf8)
                }
            default:
                end()
            }
        }
        end()
        return best
    }

    static func lowerASCII(_ byte: UInt8) -> UInt8 {
        (byte >= 65 && byte <= 90) ? byte + 32 : byte
    }
}
