import Foundation
import GRDB
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

/// What a CI cache saves is the database file alone: after every write that succeeded, that
/// file must hold everything, with the `-wal` file left behind. Outputs never land on the
/// history, and a bad baseline is refused before anything is stored.
@Suite struct NothingLostTests {
    private static let tables = ["run", "run_file", "test", "result", "attempt", "failure_cluster", "quarantine", "whys", "cycle"]

    private func counts(_ reader: some DatabaseReader) throws -> [String: Int] {
        try reader.read { db in
            var counts: [String: Int] = [:]
            for table in Self.tables { counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") }
            return counts
        }
    }

    /// Copies the database file alone (no `-wal`, no `-shm`), as `actions/cache` of the file
    /// would, and checks that the copy is whole and holds what the live database holds.
    private func expectFileAloneHoldsEverything(_ db: TriageDatabase, after step: String) throws {
        let copy = try TestSupport.temporaryFolder().appendingPathComponent("copy.sqlite")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: db.path), to: copy)
        let wal = (try? FileManager.default.attributesOfItem(atPath: db.path + "-wal")[.size] as? Int) ?? 0
        #expect(wal == 0, "after \(step): \(wal) bytes left in the -wal file")
        let queue = try DatabaseQueue(path: copy.path)
        #expect(try queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok", "after \(step)")
        #expect(try counts(queue) == counts(db.writer), "after \(step)")
        try queue.close()
    }

    private func resultFile(_ name: String, failing: Set<Int>, tests: Int = 30) throws -> String {
        let cases = (0..<tests).map { index in
            failing.contains(index)
                ? #"<testcase classname="\#(name)" name="t\#(index)"><failure message="AssertionError: t\#(index) broke">trace</failure></testcase>"#
                : #"<testcase classname="\#(name)" name="t\#(index)"/>"#
        }
        return try TestSupport.write(#"<testsuite name="\#(name)">"# + cases.joined() + "</testsuite>", name: "\(name).xml")
            .path
    }

    // MARK: - The database file alone

    @Test func everyWriteLeavesTheDatabaseFileWholeWithoutItsWAL() throws {
        let path = try TestSupport.temporaryFolder().appendingPathComponent("history.sqlite").path
        // The database stays open all along: nothing relies on SQLite's checkpoint at close.
        let db = try TriageDatabase(path: path)
        try expectFileAloneHoldsEverything(db, after: "creating the schema")

        let ingestor = Ingestor(database: db)
        _ = try ingestor.ingest([try resultFile("unit", failing: [1, 2])], options: IngestOptions(runKey: "one"))
        try expectFileAloneHoldsEverything(db, after: "an ingest")

        _ = try Quarantine.add(QuarantineRequest(name: "unit::t1", isPattern: true, reason: "timing"), to: db)
        try expectFileAloneHoldsEverything(db, after: "quarantine add")

        let cluster = try #require(try db.clusterSummaries().first)
        let whys = try FiveWhysBook.create(db, problem: "t1 breaks", clusters: [cluster.id])
        _ = try FiveWhysBook.addWhy(db, id: whys.id, answer: "the clock moves")
        try expectFileAloneHoldsEverything(db, after: "whys new and why")

        var start = CycleStart(effort: "unit remediation")
        start.maxCycles = 3
        _ = try RemediationCycles.start(db, start)
        try expectFileAloneHoldsEverything(db, after: "cycle start")

        _ = try db.recluster(with: .builtin)
        try expectFileAloneHoldsEverything(db, after: "recluster")

        try Quarantine.remove("unit::t1", from: db)
        try expectFileAloneHoldsEverything(db, after: "quarantine remove")

        var options = CIOptions(patterns: [try resultFile("unit2", failing: [3])])
        options.runKey = "ci-2"
        options.environment = [:]
        _ = try CIGate.run(databasePath: path, options: options)
        try expectFileAloneHoldsEverything(db, after: "the CI gate")
        #expect(try counts(db.writer)["run"] == 2)
    }

    @Test func openingAnExistingDatabaseWritesNothing() throws {
        let path = try TestSupport.temporaryFolder().appendingPathComponent("history.sqlite").path
        _ = try Ingestor(database: try TriageDatabase(path: path)).ingest(
            [try resultFile("unit", failing: [1])], options: IngestOptions(runKey: "one"))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        // GRDB's own WAL setup committed a throwaway table on every open, reads included: on a
        // full disk the checkpoint at close then left the database file alone malformed.
        let db = try TriageDatabase(path: path)
        #expect(try db.runs().map(\.key) == ["one"])
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(wal == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try db.readSQLite { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
    }

    @Test func aWALThatCannotBeFoldedInFailsLoudlyAndSaysTheDataIsStored() throws {
        let path = try TestSupport.temporaryFolder().appendingPathComponent("history.sqlite").path
        let db = try TriageDatabase(path: path, busyTimeout: 0.1)
        _ = try Ingestor(database: db).ingest([try resultFile("first", failing: [])], options: IngestOptions(runKey: "first"))

        // Another connection in the middle of a long read keeps its snapshot in the -wal file,
        // so SQLite cannot empty it: the checkpoint stays busy through every retry.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let reader = try DatabaseQueue(path: path, configuration: configuration)
        try reader.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN DEFERRED")
            _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run")
        }
        let error = try #require(throws: TriageError.self) {
            try Ingestor(database: db).ingest(
                [try resultFile("second", failing: [])], options: IngestOptions(runKey: "second"))
        }
        #expect(error.exitCode == 4)
        #expect(error.description.hasPrefix(path + ": the changes were saved, but only in its -wal file"))
        try reader.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
        try reader.close()

        // Stored, and folded in by the next command once nothing holds the file.
        _ = try TriageDatabase(path: path)
        #expect(try db.runs().map(\.key).sorted() == ["first", "second"])
        try expectFileAloneHoldsEverything(db, after: "the reader let go")
    }

    // MARK: - Outputs

    @Test func anOutputThatIsTheDatabaseOrOneOfItsFilesIsRefused() throws {
        let folder = try TestSupport.temporaryFolder()
        let path = folder.appendingPathComponent("history.sqlite").path
        _ = try TriageDatabase(path: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let link = folder.appendingPathComponent("link.md").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        let hardLink = folder.appendingPathComponent("hard.md").path
        try FileManager.default.linkItem(atPath: path, toPath: hardLink)
        let spellings = [
            path, path + "-wal", path + "-shm", path + ".lock", link, hardLink,
            folder.appendingPathComponent("./sub/../history.sqlite").path,
        ]
        for output in spellings {
            let error = try #require(throws: TriageError.self) {
                try OutputFile.write("# report\n", to: output, database: path)
            }
            #expect(error.exitCode == 2)
            #expect(error.description.contains("is the history database"), "\(output)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func outputsGoThroughLinksIntoDevicesAndFIFOsWithoutReplacingThem() async throws {
        let folder = try TestSupport.temporaryFolder()
        let target = folder.appendingPathComponent("real.json").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: target))
        let link = folder.appendingPathComponent("out.json").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real.json")
        try OutputFile.write("{}\n", to: link, database: nil)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "real.json")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "{}\n")

        // A dangling link creates its target.
        let dangling = folder.appendingPathComponent("dangling.md").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "later/new.md")
        try OutputFile.write("x", to: dangling, database: nil)
        #expect(try String(contentsOfFile: folder.appendingPathComponent("later/new.md").path, encoding: .utf8) == "x")

        // A device is written, not replaced; a full one is an error.
        try OutputFile.write("nothing\n", to: "/dev/null", database: nil)
        #expect(FileManager.default.fileExists(atPath: "/dev/null"))
        let full = try #require(throws: TriageError.self) { try OutputFile.write("x", to: "/dev/full", database: nil) }
        #expect(full.description == "/dev/full: cannot be written: No space left on device")
        let appended = try #require(throws: TriageError.self) {
            try OutputFile.append("x", to: "/dev/full", database: nil)
        }
        #expect(appended.exitCode == 2)
        var info = stat()
        #expect(stat("/dev/full", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)

        // A FIFO gets the text, and stays a FIFO.
        let fifo = folder.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let received = Task.detached { () -> String in
            guard let handle = FileHandle(forReadingAtPath: fifo) else { return "could not open the FIFO" }
            defer { try? handle.close() }
            return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        }
        try OutputFile.write("through the pipe", to: fifo, database: nil)
        #expect(await received.value == "through the pipe")
        #expect(stat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)

        let error = try #require(throws: TriageError.self) { try OutputFile.write("x", to: folder.path, database: nil) }
        #expect(error.description.hasSuffix("is a folder; name a file"))
    }

    // MARK: - Templates

    @Test(arguments: [
        (["run.md": "{{%CONTENT_TYPE: TEXT}}\n{{> run.md}}"], "run.md → run.md"),
        (
            ["_totals.md": "{{%CONTENT_TYPE: TEXT}}\n{{> _a.md}}", "_a.md": "{{%CONTENT_TYPE: TEXT}}\n{{=<% %>=}}<%> _totals.md%>"],
            "_a.md → _totals.md → _a.md"
        ),
    ])
    func aPartialThatIncludesItselfIsRefused(files: [String: String], cycle: String) throws {
        let folder = try TestSupport.temporaryFolder()
        for (name, text) in files {
            try Data(text.utf8).write(to: folder.appendingPathComponent("\(name).mustache"))
        }
        let error = try #require(throws: TriageError.self) { try TemplateRenderer(overrideFolders: [folder]) }
        #expect(error.exitCode == 5)
        #expect(error.description.contains("includes itself (\(cycle))"), "\(error)")
    }

    @Test func aMissingPartialIsRefused() throws {
        let folder = try TestSupport.temporaryFolder()
        try Data("{{%CONTENT_TYPE: TEXT}}\n{{> _nothing.md}}".utf8).write(
            to: folder.appendingPathComponent("run.md.mustache"))
        let error = try #require(throws: TriageError.self) { try TemplateRenderer(overrideFolders: [folder]) }
        #expect(error.exitCode == 5)
        #expect(error.description.hasPrefix("template " + folder.appendingPathComponent("run.md.mustache").path + ": includes the partial `_nothing.md`, which does not exist"))
        #expect(throws: Never.self) { try TemplateRenderer() }
    }

    // MARK: - Arguments before writes

    @Test func aBaselineThatDoesNotExistStoresNothing() throws {
        let path = try TestSupport.temporaryFolder().appendingPathComponent("history.sqlite").path
        var first = CIOptions(patterns: [try resultFile("unit", failing: [])])
        first.environment = [:]
        first.runKey = "first"
        _ = try CIGate.run(databasePath: path, options: first)
        let before = try counts(TriageDatabase(path: path).writer)

        for baseline in ["999", "no-such-branch"] {
            var options = CIOptions(patterns: [try resultFile("unit", failing: [4])])
            options.environment = [:]
            options.baseline = baseline
            let error = try #require(throws: TriageError.self) { try CIGate.run(databasePath: path, options: options) }
            #expect(error.exitCode == 2)
            #expect(error.description.hasPrefix("--baseline \(baseline): "))
            #expect(try counts(TriageDatabase(path: path).writer) == before)
        }

        // No history yet: refused without creating one.
        let fresh = try TestSupport.temporaryFolder().appendingPathComponent("new.sqlite").path
        var options = CIOptions(patterns: [try resultFile("unit", failing: [])])
        options.environment = [:]
        options.baseline = "1"
        #expect(throws: TriageError.self) { try CIGate.run(databasePath: fresh, options: options) }
        #expect(!FileManager.default.fileExists(atPath: fresh))
    }
}
