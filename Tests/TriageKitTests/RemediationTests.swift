import Foundation
import GRDB
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

/// The Redis remediation story from the hand-written reports: 55 integration tests, 28 passed
/// and 27 failing before (19 Redis refused on 6381, 6 missing fixture, 2 import errors); after
/// the fix 9 Redis tests pass: 37 passed, 18 failing. Five unit tests lie outside the scope.
enum RemediationStory {
    static let redis = "ConnectionError: Error 111 connecting to localhost:6381. Connection refused."
    static let fixture = "fixture 'isolated_test_env' not found"
    static let importError = "ImportError: cannot import name 'AgentRegistry' from 'app.agents'"

    /// One run's JUnit XML; `after` is the run after the fix.
    static func xml(after: Bool) -> String {
        var cases = ""
        func add(_ classname: String, _ name: String, _ body: String = "") {
            cases += "<testcase classname=\"\(classname)\" name=\"\(name)\" time=\"0.01\">\(body)</testcase>\n"
        }
        for index in 0..<28 { add("tests.integration.test_api", "test_ok_\(index)") }
        for index in 0..<19 {
            add(
                "tests.integration.test_persistence", "test_redis_\(index)",
                after && index < 9 ? "" : "<failure message=\"\(redis)\">trace</failure>")
        }
        for index in 0..<6 {
            add(
                "tests.integration.test_fixtures", "test_fixture_\(index)",
                "<error message=\"\(fixture)\">setup</error>")
        }
        for index in 0..<2 {
            add(
                "tests.integration.test_imports", "test_import_\(index)",
                "<error message=\"\(importError)\">collect</error>")
        }
        // Out of scope: three failing in both runs, one newly failing after.
        for index in 0..<5 {
            let failing = index < 3 || (after && index == 3)
            add(
                "tests.unit.test_units", "test_unit_\(index)",
                failing ? "<failure message=\"AssertionError: unit \(index)\">t</failure>" : "")
        }
        return "<testsuite name=\"pytest\">\n\(cases)</testsuite>"
    }

    /// Ingests `xml` as a new run into `db`; returns the run id.
    @discardableResult
    static func ingest(_ db: TriageDatabase, _ xml: String, key: String) throws -> Int64 {
        let url = try TestSupport.write(xml)
        let report = try Ingestor(database: db).ingest(
            [url.path], options: IngestOptions(runKey: key, metadata: RunMetadata(commit: key, branch: "main")))
        return try #require(report.runID)
    }

    /// The cluster ids of the before run by how many tests they fail (19, 6, 2), looked up from
    /// the database so the tests do not depend on the signature engine's ids.
    static func clusters(_ db: TriageDatabase, run: Int64) throws -> (redis: String, fixture: String, imports: String) {
        let counts = try db.runDetail(id: run).failuresByCluster
        let redis = try #require(counts.first { $0.tests == 19 }).clusterID
        let fixture = try #require(counts.first { $0.tests == 6 }).clusterID
        let imports = try #require(counts.first { $0.tests == 2 }).clusterID
        return (redis, fixture, imports)
    }
}

/// Adds two clusters whose ids share the prefix "amb-", for the ambiguous-prefix errors.
func addAmbiguousClusters(_ db: TriageDatabase) throws {
    try db.transaction { database in
        for id in ["amb-1", "amb-2"] {
            try database.execute(
                sql:
                    "INSERT INTO failure_cluster (id, category, template, rules_version) VALUES (?, 'test', 't', 'test')",
                arguments: [id])
        }
    }
}

/// Every row of every remediation table, to show a rejected command changed nothing.
func remediationSnapshot(_ db: TriageDatabase) throws -> String {
    try db.read { database in
        var text = ""
        for table in [
            "whys", "whys_step", "whys_option", "whys_item", "whys_cluster", "whys_test", "cycle", "cycle_note",
            "cycle_cluster", "cycle_whys", "cycle_result",
        ] {
            for row in try database.fetchAll(sql: "SELECT * FROM \(table) ORDER BY 1, 2") {
                text += "\(table): \(row.values)\n"
            }
        }
        return text
    }
}

