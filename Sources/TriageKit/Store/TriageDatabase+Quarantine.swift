import Foundation
import GRDB

extension TriageDatabase {
    /// Reads the quarantine entry stored for `test` (or, failing that, the non-glob entry
    /// stored under `formerName`), lets `change` decide what to store, and stores it, all in
    /// one transaction. `change` returns the entry to store (nil: leave the table as it was)
    /// and a value handed back to the caller.
    func changeQuarantine<T>(
        test: String, clusterID: String? = nil, formerName: String?,
        _ change: (QuarantineEntry?) throws -> (QuarantineEntry?, T)
    ) throws -> T {
        try transaction { db in
            var existing = try Self.quarantineEntry(db, test: test, clusterID: clusterID)
            if existing == nil, let formerName, formerName != test {
                existing = try Self.quarantineEntry(db, test: formerName, clusterID: nil).flatMap {
                    $0.entry.isPattern ? nil : $0
                }
            }
            let (stored, value) = try change(existing?.entry)
            guard let stored, stored != existing?.entry else { return value }
            if let rowID = existing?.rowID {
                try db.execute(
                    sql: """
                        UPDATE quarantine SET test = ?, is_pattern = ?, reason = ?, owner = ?, expires_at = ? WHERE id = ?
                        """,
                    arguments: [stored.test, stored.isPattern, stored.reason, stored.owner, stored.expiresAt, rowID])
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
    func deleteQuarantine(test: String, clusterID: String? = nil) throws -> Bool {
        try transaction { db in
            try db.execute(
                sql: "DELETE FROM quarantine WHERE test = ? AND cluster_id IS ?", arguments: [test, clusterID])
            return db.changesCount > 0
        }
    }

    /// Every quarantine entry, by test id or glob.
    func quarantineEntries() throws -> [QuarantineEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM quarantine ORDER BY test, cluster_id").map(Self.quarantineEntry)
        }
    }

    private static func quarantineEntry(_ db: Database, test: String, clusterID: String?) throws -> (
        rowID: Int64, entry: QuarantineEntry
    )? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM quarantine WHERE test = ? AND cluster_id IS ?", arguments: [test, clusterID]
        ).map {
            ($0["id"], quarantineEntry($0))
        }
    }

    private static func quarantineEntry(_ row: Row) -> QuarantineEntry {
        QuarantineEntry(
            test: row["test"], isPattern: row["is_pattern"], clusterID: row["cluster_id"], reason: row["reason"],
            owner: row["owner"],
            createdAt: row["created_at"], expiresAt: row["expires_at"])
    }
}
