import Foundation
import TriageModel

/// Which SQL a backend speaks. The store writes one SQL text where both accept it (most of
/// it: `?` placeholders, `ON CONFLICT … DO NOTHING`, `RETURNING`, `||`, `COALESCE`); the few
/// statements that differ ask the session's dialect.
package enum SQLDialect: Sendable, Equatable {
    case sqlite
    case postgresql

    /// What ends an `INSERT` whose new id `SQLPreparedStatement.insertedID()` hands back:
    /// `RETURNING id` on PostgreSQL; nothing on SQLite, which knows the id of the row it just
    /// inserted, and whose `RETURNING` runs as a trigger filling a temporary table on every
    /// execution (it doubled what ingest's two inserts per case cost).
    package var returningID: String {
        switch self {
        case .sqlite: ""
        case .postgresql: " RETURNING id"
        }
    }

    /// SQL that is true when the text `haystack` contains `needle` (both SQL expressions).
    package func contains(_ haystack: String, _ needle: String) -> String {
        switch self {
        case .sqlite: "instr(\(haystack), \(needle)) > 0"
        case .postgresql: "strpos(\(haystack), \(needle)) > 0"
        }
    }
}

/// One connection's work inside a read or a transaction, whichever backend holds the history.
/// Placeholders are `?`; a PostgreSQL session numbers them (`$1`, `$2`, …) itself.
package protocol SQLSession: AnyObject {
    var dialect: SQLDialect { get }

    /// Runs a statement (or, without arguments, several separated by `;`); returns the number
    /// of rows the last one changed.
    @discardableResult
    func execute(sql: String, arguments: SQLArguments) throws -> Int

    /// Every row the query returns.
    func fetchAll(sql: String, arguments: SQLArguments) throws -> [SQLRow]

    /// Calls `body` with each row in turn, without holding them all.
    func forEach(sql: String, arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws

    /// A statement prepared once and run many times with new values (the ingest hot path).
    func prepare(sql: String) throws -> any SQLPreparedStatement

    /// Runs `body` in a savepoint: what it wrote stays only if it returns.
    func savepoint(_ body: () throws -> Void) throws
}

/// A prepared statement: bind values by position (from 1), then run it.
package protocol SQLPreparedStatement: AnyObject {
    func reset()
    func bind(_ index: Int32, _ value: Int64)
    func bind(_ index: Int32, _ value: Int)
    func bind(_ index: Int32, _ value: Bool)
    func bind(_ index: Int32, _ value: Double?)
    func bind(_ index: Int32, _ value: String?)
    /// Runs a statement that returns no rows; the number of rows it changed.
    @discardableResult
    func execute() throws -> Int
    /// The first column of the first row as an integer (an `INSERT … RETURNING id`), or nil
    /// without a row.
    func firstInt64() throws -> Int64?
    /// Runs an `INSERT` (`… ON CONFLICT … DO NOTHING`) that ends with its dialect's
    /// `returningID`: the new row's id, or nil when it inserted nothing.
    func insertedID() throws -> Int64?
}

extension SQLPreparedStatement {
    /// Where the dialect's `returningID` is `RETURNING id`, the id is the row it returns.
    package func insertedID() throws -> Int64? {
        try firstInt64()
    }
}

extension SQLSession {
    @discardableResult
    package func execute(sql: String) throws -> Int {
        try execute(sql: sql, arguments: [])
    }

    package func fetchAll(sql: String) throws -> [SQLRow] {
        try fetchAll(sql: sql, arguments: [])
    }

    /// The first row, or nil.
    package func fetchOne(sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        var first: SQLRow?
        // Both backends stop reading at the first row only when the query says so; callers
        // that expect one row write queries that return one.
        try forEach(sql: sql, arguments: arguments) { row in
            if first == nil { first = row }
        }
        return first
    }

    /// The first column of the first row, or nil (no row, or NULL).
    package func fetchOne<T: SQLValueConvertible>(_ type: T.Type, sql: String, arguments: SQLArguments = []) throws -> T? {
        guard let row = try fetchOne(sql: sql, arguments: arguments) else { return nil }
        return row[0]
    }

    /// The first column of every row, skipping NULLs.
    package func fetchAll<T: SQLValueConvertible>(_ type: T.Type, sql: String, arguments: SQLArguments = []) throws -> [T] {
        var values: [T] = []
        try forEach(sql: sql, arguments: arguments) { row in
            if let value: T = row[0] { values.append(value) }
        }
        return values
    }

    /// The id an `INSERT … RETURNING id` gave the new row, or nil when it inserted nothing.
    package func insertReturningID(sql: String, arguments: SQLArguments) throws -> Int64? {
        try fetchOne(Int64.self, sql: sql, arguments: arguments)
    }
}