@Suite struct CycleTests {
    @Test func theRedisStoryGivesTheReportedFiguresAndClusters() throws {
        let db = try TestSupport.database()
        let before = try RemediationStory.ingest(db, RemediationStory.xml(after: false), key: "before")
        let ids = try RemediationStory.clusters(db, run: before)
        var start = CycleStart(effort: "Redis integration remediation")
        start.maxCycles = 20
        start.scope = "tests/integration/*"
        start.clusters = [String(ids.redis.prefix(6))]
        let cycle = try RemediationCycles.start(db, start)
        #expect(cycle.label == "cycle 1 of 20")
        #expect(cycle.beforeRunID == before)
        #expect(cycle.clusters.map(\.id) == [ids.redis])

        let after = try RemediationStory.ingest(db, RemediationStory.xml(after: true), key: "after")
        _ = try RemediationCycles.note(db, id: cycle.id, "fakeredis approach validated")
        var close = CycleClose(status: .partial)
        close.nextSteps = ["Complete fakeredis wiring"]
        close.risk = "low"
        close.priority = "medium"
        let closed = try RemediationCycles.close(db, id: cycle.id, close)
        let m = try #require(closed.measurement)
        #expect(closed.isMeasurementStored)
        #expect(m.beforeRunID == before && m.afterRunID == after)
        #expect(m.before?.tests == 55 && m.before?.passed == 28 && m.before?.failing == 27)
        #expect(m.before?.failed == 19 && m.before?.errors == 8)
        #expect(m.after?.tests == 55 && m.after?.passed == 37 && m.after?.failing == 18)
        #expect(m.passedChange == 9)
        #expect(m.fixed.count == 9 && m.newlyFailing.isEmpty && m.stillFailing.count == 18)  // unit tests are out of scope
        #expect(m.remainingByCluster.map(\.clusterID) == [ids.redis, ids.fixture, ids.imports])
        #expect(m.remainingByCluster.map(\.testsAfter) == [10, 6, 2])
        #expect(m.remainingByCluster.map(\.testsBefore) == [19, 6, 2])
        #expect(m.remainingByCategory.map(\.testsAfter).reduce(0, +) == 18)
        #expect(m.verdict == .improved)
        #expect(
            closed.nextSteps == ["Complete fakeredis wiring"] && closed.risk == "low" && closed.priority == "medium")
        #expect(closed.notes.map(\.text) == ["fakeredis approach validated"])

        // The JSON names the documented fields.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(jsonString(closed).utf8)) as? [String: Any])
        let measurement = try #require(json["measurement"] as? [String: Any])
        #expect((measurement["before"] as? [String: Any])?["passRate"] as? Double == 28.0 / 55.0)
        #expect(measurement["passedChange"] as? Int == 9)
        #expect(measurement["verdict"] as? String == "improved")

