import Foundation
import Testing

/// Only the store talks SQL. The compiler keeps the direction (TriageModel ← TriageStore ←
/// TriageKit ← triage): these tests keep the package manifest and the sources from wearing
/// that down, e.g. a GRDB import or a SQL string creeping into the analyses.
@Suite struct StoreBoundaryTests {
    static let sources = TestSupport.testsFolder.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    static func swiftFiles() throws -> [URL] {
        let enumerator = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
    }

    @Test func onlyTheStoreImportsGRDBOrWritesSQL() throws {
        let files = try Self.swiftFiles()
        #expect(files.count > 50, "found the sources at \(Self.sources.path)")
        let sql = try Regex(#"sql:\s*"|\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\s+[a-z_]+\b"#)
        var offenders: [String] = []
        for file in files where !file.path.contains("/TriageStore/") {
            let text = try String(contentsOf: file, encoding: .utf8)
            for client in ["GRDB", "PostgresNIO", "NIOCore"] where text.contains("import \(client)") {
                offenders.append("\(file.lastPathComponent): imports \(client)")
            }
            if text.contains(sql) { offenders.append("\(file.lastPathComponent): writes SQL") }
        }
        #expect(offenders.isEmpty, "\(offenders)")
    }

    /// Report views shape values handed to them: nothing under Reports/ opens or reads the
    /// database (the loaders in Assembly/ gather the values).
    @Test func reportViewsReadNoDatabase() throws {
        let files = try Self.swiftFiles().filter { $0.path.contains("/Reports/") }
        #expect(files.count > 10, "found Reports/ at \(Self.sources.path)")
        var offenders: [String] = []
        for file in files where try String(contentsOf: file, encoding: .utf8).contains("TriageDatabase") {
            offenders.append(file.lastPathComponent)
        }
        #expect(offenders.isEmpty, "\(offenders)")
    }

    /// The targets' dependencies in Package.swift: the model depends on nothing, the store on
    /// the model and the database clients only, and no other target on a database client.
    @Test func theManifestKeepsTheDirection() throws {
        let manifest = try String(
            contentsOf: Self.sources.deletingLastPathComponent().appendingPathComponent("Package.swift"), encoding: .utf8)
        // Each `.target(` / `.executableTarget(` / `.testTarget(` block up to the next one.
        let blocks = [".executableTarget(", ".testTarget(", ".target("]
            .reduce(manifest) { $0.replacingOccurrences(of: $1, with: "\u{1}") }
            .components(separatedBy: "\u{1}").dropFirst()
        func block(_ name: String) throws -> String {
            try #require(blocks.first { $0.contains("name: \"\(name)\"") }, "target \(name) in Package.swift")
        }
        let model = try block("TriageModel")
        #expect(!model.contains("dependencies"), "TriageModel depends on nothing")
        let store = try block("TriageStore")
        #expect(store.contains("\"TriageModel\"") && !store.contains("\"TriageKit\""))
        for name in ["TriageKit", "triage", "triage-bench"] {
            let other = try block(name)
            for client in ["\"GRDB\"", "\"PostgresNIO\"", "\"GRDBSQLite\""] {
                #expect(!other.contains(client), "\(name) lists \(client)")
            }
        }
    }
}
