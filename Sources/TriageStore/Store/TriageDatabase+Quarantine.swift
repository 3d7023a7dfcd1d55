import Foundation
import TriageModel

/// A row of `quarantine`, read by column name.
package struct QuarantineRow {
    package var id: Int64
    package var entry: QuarantineEntry

    package static let columns = "id, test, is_pattern, cluster_id, reason, owner, created_at, expires_at"

    package init(row: SQLRow) throws {
        id = try row.required("id", of: "quarantine")
        entry = QuarantineEntry(
            test: try row.required("test", of: "quarantine"), isPattern: try row.required("is_pattern", of: "quarantine"),
            clusterID: row["cluster_id"], reason: try row.required("reason", of: "quarantine"), owner: row["owner"],
            createdAt: try row.required("created_at", of: "quarantine"), expiresAt: row["expires_at"])
    }

    /// The entry stored for `test` (a test id or a glob) and the cause `clusterID` (nil: none).
    package static func stored(_ db: any SQLSession, test: String, clusterID: String?) throws -> QuarantineRow? {
        try db.fetchOne(
            sql: "SELECT \(columns) FROM quarantine WHERE test = ? AND COALESCE(cluster_id, '') = COALESCE(?, '')",
            arguments: [test, clusterID]
        ).map(QuarantineRow.init(row:))
    }
}

extension TriageDatabase {
    /// Reads the quarantine entry stored for `test` (or, failing that, the non-glob entry
    /// stored under `formerName`), lets `change` decide what to store, and stores it, all in
    /// one transaction. `change` returns the entry to store (nil: leave the table as it was)
    /// and a value handed back to the caller.
    package func changeQuarantine<T>(
        test: String, clusterID: String? = nil, formerName: String?,
        _ change: (QuarantineEntry?) throws -> (QuarantineEntry?, T)
    ) throws -> T {
        try transaction { db in
            var existing = try QuarantineRow.stored(db, test: test, clusterID: clusterID)
            if existing == nil, let formerName, formerName != test {
                existing = try QuarantineRow.stored(db, test: formerName, clusterID: nil)
                    .flatMap { $0.entry.isPattern ? nil : $0 }
            }
            let (stored, value) = try change(existing?.entry)
            guard let stored, stored != existing?.entry else { return value }
            if let existing {
                // The cause and the creation time stay those of the stored entry.
                try db.execute(
                    sql: "UPDATE quarantine SET test = ?, is_pattern = ?, reason = ?, owner = ?, expires_at = ? WHERE id = ?",
                    arguments: [stored.test, stored.isPattern, stored.reason, stored.owner, stored.expiresAt, existing.id])
            } else {
                try db.execute(
                    sql: """
                        INSERT INTO quarantine (test, is_pattern, cluster_id, reason, owner, created_at, expires_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        stored.test, stored.isPattern, stored.clusterID, stored.reason, stored.owner, stored.createdAt,
                        stored.expiresAt,
                    ])
            }
            return value
        }
    }

    /// Deletes the entry stored under `test` (a test id or a glob) for the cause `clusterID`
    /// (nil: the entry without a cause); whether there was one.
    package func deleteQuarantine(test: String, clusterID: String? = nil) throws -> Bool {
        try transaction { db in
            try db.execute(
                sql: "DELETE FROM quarantine WHERE test = ? AND COALESCE(cluster_id, '') = COALESCE(?, '')",
                arguments: [test, clusterID]) > 0
        }
    }

    /// Every quarantine entry, by test id or glob.
    package func quarantineEntries() throws -> [QuarantineEntry] {
        try read { db in
            try db.fetchAll(
                sql: "SELECT \(QuarantineRow.columns) FROM quarantine ORDER BY test, COALESCE(cluster_id, '')"
            ).map { try QuarantineRow(row: $0).entry }
        }
    }
}