        // Stored on close: a later run does not change a closed cycle's figures.
        try RemediationStory.ingest(db, RemediationStory.xml(after: false), key: "relapse")
        #expect(try RemediationCycles.show(db, id: cycle.id).measurement == m)
        // The next cycle of the effort counts on, with the first cycle's maximum.
        var next = CycleStart(effort: "Redis integration remediation")
        next.scope = "tests.integration.test_persistence::*"
        #expect(try RemediationCycles.start(db, next).label == "cycle 2 of 20")
    }

    @Test(arguments: [
        (2, 0, 10, CycleVerdict.noChange),  // two fixed among ten: could be chance
        (9, 0, 55, .improved),
        (0, 7, 20, .regressed),
        (4, 4, 30, .noChange),
        (3, 0, 4, .inconclusive),  // fewer than five paired tests
    ])
    func theVerdictIsMcNemarsExactTestOnPairedTests(fixed: Int, broken: Int, paired: Int, expected: CycleVerdict) {
        let (verdict, pValue, _) = CycleMeasurement.verdict(
            hasBefore: true, hasAfter: true, paired: paired, becamePassing: fixed, becameFailing: broken)
        #expect(verdict == expected)
        #expect((pValue == nil) == (expected == .inconclusive))
        #expect(
            CycleMeasurement.verdict(hasBefore: true, hasAfter: false, paired: 55, becamePassing: 9, becameFailing: 0).0
                == .inconclusive)
    }

    @Test func mcNemarAndWilsonFigures() throws {
        #expect(abs(McNemar.exactPValue(9, 0) - 2.0 / 512.0) < 1e-12)
        #expect(McNemar.exactPValue(3, 3) == 1)
        let interval = try #require(Wilson.interval(successes: 28, trials: 55))
        #expect(abs(interval.low - 0.3808) < 0.001 && abs(interval.high - 0.6362) < 0.001)
    }

    @Test func withoutARunSinceTheStartTheCycleIsInconclusive() throws {
        let db = try TestSupport.database()
        try RemediationStory.ingest(db, RemediationStory.xml(after: false), key: "before")
        var start = CycleStart(effort: "E")
        start.scope = "tests/integration/test_persistence.py::*"
        let cycle = try RemediationCycles.start(db, start)
        let m = try #require(cycle.measurement)
        #expect(m.before?.tests == 19)
        #expect(m.after == nil)
        #expect(m.verdict == .inconclusive)
    }

    @Test func scopesMatchDisplayIdsAndPytestPaths() {
        let test = StoredTest(
            id: 1, suite: "pytest", classname: "tests.integration.test_x.TestC", name: "test_y", file: nil)
        for pattern in [
            "tests/integration/*", "tests.integration.*", "tests/integration/test_x.py::TestC::test_?", "*::test_y",
            "*",
        ] {
            #expect(TestScope(pattern).matches(test), "\(pattern)")
        }
        for pattern in ["tests/unit/*", "test_y", "tests/integration/test_x.py::test_y", "*::test_?z"] {
            #expect(!TestScope(pattern).matches(test), "\(pattern)")
        }
    }

    @Test func badCycleInputIsOneErrorAndChangesNothing() throws {
        let db = try TestSupport.database()
        try RemediationStory.ingest(db, RemediationStory.xml(after: false), key: "before")
        var start = CycleStart(effort: "E")
        start.maxCycles = 1
        let cycle = try RemediationCycles.start(db, start)
        try RemediationStory.ingest(db, RemediationStory.xml(after: true), key: "after")
        _ = try RemediationCycles.close(db, id: cycle.id, CycleClose(status: .success))
        try addAmbiguousClusters(db)
        let snapshot = try remediationSnapshot(db)

        func rejects(_ fragment: String, _ body: () throws -> Void) throws {
            let error = try #require(throws: TriageError.self) { try body() }
            #expect(error.exitCode == 2)
            #expect(error.description.contains(fragment), "\(error.description)")
            #expect(!error.description.contains("\n"))
            #expect(try remediationSnapshot(db) == snapshot)
        }
        try rejects("already closed") { _ = try RemediationCycles.close(db, id: cycle.id, CycleClose(status: .failed)) }
        try rejects("cycle 99 does not exist") {
            _ = try RemediationCycles.close(db, id: 99, CycleClose(status: .failed))
        }
        try rejects("cycle 99 does not exist") { _ = try RemediationCycles.note(db, id: 99, "x") }
        try rejects("cycle 99 does not exist") { _ = try RemediationCycles.show(db, id: 99) }
        try rejects("the note is empty") { _ = try RemediationCycles.note(db, id: cycle.id, "  ") }
        try rejects("matches no stored test") {
            var request = CycleStart(effort: "F")
            request.scope = "tests/nothing/*"
            _ = try RemediationCycles.start(db, request)
        }
        try rejects("no cluster id starts with") {
            var request = CycleStart(effort: "F")
            request.clusters = ["zz-not-a-cluster"]
            _ = try RemediationCycles.start(db, request)
        }
        try rejects("is ambiguous") {
            var request = CycleStart(effort: "F")
            request.clusters = ["amb-"]
            _ = try RemediationCycles.start(db, request)
        }
        try rejects("Five-Whys 42 does not exist") {
            var request = CycleStart(effort: "F")
            request.whys = [42]
            _ = try RemediationCycles.start(db, request)
        }
        try rejects("run 77 does not exist") {
            var request = CycleStart(effort: "F")
            request.beforeRunID = 77
            _ = try RemediationCycles.start(db, request)
        }
        try rejects("has had its 1 cycles") { _ = try RemediationCycles.start(db, CycleStart(effort: "E")) }
    }
}

