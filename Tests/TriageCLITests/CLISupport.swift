import Foundation
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

/// Runs the built `triage` binary the way a user or CI would.
struct CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary `swift build` made beside this test bundle (debug or release).
    static var binary: URL {
        let bundleFolder = Bundle.main.bundleURL.deletingLastPathComponent()
        let candidates = [
            bundleFolder.appendingPathComponent("triage"),
            Bundle.main.bundleURL.appendingPathComponent("triage"),
            packageRoot.appendingPathComponent(".build/debug/triage"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[2]
    }

    static func fixture(_ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/TriageKitTests/Fixtures").appendingPathComponent(name).path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let folder: URL
    var environment: [String: String]

    /// A CLI working in a fresh folder, with CI variables cleared so results do not depend
    /// on where the tests run.
    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("triage-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        environment = ProcessInfo.processInfo.environment.filter { key, _ in
            ![
                "CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "JENKINS_HOME", "BUILDKITE", "CIRCLECI", "TF_BUILD",
                "TRIAGE_DB",
            ].contains(key)
        }
        environment["NO_COLOR"] = "1"
        // On the PostgreSQL leg of the suite, the default history is a new database of its own.
        if Self.onPostgres { environment["TRIAGE_DB"] = try ScratchPostgres.create() }
    }

    /// Whether the suite runs on PostgreSQL (`TRIAGE_TEST_BACKEND=postgresql`).
    static var onPostgres: Bool { ProcessInfo.processInfo.environment["TRIAGE_TEST_BACKEND"] == "postgresql" }

    var databasePath: String { folder.appendingPathComponent(".triage/triage.sqlite").path }

    func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Result {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.binary.path),
            "build the binary first: swift build (looked for \(Self.binary.path))")
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = environment.merging(extra) { _, new in new }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts the binary without waiting, for tests of concurrent writers.
    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
