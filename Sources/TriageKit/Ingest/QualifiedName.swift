import TriageModel
import TriageStore
/// Splits dotted test names such as `Ns.Class.Method("a.b", 1.5)` into class and member.
///
/// NUnit 2 writes no class attribute, and TRX or xUnit.net sometimes lack one; their test
/// names carry parameters, generic arguments and quoted strings whose dots must not count.
enum QualifiedName {
    /// `("Ns.Class", "Method(1.5)")` for `Ns.Class.Method(1.5)`; nil when the name has no
    /// dot outside brackets and quotes.
    static func split(_ name: String) -> (container: String, member: String)? {
        guard let dot = lastTopLevelDot(in: name) else { return nil }
        let container = String(name[..<dot])
        let member = String(name[name.index(after: dot)...])
        guard !container.isEmpty, !member.isEmpty else { return nil }
        return (container, member)
    }

    /// `name` without a leading `prefix.`, when it has one.
    static func dropping(prefix: String, from name: String) -> String {
        guard !prefix.isEmpty, name.hasPrefix(prefix + "."), name.count > prefix.count + 1 else {
            return name
        }
        return String(name.dropFirst(prefix.count + 1))
    }

    private static func lastTopLevelDot(in name: String) -> String.Index? {
        var depth = 0
        var quote: Character?
        var last: String.Index?
        var index = name.startIndex
        while index < name.endIndex {
            let character = name[index]
            if let open = quote {
                if character == "\\" {
                    // Skip the escaped character inside a quoted argument.
                    index = name.index(after: index)
                    if index == name.endIndex { break }
                } else if character == open {
                    quote = nil
                }
            } else {
                switch character {
                case "\"" where depth > 0, "'" where depth > 0: quote = character
                case "(", "[", "<", "{": depth += 1
                case ")", "]", ">", "}": depth = max(0, depth - 1)
                case "." where depth == 0: last = index
                default: break
                }
            }
            index = name.index(after: index)
        }
        return last
    }
}
