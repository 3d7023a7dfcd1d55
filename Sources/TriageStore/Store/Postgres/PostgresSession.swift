import Foundation
import TriageModel
import NIOCore
import PostgresNIO

/// A `SQLSession` on a `PostgresBackend`'s connection (the PostgreSQL backend). Inside
/// `PostgresBackend.transaction` its statements belong to that transaction; outside, each
/// commits by itself.
///
/// Values are bound as `integer` → `bigint`, `real` → `double precision`, `text` → `text`,
/// `blob` → `bytea`, and `null` → a NULL of no declared type, so that the server infers it
/// from where it stands (`INSERT … VALUES (?)` into a text column, `? = 1`, `run_at > ?`).
/// A NULL whose type nothing determines (`SELECT ?`, `? IS NULL`) makes the server fail
/// with "could not determine data type of parameter" (42P18): write `CAST(? AS TEXT)` there,
/// which SQLite accepts too.
///
/// Cells are decoded by their column's type: `smallint`/`integer`/`bigint`/`oid` → integer;
/// `real`/`double precision` → real; `numeric` → integer when it has no fraction digits and
/// fits in 64 bits (so `SUM` of a `bigint` column reads as SQLite's would, exactly), else
/// real; `boolean` → integer 0/1; `text`/`varchar`/`char`/`name`/`json`/`jsonb`/`uuid`/`xml`
/// → text; `bytea` → blob; NULL → null; `timestamp`/`timestamptz`/`date` → PostgreSQL's ISO
/// text form (timestamptz in UTC, `+00`); any other type → its bytes as text when they are
/// UTF-8 (which is its text form for enums, domains over text, `citext`…), else a blob.
/// (postgres-nio asks for every result in binary format, so only these types have a text form
/// here; cast others to `text` in SQL.)
package final class PostgresSession: SQLSession {
    package let client: PostgresBackend
    package var dialect: SQLDialect { .postgresql }

    package init(client: PostgresBackend) {
        self.client = client
    }

    /// Runs a statement; returns the rows an INSERT, UPDATE, DELETE or MERGE changed (0 for
    /// others). Without arguments, `sql` may hold several statements separated by `;` (a DDL
    /// script): postgres-nio speaks only the extended protocol, one statement per message, so
    /// they are split (outside literals, quoted names, comments and dollar quotes) and run in
    /// turn; each commits by itself unless a transaction is open, and the count is the last one's.
    @discardableResult
    package func execute(sql: String, arguments: SQLArguments) throws -> Int {
        let translated = client.translation(of: sql)
        if arguments.values.isEmpty {
            var count = 0
            for statement in translated.statements {
                count = Self.changes(try client.run(sql: statement, binds: PostgresBindings()))
            }
            return count
        }
        let statement = try translated.single(argumentCount: arguments.values.count)
        return Self.changes(try client.run(sql: statement, binds: Self.bindings(arguments.values)))
    }

    package func fetchAll(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        let translated = client.translation(of: sql)
        let statement = try translated.single(argumentCount: arguments.values.count)
        let result = try client.run(sql: statement, binds: Self.bindings(arguments.values))
        return Self.rows(result.rows)
    }

    /// Fetches every row, then calls `body` with each (postgres-nio streams rows only through
    /// async sequences, which this synchronous API cannot consume).
    package func forEach(sql: String, arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws {
        for row in try fetchAll(sql: sql, arguments: arguments) {
            try body(row)
        }
    }

    package func prepare(sql: String) throws -> any SQLPreparedStatement {
        let translated = client.translation(of: sql)
        let statement = try translated.single(argumentCount: nil)
        return PostgresBoundStatement(client: client, sql: statement, parameterCount: translated.parameterCount)
    }

    /// `SAVEPOINT`, then `RELEASE SAVEPOINT` when `body` returns, `ROLLBACK TO SAVEPOINT` (and
    /// release) when it throws. Names are unique per connection, so savepoints nest. Outside a
    /// transaction (where PostgreSQL has no savepoints) it runs `body` in one, as GRDB does.
    package func savepoint(_ body: () throws -> Void) throws {
        guard client.inTransaction else {
            try client.transaction { _ in try body() }
            return
        }
        let name = client.nextSavepointName()
        try client.run(sql: "SAVEPOINT \(name)", binds: PostgresBindings())
        do {
            try body()
        } catch {
            _ = try? client.run(sql: "ROLLBACK TO SAVEPOINT \(name)", binds: PostgresBindings())
            _ = try? client.run(sql: "RELEASE SAVEPOINT \(name)", binds: PostgresBindings())
            throw error
        }
        try client.run(sql: "RELEASE SAVEPOINT \(name)", binds: PostgresBindings())
    }

    // MARK: - Binding and decoding

    package static func bindings(_ values: [SQLValue]) -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: binds.appendNull()
            case .integer(let int): binds.append(int)
            case .real(let double): binds.append(double)
            case .text(let text): binds.append(text)
            case .blob(let bytes): binds.append(ByteBuffer(bytes: bytes))
            }
        }
        return binds
    }

    /// The rows an INSERT, UPDATE, DELETE or MERGE changed, from its command tag; 0 for others.
    package static func changes(_ result: PostgresQueryResult) -> Int {
        let tag = result.metadata
        switch tag.command {
        case "INSERT", "UPDATE", "DELETE":
            return tag.rows ?? 0
        default:
            // postgres-nio keeps unknown tags whole ("MERGE 3").
            let parts = tag.command.split(separator: " ")
            if parts.count == 2, parts[0] == "MERGE", let count = Int(parts[1]) { return count }
            return 0
        }
    }

    package static func rows(_ rows: [PostgresRow]) -> [SQLRow] {
        guard let first = rows.first else { return [] }
        let columns = SQLColumns(first.map(\.columnName))
        var result: [SQLRow] = []
        result.reserveCapacity(rows.count)
        for row in rows {
            var values: [SQLValue] = []
            values.reserveCapacity(columns.names.count)
            for cell in row { values.append(value(of: cell)) }
            result.append(SQLRow(columns: columns, values: values))
        }
        return result
    }

    /// The first column of the first row, decoded.
    package static func firstValue(_ rows: [PostgresRow]) -> SQLValue? {
        guard let row = rows.first, let cell = row.first else { return nil }
        return value(of: cell)
    }

    package static func value(of cell: PostgresCell) -> SQLValue {
        // postgres-nio's Bind asks for every result column in binary format. (`cell.format` is
        // not to be trusted: for a named statement it comes from describing the statement,
        // which always says text.)
        guard var buffer = cell.bytes else { return .null }
        switch cell.dataType.rawValue {
        case 21:  // int2
            return buffer.readInteger(as: Int16.self).map { .integer(Int64($0)) } ?? .null
        case 23:  // int4
            return buffer.readInteger(as: Int32.self).map { .integer(Int64($0)) } ?? .null
        case 20:  // int8
            return buffer.readInteger(as: Int64.self).map { .integer($0) } ?? .null
        case 26:  // oid
            return buffer.readInteger(as: UInt32.self).map { .integer(Int64($0)) } ?? .null
        case 700:  // float4
            return buffer.readInteger(as: UInt32.self).map { .real(Double(Float(bitPattern: $0))) } ?? .null
        case 701:  // float8
            return buffer.readInteger(as: UInt64.self).map { .real(Double(bitPattern: $0)) } ?? .null
        case 1700:  // numeric
            return numeric(&buffer)
        case 16:  // bool
            return buffer.readInteger(as: UInt8.self).map { .integer($0 != 0 ? 1 : 0) } ?? .null
        case 17:  // bytea
            return .blob(buffer.readBytes(length: buffer.readableBytes) ?? [])
        case 3802:  // jsonb: a version byte (1), then the text
            _ = buffer.readInteger(as: UInt8.self)
            return .text(buffer.readString(length: buffer.readableBytes) ?? "")
        case 2950:  // uuid
            guard let bytes = buffer.readBytes(length: 16) else { return .null }
            return .text(uuidText(bytes))
        case 1114, 1184:  // timestamp, timestamptz
            guard let micros = buffer.readInteger(as: Int64.self) else { return .null }
            return .text(timestampText(micros, withZone: cell.dataType.rawValue == 1184))
        case 1082:  // date
            guard let days = buffer.readInteger(as: Int32.self) else { return .null }
            return .text(dateText(days))
        default:
            // text, varchar, bpchar, name, "char", json, xml, unknown, enums and most
            // text-like extensions send their text as is; anything else is kept as bytes.
            let text = buffer.withUnsafeReadableBytes { String(validating: $0, as: UTF8.self) }
            if let text { return .text(text) }
            return .blob(buffer.readBytes(length: buffer.readableBytes) ?? [])
        }
    }

    /// `numeric(_:)` of these bytes.
    package static func numeric(bytes: [UInt8]) -> SQLValue {
        var buffer = ByteBuffer(bytes: bytes)
        return numeric(&buffer)
    }

    /// A binary `numeric`: digit count, weight (of the first base-10000 digit), sign, display
    /// scale, then the digits.
    package static func numeric(_ buffer: inout ByteBuffer) -> SQLValue {
        guard let count = buffer.readInteger(as: Int16.self), let weight = buffer.readInteger(as: Int16.self),
            let sign = buffer.readInteger(as: UInt16.self), let scale = buffer.readInteger(as: Int16.self)
        else { return .null }
        switch sign {
        case 0xC000: return .real(.nan)
        case 0xD000: return .real(.infinity)
        case 0xF000: return .real(-.infinity)
        default: break
        }
        var digits: [Int] = []
        for _ in 0..<max(0, Int(count)) {
            guard let digit = buffer.readInteger(as: Int16.self) else { return .null }
            digits.append(Int(digit))
        }
        func digit(_ index: Int) -> Int { index >= 0 && index < digits.count ? digits[index] : 0 }
        var integerPart = ""
        if weight >= 0 {
            for index in 0...Int(weight) {
                let text = String(digit(index))
                integerPart += index == 0 ? text : String(repeating: "0", count: 4 - text.count) + text
            }
        } else {
            integerPart = "0"
        }
        var fraction = ""
        var index = Int(weight) + 1
        while index < digits.count {
            let text = String(digit(index))
            fraction += String(repeating: "0", count: 4 - text.count) + text
            index += 1
        }
        let negative = sign == 0x4000
        if scale <= 0 || fraction.allSatisfy({ $0 == "0" }) {
            if let value = Int64((negative ? "-" : "") + integerPart) { return .integer(value) }
        }
        let text = (negative ? "-" : "") + integerPart + (fraction.isEmpty ? "" : "." + fraction)
        return Double(text).map { .real($0) } ?? .text(text)
    }

    package static func uuidText(_ bytes: [UInt8]) -> String {
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        var text = ""
        for (offset, character) in hex.enumerated() {
            if [8, 12, 16, 20].contains(offset) { text.append("-") }
            text.append(character)
        }
        return text
    }

    /// Days since 1970-01-01 → (year, month, day) (H. Hinnant's civil_from_days).
    package static func civil(_ daysSince1970: Int64) -> (Int64, Int64, Int64) {
        let z = daysSince1970 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static let daysFrom1970To2000: Int64 = 10957

    package static func dateText(_ days: Int32) -> String {
        if days == Int32.max { return "infinity" }
        if days == Int32.min { return "-infinity" }
        let (year, month, day) = civil(Int64(days) + daysFrom1970To2000)
        return ymd(year, month, day)
    }

    package static func timestampText(_ micros: Int64, withZone: Bool) -> String {
        if micros == Int64.max { return "infinity" }
        if micros == Int64.min { return "-infinity" }
        let perDay: Int64 = 86_400_000_000
        var days = micros / perDay
        var rest = micros % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let (year, month, day) = civil(days + daysFrom1970To2000)
        let seconds = rest / 1_000_000
        let fraction = rest % 1_000_000
        var text = ymd(year, month, day)
            + String(format: " %02lld:%02lld:%02lld", seconds / 3600, seconds / 60 % 60, seconds % 60)
        if fraction != 0 {
            var digits = String(format: "%06lld", fraction)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return withZone ? text + "+00" : text
    }

    private static func ymd(_ year: Int64, _ month: Int64, _ day: Int64) -> String {
        // PostgreSQL writes years before 1 as "… BC"; such dates are not worth the code here.
        String(format: "%04lld-%02lld-%02lld", year, month, day)
    }
}

/// A statement prepared by `PostgresSession.prepare`: binds are collected here (by position,
/// from 1; `reset` clears them to NULL, as `sqlite3_clear_bindings`); a bind past the last
/// placeholder makes the next run throw.
///
/// Each run is one round trip. On its first run the statement is also prepared on the server
/// as a named statement (postgres-nio's `prepare(query:)`, inside a savepoint when a
/// transaction is open, so that a failure there cannot abort it), and the parameter types the
/// server inferred are read from `pg_prepared_statements`. Later runs send only Bind/Execute
/// with the values converted to those types: no parsing or planning per row, which makes the
/// ingest hot path about a third faster. When the server cannot infer a type, or a value does
/// not fit the inferred type (text where it inferred a number, an integer beyond an `integer`
/// column…), that run goes the general way (an unnamed statement with the values' own types,
/// as `execute(sql:arguments:)`), so the result is the same either way. `execute()` counts
/// changed rows by running `… RETURNING 1` (postgres-nio's named statements report rows, not
/// the command tag) when the statement is a plain INSERT, UPDATE or DELETE without RETURNING
/// or comments; otherwise it goes the general way. The named statements are closed when this
/// object goes away. (A pooler in transaction mode, such as PgBouncer's, does not keep named
/// statements: this client expects a direct connection.)
package final class PostgresBoundStatement: SQLPreparedStatement {
    package let client: PostgresBackend
    package let sql: String
    private var values: [SQLValue]
    private var badIndex: Int32?
    /// The named statement for `firstInt64` (the SQL as is) and for `execute()` (`RETURNING 1`).
    private var rowsStatement: NamedStatement = .untried
    private var countStatement: NamedStatement
    /// Runs that used a named statement (for tests).
    package private(set) var namedRuns = 0

    package enum NamedStatement {
        case untried
        case unusable
        case ready(PreparedQuery, parameterTypes: [UInt32])
    }

    package init(client: PostgresBackend, sql: String, parameterCount: Int) {
        self.client = client
        self.sql = sql
        values = Array(repeating: .null, count: parameterCount)
        countStatement = Self.canCountByReturning(sql) ? .untried : .unusable
    }

    deinit {
        for statement in [rowsStatement, countStatement] {
            if case .ready(let prepared, _) = statement { client.deallocate(prepared) }
        }
    }

    package func reset() {
        for index in values.indices { values[index] = .null }
        badIndex = nil
    }

    private func set(_ index: Int32, _ value: SQLValue) {
        guard index >= 1, Int(index) <= values.count else {
            badIndex = index
            return
        }
        values[Int(index) - 1] = value
    }

    package func bind(_ index: Int32, _ value: Int64) { set(index, .integer(value)) }
    package func bind(_ index: Int32, _ value: Int) { set(index, .integer(Int64(value))) }
    package func bind(_ index: Int32, _ value: Bool) { set(index, .integer(value ? 1 : 0)) }
    package func bind(_ index: Int32, _ value: Double?) { set(index, value.map { .real($0) } ?? .null) }
    package func bind(_ index: Int32, _ value: String?) { set(index, value.map { .text($0) } ?? .null) }

    private func checkBinds() throws {
        if let badIndex {
            throw PostgresFailure("bind index \(badIndex) is out of range: the statement has \(values.count) placeholders")
        }
    }

    /// The rows of a run through `statement` (prepared on first use), or nil when this run
    /// must go the general way.
    private func runNamed(_ statement: inout NamedStatement, sql namedSQL: String) throws -> [PostgresRow]? {
        if case .untried = statement {
            statement = client.prepareNamed(namedSQL).map { .ready($0.0, parameterTypes: $0.1) } ?? .unusable
        }
        guard case .ready(let prepared, let types) = statement,
            let binds = Self.namedBinds(values, types: types)
        else { return nil }
        namedRuns += 1
        return try client.execute(prepared, binds: binds)
    }

    @discardableResult
    package func execute() throws -> Int {
        try checkBinds()
        if let rows = try runNamed(&countStatement, sql: sql + " RETURNING 1") { return rows.count }
        return PostgresSession.changes(try client.run(sql: sql, binds: PostgresSession.bindings(values)))
    }

    package func firstInt64() throws -> Int64? {
        try checkBinds()
        let rows = try runNamed(&rowsStatement, sql: sql)
            ?? client.run(sql: sql, binds: PostgresSession.bindings(values)).rows
        guard let value = PostgresSession.firstValue(rows) else { return nil }
        return Int64(sqlValue: value)
    }

    /// Whether `sql` + ` RETURNING 1` returns one row per changed row: a plain INSERT, UPDATE
    /// or DELETE (not WITH …), without RETURNING or comments.
    package static func canCountByReturning(_ sql: String) -> Bool {
        let upper = sql.uppercased()
        guard upper.hasPrefix("INSERT ") || upper.hasPrefix("UPDATE ") || upper.hasPrefix("DELETE ")
            || upper.hasPrefix("INSERT\n") || upper.hasPrefix("UPDATE\n") || upper.hasPrefix("DELETE\n")
        else { return false }
        return !upper.contains("RETURNING") && !upper.contains("--") && !upper.contains("/*")
    }

    /// `values` as the named statement's parameter types, or nil when one does not fit.
    package static func namedBinds(_ values: [SQLValue], types: [UInt32]) -> [PostgresData]? {
        guard values.count == types.count else { return nil }
        var binds: [PostgresData] = []
        binds.reserveCapacity(values.count)
        for (value, type) in zip(values, types) {
            switch (value, type) {
            case (.null, _):
                binds.append(PostgresData(type: PostgresDataType(type), value: nil))
            case (.integer(let int), 20):
                binds.append(PostgresData(int64: int))
            case (.integer(let int), 23) where Int64(Int32.min)...Int64(Int32.max) ~= int:
                binds.append(PostgresData(int32: Int32(int)))
            case (.integer(let int), 21) where Int64(Int16.min)...Int64(Int16.max) ~= int:
                binds.append(PostgresData(int16: Int16(int)))
            case (.integer(let int), 701):
                binds.append(PostgresData(double: Double(int)))
            case (.real(let double), 701):
                binds.append(PostgresData(double: double))
            case (.text(let text), 25), (.text(let text), 1043):
                binds.append(PostgresData(string: text))
            case (.blob(let bytes), 17):
                binds.append(PostgresData(type: .bytea, value: ByteBuffer(bytes: bytes)))
            default:
                return nil
            }
        }
        return binds
    }
}

/// A statement's SQL as PostgreSQL takes it: each `?` placeholder numbered (`$1`, `$2`, … in
/// order), and the text split into statements at `;`. Neither happens inside `'…'` literals
/// (`''` escapes; `E'…'` with backslash escapes), `"…"` quoted names, `$tag$…$tag$` dollar
/// quotes, `--` comments or (nested) `/* */` comments. Statements holding only whitespace and
/// comments are dropped. (PostgreSQL's jsonb operators `?`, `?|`, `?&` cannot be written in
/// this SQL; use the functions `jsonb_exists`… instead.)
package struct PostgresSQL: Sendable, Equatable {
    package var statements: [String]
    package var parameterCount: Int

    package init(statements: [String], parameterCount: Int) {
        self.statements = statements
        self.parameterCount = parameterCount
    }

    /// The one statement to run with `argumentCount` values (nil: not known yet).
    package func single(argumentCount: Int?) throws -> String {
        guard statements.count <= 1 else {
            throw PostgresFailure("several statements separated by ';' can only run without arguments")
        }
        if let argumentCount, argumentCount != parameterCount {
            throw PostgresFailure(
                "the statement has \(parameterCount) placeholder\(parameterCount == 1 ? "" : "s") but \(argumentCount) value\(argumentCount == 1 ? " was" : "s were") given")
        }
        // An empty statement (only comments): run something harmless that returns nothing.
        return statements.first ?? "SELECT 1 WHERE false"
    }

    package init(_ sql: String) {
        let bytes = Array(sql.utf8)
        let count = bytes.count
        var statements: [String] = []
        var output: [UInt8] = []
        output.reserveCapacity(count + 16)
        var hasContent = false
        var parameters = 0
        var index = 0

        func isIdentifierByte(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "$") || byte >= 0x80
        }
        func isTagByte(_ byte: UInt8, first: Bool) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || byte == UInt8(ascii: "_") || byte >= 0x80 || (!first && byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        func finishStatement() {
            if hasContent, let text = String(bytes: output, encoding: .utf8) {
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmed.isEmpty { statements.append(trimmed) }
            }
            output.removeAll(keepingCapacity: true)
            hasContent = false
        }
        /// Copies bytes[from..<to] (clamped) to the output.
        func copy(_ from: Int, _ to: Int) {
            output.append(contentsOf: bytes[from..<min(to, count)])
        }

        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"):
                let backslashes = index > 0 && (bytes[index - 1] == UInt8(ascii: "E") || bytes[index - 1] == UInt8(ascii: "e"))
                    && (index < 2 || !isIdentifierByte(bytes[index - 2]))
                var end = index + 1
                while end < count {
                    if backslashes && bytes[end] == UInt8(ascii: "\\") {
                        end += 2
                        continue
                    }
                    if bytes[end] == UInt8(ascii: "'") {
                        if end + 1 < count && bytes[end + 1] == UInt8(ascii: "'") {
                            end += 2
                            continue
                        }
                        break
                    }
                    end += 1
                }
                copy(index, end + 1)
                hasContent = true
                index = end + 1
            case UInt8(ascii: "\""):
                var end = index + 1
                while end < count {
                    if bytes[end] == UInt8(ascii: "\"") {
                        if end + 1 < count && bytes[end + 1] == UInt8(ascii: "\"") {
                            end += 2
                            continue
                        }
                        break
                    }
                    end += 1
                }
                copy(index, end + 1)
                hasContent = true
                index = end + 1
            case UInt8(ascii: "-") where index + 1 < count && bytes[index + 1] == UInt8(ascii: "-"):
                var end = index + 2
                while end < count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                copy(index, end)
                index = end
            case UInt8(ascii: "/") where index + 1 < count && bytes[index + 1] == UInt8(ascii: "*"):
                var depth = 1
                var end = index + 2
                while end < count && depth > 0 {
                    if bytes[end] == UInt8(ascii: "/") && end + 1 < count && bytes[end + 1] == UInt8(ascii: "*") {
                        depth += 1
                        end += 2
                    } else if bytes[end] == UInt8(ascii: "*") && end + 1 < count && bytes[end + 1] == UInt8(ascii: "/") {
                        depth -= 1
                        end += 2
                    } else {
                        end += 1
                    }
                }
                copy(index, end)
                index = end
            case UInt8(ascii: "$") where index == 0 || !isIdentifierByte(bytes[index - 1]):
                // A dollar quote `$tag$…$tag$` (or `$$…$$`); `$1` and the like are not.
                var tagEnd = index + 1
                while tagEnd < count && isTagByte(bytes[tagEnd], first: tagEnd == index + 1) { tagEnd += 1 }
                guard tagEnd < count && bytes[tagEnd] == UInt8(ascii: "$") else {
                    output.append(byte)
                    hasContent = true
                    index += 1
                    continue
                }
                let tag = bytes[index...tagEnd]
                var end = tagEnd + 1
                var closed = count
                while end + tag.count <= count {
                    if bytes[end] == UInt8(ascii: "$") && bytes[end..<(end + tag.count)].elementsEqual(tag) {
                        closed = end + tag.count
                        break
                    }
                    end += 1
                }
                copy(index, closed)
                hasContent = true
                index = closed
            case UInt8(ascii: "?"):
                parameters += 1
                output.append(contentsOf: Array("$\(parameters)".utf8))
                hasContent = true
                index += 1
            case UInt8(ascii: ";"):
                finishStatement()
                index += 1
            default:
                output.append(byte)
                if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\n") && byte != UInt8(ascii: "\t")
                    && byte != UInt8(ascii: "\r")
                {
                    hasContent = true
                }
                index += 1
            }
        }
        finishStatement()
        self.statements = statements
        self.parameterCount = parameters
    }
}
