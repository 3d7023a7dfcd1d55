import Foundation
import GRDB
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

@Suite struct IngestTests {
    let pytestFile = TestSupport.fixture("junit/pytest-rerun-and-teardown.xml").path
    let surefireFile = TestSupport.fixture("junit/surefire-flaky-and-rerun.xml").path
    let truncatedFile = TestSupport.fixture("junit/truncated.xml").path

    private func counts(_ db: TriageDatabase) throws -> [String: Int] {
        try db.read { db in
            var counts: [String: Int] = [:]
            for table in ["run", "run_file", "test", "result", "attempt", "failure_cluster"] {
                counts[table] = try db.fetchOne(Int.self, sql: "SELECT COUNT(*) FROM \(table)")
            }
            return counts
        }
    }

    @Test func storesARunWithTotalsAttemptsAndFiles() throws {
        let db = try TestSupport.database()
        let report = try Ingestor(database: db).ingest(
            [pytestFile],
            options: IngestOptions(metadata: RunMetadata(commit: "abc", branch: "main", labels: ["os": "linux"])))
        #expect(report.isNewRun)
        #expect(report.files.map(\.status) == [.ingested])
        let totals = try #require(report.totals)
        #expect(totals == RunTotals(tests: 4, passed: 1, failed: 0, errors: 2, skipped: 1, retried: 1))
        #expect(totals.passRate == 1.0 / 3.0)

        let detail = try db.runDetail(id: try #require(report.runID))
        #expect(detail.run.metadata.commit == "abc")
        #expect(detail.run.metadata.labels == ["os": "linux"])
        #expect(detail.files.count == 1)
        #expect(detail.files[0].sha256.count == 64)
        #expect(detail.failuresByCluster.reduce(0) { $0 + $1.tests } == 2)

        let stored = try counts(db)
        #expect(stored["result"] == 4)
        // 3 attempts of the rerun test, 2 of the teardown test, 1 skipped, 1 collection error.
        #expect(stored["attempt"] == 7)
    }

    @Test func ingestingTheSameFileAgainAddsNothing() throws {
        let db = try TestSupport.database()
        let ingestor = Ingestor(database: db)
        let first = try ingestor.ingest([pytestFile])
        let before = try counts(db)
        let second = try ingestor.ingest([pytestFile])
        #expect(second.runID == first.runID)
        #expect(second.files.map(\.status) == [.duplicate])
        #expect(try counts(db) == before)

        // The same file for a named run that already holds it: still nothing.
        _ = try ingestor.ingest([pytestFile], options: IngestOptions(runKey: "job-7"))
        let afterNamed = try counts(db)
        let again = try ingestor.ingest([pytestFile], options: IngestOptions(runKey: "job-7"))
        #expect(again.files.map(\.status) == [.duplicate])
        #expect(try counts(db) == afterNamed)
    }

    @Test func aBadFileMeansNothingIsWritten() throws {
        let db = try TestSupport.database()
        let ingestor = Ingestor(database: db)
        _ = try ingestor.ingest([surefireFile])
        let before = try counts(db)
        let error = try #require(throws: TriageError.self) {
            try ingestor.ingest([pytestFile, truncatedFile], options: IngestOptions(runKey: "shard"))
        }
        #expect(error.description.contains("truncated.xml"))
        #expect(try counts(db) == before)

        // Into an existing run too: the run keeps exactly what it had.
        let error2 = try #require(throws: TriageError.self) {
            try ingestor.ingest([truncatedFile], options: IngestOptions(runKey: try db.runs()[0].key))
        }
        #expect(error2.isBadInput)
        #expect(try counts(db) == before)
    }

    @Test func keepGoingStoresTheGoodFilesAndListsTheBadOnes() throws {
        let db = try TestSupport.database()
        let report = try Ingestor(database: db).ingest(
            [pytestFile, truncatedFile, surefireFile], options: IngestOptions(keepGoing: true))
        #expect(report.files.map(\.status) == [.ingested, .failed, .ingested])
        #expect(report.failedFiles.first?.note?.contains("the file ends inside") == true)
        #expect(report.totals?.tests == 7)
        #expect(try counts(db)["run_file"] == 2)
    }

    @Test func aBadFileLeavesNoClusterBehindForTheGoodFileAfterIt() throws {
        // Cut off after more cases than the parser hands over at once: its first failure is
        // written, and its cluster recorded, before the file's savepoint is rolled back.
        let failure =
            #"<testcase classname="t.A" name="first"><failure message="Error 111 connecting to localhost:6381. Connection refused.">x</failure></testcase>"#
        let passes = (0..<400).map { #"<testcase classname="t.A" name="p\#($0)"/>"# }.joined()
        let bad = try TestSupport.write(
            #"<testsuite name="a">"# + failure + passes + #"<testcase classname="t.A" name="cut"><failure message="x""#)
        let good = try TestSupport.write(
            #"<testsuite name="b">"# + failure.replacingOccurrences(of: "t.A", with: "t.B") + "</testsuite>")
        let db = try TestSupport.database()
        let report = try Ingestor(database: db).ingest([bad.path, good.path], options: IngestOptions(keepGoing: true))
        #expect(report.files.map(\.status) == [.failed, .ingested])
        let dangling = try db.read { db in
            try db.fetchOne(
                Int.self,
                sql: "SELECT COUNT(*) FROM result WHERE cluster_id IS NOT NULL AND cluster_id NOT IN (SELECT id FROM failure_cluster)")
        }
        #expect(dangling == 0)
        #expect(try counts(db)["failure_cluster"] == 1)
    }

    @Test func shardsSharingARunIDAreOneRunAndRepeatsBecomeAttempts() throws {
        let db = try TestSupport.database()
        let ingestor = Ingestor(database: db)
        let shard1 = try TestSupport.write(
            #"<testsuite name="s"><testcase classname="c" name="a"><failure message="boom">x</failure></testcase><testcase classname="c" name="b"/></testsuite>"#
        )
        let shard2 = try TestSupport.write(
            #"<testsuite name="s"><testcase classname="c" name="a"/><testcase classname="c" name="z"/></testsuite>"#)
        let first = try ingestor.ingest([shard1.path], options: IngestOptions(runKey: "ci-42"))
        let second = try ingestor.ingest([shard2.path], options: IngestOptions(runKey: "ci-42"))
        #expect(first.runID == second.runID)
        #expect(!second.isNewRun)
        #expect(second.totals == RunTotals(tests: 3, passed: 3, failed: 0, errors: 0, skipped: 0, retried: 1))
        #expect(try db.runs().count == 1)
    }

    @Test func aRunWithoutAnyStoredFileIsNotCreated() throws {
        let db = try TestSupport.database()
        let report = try Ingestor(database: db).ingest([truncatedFile], options: IngestOptions(keepGoing: true))
        #expect(report.runID == nil)
        #expect(try db.runs().isEmpty)
    }

    @Test func aFolderIsSearchedForResultFiles() throws {
        let folder = try TestSupport.temporaryFolder()
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("nested"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: pytestFile, toPath: folder.appendingPathComponent("nested/a.xml").path)
        try FileManager.default.copyItem(atPath: surefireFile, toPath: folder.appendingPathComponent("b.XML").path)
        try Data("ignored".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let files = try ResultFiles.expand([folder.path])
        #expect(files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["b.XML", "a.xml"])
        let empty = try TestSupport.temporaryFolder()
        #expect(throws: TriageError.self) { try ResultFiles.expand([empty.path]) }
    }

    @Test func aDatabaseFromANewerTriageIsRefusedAndLeftAlone() throws {
        let path = try TestSupport.temporaryFolder().appendingPathComponent("t.sqlite").path
        _ = try TriageDatabase(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write {
            try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
        }
        let error = try #require(throws: TriageError.self) { try TriageDatabase(path: path) }
        #expect(error.description.contains("newer version of triage"))
        let identifiers = try queue.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(identifiers.contains("v99-from-the-future"))
    }

    @Test func readsCIMetadataFromTheEnvironment() {
        let github = CIEnvironment.metadata(from: [
            "GITHUB_ACTIONS": "true", "GITHUB_SHA": "deadbeef", "GITHUB_REF_NAME": "main", "GITHUB_RUN_ID": "77",
            "GITHUB_RUN_ATTEMPT": "2", "GITHUB_REPOSITORY": "o/r", "GITHUB_REF": "refs/pull/12/merge",
            "GITHUB_HEAD_REF": "feature",
        ])
        #expect(
            github
                == RunMetadata(
                    commit: "deadbeef", branch: "feature", ciProvider: "github", buildID: "77-2",
                    buildURL: "https://github.com/o/r/actions/runs/77", pullRequest: "12"))
        let gitlab = CIEnvironment.metadata(from: [
            "GITLAB_CI": "true", "CI_COMMIT_SHA": "1", "CI_COMMIT_BRANCH": "dev", "CI_PIPELINE_ID": "9",
        ])
        #expect(gitlab.branch == "dev" && gitlab.buildID == "9" && gitlab.ciProvider == "gitlab")
        let jenkins = CIEnvironment.metadata(from: [
            "JENKINS_URL": "http://j", "GIT_COMMIT": "2", "BRANCH_NAME": "rel", "BUILD_NUMBER": "5",
        ])
        #expect(jenkins.ciProvider == "jenkins" && jenkins.branch == "rel" && jenkins.buildID == "5")
        let overridden = github.overridden(by: RunMetadata(branch: "forced", labels: ["k": "v"]))
        #expect(overridden.branch == "forced" && overridden.commit == "deadbeef" && overridden.labels == ["k": "v"])
    }
}