@Suite struct WhysTests {
    private func story() throws -> (TriageDatabase, Int64, (redis: String, fixture: String, imports: String)) {
        let db = try TestSupport.database()
        let run = try RemediationStory.ingest(db, RemediationStory.xml(after: false), key: "before")
        return (db, run, try RemediationStory.clusters(db, run: run))
    }

    @Test func aRecordCollectsWhysOptionsAndStatus() throws {
        let (db, _, ids) = try story()
        let created = try FiveWhysBook.create(
            db, problem: "9 persistence tests fail: Redis connection required", clusters: [String(ids.redis.prefix(8))],
            tests: ["tests/integration/test_persistence.py::test_redis_3"], owner: "ana")
        #expect(created.clusters.map(\.id) == [ids.redis])
        #expect(created.tests == ["tests.integration.test_persistence::test_redis_3"])
        #expect(created.status == .open)
        _ = try FiveWhysBook.addWhy(db, id: created.id, answer: "Redis client returns None")
        _ = try FiveWhysBook.addWhy(
            db, id: created.id, answer: "No Redis service on expected ports",
            question: "Why does the manager return None?")
        var changes = WhysChanges()
        changes.rootCause = "No Redis service in the test environment"
        changes.status = .analysed
        changes.addEvidence = ["https://ci.example/build/41"]
        changes.checklist = [
            .init(text: "Analysis complete", state: .done), .init(text: "Implementation", state: .partial),
        ]
        _ = try FiveWhysBook.set(db, id: created.id, changes)
        _ = try FiveWhysBook.addOption(
            db, id: created.id,
            .init(
                title: "Install Redis locally", pros: ["real service"], cons: ["one more thing to run"], isChosen: true)
        )
        let record = try FiveWhysBook.addOption(
            db, id: created.id, .init(title: "fakeredis", pros: ["no service"], isChosen: true))
        #expect(record.steps.map(\.answer) == ["Redis client returns None", "No Redis service on expected ports"])
        #expect(record.steps[1].question == "Why does the manager return None?")
        #expect(record.rootCause == "No Redis service in the test environment")
        #expect(record.status == .analysed)
        #expect(record.options.map(\.isChosen) == [false, true])  // choosing one un-chooses the other
        #expect(record.checklist.map(\.state) == [.done, .partial])
        #expect(record.evidence == ["https://ci.example/build/41"])
        let markdown = RemediationOutput.markdown(record)
        #expect(markdown.contains("1. Redis client returns None"))
        #expect(markdown.contains("| fakeredis |  | no service |  | ✅ |"))
    }

