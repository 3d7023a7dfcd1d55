import Foundation
import TriageModel
import TriageStore
import Mustache

/// Renders view models with the Markdown templates: the defaults from `templates/` (embedded
/// in the binary at build time), overridden by name from `.triage/templates/` and then from
/// `--templates DIR`.
public struct TemplateRenderer: Sendable {
    /// Template sources by name (file name without `.mustache`), after overrides.
    public let sources: [String: String]
    /// Where each template came from: "built-in" or the override file's path.
    public let origins: [String: String]
    private let library: MustacheLibrary

    /// - Parameters:
    ///   - overrideFolders: folders searched for `NAME.mustache` files, later ones winning.
    public init(overrideFolders: [URL] = []) throws {
        var sources = EmbeddedTemplates.all
        var origins = sources.mapValues { _ in "built-in" }
        for folder in overrideFolders {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for file in names.sorted() where file.hasSuffix(".mustache") {
                let url = folder.appendingPathComponent(file)
                let name = String(file.dropLast(".mustache".count))
                do {
                    sources[name] = try String(contentsOf: url, encoding: .utf8)
                } catch {
                    throw TriageError.template(
                        name: url.path, reason: "cannot be read as UTF-8 text: \(error.localizedDescription)")
                }
                origins[name] = url.path
            }
        }
        var library = MustacheLibrary()
        for (name, source) in sources.sorted(by: { $0.key < $1.key }) {
            do {
                library.register(try MustacheTemplate(string: source), named: name)
            } catch let error as MustacheTemplate.ParserError {
                throw TriageError.template(
                    name: origins[name] ?? name,
                    reason:
                        "line \(error.context.lineNumber), column \(error.context.columnNumber): \(Self.describe(error.error)) in `\(error.context.line.trimmingCharacters(in: .whitespaces))`"
                )
            } catch {
                throw TriageError.template(name: origins[name] ?? name, reason: "\(error)")
            }
        }
        try Self.checkPartials(sources, origins: origins)
        self.sources = sources
        self.origins = origins
        self.library = library
    }

    // MARK: - Partials

    /// Refuses a partial that does not exist (it would render as nothing, without a word) and
    /// a template that includes itself, directly or through others (rendering would recurse
    /// until the stack overflows; triage's view models have no recursive data to stop it).
    static func checkPartials(_ sources: [String: String], origins: [String: String]) throws {
        let includes = sources.mapValues(partialNames)
        for (name, partials) in includes.sorted(by: { $0.key < $1.key }) {
            for partial in partials where sources[partial] == nil {
                throw TriageError.template(
                    name: origins[name] ?? name,
                    reason:
                        "includes the partial `\(partial)`, which does not exist; the templates are \(sources.keys.sorted().joined(separator: ", "))"
                )
            }
        }
        // Depth-first search from every template; a name met again on the current path is a cycle.
        var finished: Set<String> = []
        func visit(_ name: String, path: [String]) throws {
            if let start = path.firstIndex(of: name) {
                let cycle = path[start...] + [name]
                throw TriageError.template(
                    name: origins[cycle[start]] ?? cycle[start],
                    reason:
                        "includes itself (\(cycle.joined(separator: " → "))); a partial cannot include the template that includes it"
                )
            }
            guard !finished.contains(name) else { return }
            for partial in includes[name] ?? [] { try visit(partial, path: path + [name]) }
            finished.insert(name)
        }
        for name in includes.keys.sorted() { try visit(name, path: []) }
    }

    /// The names in the partial tags (`{{> name}}`) of a template, following set-delimiter tags.
    static func partialNames(_ source: String) -> [String] {
        var open = "{{", close = "}}"
        var names: [String] = []
        var rest = Substring(source)
        while let start = rest.range(of: open) {
            rest = rest[start.upperBound...]
            // A triple mustache (`{{{x}}}`) reads as the tag `{x`: not a partial.
            guard let end = rest.range(of: close) else { break }
            let tag = rest[..<end.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[end.upperBound...]
            if tag.hasPrefix("="), tag.hasSuffix("="), tag.count > 2 {
                let parts = tag.dropFirst().dropLast().split(whereSeparator: \.isWhitespace)
                if parts.count == 2 { (open, close) = (String(parts[0]), String(parts[1])) }
            } else if tag.hasPrefix(">") {
                let name = tag.dropFirst().trimmingCharacters(in: .whitespaces)
                if !name.isEmpty, !name.hasPrefix("*") { names.append(name) }
            }
        }
        return names
    }

    /// The default override folders: `.triage/templates` under the current folder, then `extra`.
    public static func standard(templatesFolder extra: String? = nil) throws -> TemplateRenderer {
        var folders = [URL(fileURLWithPath: ".triage/templates")]
        if let extra {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: extra, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw TriageError.template(name: extra, reason: "--templates must name a folder of NAME.mustache files")
            }
            folders.append(URL(fileURLWithPath: extra))
        }
        return try TemplateRenderer(overrideFolders: folders)
    }

    /// Renders `view` with the template `name`.
    public func render(_ view: Any, template name: String) throws -> String {
        guard let output = library.render(view, withTemplate: name) else {
            throw TriageError.template(
                name: name,
                reason:
                    "no such template; the built-in ones are \(EmbeddedTemplates.all.keys.sorted().joined(separator: ", "))"
            )
        }
        return output
    }

    private static func describe(_ error: Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect?: "a section is closed with another name than it was opened with"
        case .unfinishedName?: "a tag is not closed (missing }})"
        case .expectedSectionEnd?: "a section is opened but never closed"
        case .invalidSetDelimiter?: "a set-delimiter tag is malformed"
        default: "\(error)"
        }
    }
}
