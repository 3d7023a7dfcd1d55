import GRDB

/// Decoding a record the `Row.required` way: a NULL, or a value of the wrong type, in a column
/// the record does not declare optional is `DamagedRow` (exit 4, one line naming the table and
/// column), never GRDB's error with the whole row in it.
extension FetchableRecord where Self: TableRecord {
    static func checked(_ row: Row) throws -> Self {
        do {
            return try Self(row: row)
        } catch let error as RowDecodingError {
            // GRDB names the column it could not decode as `column: "name"`.
            let text = String(describing: error)
            let column = row.columnNames.first { text.contains("column: \"\($0)\"") } ?? "a column"
            let value: DatabaseValue = row[column] ?? .null
            throw DamagedRow(
                table: databaseTableName, column: column, found: value.isNull ? "NULL" : "a value of the wrong type")
        }
    }

    static func fetchAllChecked(_ db: Database, _ request: some FetchRequest) throws -> [Self] {
        try Row.fetchAll(db, request).map(checked)
    }

    static func fetchOneChecked(_ db: Database, _ request: some FetchRequest) throws -> Self? {
        try Row.fetchOne(db, request).map(checked)
    }
}