    @Test func aRecordRoundTripsThroughItsMarkdownDocument() throws {
        let (db, _, ids) = try story()
        let created = try FiveWhysBook.create(db, problem: "p", clusters: [ids.redis])
        var content = WhysContent(
            problem: "Line one\n## not a heading\n\\ starts with a backslash\n# nor this\n\n- not an item | `code`")
        content.status = .fixed
        content.owner = "Zoë \\ ops"
        content.risk = "LOW - Does not affect $25K+ MRR"
        content.priority = "Medium: dev velocity"
        content.rootCause = "No Redis\nservice"
        content.businessImpact = "CI red → merges blocked"
        content.clusterIDs = [ids.redis, ids.fixture]
        content.tests = [
            "tests.integration.test_persistence::test_redis_1", "tests.integration.test_fixtures::test_fixture_0",
        ]
        content.steps = [
            .init(question: "Why 1: Because: → ?", answer: "Because: a\nb \\n literal"),
            .init(answer: "Why: not a question"),
        ]
        content.options = [
            .init(
                title: "### Option A", approach: "Approach: x", pros: ["- Con: tricky"], cons: ["c1", "c2"],
                isChosen: false),
            .init(title: "B (chosen)", pros: [], cons: [], isChosen: true),
        ]
        content.checklist = [
            .init(text: "[x] done?", state: .todo), .init(text: "b", state: .partial), .init(text: "c", state: .done),
        ]
        content.findings = ["Login → AI responses works"]
        content.nextSteps = ["Wire fakeredis", "Status: fine"]
        content.evidence = ["https://example.com/a?b=c#d"]
        let stored = try FiveWhysBook.replace(db, id: created.id, with: content)
        #expect(stored.content == content)

        let document = WhysMarkdown.document(stored)
        let file = try TestSupport.write(document, name: "whys.md")
        let parsed = try WhysMarkdown.parse(try String(contentsOf: file, encoding: .utf8), file: file.path)
        #expect(parsed == content)
        // Editing the file changes the record; everything else stays.
        let edited = document.replacingOccurrences(of: "Status: fixed", with: "Status: verified")
            .replacingOccurrences(of: "## Evidence\n", with: "## Evidence\n\n- https://example.com/new")
        let updated = try FiveWhysBook.replace(
            db, id: created.id, with: try WhysMarkdown.parse(edited, file: "edited.md"))
        #expect(updated.status == .verified)
        #expect(updated.evidence == ["https://example.com/new", "https://example.com/a?b=c#d"])
        #expect(
            updated.steps == content.steps && updated.options == content.options && updated.problem == content.problem)
    }

    @Test func aBadDocumentIsRejectedWithItsLine() throws {
        let (db, _, ids) = try story()
        let record = try FiveWhysBook.create(db, problem: "p", clusters: [ids.redis])
        let document = WhysMarkdown.document(record)
        let snapshot = try remediationSnapshot(db)
        let cases = [
            (document.replacingOccurrences(of: "Status: open", with: "Status: done"), "is not one of"),
            (document + "\n## Mood\n\ngood\n", "unknown section \"Mood\""),
            (
                document.replacingOccurrences(of: "## Whys\n", with: "## Whys\n\n1. Why: only a question\n"),
                "no `Because:` answer"
            ),
            (
                document.replacingOccurrences(of: "## Evidence\n", with: "## Evidence\n\nnot an item\n"),
                "expected a `- item` line"
            ),
        ]
        for (text, fragment) in cases {
            let error = try #require(throws: TriageError.self) {
                _ = try FiveWhysBook.replace(db, id: record.id, with: try WhysMarkdown.parse(text, file: "r.md"))
            }
            #expect(error.description.contains(fragment), "\(error.description)")
            #expect(error.description.hasPrefix("r.md: line") || error.description.hasPrefix("r.md: why"))
        }
        // Parsed, but naming a cluster that does not exist or dropping the problem.
        for (text, fragment) in [
            (document.replacingOccurrences(of: "- \(ids.redis)", with: "- nope-cluster"), "no cluster id starts with"),
            (document.replacingOccurrences(of: "## Problem\n\np\n", with: "## Problem\n\n"), "needs a problem"),
        ] {
            let error = try #require(throws: TriageError.self) {
                _ = try FiveWhysBook.replace(db, id: record.id, with: try WhysMarkdown.parse(text, file: "r.md"))
            }
            #expect(error.description.contains(fragment), "\(error.description)")
        }
        #expect(try remediationSnapshot(db) == snapshot)
    }

    @Test func aRecordIsReadyToVerifyAfterQuietRuns() throws {
        let (db, _, ids) = try story()
        let redis = try FiveWhysBook.create(db, problem: "redis", clusters: [ids.redis])
        let fixture = try FiveWhysBook.create(db, problem: "fixture", clusters: [ids.fixture])
        let fixedXML = RemediationStory.xml(after: false)
            .replacingOccurrences(of: "<failure message=\"\(RemediationStory.redis)\">trace</failure>", with: "")
        for index in 1...2 { try RemediationStory.ingest(db, fixedXML, key: "fixed-\(index)") }
        #expect(try FiveWhysBook.show(db, id: redis.id).isReadyToVerify == false)  // two quiet runs of three
        #expect(try FiveWhysBook.show(db, id: redis.id, quietRuns: 2).isReadyToVerify == true)
        try RemediationStory.ingest(db, fixedXML, key: "fixed-3")
        let list = try FiveWhysBook.list(db)
        #expect(list.records.first { $0.id == redis.id }?.isReadyToVerify == true)
        #expect(list.records.first { $0.id == fixture.id }?.isReadyToVerify == false)
        #expect(list.groups.first { $0.cluster.id == ids.redis }?.failingInLatestRun == 0)
        #expect(list.groups.first { $0.cluster.id == ids.fixture }?.failingInLatestRun == 6)
        #expect(RemediationOutput.text(list).contains("ready to verify"))
        var verified = WhysChanges()
        verified.status = .verified
        #expect(try FiveWhysBook.set(db, id: redis.id, verified).status == .verified)
        #expect(try FiveWhysBook.show(db, id: redis.id).isReadyToVerify == false)
    }

    @Test func badWhysInputIsOneErrorAndChangesNothing() throws {
        let (db, _, ids) = try story()
        let record = try FiveWhysBook.create(db, problem: "p", clusters: [ids.redis])
        try addAmbiguousClusters(db)
        let snapshot = try remediationSnapshot(db)
        func rejects(_ fragment: String, _ body: () throws -> Void) throws {
            let error = try #require(throws: TriageError.self) { try body() }
            #expect(error.exitCode == 2)
            #expect(error.description.contains(fragment), "\(error.description)")
            #expect(try remediationSnapshot(db) == snapshot)
        }
        try rejects("the why is empty") { _ = try FiveWhysBook.addWhy(db, id: record.id, answer: " \n ") }
        try rejects("Five-Whys 9 does not exist") { _ = try FiveWhysBook.addWhy(db, id: 9, answer: "x") }
        try rejects("Five-Whys 9 does not exist") { _ = try FiveWhysBook.set(db, id: 9, WhysChanges()) }
        try rejects("Five-Whys 9 does not exist") { _ = try FiveWhysBook.show(db, id: 9) }
        try rejects("no cluster id starts with") {
            _ = try FiveWhysBook.create(db, problem: "p", clusters: ["zz-none"])
        }
        try rejects("is ambiguous") { _ = try FiveWhysBook.create(db, problem: "p", clusters: ["amb-"]) }
        try rejects("the cluster id is empty") { _ = try FiveWhysBook.create(db, problem: "p", clusters: [" "]) }
        try rejects("needs at least one cluster") { _ = try FiveWhysBook.create(db, problem: "p", clusters: []) }
        try rejects("needs a problem") { _ = try FiveWhysBook.create(db, problem: "  ", clusters: [ids.redis]) }
        try rejects("no stored test matches") {
            _ = try FiveWhysBook.create(db, problem: "p", clusters: [ids.redis], tests: ["no_such_test"])
        }
        try rejects("the option has no title") { _ = try FiveWhysBook.addOption(db, id: record.id, .init(title: " ")) }
    }
}
