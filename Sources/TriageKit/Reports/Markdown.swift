import TriageModel
import TriageStore
/// Escaping of untrusted text (test names, messages) for Markdown output.
public enum Markdown {
    /// Set while a report's view is built for JSON: `cell`, `code` and `block` then return the
    /// text as it is, so JSON values are raw (the encoder escapes what JSON needs).
    @TaskLocal public static var isPlain = false

    /// Builds a value with Markdown escaping off: for JSON output of a report's view.
    public static func plain<Value>(_ build: () throws -> Value) rethrows -> Value {
        try $isPlain.withValue(true, operation: build)
    }

    /// Text for a table cell: one line, no pipe, no HTML, no emphasis or link syntax.
    public static func cell(_ text: String?, limit: Int = 160) -> String {
        if isPlain { return text ?? "" }
        var line = SafeText.terminal((text ?? "").replacingOccurrences(of: "\r\n", with: " "))
            .replacingOccurrences(of: "⏎", with: " ")
        if line.count > limit { line = String(line.prefix(limit - 1)) + "…" }
        var out = ""
        for character in line {
            switch character {
            case "|": out += "\\|"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\\", "`", "*", "_", "[", "]", "#", "~", "!": out += "\\\(character)"
            default: out.append(character)
            }
        }
        return out
    }

    /// Inline code for a table cell or sentence: backticks in the text are replaced so the span
    /// cannot end early, pipes are escaped so a table row cannot split.
    public static func code(_ text: String?, limit: Int = 160) -> String {
        if isPlain { return text ?? "" }
        var line = SafeText.terminal(text ?? "").replacingOccurrences(of: "⏎", with: " ")
        if line.count > limit { line = String(line.prefix(limit - 1)) + "…" }
        line = line.replacingOccurrences(of: "`", with: "ˋ").replacingOccurrences(of: "|", with: "\\|")
        return line.isEmpty ? "" : "`\(line)`"
    }

    /// A fenced block for multi-line text (a message): the fence is longer than any backtick run inside.
    public static func block(_ text: String?) -> String {
        if isPlain { return text ?? "" }
        let body = SafeText.terminal(text ?? "", keepNewlines: true)
        var longest = 0, run = 0
        for character in body {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return "\(fence)text\n\(body)\n\(fence)"
    }

    /// A Mermaid `xychart-beta` of a series of percentages, rendered by GitHub.
    public static func passRateChart(title: String, labels: [String], rates: [Double]) -> String {
        let axis = labels.map { "\"\($0.filter { $0.isLetter || $0.isNumber || $0 == "#" || $0 == "-" })\"" }.joined(
            separator: ", ")
        let values = rates.map { String(format: "%.1f", $0 * 100) }.joined(separator: ", ")
        return """
            ```mermaid
            xychart-beta
                title "\(title.filter { $0 != "\"" })"
                x-axis [\(axis)]
                y-axis "pass rate (%)" 0 --> 100
                line [\(values)]
            ```
            """
    }
}
