import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

/// Test names and messages come from files anyone can write: they must not break Markdown
/// tables, inject HTML or put control sequences on the user's terminal.
@Suite struct UntrustedTextTests {
    /// Escape sequences and other controls a hostile file (or CI variable) might carry.
    static let hostile = [
        "\u{1B}[31mred\u{1B}[0m", "\u{1B}]0;pwned\u{07}", "\u{9B}2J", "back\rspace", "bell\u{07}", "del\u{7F}",
        "line\u{2028}sep", "right-to-left \u{202E}txt.exe", "isolate \u{2066}x\u{2069}", "a\nb", "tab\there",
    ]

    /// Scalars that a terminal acts on instead of printing (newline allowed where asked).
    static func controls(in text: String, allowingNewlines: Bool = false) -> [Unicode.Scalar] {
        text.unicodeScalars.filter { scalar in
            let value = scalar.value
            if allowingNewlines, scalar == "\n" || scalar == "\t" { return false }
            return value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
                || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
        }
    }

    /// Cells of a GitHub table row: split on pipes not preceded by a backslash (GFM's rule).
    static func cells(_ row: String) -> [String] {
        var cells: [String] = [], current = "", previous: Character = " "
        for character in row {
            if character == "|", previous != "\\" {
                cells.append(current)
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        cells.append(current)
        return cells
    }

    @Test(arguments: hostile)
    func terminalTextHasNoControlCharacters(_ text: String) {
        #expect(Self.controls(in: SafeText.terminal(text)) == [])
        #expect(Self.controls(in: SafeText.terminal(text, keepNewlines: true), allowingNewlines: true) == [])
        #expect(Self.controls(in: SafeText.line(text)) == [])
        #expect(!SafeText.line(text).contains("\n"))
    }

    @Test func escapesAreShownNotDropped() {
        #expect(SafeText.terminal("\u{1B}[31m") == "\\u{1b}[31m")
        #expect(SafeText.terminal("a\u{202E}b") == "a\\u{202e}b")
    }

    @Test(
        arguments: hostile + [
            "a | b", "a \\| b", "`code` | x", "<script>alert(1)</script>",
            "**bold** [link](javascript:x) ![img](http://x)", "```\nfence\n```", "a\\",
        ])
    func markdownCellsAndCodeSpansStayInOneCell(_ text: String) {
        for rendered in [Markdown.cell(text), Markdown.code(text)] {
            let row = "| \(rendered) | next |"
            #expect(Self.cells(row).count == 4, "\(row)")  // "", the cell, " next ", ""
            #expect(!rendered.contains("\n") && !rendered.contains("\r"))
            #expect(Self.controls(in: rendered) == [])
        }
        // A cell has no `<` that could start HTML; in a code span `<` is literal text.
        #expect(!Markdown.cell(text).contains("<"))
        let code = Markdown.code(text)
        #expect(
            code.isEmpty
                || (code.hasPrefix("`") && code.hasSuffix("`") && code.dropFirst().dropLast().allSatisfy { $0 != "`" }))
    }

    @Test func markdownBlocksCannotBeClosedFromInside() {
        let text = "before\n```\n# heading outside?\n````\n<script>x</script>\u{1B}[31m"
        let block = Markdown.block(text)
        let lines = block.split(separator: "\n", omittingEmptySubsequences: false)
        let fence = lines.first.map { String($0.prefix { $0 == "`" }) } ?? ""
        #expect(fence.count >= 5)
        #expect(lines.last.map(String.init) == fence)
        #expect(lines.dropFirst().dropLast().allSatisfy { !$0.hasPrefix(fence) })
        #expect(Self.controls(in: block, allowingNewlines: true) == [])
    }
}
