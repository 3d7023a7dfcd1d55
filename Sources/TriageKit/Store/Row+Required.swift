import GRDB

/// A column the schema declares NOT NULL held NULL, or a value of the wrong type: the file
/// was damaged or written by something else. GRDB's `row["column"]` stops the process on
/// that; `Row.required` throws this instead, and `TriageDatabase` reports it (exit 4).
struct DamagedRow: Error, CustomStringConvertible {
    var table: String
    var column: String
    var found: String

    var description: String {
        "the database is damaged: \(found) in \(table).\(column), where a value is required; restore it from a backup or start a new history"
    }
}

extension Row {
    /// The value of a required column, or `DamagedRow` when it is NULL or cannot be read as `T`.
    func required<T: DatabaseValueConvertible>(_ column: String, of table: String) throws -> T {
        let value: DatabaseValue = self[column] ?? .null
        guard let decoded = T.fromDatabaseValue(value) else {
            throw DamagedRow(table: table, column: column, found: value.isNull ? "NULL" : "a value of the wrong type")
        }
        return decoded
    }
}
