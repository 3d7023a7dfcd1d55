import Foundation
import GRDB

/// A row of `quarantine`.
struct QuarantineRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "quarantine"

    var id: Int64?
    var test: String
    var isPattern: Bool
    var clusterID: String?
    var reason: String
    var owner: String?
    var createdAt: String
    var expiresAt: String?

    enum CodingKeys: String, CodingKey {
        case id, test, reason, owner
        case isPattern = "is_pattern", clusterID = "cluster_id", createdAt = "created_at", expiresAt = "expires_at"
    }

    enum Columns {
        static let test = Column(CodingKeys.test)
        static let isPattern = Column(CodingKeys.isPattern)
        static let clusterID = Column(CodingKeys.clusterID)
        static let reason = Column(CodingKeys.reason)
        static let owner = Column(CodingKeys.owner)
        static let expiresAt = Column(CodingKeys.expiresAt)
    }

    init(id: Int64? = nil, _ entry: QuarantineEntry) {
        self.id = id
        test = entry.test
        isPattern = entry.isPattern
        clusterID = entry.clusterID
        reason = entry.reason
        owner = entry.owner
        createdAt = entry.createdAt
        expiresAt = entry.expiresAt
    }

    var entry: QuarantineEntry {
        QuarantineEntry(
            test: test, isPattern: isPattern, clusterID: clusterID, reason: reason, owner: owner, createdAt: createdAt,
            expiresAt: expiresAt)
    }

    /// The entry stored for `test` (a test id or a glob) and the cause `clusterID` (nil: none).
    static func stored(test: String, clusterID: String?) -> QueryInterfaceRequest<QuarantineRecord> {
        filter(Columns.test == test && Columns.clusterID == clusterID)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

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
            var existing = try QuarantineRecord.fetchOneChecked(db, QuarantineRecord.stored(test: test, clusterID: clusterID))
            if existing == nil, let formerName, formerName != test {
                existing = try QuarantineRecord.fetchOneChecked(db, QuarantineRecord.stored(test: formerName, clusterID: nil))
                    .flatMap { $0.isPattern ? nil : $0 }
            }
            let (stored, value) = try change(existing?.entry)
            guard let stored, stored != existing?.entry else { return value }
            var record = QuarantineRecord(id: existing?.id, stored)
            if existing != nil {
                // The cause and the creation time stay those of the stored entry.
                typealias Columns = QuarantineRecord.Columns
                try record.update(
                    db, columns: [Columns.test, Columns.isPattern, Columns.reason, Columns.owner, Columns.expiresAt])
            } else {
                try record.insert(db)
            }
            return value
        }
    }

    /// Deletes the entry stored under `test` (a test id or a glob) for the cause `clusterID`
    /// (nil: the entry without a cause); whether there was one.
    func deleteQuarantine(test: String, clusterID: String? = nil) throws -> Bool {
        try transaction { db in
            try QuarantineRecord.stored(test: test, clusterID: clusterID).deleteAll(db) > 0
        }
    }

    /// Every quarantine entry, by test id or glob.
    func quarantineEntries() throws -> [QuarantineEntry] {
        try read { db in
            try QuarantineRecord.fetchAllChecked(
                db, QuarantineRecord.order(QuarantineRecord.Columns.test, QuarantineRecord.Columns.clusterID)
            ).map(\.entry)
        }
    }
}
