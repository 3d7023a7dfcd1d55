import Foundation
import TriageModel
import GRDB
import GRDBSQLite

/// A `SQLSession` over one GRDB connection (the SQLite backend).
package final class SQLiteSession: SQLSession {
    package let db: Database
    package var dialect: SQLDialect { .sqlite }

    package init(_ db: Database) {
        self.db = db
    }

    @discardableResult
    package func execute(sql: String, arguments: SQLArguments) throws -> Int {
        if arguments.values.isEmpty {
            try db.execute(sql: sql)
        } else {
            try db.execute(sql: sql, arguments: Self.arguments(arguments))
        }
        return db.changesCount
    }

    package func fetchAll(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try forEach(sql: sql, arguments: arguments) { rows.append($0) }
        return rows
    }

    package func forEach(sql: String, arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws {
        let statement = try db.cachedStatement(sql: sql)
        try statement.setArguments(Self.arguments(arguments))
        let columns = SQLColumns(statement.columnNames)
        let cursor = try Row.fetchCursor(statement)
        while let row = try cursor.next() {
            var values: [SQLValue] = []
            values.reserveCapacity(row.count)
            for value in row.databaseValues { values.append(Self.value(value)) }
            try body(SQLRow(columns: columns, values: values))
        }
    }

    package func prepare(sql: String) throws -> any SQLPreparedStatement {
        RawStatement(try db.makeStatement(sql: sql), db: db)
    }

    package func savepoint(_ body: () throws -> Void) throws {
        try db.inSavepoint {
            try body()
            return .commit
        }
    }

    package static func arguments(_ arguments: SQLArguments) -> StatementArguments {
        StatementArguments(arguments.values.map { value -> DatabaseValue in
            switch value {
            case .null: return .null
            case .integer(let int): return int.databaseValue
            case .real(let double): return double.databaseValue
            case .text(let text): return text.databaseValue
            case .blob(let bytes): return Data(bytes).databaseValue
            }
        })
    }

    package static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: return .null
        case .int64(let int): return .integer(int)
        case .double(let double): return .real(double)
        case .string(let text): return .text(text)
        case .blob(let data): return .blob([UInt8](data))
        }
    }
}
