import Foundation
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
        self.sources = sources
        self.origins = origins
        self.library = library
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
