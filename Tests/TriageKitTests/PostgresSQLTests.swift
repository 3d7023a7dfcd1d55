import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

@Suite("PostgresSQL placeholder translation")
struct PostgresSQLTests {
    private func translate(_ sql: String) -> PostgresSQL { PostgresSQL(sql) }

    @Test func numbersPlaceholdersInOrder() {
        let sql = translate("INSERT INTO t (a, b, c) VALUES (?, ?, ?) RETURNING id")
        #expect(sql.statements == ["INSERT INTO t (a, b, c) VALUES ($1, $2, $3) RETURNING id"])
        #expect(sql.parameterCount == 3)
        #expect(translate("SELECT 1").parameterCount == 0)
        #expect(translate("SELECT ?+?").statements == ["SELECT $1+$2"])
    }

    @Test func skipsLiterals() {
        #expect(translate("SELECT '?', ? FROM t WHERE x = 'it''s ?' AND y = ?").statements
            == ["SELECT '?', $1 FROM t WHERE x = 'it''s ?' AND y = $2"])
        #expect(translate("SELECT '''?''', ?").statements == ["SELECT '''?''', $1"])
        // E'' strings: a backslash escapes the quote.
        #expect(translate(#"SELECT E'a\'?', ?"#).statements == [#"SELECT E'a\'?', $1"#])
        // Not an E'' string: `e` ends an identifier.
        #expect(translate(#"SELECT name'\', ?"#).statements == [#"SELECT name'\', $1"#])
    }

    @Test func skipsQuotedNames() {
        #expect(translate(#"SELECT "a?b", "c""?" FROM t WHERE x = ?"#).statements
            == [#"SELECT "a?b", "c""?" FROM t WHERE x = $1"#])
    }

    @Test func skipsComments() {
        let sql = translate("SELECT ? -- what? really?\n, ? /* why? /* nested? */ still? */ , ?")
        #expect(sql.statements == ["SELECT $1 -- what? really?\n, $2 /* why? /* nested? */ still? */ , $3"])
        #expect(sql.parameterCount == 3)
    }

    @Test func skipsDollarQuotes() {
        let body = "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; -- ? ; $$ ? $$ $body$ LANGUAGE sql"
        #expect(translate(body + "; SELECT ?").statements == [body, "SELECT $1"])
        #expect(translate("SELECT $$?;$$, ?").statements == ["SELECT $$?;$$, $1"])
        // `$1` and identifiers with `$` are not dollar quotes.
        #expect(translate("SELECT a$b, $1 + x$").statements == ["SELECT a$b, $1 + x$"])
        #expect(translate("SELECT a$b, ?").statements == ["SELECT a$b, $1"])
    }

    @Test func splitsStatements() {
        let script = """
            -- a script
            CREATE TABLE a (x text DEFAULT 'a;b');
            /* ; */
            INSERT INTO a VALUES (';'); ;
            CREATE INDEX "i;x" ON a (x)  ;
            -- trailing comment only
            """
        #expect(translate(script).statements == [
            "-- a script\nCREATE TABLE a (x text DEFAULT 'a;b')",
            "/* ; */\nINSERT INTO a VALUES (';')",
            #"CREATE INDEX "i;x" ON a (x)"#,
        ])
        #expect(translate("-- nothing\n").statements == [])
        #expect(translate("").statements == [])
    }

    @Test func singleStatementChecks() throws {
        #expect(try translate("SELECT ?").single(argumentCount: 1) == "SELECT $1")
        #expect(throws: PostgresFailure.self) { try translate("SELECT ?").single(argumentCount: 2) }
        #expect(throws: PostgresFailure.self) { try translate("SELECT 1; SELECT 2").single(argumentCount: 0) }
        let message = (try? translate("SELECT ?, ?").single(argumentCount: 1)).map { _ in "" }
        #expect(message == nil)
    }

    @Test func unicodeSurvives() {
        #expect(translate("SELECT 'héllo ✓ ?', ? -- ñ?").statements == ["SELECT 'héllo ✓ ?', $1 -- ñ?"])
    }
}

@Suite("PostgresSession decoding (no server)")
struct PostgresDecodingTests {
    private func numeric(_ weight: Int16, _ sign: UInt16, _ scale: Int16, _ digits: [Int16]) -> SQLValue {
        func bigEndian(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
        var bytes = bigEndian(UInt16(digits.count)) + bigEndian(UInt16(bitPattern: weight)) + bigEndian(sign)
            + bigEndian(UInt16(bitPattern: scale))
        for digit in digits { bytes += bigEndian(UInt16(bitPattern: digit)) }
        return PostgresSession.numeric(bytes: bytes)
    }

    @Test func numerics() {
        #expect(numeric(0, 0, 0, [42]) == .integer(42))
        #expect(numeric(1, 0, 0, [1, 2]) == .integer(10002))
        #expect(numeric(2, 0x4000, 0, [9]) == .integer(-900_000_000))
        // 9007199254740993 (2^53 + 1) stays exact.
        #expect(numeric(3, 0, 0, [9007, 1992, 5474, 993]) == .integer(9_007_199_254_740_993))
        #expect(numeric(0, 0, 2, [12, 5000]) == .real(12.5))
        #expect(numeric(-1, 0, 4, [25]) == .real(0.0025))
        #expect(numeric(-2, 0x4000, 8, [5]) == .real(-0.00000005))
        #expect(numeric(0, 0, 0, []) == .integer(0))
        #expect(Int64(sqlValue: numeric(0, 0, 2, [7])) == 7)
        if case .real(let value) = numeric(0, 0xC000, 0, []) { #expect(value.isNaN) } else { Issue.record("NaN") }
        // Beyond Int64: a real.
        #expect(numeric(5, 0, 0, [1]) == .real(1e20))
    }

    @Test func dates() {
        #expect(PostgresSession.dateText(0) == "2000-01-01")
        #expect(PostgresSession.dateText(-1) == "1999-12-31")
        #expect(PostgresSession.dateText(8766) == "2024-01-01")
        #expect(PostgresSession.timestampText(0, withZone: false) == "2000-01-01 00:00:00")
        #expect(PostgresSession.timestampText(-1, withZone: true) == "1999-12-31 23:59:59.999999+00")
        #expect(PostgresSession.timestampText(86_400_000_000 + 3_723_250_000, withZone: false) == "2000-01-02 01:02:03.25")
    }

    @Test func uuids() {
        let bytes: [UInt8] = [0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11]
        #expect(PostgresSession.uuidText(bytes) == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
    }
}
