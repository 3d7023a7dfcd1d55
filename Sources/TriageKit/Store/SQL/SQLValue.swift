import Foundation

/// A value as both backends store it: SQLite's five storage classes, which PostgreSQL's
/// `bigint`, `double precision`, `text` and `bytea` columns map onto one to one.
/// (Flags are stored as integers 0 and 1 in both, so the same SQL compares them.)
enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// A Swift type that is stored as one `SQLValue`.
protocol SQLValueConvertible: Sendable {
    var sqlValue: SQLValue { get }
    /// Nil when the stored value cannot be read as this type.
    init?(sqlValue: SQLValue)
}

extension Int64: SQLValueConvertible {
    var sqlValue: SQLValue { .integer(self) }
    init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .integer(let value): self = value
        case .real(let value) where value.rounded() == value && abs(value) < 9.2e18: self = Int64(value)
        default: return nil
        }
    }
}

extension Int: SQLValueConvertible {
    var sqlValue: SQLValue { .integer(Int64(self)) }
    init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self = Int(value)
    }
}

extension Double: SQLValueConvertible {
    var sqlValue: SQLValue { .real(self) }
    init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: return nil
        }
    }
}

extension Bool: SQLValueConvertible {
    var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self = value != 0
    }
}

extension String: SQLValueConvertible {
    var sqlValue: SQLValue { .text(self) }
    init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .text(let value): self = value
        default: return nil
        }
    }
}

extension Data: SQLValueConvertible {
    var sqlValue: SQLValue { .blob([UInt8](self)) }
    init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .blob(let bytes): self = Data(bytes)
        case .text(let text): self = Data(text.utf8)
        default: return nil
        }
    }
}

extension SQLValue: SQLValueConvertible {
    var sqlValue: SQLValue { self }
    init?(sqlValue: SQLValue) { self = sqlValue }
}

/// A type with a value that stands for "nothing" in a column that should never be NULL.
protocol SQLZero {
    static var sqlZero: Self { get }
}

extension Int64: SQLZero { static var sqlZero: Int64 { 0 } }
extension Int: SQLZero { static var sqlZero: Int { 0 } }
extension Double: SQLZero { static var sqlZero: Double { 0 } }
extension Bool: SQLZero { static var sqlZero: Bool { false } }
extension String: SQLZero { static var sqlZero: String { "" } }

/// The values bound to a statement's `?` placeholders, in order.
struct SQLArguments: Sendable, ExpressibleByArrayLiteral {
    var values: [SQLValue]

    init(arrayLiteral elements: (any SQLValueConvertible)?...) {
        values = elements.map { $0?.sqlValue ?? .null }
    }

    init<S: Sequence>(_ sequence: S) where S.Element: SQLValueConvertible {
        values = sequence.map(\.sqlValue)
    }

    init(values: [SQLValue]) {
        self.values = values
    }

    static func + (lhs: SQLArguments, rhs: SQLArguments) -> SQLArguments {
        SQLArguments(values: lhs.values + rhs.values)
    }

    static func += (lhs: inout SQLArguments, rhs: SQLArguments) {
        lhs.values += rhs.values
    }

    mutating func append(_ value: (any SQLValueConvertible)?) {
        values.append(value?.sqlValue ?? .null)
    }
}

/// The column names of a result set, shared by its rows.
final class SQLColumns: Sendable {
    let names: [String]
    private let indexes: [String: Int]

    init(_ names: [String]) {
        self.names = names
        var indexes: [String: Int] = [:]
        // The first column of a name wins, as in SQLite.
        for (index, name) in names.enumerated() where indexes[name] == nil { indexes[name] = index }
        self.indexes = indexes
    }

    func index(of name: String) -> Int? { indexes[name] }
}

/// One row of a result set, read by column name or position.
struct SQLRow: Sendable {
    let columns: SQLColumns
    let values: [SQLValue]

    init(columns: SQLColumns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    func value(_ name: String) -> SQLValue {
        guard let index = columns.index(of: name) else { return .null }
        return values[index]
    }

    /// The column's value, or nil when it is NULL, missing, or not of type `T`.
    subscript<T: SQLValueConvertible>(_ name: String) -> T? {
        T(sqlValue: value(name))
    }

    /// The column's value where the query cannot give NULL (a `COUNT(*)`, a column already
    /// read with `required`); a NULL or a value of another type reads as `T`'s zero value.
    /// GRDB stops the process there; a history is better read with a zero than not at all.
    subscript<T: SQLValueConvertible & SQLZero>(_ name: String) -> T {
        T(sqlValue: value(name)) ?? T.sqlZero
    }

    subscript<T: SQLValueConvertible & SQLZero>(_ index: Int) -> T {
        guard index < values.count else { return T.sqlZero }
        return T(sqlValue: values[index]) ?? T.sqlZero
    }

    subscript<T: SQLValueConvertible>(_ index: Int) -> T? {
        guard index < values.count else { return nil }
        return T(sqlValue: values[index])
    }

    /// The value of a required column, or `DamagedRow` when it is NULL or cannot be read as `T`.
    func required<T: SQLValueConvertible>(_ column: String, of table: String) throws -> T {
        let value = value(column)
        guard let decoded = T(sqlValue: value) else {
            throw DamagedRow(table: table, column: column, found: value.isNull ? "NULL" : "a value of the wrong type")
        }
        return decoded
    }

    func required<T: SQLValueConvertible>(_ index: Int, _ column: String, of table: String) throws -> T {
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
struct DamagedRow: Error, CustomStringConvertible {
    var table: String
    var column: String
    var found: String

    var description: String {
        "the database is damaged: \(found) in \(table).\(column), where a value is required; restore it from a backup or start a new history"
    }
}

/// `?, ?, ?`: the placeholders of an `IN (…)` list of `count` values.
func sqlPlaceholders(count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}
