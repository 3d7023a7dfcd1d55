import TriageModel
import TriageStore
/// A cluster's template as a Python regular expression (`re.search`), for tools that see a
/// failure's text but not triage's signature: pytest-rerunfailures' `--only-rerun` and the
/// exported quarantine plugin.
///
/// The template is the error line with what varies masked (`<num>`, `<port>`, `<path>`, …):
/// each mask becomes `.+?`, a run of spaces `\s+`, and every other character stands for
/// itself. A leading dotted module path of the exception (`redis.exceptions.ConnectionError:`)
/// is dropped, so the pattern finds the short name too (`ConnectionError: …`, what newer
/// pytest-rerunfailures matches against). A failure of the cluster worded otherwise than its
/// template is not found: the pattern is the template's wording, not the classifier.
public enum TemplatePattern {
    /// The masks `MessageMasker` writes.
    static let masks: Set<String> = [
        "tmp", "path", "addr", "uuid", "ts", "ip", "port", "hex", "id", "dur", "num",
    ]

    public static func python(_ template: String) -> String {
        var text = Substring(template.trimmingCharacters(in: .whitespaces))
        if text.hasSuffix("…") { text = text.dropLast() }
        text = withoutModulePath(text)
        var out = ""
        var index = text.startIndex
        var pendingSpace = false
        while index < text.endIndex {
            let character = text[index]
            if character == "<", let close = text[index...].firstIndex(of: ">"),
                masks.contains(String(text[text.index(after: index)..<close]))
            {
                flush(&out, &pendingSpace)
                if !out.hasSuffix(".+?") { out += ".+?" }
                index = text.index(after: close)
                continue
            }
            // A collection masked to one shape (`[…]`, `{…}`, see `ShapeCollapser`): any content.
            if character == "[" || character == "{", text[text.index(after: index)...].hasPrefix("…" + (character == "[" ? "]" : "}")) {
                flush(&out, &pendingSpace)
                out += escaped(character) + ".*?" + (character == "[" ? "\\]" : "\\}")
                index = text.index(index, offsetBy: 3)
                continue
            }
            if character == " " {
                pendingSpace = true
            } else {
                flush(&out, &pendingSpace)
                out += escaped(character)
            }
            index = text.index(after: index)
        }
        // A pattern that is only wildcards would match any failure.
        while out.hasSuffix(".+?") { out.removeLast(3) }
        return out
    }

    private static func flush(_ out: inout String, _ pendingSpace: inout Bool) {
        if pendingSpace, !out.isEmpty { out += "\\s+" }
        pendingSpace = false
    }

    /// `a.b.Error: text` → `Error: text`; anything else unchanged.
    private static func withoutModulePath(_ text: Substring) -> Substring {
        guard let colon = text.firstIndex(of: ":") else { return text }
        let head = text[..<colon]
        guard head.contains("."),
            head.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }),
            let dot = head.lastIndex(of: ".")
        else { return text }
        return text[text.index(after: dot)...]
    }

    /// What Python's `re` reads as syntax outside a character class (`#` too, for verbose mode).
    private static let special = Set(#".^$*+?{}[]\|()#"#)

    private static func escaped(_ character: Character) -> String {
        special.contains(character) ? "\\" + String(character) : String(character)
    }
}
