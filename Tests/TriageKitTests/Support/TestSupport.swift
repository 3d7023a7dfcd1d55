import Foundation
@testable import TriageKit
import TriageModel
import TriageStore

/// Paths and scratch files for tests.
enum TestSupport {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    static func fixture(_ relativePath: String) -> URL {
        testsFolder.appendingPathComponent("Fixtures").appendingPathComponent(relativePath)
    }

    /// A new empty folder under the system temp folder.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("triage-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `content` to a new file named `name` in a fresh folder.
    static func write(_ content: String, name: String = "results.xml") throws -> URL {
        let url = try temporaryFolder().appendingPathComponent(name)
        try Data(content.utf8).write(to: url)
        return url
    }

    /// The backend the suite runs on: PostgreSQL when `TRIAGE_TEST_BACKEND=postgresql` and
    /// `TRIAGE_TEST_POSTGRES_ADMIN` names a server (`Tests/Scripts/with_postgres.sh` sets it),
    /// SQLite otherwise.
    static var onPostgres: Bool {
        ProcessInfo.processInfo.environment["TRIAGE_TEST_BACKEND"] == "postgresql"
    }

    /// A new, empty history on the backend the suite runs on: an in-memory SQLite database,
    /// or a new PostgreSQL database of its own.
    static func database() throws -> TriageDatabase {
        guard onPostgres else { return try .inMemory() }
        return try TriageDatabase(path: try ScratchPostgres.create())
    }

    static func cases(_ relativePath: String) throws -> [TestCase] {
        try ReportReader.readAll(fixture(relativePath)).cases
    }
}
