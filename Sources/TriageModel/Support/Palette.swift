/// Colours for text output: red for failures, green for passes, yellow for flaky tests. The
/// command decides whether to colour (a terminal, no `NO_COLOR`, `--color`); renderers take a
/// palette and stay pure functions of their values.
public struct Palette: Sendable, Equatable {
    public var isColored: Bool

    public init(isColored: Bool) { self.isColored = isColored }

    /// No colour: pipes, files, tests.
    public static let plain = Palette(isColored: false)

    public func failed(_ text: String) -> String { paint(text, "31") }
    public func passed(_ text: String) -> String { paint(text, "32") }
    public func flaky(_ text: String) -> String { paint(text, "33") }
    public func dim(_ text: String) -> String { paint(text, "2") }
    public func bold(_ text: String) -> String { paint(text, "1") }

    /// Colours a word by the outcome or state it names.
    public func outcome(_ text: String, _ outcome: Outcome) -> String {
        switch outcome {
        case .passed: passed(text)
        case .failed, .error: failed(text)
        case .skipped: text
        }
    }

    private func paint(_ text: String, _ code: String) -> String {
        guard isColored, !text.isEmpty else { return text }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    /// Whether to colour: `always`, `never`, or `auto` (a terminal, and `NO_COLOR` unset or
    /// empty, and `TERM` not `dumb`).
    public static func resolve(_ choice: ColorChoice, isTerminal: Bool, environment: [String: String]) -> Palette {
        switch choice {
        case .always: return Palette(isColored: true)
        case .never: return .plain
        case .auto:
            let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
            return Palette(isColored: isTerminal && !noColor && environment["TERM"] != "dumb")
        }
    }
}

/// `--color auto|always|never`.
public enum ColorChoice: String, Sendable, CaseIterable, Codable {
    case auto
    case always
    case never
}
