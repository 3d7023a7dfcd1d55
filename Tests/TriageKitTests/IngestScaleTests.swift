import Foundation
import GRDB
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

/// Ingest at scale and under change: repeated reports fold in linear time, identity covers
/// whole names, a file is checked and parsed as one opened file, and `jobs` changes nothing
/// that is stored. The time bounds are loose hang detectors; the figures are in the README.
@Suite struct IngestScaleTests {
    private func elapsed(_ body: () throws -> Void) rethrows -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    private func attempts(_ db: TriageDatabase) throws -> [String: Int] {
        try db.read { db in
            let rows = try db.fetchAll(sql: "SELECT test.name, result.attempts FROM result JOIN test ON test.id = result.test_id")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["name"] as String, $0["attempts"] as Int) })
        }
    }

    @Test(.disabled(if: TestSupport.onPostgres, "a guard on the folding algorithm, which both backends share; timed on SQLite"))
    func twoTestsAlternatingWithFailuresFoldInLinearTime() throws {
        var body = ""
        for index in 0..<2_000 {
            for name in ["a", "b"] {
                body +=
                    "<testcase classname=\"m\" name=\"\(name)\" time=\"0.1\"><failure message=\"boom \(index)\">trace \(index)</failure></testcase>\n"
            }
        }
        let url = try TestSupport.write("<testsuite name=\"s\">\n\(body)</testsuite>\n")
        let db = try TestSupport.database()
        var report: IngestReport?
        let seconds = try elapsed { report = try Ingestor(database: db).ingest([url.path]) }
        // A guard against quadratic folding (minutes), not a speed target: those are in triage-bench.
        #expect(seconds < 60, "4,000 alternating repeats took \(seconds) s")
        #expect(report?.totals?.tests == 2)
        #expect(try attempts(db) == ["a": 2_000, "b": 2_000])
        let stored = try db.read { db in
            try db.fetchAll(sql: "SELECT seq, kind, outcome, message FROM attempt ORDER BY result_id, seq")
        }
        #expect(stored.count == 4_000)
        #expect(stored.prefix(2).map { $0["kind"] as String } == ["run", "retry"])
        #expect(stored.last?["message"] as String? == "boom 1999")

        // `triage parse` folds them the same way.
        let parsed = try ReportReader.readAll(url).cases
        #expect(parsed.map(\.attempts.count) == [2_000, 2_000])
    }

    @Test(.disabled(if: TestSupport.onPostgres, "a guard on the folding algorithm, which both backends share; timed on SQLite"))
    func oneTestRepeatedAdjacentlyFoldsInLinearTime() throws {
        let element = "<testcase classname=\"m\" name=\"t\" time=\"0.1\"/>\n"
        let url = try TestSupport.write(
            "<testsuite name=\"s\">\n" + String(repeating: element, count: 40_000) + "</testsuite>\n")
        let db = try TestSupport.database()
        var report: IngestReport?
        let seconds = try elapsed { report = try Ingestor(database: db).ingest([url.path]) }
        #expect(seconds < 60, "40,000 adjacent repeats took \(seconds) s")
        #expect(try attempts(db) == ["t": 40_000])
        // pytest-rerunfailures: every childless pass but the last was a failed attempt.
        #expect(report?.totals == RunTotals(tests: 1, passed: 1, retried: 1))
    }

    @Test func aRepeatFoldedIntoAStoredResultMatchesTheInMemoryFold() throws {
        // Non-adjacent repeats go through the writer; the parse output folds them in memory.
        let file = """
            <testsuite name="s">
            <testcase classname="m" name="a" time="1"/>
            <testcase classname="m" name="b" time="2"/>
            <testcase classname="m" name="a" time="3"><error message="failed on teardown with boom">x</error></testcase>
            <testcase classname="m" name="b" time="4"><failure message="no">y</failure></testcase>
            <testcase classname="m" name="a" time="5"/>
            <testcase classname="m" name="b" time="6"/>
            </testsuite>
            """
        let url = try TestSupport.write(file)
        let parsed = try ReportReader.readAll(url).cases
        let db = try TestSupport.database()
        _ = try Ingestor(database: db).ingest([url.path])
        let stored = try db.read { db in
            try db.fetchAll(sql: """
                    SELECT test.name, result.outcome, result.retried, result.duration, result.attempts
                    FROM result JOIN test ON test.id = result.test_id ORDER BY test.name
                    """)
        }
        for (row, testCase) in zip(stored, parsed.sorted { $0.name < $1.name }) {
            #expect(row["name"] as String == testCase.name)
            #expect(row["outcome"] as String == testCase.outcome.rawValue)
            #expect(row["retried"] as Bool == testCase.isRetriedToPass)
            #expect(row["duration"] as Double? == testCase.duration)
            #expect(row["attempts"] as Int == testCase.attempts.count)
        }
        let kinds = try db.read { db in
            try db.fetchAll(sql: """
                    SELECT test.name, attempt.kind, attempt.outcome, attempt.inferred FROM attempt
                    JOIN result ON result.id = attempt.result_id JOIN test ON test.id = result.test_id
                    ORDER BY test.name, attempt.seq
                    """
            ).map { "\($0["name"] as String) \($0["kind"] as String) \($0["outcome"] as String) \($0["inferred"] as Int)" }
        }
        let expected = parsed.sorted { $0.name < $1.name }.flatMap { testCase in
            testCase.attempts.map { "\(testCase.name) \($0.kind.rawValue) \($0.outcome.rawValue) \($0.isInferred ? 1 : 0)" }
        }
        #expect(kinds == expected)
    }

    @Test func namesThatDifferOnlyAfterTheCutAreTwoTests() throws {
        let common = String(repeating: "x", count: 70_000)
        let url = try TestSupport.write(
            """
            <testsuite name="s">
            <testcase classname="m" name="\(common)-one"/>
            <testcase classname="m" name="\(common)-two"/>
            </testsuite>
            """)
        let parsed = try ReportReader.readAll(url).cases
        #expect(parsed.count == 2)
        #expect(parsed.allSatisfy { $0.name.utf8.count < 66_000 }, "names are stored cut")
        #expect(parsed[0].identity != parsed[1].identity)
        let db = try TestSupport.database()
        let report = try Ingestor(database: db).ingest([url.path])
        #expect(report.totals?.tests == 2)
        #expect(try db.read { try $0.fetchOne(Int.self, sql: "SELECT COUNT(*) FROM test") } == 2)
        // The same names again find the same two tests.
        let again = try TestSupport.write(try String(contentsOf: url, encoding: .utf8) + "\n")
        _ = try Ingestor(database: db).ingest([again.path])
        #expect(try db.read { try $0.fetchOne(Int.self, sql: "SELECT COUNT(*) FROM test") } == 2)
    }

    @Test func aFileSwappedAfterTheChecksIsNotParsedInItsPlace() throws {
        let folder = try TestSupport.temporaryFolder()
        let path = folder.appendingPathComponent("results.xml")
        try Data(#"<testsuite name="s"><testcase classname="m" name="checked"/></testsuite>"#.utf8).write(to: path)
        let inspection = try ReportReader.inspect(path)
        // Another file takes the path between the checks and parsing.
        let other = folder.appendingPathComponent("other.xml")
        try Data(#"<testsuite name="s"><testcase classname="m" name="swapped"/><?x?></testsuite>"#.utf8).write(to: other)
        #expect(rename(other.path, path.path) == 0)
        var names: [String] = []
        let info = try ReportReader.read(path, inspection: inspection) { names.append($0.name) }
        #expect(names == ["checked"])
        #expect(info.size == inspection.size)
    }

    @Test func aFileChangedInPlaceAfterTheChecksIsRefused() throws {
        let path = try TestSupport.write(#"<testsuite name="s"><testcase classname="m" name="one"/></testsuite>"#)
        let inspection = try ReportReader.inspect(path)
        let handle = try FileHandle(forWritingTo: path)
        try handle.seek(toOffset: 50)
        try handle.write(contentsOf: Data("two".utf8))
        try handle.close()
        let error = try #require(throws: TriageError.self) {
            try ReportReader.read(path, inspection: inspection) { _ in }
        }
        #expect(error.description.contains("changed while triage read it"))
    }

    @Test func checksFindProblemsAcrossChunkBoundaries() throws {
        // A bad byte and a data-less instruction just past the first 1 MiB read.
        let padding = "<testcase classname=\"m\" name=\"t\"/>\n"
        let lines = (1 << 20) / padding.utf8.count + 1
        var bad = Data(("<testsuite name=\"s\">\n" + String(repeating: padding, count: lines)).utf8)
        bad.append(contentsOf: [0xC3])  // a lead byte whose sequence is cut by a tag
        bad.append(contentsOf: Data("<x/></testsuite>\n".utf8))
        let badURL = try TestSupport.temporaryFolder().appendingPathComponent("bad.xml")
        try bad.write(to: badURL)
        let badError = try #require(throws: TriageError.self) { try ReportReader.readAll(badURL) }
        #expect(badError.description.contains("not UTF-8"))
        #expect(badError.description.contains("line \(lines + 2)"))

        let instruction = try TestSupport.write(
            "<testsuite name=\"s\">\n" + String(repeating: padding, count: lines) + "<?x  ?></testsuite>\n")
        let instructionError = try #require(throws: TriageError.self) { try ReportReader.readAll(instruction) }
        #expect(instructionError.description.contains("processing instruction without data"))

        // Multi-byte characters cut by a read's end are fine.
        let accents = try TestSupport.write(
            "<testsuite name=\"s\">\n" + String(repeating: "<testcase classname=\"é\" name=\"𝄞 ✓\"/>\n", count: 40_000)
                + "</testsuite>\n")
        #expect(try ReportReader.readAll(accents).cases.count == 1)
    }

    @Test func theStoredHistoryIsTheSameWhateverJobsIs() throws {
        let folder = try TestSupport.temporaryFolder()
        for file in 0..<6 {
            var body = ""
            for index in 0..<300 {
                let failing = (index + file) % 7 == 0
                body +=
                    failing
                    ? "<testcase classname=\"f\(file)\" name=\"t\(index)\" time=\"0.01\"><failure message=\"Connection refused on port \(6000 + index)\">trace</failure></testcase>\n"
                    : "<testcase classname=\"f\(file)\" name=\"t\(index)\" time=\"0.01\"/>\n"
            }
            try Data("<testsuite name=\"s\(file)\">\n\(body)</testsuite>\n".utf8)
                .write(to: folder.appendingPathComponent("results-\(file).xml"))
        }
        // A copy of the first file is a duplicate whatever order the parsers finish in.
        try FileManager.default.copyItem(
            at: folder.appendingPathComponent("results-0.xml"), to: folder.appendingPathComponent("results-9.xml"))
        func dump(jobs: Int) throws -> [String] {
            let db = try TestSupport.database()
            let report = try Ingestor(database: db).ingest(
                [folder.path], options: IngestOptions(runKey: "r", now: Date(timeIntervalSince1970: 0), jobs: jobs))
            #expect(report.files.map(\.status).filter { $0 == .duplicate }.count == 1)
            return try db.read { db in
                var lines: [String] = []
                for (table, order) in [
                    ("run", "id"), ("run_file", "id"), ("test", "id"), ("result", "id"), ("attempt", "id"),
                    ("failure_cluster", "id"),
                ] {
                    for row in try db.fetchAll(sql: "SELECT * FROM \(table) ORDER BY \(order)") {
                        lines.append("\(table) \(row.values)")
                    }
                }
                return lines
            }
        }
        let one = try dump(jobs: 1)
        #expect(one.count > 1_800)
        #expect(try dump(jobs: 4) == one)
        #expect(try dump(jobs: 2) == one)
    }
}
