import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `postgresql://user:password@127.0.0.1:PORT/db` of a throwaway server
/// (`bash Tests/Scripts/with_postgres.sh swift test` sets it); without it these tests skip.
private let liveURL = ProcessInfo.processInfo.environment["TRIAGE_TEST_POSTGRES"]
private let isLive = liveURL?.isEmpty == false

private func liveLocation() throws -> PostgresLocation {
    let url = try #require(liveURL)
    return try #require(try PostgresLocation.parse(url, environment: [:]))
}

private func connect() throws -> PostgresBackend {
    try PostgresBackend.connect(try liveLocation())
}

private struct Boom: Error {}

#if os(Linux)
private let streamSocket = Int32(SOCK_STREAM.rawValue)
#else
private let streamSocket = SOCK_STREAM
#endif

/// A port on 127.0.0.1 where nothing listens (bound, then closed).
private func unusedPort() -> Int {
    let fd = socket(AF_INET, streamSocket, 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A socket on 127.0.0.1 that accepts connections (the kernel does) but never answers.
private func silentListener() -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, streamSocket, 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    listen(fd, 8)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// `#expect(throws:)` without the macro: nested in closures, the macro crashes Swift 6.3's
/// region analysis (SendNonSendable).
private func expectThrows<E: Error>(
    _ expected: E.Type, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(E.self) to be thrown", sourceLocation: sourceLocation)
    } catch is E {
    } catch {
        Issue.record("expected \(E.self), got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
}

private func failure(_ body: () throws -> Void) -> PostgresFailure? {
    do {
        try body()
        return nil
    } catch let failure as PostgresFailure {
        return failure
    } catch {
        Issue.record("expected a PostgresFailure, got \(type(of: error)): \(error)")
        return nil
    }
}

@Suite("PostgreSQL, live", .enabled(if: isLive, "TRIAGE_TEST_POSTGRES is not set"))
struct PostgresLiveTests {
    @Test func roundTripsEachValueType() throws {
        let client = try connect()
        defer { client.close() }
        let db = client.session()
        #expect(db.dialect == .postgresql)
        try db.execute(sql: "CREATE TEMP TABLE v (i bigint, r double precision, t text, b bytea, n text)")
        let values: [SQLValue] = [
            .integer(Int64.min), .real(-1.25e-300), .text("héllo 'x' ? \"y\" ✓"), .blob([0, 1, 0x27, 0xFF]), .null,
        ]
        #expect(try db.execute(sql: "INSERT INTO v VALUES (?, ?, ?, ?, ?)", arguments: SQLArguments(values: values)) == 1)
        try db.execute(sql: "INSERT INTO v VALUES (?, ?, ?, ?, ?)", arguments: [Int64.max, 0.5, "", Data(), nil])
        let rows = try db.fetchAll(sql: "SELECT i, r, t, b, n FROM v ORDER BY i")
        #expect(rows.count == 2)
        #expect(rows[0].values == values)
        #expect(rows[1].values == [.integer(Int64.max), .real(0.5), .text(""), .blob([]), .null])
        #expect(rows[0].columns.names == ["i", "r", "t", "b", "n"])
        #expect(rows[0].columns === rows[1].columns)
        let text: String? = rows[0]["t"]
        #expect(text == "héllo 'x' ? \"y\" ✓")
    }

    @Test func decodesOtherTypes() throws {
        let client = try connect()
        defer { client.close() }
        let row = try #require(try client.session().fetchOne(sql: """
            SELECT 1::int2 AS a, 2::int4 AS b, 3::oid AS c, 1.5::float4 AS d, true AS e, false AS f,
                   'x'::varchar AS g, 'y'::char(3) AS h, 'n'::name AS i, '{"a": 1}'::json AS j, '{"a": 1}'::jsonb AS k,
                   'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid AS l, NULL::int8 AS m, 12.5::numeric AS n,
                   '2024-01-02 03:04:05.25'::timestamp AS o, '2024-01-02'::date AS p,
                   '2024-01-02 03:04:05+00'::timestamptz AS q, '1 day'::interval::text AS r, 'z' AS s, 'q'::"char" AS t
            """))
        let expected: [SQLValue] = [
            .integer(1), .integer(2), .integer(3), .real(1.5), .integer(1), .integer(0),
            .text("x"), .text("y  "), .text("n"), .text(#"{"a": 1}"#), .text(#"{"a": 1}"#),
            .text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), .null, .real(12.5),
            .text("2024-01-02 03:04:05.25"), .text("2024-01-02"), .text("2024-01-02 03:04:05+00"), .text("1 day"), .text("z"),
            .text("q"),
        ]
        #expect(row.values == expected)
        #expect(row.columns.names == (UnicodeScalar("a").value...UnicodeScalar("t").value).map { String(UnicodeScalar($0)!) })
    }

    @Test func sumOfBigintIsUsableAsInteger() throws {
        let client = try connect()
        defer { client.close() }
        let db = client.session()
        try db.execute(sql: "CREATE TEMP TABLE s (x bigint)")
        try db.execute(sql: "INSERT INTO s VALUES (?), (?), (?)", arguments: [Int64(1) << 53, 1, 2])
        let row = try #require(try db.fetchOne(sql: "SELECT SUM(x) AS total, AVG(x) AS mean, COUNT(*) AS n FROM s"))
        #expect(Int64(sqlValue: row.value("total")) == (Int64(1) << 53) + 3)
        let total: Int = row["total"]
        #expect(total == (1 << 53) + 3)
        // (2^53 + 3) / 3 = 3002399751580331.67, whose nearest double is …331.5.
        #expect(Double(sqlValue: row.value("mean")) == 3_002_399_751_580_331.5)
        #expect(row.value("n") == .integer(3))
        #expect(try db.fetchOne(Int64.self, sql: "SELECT SUM(x) FROM s WHERE x < 0") == nil)
    }

    @Test func nullBindsInTrickyPositions() throws {
        let client = try connect()
        defer { client.close() }
        let db = client.session()
        try db.execute(sql: "CREATE TEMP TABLE runs (id bigserial PRIMARY KEY, flag bigint, run_at text, note text)")
        // NULL into a text column, by a statement and by a prepared statement.
        try db.execute(sql: "INSERT INTO runs (flag, run_at, note) VALUES (?, ?, ?)", arguments: [1, nil, nil])
        let insert = try db.prepare(sql: "INSERT INTO runs (flag, run_at, note) VALUES (?, ?, ?)")
        insert.bind(1, 0)
        insert.bind(2, "2024-05-01" as String?)
        insert.bind(3, nil as String?)
        #expect(try insert.execute() == 1)
        insert.reset()
        insert.bind(1, Int64(0))
        insert.bind(2, nil as String?)
        insert.bind(3, nil as Double?)
        #expect(try insert.execute() == 1)
        // An integer and a text in one comparison; then NULL in each position.
        let sql = "SELECT COUNT(*) FROM runs WHERE (? = 1 OR run_at > ?)"
        #expect(try db.fetchOne(Int.self, sql: sql, arguments: [1, "2000"]) == 3)
        #expect(try db.fetchOne(Int.self, sql: sql, arguments: [0, "2024-01-01"]) == 1)
        #expect(try db.fetchOne(Int.self, sql: sql, arguments: [nil, "2024-01-01"]) == 1)
        #expect(try db.fetchOne(Int.self, sql: sql, arguments: [1, nil]) == 3)
        #expect(try db.fetchOne(Int.self, sql: sql, arguments: [nil, nil]) == 0)
        // COALESCE and UPDATE … SET with NULL.
        #expect(try db.fetchOne(String.self, sql: "SELECT COALESCE(?, run_at, 'none') FROM runs WHERE flag = 1", arguments: [nil]) == "none")
        #expect(try db.execute(sql: "UPDATE runs SET note = ? WHERE flag = ?", arguments: [nil, 0]) == 2)
        // Where nothing says the type, the cast documented in PostgresSession.
        #expect(try db.fetchOne(Bool.self, sql: "SELECT CAST(? AS TEXT) IS NULL", arguments: [nil]) == true)
        #expect(try db.fetchAll(sql: "SELECT id FROM runs WHERE run_at IS NULL").count == 2)
    }

    @Test func affectedRowCounts() throws {
        let client = try connect()
        defer { client.close() }
        let db = client.session()
        #expect(try db.execute(sql: "CREATE TEMP TABLE c (x bigint)") == 0)
        #expect(try db.execute(sql: "INSERT INTO c VALUES (?), (?), (?)", arguments: [1, 2, 3]) == 3)
        #expect(try db.execute(sql: "INSERT INTO c SELECT x + 10 FROM c") == 3)
        #expect(try db.execute(sql: "UPDATE c SET x = x + 1 WHERE x > ?", arguments: [2]) == 4)
        #expect(try db.execute(sql: "DELETE FROM c WHERE x < ?", arguments: [3]) == 2)
        #expect(try db.execute(sql: "SELECT * FROM c") == 0)
        #expect(try db.execute(sql: "DELETE FROM c WHERE x < 0") == 0)
        // A script: several statements, the last one's count.
        #expect(try db.execute(sql: """
            CREATE TEMP TABLE d (x text DEFAULT 'a;b?'); -- not ; here?
            INSERT INTO d DEFAULT VALUES; /* ; ? */
            INSERT INTO d VALUES ('?'), (';');
            """) == 2)
        #expect(try db.fetchAll(String.self, sql: "SELECT x FROM d ORDER BY x") == [";", "?", "a;b?"])
    }

    @Test func returningIDs() throws {
        let client = try connect()
        defer { client.close() }
        let db = client.session()
        try db.execute(sql: "CREATE TEMP TABLE t (id bigserial PRIMARY KEY, name text UNIQUE)")
        let sql = "INSERT INTO t (name) VALUES (?) ON CONFLICT (name) DO NOTHING RETURNING id"
        #expect(try db.insertReturningID(sql: sql, arguments: ["a"]) == 1)
        #expect(try db.insertReturningID(sql: sql, arguments: ["b"]) == 2)
        #expect(try db.insertReturningID(sql: sql, arguments: ["a"]) == nil)
        let prepared = try db.prepare(sql: sql)
        prepared.bind(1, "c" as String?)
        // A conflict still takes a number from the sequence (3 went to the second "a").
        #expect(try prepared.firstInt64() == 4)
        #expect(try prepared.firstInt64() == nil)  // binds stay until reset: "c" again
        prepared.reset()
        prepared.bind(1, "d" as String?)
        #expect(try prepared.firstInt64() == 6)
        let select = try db.prepare(sql: "SELECT id FROM t WHERE name = ?")
        select.bind(1, "zzz" as String?)
        #expect(try select.firstInt64() == nil)
        // A bind past the placeholders is an error, not silently ignored.
        select.bind(2, "x" as String?)
        #expect(throws: PostgresFailure.self) { try select.firstInt64() }
    }

    @Test func preparedStatementsUseNamedStatementsWhenTypesFit() throws {
        let client = try connect()
        defer { client.close() }
        let db = client.session()
        try db.execute(sql: "CREATE TEMP TABLE n4 (id int4, x bigint, t text)")
        try db.execute(sql: "INSERT INTO n4 VALUES (5, 1, 'a'), (6, 2, 'b'), (7, 3, NULL)")
        let statementsBefore = try db.fetchOne(Int.self, sql: "SELECT COUNT(*) FROM pg_prepared_statements")
        do {
            let select = try db.prepare(sql: "SELECT x FROM n4 WHERE id = ? AND (t = ? OR ? = 1)")
            let named = try #require(select as? PostgresBoundStatement)
            select.bind(1, 5)
            select.bind(2, "a" as String?)
            select.bind(3, 0)
            #expect(try select.firstInt64() == 1)
            #expect(named.namedRuns == 1)
            // NULL in each position still goes the named way.
            select.reset()
            select.bind(1, 7)
            select.bind(3, 1)
            #expect(try select.firstInt64() == 3)
            #expect(named.namedRuns == 2)
            // Beyond the int4 the server inferred: the general way, same answer as SQLite would give.
            select.reset()
            select.bind(1, Int64(1) << 40)
            select.bind(3, 1)
            #expect(try select.firstInt64() == nil)
            #expect(named.namedRuns == 2)
            #expect(try db.fetchOne(Int.self, sql: "SELECT COUNT(*) FROM pg_prepared_statements") == (statementsBefore ?? 0) + 1)

            // execute() counts through `RETURNING 1`.
            let update = try db.prepare(sql: "UPDATE n4 SET x = x + 1 WHERE id >= ?")
            update.bind(1, 6)
            #expect(try update.execute() == 2)
            update.bind(1, 100)
            #expect(try update.execute() == 0)
            #expect((update as? PostgresBoundStatement)?.namedRuns == 2)
            // With RETURNING, or a statement that is not a plain write: the command tag.
            let withClause = try db.prepare(sql: "WITH d AS (DELETE FROM n4 WHERE id = ? RETURNING id) SELECT 1")
            withClause.bind(1, 5)
            #expect(try withClause.execute() == 0)  // SQLite's count too: a SELECT changes nothing itself
        }
        // Closed when the statements go away (Close is queued before the next query).
        #expect(try db.fetchOne(Int.self, sql: "SELECT COUNT(*) FROM pg_prepared_statements") == statementsBefore)
    }

    @Test func aStatementTheServerCannotPrepareLeavesTheTransactionUsable() throws {
        let client = try connect()
        defer { client.close() }
        try client.session().execute(sql: "CREATE TEMP TABLE keep (x bigint)")
        try client.transaction { db in
            try db.execute(sql: "INSERT INTO keep VALUES (1)")
            // Without a type for its parameter the server cannot prepare this (42P18); with the
            // text bound the general way it runs.
            let odd = try db.prepare(sql: "SELECT 7 WHERE ? IS NOT NULL")
            odd.bind(1, "x" as String?)
            #expect(try odd.firstInt64() == 7)
            #expect((odd as? PostgresBoundStatement)?.namedRuns == 0)
            try db.execute(sql: "INSERT INTO keep VALUES (2)")
        }
        #expect(try client.session().fetchAll(Int64.self, sql: "SELECT x FROM keep ORDER BY x") == [1, 2])
    }

    @Test func uniqueViolationHasItsSQLState() throws {
        let client = try connect()
        defer { client.close() }
        let db = client.session()
        try db.execute(sql: "CREATE TEMP TABLE u (name text PRIMARY KEY)")
        try db.execute(sql: "INSERT INTO u VALUES (?)", arguments: ["x"])
        let error = try #require(failure { try db.execute(sql: "INSERT INTO u VALUES (?)", arguments: ["x"]) })
        #expect(error.sqlState == "23505")
        #expect(error.description.hasPrefix("duplicate key value violates unique constraint"))
        #expect(error.description.contains("(Key (name)=(x) already exists.)"))
        #expect(!error.description.contains("\n"))
        let insert = try db.prepare(sql: "INSERT INTO u VALUES (?) RETURNING 1")
        insert.bind(1, "y" as String?)
        #expect(try insert.firstInt64() == 1)
        let again = try #require(failure { _ = try insert.firstInt64() })
        #expect(again.sqlState == "23505")
        #expect(again.description.hasPrefix("duplicate key value violates unique constraint"))
        #expect((insert as? PostgresBoundStatement)?.namedRuns == 2)
        let syntax = try #require(failure { try db.execute(sql: "SELEC 1") })
        #expect(syntax.sqlState == "42601")
        #expect(syntax.description == #"syntax error at or near "SELEC""#)
    }

    @Test func savepointRollsBackOnlyItsWork() throws {
        let client = try connect()
        defer { client.close() }
        try client.session().execute(sql: "CREATE TEMP TABLE sp (x bigint)")
        try client.transaction { db in
            try db.execute(sql: "INSERT INTO sp VALUES (1)")
            expectThrows(Boom.self) {
                try db.savepoint {
                    try db.execute(sql: "INSERT INTO sp VALUES (2)")
                    throw Boom()
                }
            }
            // A failed statement inside a savepoint leaves the transaction usable.
            expectThrows(PostgresFailure.self) {
                try db.savepoint {
                    try db.execute(sql: "INSERT INTO sp VALUES (3)")
                    try db.execute(sql: "INSERT INTO sp VALUES ('not a number')")
                }
            }
            try db.savepoint {
                try db.execute(sql: "INSERT INTO sp VALUES (4)")
                try db.savepoint { try db.execute(sql: "INSERT INTO sp VALUES (5)") }
                expectThrows(Boom.self) {
                    try db.savepoint {
                        try db.execute(sql: "INSERT INTO sp VALUES (6)")
                        throw Boom()
                    }
                }
            }
        }
        #expect(try client.session().fetchAll(Int64.self, sql: "SELECT x FROM sp ORDER BY x") == [1, 4, 5])
        // Outside a transaction a savepoint opens one.
        expectThrows(Boom.self) {
            try client.session().savepoint {
                try client.session().execute(sql: "INSERT INTO sp VALUES (7)")
                throw Boom()
            }
        }
        try client.session().savepoint { try client.session().execute(sql: "INSERT INTO sp VALUES (8)") }
        #expect(try client.session().fetchAll(Int64.self, sql: "SELECT x FROM sp ORDER BY x") == [1, 4, 5, 8])
    }

    @Test func transactionRollsBackOnError() throws {
        let client = try connect()
        defer { client.close() }
        try client.session().execute(sql: "CREATE TEMP TABLE tx (x bigint)")
        expectThrows(Boom.self) {
            try client.transaction { db in
                try db.execute(sql: "INSERT INTO tx VALUES (1)")
                throw Boom()
            }
        }
        #expect(!client.inTransaction)
        let committed = try client.transaction { db -> Int in
            try db.execute(sql: "INSERT INTO tx VALUES (2)")
            // Nested: a savepoint.
            expectThrows(Boom.self) {
                try client.transaction { inner in
                    try inner.execute(sql: "INSERT INTO tx VALUES (3)")
                    throw Boom()
                }
            }
            return try db.fetchOne(Int.self, sql: "SELECT COUNT(*) FROM tx") ?? -1
        }
        #expect(committed == 1)
        // A failed statement whose error the body swallowed: COMMIT becomes ROLLBACK, which throws.
        let error = try #require(failure {
            try client.transaction { db in
                try db.execute(sql: "INSERT INTO tx VALUES (4)")
                _ = try? db.execute(sql: "INSERT INTO tx VALUES ('x')")
            }
        })
        #expect(error.sqlState == "25P02")
        #expect(try client.session().fetchAll(Int64.self, sql: "SELECT x FROM tx") == [2])
        // The connection is still usable.
        #expect(try client.session().fetchOne(Int.self, sql: "SELECT 1") == 1)
    }

    @Test func advisoryLockMakesTheSecondClientWait() throws {
        let first = try connect()
        let second = try connect()
        defer {
            first.close()
            second.close()
        }
        let key = Int64.random(in: 1...Int64.max)
        let events = LockedEvents()
        let secondDone = DispatchSemaphore(value: 0)
        let firstHolds = DispatchSemaphore(value: 0)
        try first.withAdvisoryLock(key: key) {
            events.add("first holds")
            Thread.detachNewThread {
                firstHolds.wait()
                do {
                    try second.withAdvisoryLock(key: key) { events.add("second holds") }
                } catch {
                    events.add("second failed: \(error)")
                }
                secondDone.signal()
            }
            firstHolds.signal()
            Thread.sleep(forTimeInterval: 0.5)
            events.add("first releases")
        }
        #expect(secondDone.wait(timeout: .now() + 10) == .success)
        #expect(events.all == ["first holds", "first releases", "second holds"])
        // Released: the first client can take it again at once.
        try first.withAdvisoryLock(key: key) {}
    }

    @Test func wrongPasswordFails() throws {
        var location = try liveLocation()
        // Passwords that are words of the error itself: the message must stay whole, and hold
        // the server's words only.
        for password in ["authentication", "failed", "Zq9-unlikely-secret-\(UUID().uuidString)"] {
            location.password = password
            let error = try #require(failure { _ = try PostgresBackend.connect(location) })
            #expect(error.sqlState == "28P01")
            #expect(error.description == #"password authentication failed for user "\#(location.user)""#)
            if password.hasPrefix("Zq9") {
                #expect(!error.description.contains(password))
            }
        }
        location.password = nil
        let missing = try #require(failure { _ = try PostgresBackend.connect(location) })
        #expect(missing.description.contains("none was given"))
    }

    @Test func unreachablePortFailsQuickly() throws {
        var location = try liveLocation()
        location.port = unusedPort()
        let start = Date()
        let error = try #require(failure { _ = try PostgresBackend.connect(location, timeout: 3) })
        #expect(Date().timeIntervalSince(start) < 8)
        #expect(error.description == "cannot connect (connection refused)")
        #expect(error.sqlState == nil)
    }

    @Test func silentServerTimesOut() throws {
        let (fd, port) = silentListener()
        defer { close(fd) }
        var location = try liveLocation()
        location.port = port
        let start = Date()
        let error = try #require(failure { _ = try PostgresBackend.connect(location, timeout: 1) })
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed < 6)
        #expect(error.description == "cannot connect (timed out after 1 s)")
    }

    @Test func unknownHostFails() throws {
        var location = try liveLocation()
        location.host = "no-such-host.invalid"
        let error = try #require(failure { _ = try PostgresBackend.connect(location, timeout: 5) })
        #expect(error.description == #"cannot resolve the host name "no-such-host.invalid""#)
    }

    @Test func requireTLSWithoutServerTLS() throws {
        var location = try liveLocation()
        location.sslMode = .require
        let error = try #require(failure { _ = try PostgresBackend.connect(location) })
        #expect(error.description.contains("does not support TLS"))
        location.sslMode = .disable
        let client = try PostgresBackend.connect(location)
        #expect(try client.session().fetchOne(Int.self, sql: "SELECT 1") == 1)
        client.close()
    }

    @Test func closeIsIdempotent() throws {
        let client = try connect()
        client.close()
        client.close()
        #expect(client.isClosed)
        let error = try #require(failure { try client.session().execute(sql: "SELECT 1") })
        #expect(error.description == "the connection is closed")
    }

    @Test func manyThreadsEachWithItsClient() throws {
        // Commands run while Dispatch threads parse: blocking calls from several threads at once.
        let location = try liveLocation()
        let results = LockedEvents()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            do {
                let client = try PostgresBackend.connect(location)
                defer { client.close() }
                let value = try client.session().fetchOne(Int.self, sql: "SELECT ? * 2", arguments: [index])
                results.add("\(value ?? -1)")
            } catch {
                results.add("error: \(error)")
            }
        }
        #expect(results.all.sorted() == (0..<8).map { "\($0 * 2)" }.sorted())
    }

    /// The ingest hot path: 10,000 single-row INSERTs through a prepared statement, in one transaction.
    @Test func preparedInsertTiming() throws {
        let client = try connect()
        defer { client.close() }
        try client.session().execute(sql: """
            CREATE TEMP TABLE result (id bigserial PRIMARY KEY, run_id bigint, test_id bigint, file_id bigint,
              outcome text, attempts bigint, retried bigint, duration double precision, cluster_id text,
              UNIQUE (run_id, test_id))
            """)
        let count = 10_000
        let start = Date()
        try client.transaction { db in
            let insert = try db.prepare(sql: """
                INSERT INTO result (run_id, test_id, file_id, outcome, attempts, retried, duration, cluster_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (run_id, test_id) DO NOTHING
                RETURNING id
                """)
            for index in 0..<count {
                insert.reset()
                insert.bind(1, Int64(1))
                insert.bind(2, index)
                insert.bind(3, Int64(7))
                insert.bind(4, "failed" as String?)
                insert.bind(5, 1)
                insert.bind(6, false)
                insert.bind(7, 0.25 as Double?)
                insert.bind(8, index % 3 == 0 ? "cluster-\(index % 17)" : nil)
                guard try insert.firstInt64() != nil else { throw Boom() }
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(try client.session().fetchOne(Int.self, sql: "SELECT COUNT(*) FROM result") == count)
    }
}

private final class LockedEvents: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String] = []

    func add(_ event: String) {
        lock.lock()
        events.append(event)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }
}

/// `postgresql://…@localhost:PORT/db` of a server with `ssl = on` and a self-signed
/// certificate for localhost (not part of with_postgres.sh; set up by hand to check TLS).
private let tlsURL = ProcessInfo.processInfo.environment["TRIAGE_TEST_POSTGRES_TLS"]

@Suite("PostgreSQL over TLS, live", .enabled(if: tlsURL?.isEmpty == false, "TRIAGE_TEST_POSTGRES_TLS is not set"))
struct PostgresTLSLiveTests {
    private func location(_ mode: PostgresLocation.SSLMode) throws -> PostgresLocation {
        let url = try #require(tlsURL)
        var location = try #require(try PostgresLocation.parse(url, environment: [:]))
        location.sslMode = mode
        return location
    }

    private func usesTLS(_ client: PostgresBackend) throws -> Bool? {
        try client.session().fetchOne(Bool.self, sql: "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
    }

    @Test func preferAndRequireUseTLSWithoutVerifying() throws {
        for mode in [PostgresLocation.SSLMode.prefer, .require] {
            let client = try PostgresBackend.connect(try location(mode))
            defer { client.close() }
            #expect(try usesTLS(client) == true)
        }
        let plain = try PostgresBackend.connect(try location(.disable))
        defer { plain.close() }
        #expect(try usesTLS(plain) == false)
    }

    @Test func verifyFullRefusesAnUntrustedCertificate() throws {
        let error = try #require(failure { _ = try PostgresBackend.connect(try location(.verifyFull), timeout: 5) })
        #expect(error.description.hasPrefix("TLS failed: the server's certificate is not trusted"))
        #expect(!error.description.contains("\n"))
    }
}
