import Foundation
import Testing

/// Only the store talks SQL: no other source file imports GRDB or writes a SQL statement, so
/// a second backend has one place to implement.
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
        for file in files where !file.path.contains("/Store/") {
            let text = try String(contentsOf: file, encoding: .utf8)
            if text.contains("import GRDB") { offenders.append("\(file.lastPathComponent): imports GRDB") }
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

    @Test func theStoreCallsNoAnalysis() throws {
        let analyses = ["SignatureEngine", "FlakinessAnalyzer", "FiveWhysBook", "RemediationCycles", "CIGate", "Ingestor("]
        var offenders: [String] = []
        for file in try Self.swiftFiles() where file.path.contains("/Store/") {
            let text = try String(contentsOf: file, encoding: .utf8)
            for name in analyses where text.contains(name) { offenders.append("\(file.lastPathComponent): \(name)") }
        }
        #expect(offenders.isEmpty, "\(offenders)")
    }
}
