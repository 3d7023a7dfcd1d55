import Foundation
import GRDB
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

/// Are two results the same test, in the same run, on the same variant? One test per shape that
/// real producers write (see README, "Test identity").
@Suite struct TestIdentityTests {
    private func fixture(_ name: String) -> String { TestSupport.fixture("identity/" + name).path }

    private func stored(_ db: TriageDatabase) throws -> [String] {
        try db.allTests().map(\.displayID).sorted()
    }

    private func count(_ db: TriageDatabase, _ table: String) throws -> Int {
        try db.read { try $0.fetchOne(Int.self, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    @Test func playwrightProjectsAreVariantsNotRetries() throws {
        let cases = try ReportReader.readAll(URL(fileURLWithPath: fixture("playwright-projects.xml"))).cases
        #expect(cases.count == 6)
        #expect(cases.allSatisfy { $0.attempts.count == 1 })
        #expect(Set(cases.map { $0.variant.pairs["project"] ?? "" }) == ["chromium", "firefox"])

        let db = try TestSupport.database()
        let report = try Ingestor(database: db).ingest([fixture("playwright-projects.xml")])
        #expect(report.totals == RunTotals(tests: 6, passed: 5, failed: 1, errors: 0, skipped: 0, retried: 0))
        #expect(try stored(db).contains("checkout.spec.ts::removes an item [project=firefox]"))
        #expect(try stored(db).contains("checkout.spec.ts::removes an item [project=chromium]"))
    }

    @Test func hostnameIsAMachineNotAVariantOutsidePlaywright() throws {
        let cases = try ReportReader.readAll(URL(fileURLWithPath: fixture("past-runs/results-1.xml"))).cases
        #expect(cases.allSatisfy { $0.variant.isEmpty })
    }

    @Test func nestedSuitesPerBrowserAreSeparateTests() throws {
        let db = try TestSupport.database()
        let report = try Ingestor(database: db).ingest([fixture("nested-browsers.xml")])
        #expect(report.totals?.tests == 4)
        #expect(report.totals?.retried == 0)
        #expect(
            try stored(db).contains("FiltersTest: internet explorer › FiltersTest::filters by brand"))
        // The id without the suite path names two tests now: the error lists both.
        #expect(throws: TriageError.self) { try db.findTest("FiltersTest::filters by brand") }
        let found = try db.findTest("FiltersTest: chrome › FiltersTest::filters by brand")
        #expect(found.suitePath == "FiltersTest: chrome › FiltersTest")
    }

    @Test func nunit2FixturesInOtherNamespacesAreOtherTests() throws {
        let cases = try ReportReader.readAll(URL(fileURLWithPath: fixture("nunit2-namespaces.xml"))).cases
        #expect(cases.map(\.identity.baseID).sorted() == [
            "Billing.InvoiceTests::Totals", "Shipping.InvoiceTests::BadSignature", "Shipping.InvoiceTests::Totals",
        ])
        let notRunnable = try #require(cases.first { $0.name == "BadSignature" })
        #expect(notRunnable.outcome == .error)
        #expect(notRunnable.attempts[0].message?.contains("non-void return value") == true)
    }

    @Test func xunitRowsWithOneMethodAndOtherDisplayNamesAreOtherTests() throws {
        let cases = try ReportReader.readAll(URL(fileURLWithPath: fixture("xunit-display-names.xml"))).cases
        #expect(cases.count == 3)
        #expect(cases.allSatisfy { $0.attempts.count == 1 && $0.method == "Adds" })
        #expect(cases.map(\.name) == ["Adds small numbers", "Adds large numbers", "Adds negative numbers"])
    }

    @Test func matrixJobsSharingARunIdAreVariants() throws {
        let db = try TestSupport.database()
        let ingestor = Ingestor(database: db)
        for python in ["3.9", "3.12"] {
            _ = try ingestor.ingest(
                [fixture("past-runs/results-2.xml")],
                options: IngestOptions(runKey: "build-7", variant: Variant(["python": python])))
        }
        let runs = try db.runs()
        #expect(runs.count == 1)
        #expect(runs[0].totals == RunTotals(tests: 4, passed: 2, failed: 2, errors: 0, skipped: 0, retried: 0))
        #expect(try stored(db).contains("tests.test_x::test_b [python=3.12]"))
    }

    @Test func aRerunJobIntoTheSameRunIsARetry() throws {
        let db = try TestSupport.database()
        let ingestor = Ingestor(database: db)
        _ = try ingestor.ingest([fixture("past-runs/results-2.xml")], options: IngestOptions(runKey: "build-8"))
        let second = try ingestor.ingest([fixture("past-runs/results-3.xml")], options: IngestOptions(runKey: "build-8"))
        #expect(second.totals == RunTotals(tests: 2, passed: 2, failed: 0, errors: 0, skipped: 0, retried: 1))
    }

