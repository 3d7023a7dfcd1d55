import TriageModel
import GRDB
import GRDBSQLite

/// Binds and steps a GRDB statement through the SQLite C API. The ingest hot path writes a
/// million rows per large file; GRDB's `StatementArguments` (an array of existentials per
/// call) cost more there than SQLite itself, so those few statements bind directly.
/// Everything else goes through GRDB.
package final class RawStatement: SQLPreparedStatement {
    package let statement: Statement
    private let db: Database
    private var handle: OpaquePointer { statement.sqliteStatement }
    /// SQLite copies bound text before `bind` returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    package init(_ statement: Statement, db: Database) {
        self.statement = statement
        self.db = db
    }

    package func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    package func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    package func bind(_ index: Int32, _ value: Int) {
        sqlite3_bind_int64(handle, index, Int64(value))
    }

    package func bind(_ index: Int32, _ value: Bool) {
        sqlite3_bind_int64(handle, index, value ? 1 : 0)
    }

    package func bind(_ index: Int32, _ value: Double?) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    package func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                if let base = chars.baseAddress {
                    _ = sqlite3_bind_text(handle, index, base, Int32(chars.count), Self.transient)
                } else {
                    _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)
                }
            }
        }
    }

    /// Runs a statement that returns no rows; throws the database's error.
    @discardableResult
    package func execute() throws -> Int {
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: statement.sql)
        }
        return db.changesCount
    }

    /// The id of the row an `INSERT` without `RETURNING` added, or nil when it added none
    /// (`ON CONFLICT … DO NOTHING`).
    package func insertedID() throws -> Int64? {
        try execute() == 1 ? db.lastInsertedRowID : nil
    }

    /// The first column of the first row as an integer, or nil without a row.
    package func firstInt64() throws -> Int64? {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW {
            let value = sqlite3_column_int64(handle, 0)
            // Runs the statement to its end (an INSERT … RETURNING has done its work already).
            sqlite3_reset(handle)
            return value
        }
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: statement.sql)
        }
        return nil
    }
}
