import Foundation
import TriageModel
import TriageStore

/// The Markdown document `whys edit` opens in an editor, and its parser. Rendering and parsing
/// back give the same `WhysContent` (the round trip is lossless for every field):
///
/// - `Key: value` lines before the first section: Status, Owner, Risk, Priority.
/// - `## Problem`, `## Root cause`, `## Business impact`: free text; a line of the text that
///   starts with `#` or `\` is written with a `\` before it.
/// - `## Clusters`, `## Tests`, `## Key findings`, `## Next steps`, `## Evidence`: `- item` lines.
/// - `## Whys`: `1. Why: question` (optional) then `Because: answer`.
/// - `## Options`: `### title`, then `Chosen: yes`, `Approach: …`, `- Pro: …`, `- Con: …`.
/// - `## Status checklist`: `- [x] done`, `- [~] partial`, `- [ ] to do`.
///
/// One-line values escape `\` as `\\` and line breaks as `\n`, so any text fits on its line.
public enum WhysMarkdown {
    public static func document(_ record: FiveWhys) -> String {
        let content = record.content
        var lines = [
            "# Five-Whys \(record.id)", "",
            "<!-- Edit and save; keep the headings. One item per line; in items \\n is a line break and \\\\ a backslash.",
            "     Status is one of: \(WhysStatus.allCases.map(\.rawValue).joined(separator: ", ")). -->", "",
            "Status: \(content.status.rawValue)",
        ]
        if let owner = content.owner { lines.append("Owner: \(escape(owner))") }
        if let risk = content.risk { lines.append("Risk: \(escape(risk))") }
        if let priority = content.priority { lines.append("Priority: \(escape(priority))") }
        func section(_ title: String, _ body: [String]) {
            lines += ["", "## \(title)", ""] + body
        }
        func text(_ value: String?) -> [String] {
            (value ?? "").components(separatedBy: "\n").map { $0.hasPrefix("#") || $0.hasPrefix("\\") ? "\\" + $0 : $0 }
        }
        section("Problem", text(content.problem))
        section("Clusters", content.clusterIDs.map { "- \(escape($0))" })
        section("Tests", content.tests.map { "- \(escape($0))" })
        section(
            "Whys",
            content.steps.enumerated().flatMap { index, step in
                (step.question.map { ["\(index + 1). Why: \(escape($0))", "   Because: \(escape(step.answer))"] } ?? [
                    "\(index + 1). Because: \(escape(step.answer))"
                ])
            })
        section("Root cause", content.rootCause.map(text) ?? [])
        var optionLines: [String] = []
        for option in content.options {
            if !optionLines.isEmpty { optionLines.append("") }
            optionLines.append("### \(escape(option.title))")
            if option.isChosen { optionLines.append("Chosen: yes") }
            if let approach = option.approach { optionLines.append("Approach: \(escape(approach))") }
            optionLines += option.pros.map { "- Pro: \(escape($0))" }
            optionLines += option.cons.map { "- Con: \(escape($0))" }
        }
        section("Options", optionLines)
        section("Status checklist", content.checklist.map { "- [\(mark($0.state))] \(escape($0.text))" })
        section("Key findings", content.findings.map { "- \(escape($0))" })
        section("Next steps", content.nextSteps.map { "- \(escape($0))" })
        section("Business impact", content.businessImpact.map(text) ?? [])
        section("Evidence", content.evidence.map { "- \(escape($0))" })
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses a document back; `file` names it in errors ("notes.md: line 12: …").
    public static func parse(_ document: String, file: String) throws -> WhysContent {
        var content = WhysContent(problem: "")
        var section: String?
        var body: [String] = []
        var option: WhysContent.Option?
        var sawStatus = false
        func fail(_ number: Int, _ reason: String) -> TriageError {
            TriageError.invalidArgument(
                "\(file): line \(number): \(reason); fix the file and run `triage whys edit ID --from \(file)`")
        }
        func finishText() -> String? {
            var lines = body
            while lines.first?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeFirst() }
            while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
            body = []
            let text = lines.map { $0.hasPrefix("\\") ? String($0.dropFirst()) : $0 }.joined(separator: "\n")
            return text.isEmpty ? nil : text
        }
        func finishSection() {
            if let current = option { content.options.append(current); option = nil }
            switch section {
            case "Problem": content.problem = finishText() ?? ""
            case "Root cause": content.rootCause = finishText()
            case "Business impact": content.businessImpact = finishText()
            default: body = []
            }
        }
        let textSections: Set<String> = ["Problem", "Root cause", "Business impact"]
        let known: Set<String> = textSections.union([
            "Clusters", "Tests", "Whys", "Options", "Status checklist", "Key findings", "Next steps", "Evidence",
        ])
        var seen = Set<String>()
        var inComment = false
        for (offset, raw) in document.components(separatedBy: "\n").enumerated() {
            let number = offset + 1
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if section.map(textSections.contains) == true, !line.hasPrefix("#") {
                body.append(line)
                continue
            }
            if inComment || trimmed.hasPrefix("<!--") {
                inComment = !trimmed.hasSuffix("-->")
                continue
            }
            if trimmed.isEmpty { continue }
            if line.hasPrefix("## ") {
                finishSection()
                let name = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces)
                guard known.contains(name) else {
                    throw fail(
                        number,
                        "unknown section \"\(name)\" (the sections are \(known.sorted().joined(separator: ", ")))")
                }
                guard seen.insert(name).inserted else { throw fail(number, "the section \"\(name)\" appears twice") }
                section = name
                continue
            }
            if line.hasPrefix("# ") && section == nil { continue }
            switch section {
            case nil:
                guard let colon = line.firstIndex(of: ":") else {
                    throw fail(number, "expected `Key: value` (Status, Owner, Risk, Priority) before the first section")
                }
                let key = line[..<colon].trimmingCharacters(in: .whitespaces)
                let value = try unescape(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)) {
                    fail(number, $0)
                }
                switch key {
                case "Status":
                    guard let status = WhysStatus(rawValue: value) else {
                        throw fail(
                            number,
                            "status \"\(value)\" is not one of \(WhysStatus.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                    content.status = status
                    sawStatus = true
                case "Owner": content.owner = value
                case "Risk": content.risk = value
                case "Priority": content.priority = value
                default: throw fail(number, "unknown field \"\(key)\" (the fields are Status, Owner, Risk, Priority)")
                }
            case "Clusters", "Tests", "Key findings", "Next steps", "Evidence":
                guard trimmed.hasPrefix("- ") else {
                    throw fail(number, "expected a `- item` line in \(section ?? "")")
                }
                let value = try unescape(String(trimmed.dropFirst(2))) { fail(number, $0) }
                switch section {
                case "Clusters": content.clusterIDs.append(value)
                case "Tests": content.tests.append(value)
                case "Key findings": content.findings.append(value)
                case "Next steps": content.nextSteps.append(value)
                default: content.evidence.append(value)
                }
            case "Whys":
                if let dot = trimmed.firstIndex(of: "."), !trimmed[..<dot].isEmpty,
                    trimmed[..<dot].allSatisfy(\.isNumber)
                {
                    let rest = trimmed[trimmed.index(after: dot)...].trimmingCharacters(in: .whitespaces)
                    if rest.hasPrefix("Why:") {
                        let question = try unescape(rest.dropFirst(4).trimmingCharacters(in: .whitespaces)) {
                            fail(number, $0)
                        }
                        content.steps.append(.init(question: question, answer: ""))
                    } else if rest.hasPrefix("Because:") {
                        content.steps.append(
                            .init(
                                answer: try unescape(rest.dropFirst(8).trimmingCharacters(in: .whitespaces)) {
                                    fail(number, $0)
                                }))
                    } else {
                        throw fail(number, "a why is `N. Why: question` and `Because: answer`, or `N. Because: answer`")
                    }
                } else if trimmed.hasPrefix("Because:"), let last = content.steps.indices.last,
                    content.steps[last].question != nil, content.steps[last].answer.isEmpty
                {
                    content.steps[last].answer = try unescape(trimmed.dropFirst(8).trimmingCharacters(in: .whitespaces))
                    { fail(number, $0) }
                } else {
                    throw fail(number, "a why is `N. Why: question` and `Because: answer`, or `N. Because: answer`")
                }
            case "Options":
                if line.hasPrefix("### ") {
                    if let current = option { content.options.append(current) }
                    option = WhysContent.Option(
                        title: try unescape(String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces)) {
                            fail(number, $0)
                        })
                    continue
                }
                guard option != nil else { throw fail(number, "an option starts with a `### title` line") }
                if trimmed.hasPrefix("Chosen:") {
                    option?.isChosen = trimmed.dropFirst(7).trimmingCharacters(in: .whitespaces).lowercased() == "yes"
                } else if trimmed.hasPrefix("Approach:") {
                    option?.approach = try unescape(trimmed.dropFirst(9).trimmingCharacters(in: .whitespaces)) {
                        fail(number, $0)
                    }
                } else if trimmed.hasPrefix("- Pro:") {
                    option?.pros.append(
                        try unescape(trimmed.dropFirst(6).trimmingCharacters(in: .whitespaces)) { fail(number, $0) })
                } else if trimmed.hasPrefix("- Con:") {
                    option?.cons.append(
                        try unescape(trimmed.dropFirst(6).trimmingCharacters(in: .whitespaces)) { fail(number, $0) })
                } else {
                    throw fail(number, "an option has `Chosen: yes`, `Approach: …`, `- Pro: …` and `- Con: …` lines")
                }
            case "Status checklist":
                let marks: [String: ChecklistState] = [
                    "- [x] ": .done, "- [X] ": .done, "- [~] ": .partial, "- [ ] ": .todo,
                ]
                guard let (prefix, state) = marks.first(where: { trimmed.hasPrefix($0.key) }) else {
                    throw fail(number, "a checklist item is `- [x] done`, `- [~] partial` or `- [ ] to do`")
                }
                content.checklist.append(
                    .init(
                        text: try unescape(String(trimmed.dropFirst(prefix.count))) { fail(number, $0) }, state: state))
            default:
                throw fail(number, "unexpected line in \(section ?? "the header")")
            }
        }
        finishSection()
        if !sawStatus { throw fail(1, "the `Status:` line is missing") }
        if let index = content.steps.firstIndex(where: { $0.answer.isEmpty }) {
            throw TriageError.invalidArgument(
                "\(file): why \(index + 1) has no `Because:` answer; give each why its answer")
        }
        return content
    }

    static func mark(_ state: ChecklistState) -> String {
        switch state {
        case .done: "x"
        case .partial: "~"
        case .todo: " "
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\r\n": out += "\\r\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func unescape(_ text: String, _ error: (String) -> TriageError) throws -> String {
        var out = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "\\": out += "\\"
                case "n": out += "\n"
                case "r": out += "\r"
                default: throw error("unknown escape \\\(character) (write \\\\ for a backslash)")
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        if escaping { throw error("a line ends with a lone \\ (write \\\\ for a backslash)") }
        return out
    }
}
