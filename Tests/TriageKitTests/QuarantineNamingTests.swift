import Foundation
import GRDB
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

/// Quarantine names tests as every command does, and `triage ci` and the pytest export agree on
/// what an entry covers.
@Suite struct QuarantineNamingTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    /// A history of one run of `tests.test_mod` tests, the given ones failing.
    static func history(_ names: [String], failing: Set<String> = []) throws -> TriageDatabase {
        var builder = try HistoryBuilder()
        try builder.run(Dictionary(uniqueKeysWithValues: names.map { ($0, failing.contains($0) ? "F" : "P") }))
        return builder.db
    }

    func add(
        _ name: String, pattern: Bool = false, reason: String? = "flaky: timing", owner: String? = nil,
        expires: Date? = nil, to db: TriageDatabase
    ) throws -> QuarantineChange {
        try Quarantine.add(
            QuarantineRequest(
                name: name, isPattern: pattern, reason: reason, owner: owner, expiresAt: expires, now: Self.now),
            to: db)
    }

    // MARK: - Naming

    @Test func aShortNameIsStoredAsTheFullIdAndTheGateMatchesIt() throws {
        let db = try Self.history(["test_a", "test_b"])
        let change = try add("test_b", to: db)
        #expect(change.isNew)
        #expect(change.entry.test == "tests.test_mod::test_b")
        #expect(!change.entry.isPattern)
        let matcher = QuarantineMatcher(try Quarantine.list(db))
        #expect(matcher.matches("tests.test_mod::test_b"))
        #expect(!matcher.matches("tests.test_mod::test_a"))
        #expect(!matcher.matches("test_b"))
    }

    @Test func aPytestNodeIdResolvesToo() throws {
        let db = try Self.history(["test_a", "test_b"])
        #expect(try add("tests/test_mod.py::test_b", to: db).entry.test == "tests.test_mod::test_b")
    }

    @Test func anAmbiguousNameListsTheCandidatesAndStoresNothing() throws {
        let db = try Self.history(["test_b1", "test_b2", "test_c"])
        let error = try #require(throws: TriageError.self) { try add("test_b", to: db) }
        #expect(error.exitCode == 2)
        #expect(error.description.contains("tests.test_mod::test_b1"))
        #expect(error.description.contains("tests.test_mod::test_b2"))
        #expect(try Quarantine.list(db).isEmpty)
    }

    @Test func aNameThatMatchesNoTestIsRefusedUnlessItIsAPattern() throws {
        let db = try Self.history(["test_a"])
        let error = try #require(throws: TriageError.self) { try add("test_nope", to: db) }
        #expect(error.exitCode == 2)
        #expect(error.description.contains("--pattern"))
        #expect(!error.description.contains("\n"))
        #expect(try Quarantine.list(db).isEmpty)

        let change = try add("tests.test_ws::*", pattern: true, to: db)
        #expect(change.entry.isPattern)
        #expect(try Quarantine.list(db).map(\.test) == ["tests.test_ws::*"])
        #expect(QuarantineMatcher(try Quarantine.list(db)).matches("tests.test_ws::test_reconnect"))
    }

    @Test func aNewQuarantineNeedsAReason() throws {
        let db = try Self.history(["test_a"])
        #expect(throws: TriageError.self) { try add("test_a", reason: nil, to: db) }
        #expect(throws: TriageError.self) { try add("test_a", reason: "  ", to: db) }
    }

    // MARK: - Brackets

    @Test func bracketsInIdsAreLiteral() throws {
        let db = try Self.history(["test_vat[7]", "test_vat7", "test_vat[8]"])
        #expect(try add("test_vat[7]", to: db).entry.test == "tests.test_mod::test_vat[7]")
        let exact = QuarantineMatcher(try Quarantine.list(db))
        #expect(exact.matches("tests.test_mod::test_vat[7]"))
        #expect(!exact.matches("tests.test_mod::test_vat7"))
        #expect(!exact.matches("tests.test_mod::test_vat[8]"))

        let glob = QuarantineMatcher([
            QuarantineEntry(test: "tests.test_mod::test_vat[?]", isPattern: true, reason: "r", createdAt: "")
        ])
        #expect(glob.matches("tests.test_mod::test_vat[8]"))
        #expect(!glob.matches("tests.test_mod::test_vat7"))
    }

    @Test(arguments: [
        ("tests.test_x::*", "tests.test_x::test_a", true),
        ("tests.test_x::*", "tests.test_x.TestA::test_a", false),
        ("tests.*::test_a", "tests.test_x.TestA::test_a", true),
        ("*", "", true),
        ("", "", true),
        ("", "a", false),
        ("a?c", "abc", true),
        ("a?c", "ac", false),
        ("a*b*c", "abc", true),
        ("a*b*c", "aXbYbZc", true),
        ("a*b*c", "acb", false),
        ("*ab*ab*", "abab", true),
        ("*ab*ab*", "aba", false),
        ("*aa*aa", "aaa", false),
        ("t[1]", "t[1]", true),
        ("t[1]", "t1", false),
        ("t[12]", "t1", false),
        ("t[!1]", "t[!1]", true),
        ("a/*", "a/b/c", true),
        ("x?", "xé", true),
    ])
    func globs(pattern: String, id: String, matches: Bool) {
        #expect(TestIDPattern(pattern).matches(id) == matches)
    }

    @Test func aGlobWrittenAsANodeIdMatchesStoredIds() {
        let matcher = QuarantineMatcher([
            QuarantineEntry(test: "tests/test_ws.py::test_re*", isPattern: true, reason: "r", createdAt: "")
        ])
        #expect(matcher.matches("tests.test_ws::test_reconnect"))
        #expect(!matcher.matches("tests.test_ws::test_close"))
    }

    // MARK: - Re-adding

    @Test func reAddingChangesOnlyTheFieldsGiven() throws {
        let db = try Self.history(["test_b"])
        let until = Self.now.addingTimeInterval(14 * 86400)
        try add("test_b", owner: "alice", expires: until, to: db)

        let change = try add("test_b", reason: nil, owner: "bob", to: db)
        #expect(!change.isNew)
        #expect(change.fields == [.init(name: "owner", before: "alice", after: "bob")])
        #expect(change.summary == "tests.test_mod::test_b: owner: alice → bob")
        let stored = try #require(try Quarantine.list(db).first)
        #expect(stored.owner == "bob")
        #expect(stored.reason == "flaky: timing")
        #expect(stored.expiresAt == ISO8601.string(until))

        let same = try add("tests.test_mod::test_b", reason: "flaky: timing", to: db)
        #expect(same.fields.isEmpty)
        #expect(same.summary.contains("nothing changed"))
        #expect(try Quarantine.list(db) == [stored])
    }

    @Test func reAddingANameStoredBeforeNamesWereResolvedFixesThatEntry() throws {
        let db = try Self.history(["test_b"])
        try db.transaction { db in
            try db.execute(
                sql: "INSERT INTO quarantine (test, reason, owner, created_at) VALUES ('test_b', 'old', 'alice', 'x')")
        }
        let change = try add("test_b", reason: nil, to: db)
        #expect(change.fields == [.init(name: "test", before: "test_b", after: "tests.test_mod::test_b")])
        let entries = try Quarantine.list(db)
        #expect(entries.map(\.test) == ["tests.test_mod::test_b"])
        #expect(entries.first?.owner == "alice")
    }

    @Test func reAddingAPatternAsATestSaysSo() throws {
        let db = try Self.history(["test_b"])
        try add("tests.test_mod::test_b", pattern: true, to: db)
        let change = try add("test_b", reason: nil, to: db)
        #expect(change.fields == [.init(name: "pattern", before: "yes", after: "no")])
        #expect(try Quarantine.list(db).map(\.isPattern) == [false])
    }

    @Test func entriesStoredBeforeTheColumnKeepTheirGlobs() throws {
        let path = try TestSupport.temporaryFolder().appendingPathComponent("old.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v4-partial-cluster-index")
        try queue.write { db in
            for test in ["tests/test_ws.py::*", "tests.test_x::test_?", "tests.test_x::test_vat[7]"] {
                try db.execute(
                    sql: "INSERT INTO quarantine (test, reason, created_at) VALUES (?, 'r', 'x')", arguments: [test])
            }
        }
        let entries = try Quarantine.list(try TriageDatabase(path: path))
        #expect(
            Dictionary(uniqueKeysWithValues: entries.map { ($0.test, $0.isPattern) }) == [
                "tests/test_ws.py::*": true, "tests.test_x::test_?": true, "tests.test_x::test_vat[7]": false,
            ])
    }

    @Test func removingTakesTheNameAsAddedOrAsListed() throws {
        let db = try Self.history(["test_b", "test_c"])
        try add("test_b", to: db)
        try add("test_c", to: db)
        #expect(try Quarantine.remove("test_b", from: db) == "tests.test_mod::test_b")
        #expect(try Quarantine.remove("tests.test_mod::test_c", from: db) == "tests.test_mod::test_c")
        #expect(throws: TriageError.self) { try Quarantine.remove("test_b", from: db) }
    }

    // MARK: - Expiry

    @Test(arguments: [
        "infd", "1e300w", "inf", "nan", "0d", "-1d", "1.5d", "3651d", "522w", "87601h", "99999999999999999999d", "14",
        "d", "soon", "2020-01-01", "2025-02-30", "2099-01-01", "2025-6-1", "",
    ])
    func unreasonableExpiriesAreRefused(text: String) {
        #expect(throws: TriageError.self) { try Quarantine.expiry(text, now: Self.now) }
    }

    @Test func expiriesAreDurationsOrDates() throws {
        #expect(try Quarantine.expiry("12h", now: Self.now) == Self.now.addingTimeInterval(12 * 3600))
        #expect(try Quarantine.expiry("2w", now: Self.now) == Self.now.addingTimeInterval(14 * 86400))
        #expect(try Quarantine.expiry("3650d", now: Self.now) == Self.now.addingTimeInterval(3650 * 86400))
        // 1_750_000_000 is 2025-06-15T15:06:40Z.
        #expect(try Quarantine.expiry("2025-07-01", now: Self.now) == ISO8601.date("2025-07-01T00:00:00Z"))
        #expect(try Quarantine.expiry("2025-07-01T12:00:00Z", now: Self.now) == ISO8601.date("2025-07-01T12:00:00Z"))
    }

    // MARK: - pytest export

    @Test func thePytestPluginMatchesIdsLiterally() throws {
        let entries = [
            QuarantineEntry(test: "tests.test_x::test_vat[7]", reason: "flaky", createdAt: ""),
            QuarantineEntry(test: "tests/test_y.py::test_*", isPattern: true, reason: "slow", createdAt: ""),
        ]
        let plugin = Quarantine.pytestPlugin(entries, now: Self.now)
        #expect(!plugin.contains("fnmatch"))
        #expect(plugin.contains("    \"tests.test_x::test_vat[7]\": \"quarantined by triage: flaky\","))
        #expect(plugin.contains("    (\"tests.test_y::test_*\", \"quarantined by triage: slow\"),"))
    }

    // MARK: - Speed

    /// A loose hang detector: 2,000 globs (some written to make a backtracking matcher crawl)
    /// against 2,000 long ids took 37 s through regexes compiled per check.
    @Test func twoThousandPatternsAreQuick() {
        var entries = (0..<1990).map {
            QuarantineEntry(test: "tests.other_\($0)::*slow*?", isPattern: true, reason: "r", createdAt: "")
        }
        entries += (0..<10).map {
            QuarantineEntry(
                test: String(repeating: "*a", count: 12 + $0) + "*b", isPattern: true, reason: "r", createdAt: "")
        }
        let matcher = QuarantineMatcher(entries)
        let ids = (0..<2000).map { "tests.test_mod::test_\($0)[" + String(repeating: "a", count: 200) + "]" }
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(ids.filter(matcher.matches).isEmpty)
        }
        #expect(elapsed < .seconds(5), "2,000 patterns × 2,000 ids took \(elapsed)")
    }

    @Test func theGateWithTwoThousandPatternsIsQuick() throws {
        let folder = try TestSupport.temporaryFolder()
        let databasePath = folder.appendingPathComponent("triage.sqlite").path
        func report(_ run: Int) throws -> String {
            let cases = (0..<300).map { index in
                let failure =
                    index < 200 ? "<failure message=\"AssertionError: run \(run) case \(index)\">t</failure>" : ""
                return
                    "<testcase classname=\"tests.test_m\(index % 10)\" name=\"test_\(index)[\(index % 7)]\">\(failure)</testcase>"
            }
            let url = folder.appendingPathComponent("r\(run).xml")
            try Data("<testsuite name=\"pytest\">\(cases.joined())</testsuite>".utf8).write(to: url)
            return url.path
        }
        var options = CIOptions(patterns: [try report(1)])
        options.runKey = "one"
        options.failOn = .never
        _ = try CIGate.run(databasePath: databasePath, options: options)
        let db = try TriageDatabase(path: databasePath)
        try db.transaction { db in
            for index in 0..<2000 {
                try db.execute(
                    sql: "INSERT INTO quarantine (test, is_pattern, reason, created_at) VALUES (?, 1, 'r', 'x')",
                    arguments: ["tests.other_\(index)::*slow*?"])
            }
        }
        try add("tests.test_m3::test_3[3]", to: db)
        options.patterns = [try report(2)]
        options.runKey = "two"
        let clock = ContinuousClock()
        var result: CIResult?
        let elapsed = try clock.measure { result = try CIGate.run(databasePath: databasePath, options: options) }
        #expect(result?.quarantinedFailures == ["tests.test_m3::test_3[3]"])
        #expect(elapsed < .seconds(5), "ci with 2,000 patterns took \(elapsed)")
    }
}