    @Test func aFolderOfPastRunsIsRefusedNamingTwoFilesAndTheWayOut() throws {
        let db = try TestSupport.database()
        #expect {
            try Ingestor(database: db).ingest([fixture("past-runs")])
        } throws: { error in
            let text = "\(error)"
            return text.contains("results-1.xml") && text.contains("results-2.xml") && text.contains("--each")
        }
        #expect(try count(db, "run") == 0)
        #expect(try count(db, "result") == 0)
    }

    @Test func eachFileIsARunOrderedByTheTimeItStates() throws {
        let db = try TestSupport.database()
        let reports = try Ingestor(database: db).ingestEach([fixture("past-runs")])
        #expect(reports.count == 4)
        // Stored in natural order (1, 2, 3, 10); history orders by the files' timestamps (10 first).
        let runs = try db.runs(limit: 10).reversed().map(\.runAt)
        #expect(
            runs == ["2026-02-20T10:00:00Z", "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z"])
        #expect(try db.runs(limit: 10).allSatisfy { $0.totals.retried == 0 && $0.totals.tests == 2 })
        // test_b failed once between passes in 4 runs: nothing passed on retry.
        let history = try FlakinessAnalyzer.analyze(db)
        #expect(history.tests.allSatisfy { $0.retriedRuns == 0 })
        // Again: every file is already stored.
        let again = try Ingestor(database: db).ingestEach([fixture("past-runs")])
        #expect(again.allSatisfy { $0.files.allSatisfy { $0.status == .duplicate } })
    }

    @Test func aBackfilledRunLandsInPlace() throws {
        let db = try TestSupport.database()
        let ingestor = Ingestor(database: db)
        let late = try ingestor.ingest([fixture("past-runs/results-3.xml")])
        let early = try ingestor.ingest([fixture("past-runs/results-1.xml")])
        #expect(try db.latestRunID() == late.runID)
        #expect(try db.previousRunID(before: try #require(late.runID), branch: nil) == early.runID)
        // --date overrides what the file states.
        let dated = try ingestor.ingest(
            [fixture("past-runs/results-2.xml")],
            options: IngestOptions(runTime: ISO8601.parseArgument("2026-04-01")))
        #expect(try db.latestRunID() == dated.runID)
    }

    @Test func deletingARunRemovesItAndRefusesOneACycleMeasured() throws {
        let db = try TestSupport.database()
        let ingestor = Ingestor(database: db)
        let first = try #require(try ingestor.ingest([fixture("past-runs/results-1.xml")]).runID)
        let second = try #require(try ingestor.ingest([fixture("past-runs/results-2.xml")]).runID)
        let third = try #require(try ingestor.ingest([fixture("past-runs/results-3.xml")]).runID)
        var start = CycleStart(effort: "flaky b")
        start.beforeRunID = second
        let cycle = try RemediationCycles.start(db, start)
        var close = CycleClose(status: .success)
        close.afterRunID = third
        _ = try RemediationCycles.close(db, id: cycle.id, close)

        let before = try db.read { try $0.fetchAll(sql: "SELECT * FROM result ORDER BY id").map(\.values) }
        #expect(throws: TriageError.self) { try db.deleteRun(id: second) }
        #expect(throws: TriageError.self) { try db.deleteRun(id: 99) }
        #expect(try db.read { try $0.fetchAll(sql: "SELECT * FROM result ORDER BY id").map(\.values) } == before)

        try db.deleteRun(id: first)
        #expect(try db.runs().map(\.id).sorted() == [second, third])
        #expect(try count(db, "run_file") == 2)
        #expect(try count(db, "result") == 4)
    }

    @Test func badVariantsAreRefused() throws {
        for bad in ["python", "=3.9", "py thon=3.9", "python=", "os=a\nb"] {
            #expect(throws: TriageError.self) { try Variant.parse(arguments: [bad]) }
        }
        #expect(throws: TriageError.self) { try Variant.parse(arguments: ["python=3.9", "python=3.12"]) }
        #expect(try Variant.parse(arguments: ["python=3.9", "os=linux"]).canonical == "os=linux, python=3.9")
        let tricky = Variant(["k": "a, b\\c"])
        #expect(Variant(canonical: tricky.canonical) == tricky)
    }

    @Test func aDatabaseFromBeforeSuitePathsKeepsItsTestsHistory() throws {
        // A test stored under its leaf suite alone is adopted by the nested-suite test it was.
        let db = try TestSupport.database()
        try db.transaction { db in
            try db.execute(
                sql: """
                    INSERT INTO test (identity_hash, suite, suite_path, classname, name, legacy)
                    VALUES (?, 'FiltersTest', 'FiltersTest', 'FiltersTest', 'filters by price', 1)
                    """,
                arguments: [TestIdentity(suitePath: "FiltersTest", classname: "FiltersTest", name: "filters by price").storageHash])
        }
        let legacyID = try db.read { try $0.fetchOne(Int64.self, sql: "SELECT id FROM test") }
        _ = try Ingestor(database: db).ingest([fixture("nested-browsers.xml")])
        let adopted = try db.tests(ids: [try #require(legacyID)]).values.first
        #expect(adopted?.suitePath == "FiltersTest: chrome › FiltersTest")
        #expect(try count(db, "test") == 4)
    }
}
