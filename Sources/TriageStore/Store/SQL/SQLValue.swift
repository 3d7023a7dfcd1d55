import Foundation
import TriageModel

/// A value as both backends store it: SQLite's five storage classes, which PostgreSQL's
/// `bigint`, `double precision`, `text` and `bytea` columns map onto one to one.
/// (Flags are stored as integers 0 and 1 in both, so the same SQL compares them.)
package enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    package var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// A Swift type that is stored as one `SQLValue`.
package protocol SQLValueConvertible: Sendable {
    var sqlValue: SQLValue { get }
    /// Nil when the stored value cannot be read as this type.
    init?(sqlValue: SQLValue)
}

extension Int64: SQLValueConvertible {
    package var sqlValue: SQLValue { .integer(self) }
    package init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .integer(let value): self = value
        case .real(let value) where value.rounded() == value && abs(value) < 9.2e18: self = Int64(value)
        default: return nil
        }
    }
}

extension Int: SQLValueConvertible {
    package var sqlValue: SQLValue { .integer(Int64(self)) }
    package init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self = Int(value)
    }
}

extension Double: SQLValueConvertible {
    package var sqlValue: SQLValue { .real(self) }
    package init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: return nil
        }
    }
}

extension Bool: SQLValueConvertible {
    package var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    package init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self = value != 0
    }
}

extension String: SQLValueConvertible {
    package var sqlValue: SQLValue { .text(self) }
    package init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .text(let value): self = value
        default: return nil
        }
    }
}

extension Data: SQLValueConvertible {
    package var sqlValue: SQLValue { .blob([UInt8](self)) }
    package init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .blob(let bytes): self = Data(bytes)
        case .text(let text): self = Data(text.utf8)
        default: return nil
        }
    }
}

extension SQLValue: SQLValueConvertible {
    package var sqlValue: SQLValue { self }
    package init?(sqlValue: SQLValue) { self = sqlValue }
}

/// A type with a value that stands for "nothing" in a column that should never be NULL.
package protocol SQLZero {
    static var sqlZero: Self { get }
}

extension Int64: SQLZero { package static var sqlZero: Int64 { 0 } }
extension Int: SQLZero { package static var sqlZero: Int { 0 } }
extension Double: SQLZero { package static var sqlZero: Double { 0 } }
extension Bool: SQLZero { package static var sqlZero: Bool { false } }
extension String: SQLZero { package static var sqlZero: String { "" } }

/// The values bound to a statement's `?` placeholders, in order.
package struct SQLArguments: Sendable, ExpressibleByArrayLiteral {
    package var values: [SQLValue]

    package init(arrayLiteral elements: (any SQLValueConvertible)?...) {
        values = elements.map { $0?.sqlValue ?? .null }
    }

    package init<S: Sequence>(_ sequence: S) where S.Element: SQLValueConvertible {
        values = sequence.map(\.sqlValue)
    }

    package init(values: [SQLValue]) {
        self.values = values
    }

    package static func + (lhs: SQLArguments, rhs: SQLArguments) -> SQLArguments {
        SQLArguments(values: lhs.values + rhs.values)
    }

    package static func += (lhs: inout SQLArguments, rhs: SQLArguments) {
        lhs.values += rhs.values
    }

    package mutating func append(_ value: (any SQLValueConvertible)?) {
        values.append(value?.sqlValue ?? .null)
    }
}

/// The column names of a result set, shared by its rows.
package final class SQLColumns: Sendable {
    package let names: [String]
    private let indexes: [String: Int]

    package init(_ names: [String]) {
        self.names = names
        var indexes: [String: Int] = [:]
        // The first column of a name wins, as in SQLite.
        for (index, name) in names.enumerated() where indexes[name] == nil { indexes[name] = index }
        self.indexes = indexes
    }

    package func index(of name: String) -> Int? { indexes[name] }
}

/// One row of a result set, read by column name or position.
package struct SQLRow: Sendable {
    package let columns: SQLColumns
    package let values: [SQLValue]

    package init(columns: SQLColumns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    package func value(_ name: String) -> SQLValue {
        guard let index = columns.index(of: name) else { return .null }
        return values[index]
    }

    /// The column's value, or nil when it is NULL, missing, or not of type `T`.
    package subscript<T: SQLValueConvertible>(_ name: String) -> T? {
        T(sqlValue: value(name))
    }

    /// The column's value where the query cannot give NULL (a `COUNT(*)`, a column already
    /// read with `required`); a NULL or a value of another type reads as `T`'s zero value.
    /// GRDB stops the process there; a history is better read with a zero than not at all.
    package subscript<T: SQLValueConvertible & SQLZero>(_ name: String) -> T {
        T(sqlValue: value(name)) ?? T.sqlZero
    }

    package subscript<T: SQLValueConvertible & SQLZero>(_ index: Int) -> T {
        guard index < values.count else { return T.sqlZero }
        return T(sqlValue: values[index]) ?? T.sqlZero
    }

    package subscript<T: SQLValueConvertible>(_ index: Int) -> T? {
        guard index < values.count else { return nil }
        return T(sqlValue: values[index])
    }

    /// The value of a required column, or `DamagedRow` when it is NULL or cannot be read as `T`.
    package func required<T: SQLValueConvertible>(_ column: String, of table: String) throws -> T {
        let value = value(column)
        guard let decoded = T(sqlValue: value) else {
            throw DamagedRow(table: table, column: column, found: value.isNull ? "NULL" : "a value of the wrong type")
        }
        return decoded
    }

    package func required<T: SQLValueConvertible>(_ index: Int, _ column: String, of table: String) throws -> T {
        let value = index < values.count ? values[index] : .null
        guard let decoded = T(sqlValue: value) else {
            throw DamagedRow(table: table, column: column, found: value.isNull ? "NULL" : "a value of the wrong type")
        }
        return decoded
    }
}

/// A column the schema declares NOT NULL held NULL, or a value of the wrong type: the
/// database was damaged or written by something else. `SQLRow.required` throws this, and
/// `TriageDatabase` reports it (exit 4).
package struct DamagedRow: Error, CustomStringConvertible {
    package var table: String
    package var column: String
    package var found: String

    package var description: String {
        "the database is damaged: \(found) in \(table).\(column), where a value is required; restore it from a backup or start a new history"
    }

    package init(table: String, column: String, found: String) {
        self.table = table
        self.column = column
        self.found = found
    }
}

/// `?, ?, ?`: the placeholders of an `IN (…)` list of `count` values.
package func sqlPlaceholders(count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}
