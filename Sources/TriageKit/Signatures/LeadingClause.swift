/// The words a masked line opens with, up to where its first clause ends: what tells apart the
/// causes of one detail that names no runner, client or service. A timeout worded as no rule
/// knows is one of these: `Hook timed out in <dur>.` and `function timed out, ensure the
/// promise resolves within <num> milliseconds` are two runners' limits, two causes.
///
/// Words are taken without the marks around them (`**`, brackets, quotes). What a log puts
/// before a message (masked times, counters, paths, a runner's status mark such as `✖`) and a
/// leading label (`Error:`, `panic:`, `Failed`, an exception class such as `TimeoutError:`) are
/// left out, unless the label is all there is. The clause ends at a line break, at ` - `, or at
/// a `.`, `,`, `;`, `:` or `!` that follows a word and comes before a space or the end; its
/// words are lowercased and at most `wordLimit` are kept, so what a runner appends after them
/// (a test's name, a hint) does not split the cause.
enum LeadingClause {
    static let wordLimit = 6
    /// The marks a word may be wrapped in.
    private static let marks: Set<Character> = ["*", "[", "]", "(", ")", "{", "}", "\"", "'", "`"]

    static func of(_ template: String) -> String {
        var words = template.split(whereSeparator: \.isWhitespace).map(unwrapped)[...]
        // What a log puts before the message: a time, a counter, a path (masked values), and
        // a runner's status mark (`✖`, `●`, `›`).
        while let first = words.first, first.hasPrefix("<") || isStatusMark(first) { words = words.dropFirst() }
        if let first = words.first, isErrorLabel(first), words.count > 1 { words = words.dropFirst() }
        var kept: [Substring] = []
        for word in words where !word.isEmpty {
            if word == "-" { break }
            let (text, endsClause) = clauseEnd(in: word)
            if !text.isEmpty { kept.append(text) }
            if endsClause || kept.count == wordLimit { break }
        }
        return kept.map { $0.lowercased() }.joined(separator: " ")
    }

    /// A word without the marks wrapped around it (`**`, brackets, quotes), a masked value's
    /// angle brackets kept.
    private static func unwrapped(_ word: Substring) -> Substring {
        var word = word
        while let first = word.first, marks.contains(first) { word = word.dropFirst() }
        // A closing mark after a clause's end (`done.)`) goes too, the end kept.
        while let last = word.last, marks.contains(last) { word = word.dropLast() }
        return word
    }

    /// Whether a word is a runner's status mark: symbols outside ASCII only (`✖`, `✕`, `●`,
    /// `›`), no letter or digit. ASCII punctuation is not one: ` - ` ends a clause.
    private static func isStatusMark(_ word: Substring) -> Bool {
        !word.isEmpty && word.allSatisfy { !$0.isASCII && !$0.isLetter && !$0.isNumber }
    }

    /// Whether a word is a label put before an error's text: any word with a colon after it
    /// (`panic:`, `msg:`, `TimeoutError:`), or `Error`, `Failed`, `Failure` or an exception
    /// class (`java.util.concurrent.TimeoutException`) without one.
    private static func isErrorLabel(_ word: Substring) -> Bool {
        let name = word.hasSuffix(":") ? word.dropLast() : word
        guard !name.isEmpty else { return false }
        if name.count < word.count { return true }
        if ["error", "failed", "failure"].contains(name.lowercased()) { return true }
        let isIdentifier = name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "$" }
        return isIdentifier && (name.hasSuffix("Error") || name.hasSuffix("Exception"))
    }

    /// The word without the punctuation that ends a clause, and whether it had one: a `.`,
    /// `,`, `;`, `:` or `!` after a letter, a digit, `>` or `)` (`<dur>.`, `out,`), not one
    /// inside a word (`1.5s`, `a.b`): words come split at white space, so a word's last
    /// character is followed by a space or the end.
    private static func clauseEnd(in word: Substring) -> (Substring, Bool) {
        guard let last = word.last, ".,;:!".contains(last) else { return (word, false) }
        let text = word.dropLast()
        guard let before = text.last, before.isLetter || before.isNumber || before == ">" || before == ")" else {
            return (word, false)
        }
        return (text, true)
    }
}
