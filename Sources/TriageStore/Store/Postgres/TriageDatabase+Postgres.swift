import Foundation
import TriageModel

/// The PostgreSQL side of `TriageDatabase`: migrations under an advisory lock, transactions
/// that are tried again when concurrent writers collide, reads.
extension TriageDatabase {
    /// The advisory lock key that serializes migrations ("triage" in ASCII): twenty CI jobs
    /// that start together on an empty database create the schema once.
    package static let migrationLockKey: Int64 = 0x74_72_69_61_67_65

    /// How often a transaction that lost a race to another writer is tried again.
    package static let postgresAttempts = 4

    package func migratePostgres() throws {
        guard let postgres else { return }
        do {
            let version = try schemaVersion(postgres)
            if let version, version > PostgresSchema.version {
                throw TriageError.database(
                    path: path,
                    reason:
                        "was written by a newer version of triage (schema \(version), this binary knows \(PostgresSchema.version)); upgrade triage, the database was not changed"
                )
            }
            if version == PostgresSchema.version { return }
            if isReadOnly {
                throw TriageError.database(
                    path: path,
                    reason: "needs to be migrated to this version of triage, which cannot happen read-only; open it once with write access")
            }
            try postgres.withAdvisoryLock(key: Self.migrationLockKey) {
                // Another process may have migrated while this one waited for the lock.
                let current = try schemaVersion(postgres)
                if current == PostgresSchema.version { return }
                try postgres.transaction { session in
                    if let current {
                        let steps = PostgresSchema.upgrades.filter { $0.from >= current }
                        guard steps.first?.from == current else {
                            throw TriageError.database(
                                path: path, reason: "has schema \(current), which this version of triage cannot upgrade")
                        }
                        for step in steps {
                            for statement in step.statements { try session.execute(sql: statement) }
                        }
                    } else {
                        for statement in PostgresSchema.statements { try session.execute(sql: statement) }
                    }
                    try session.execute(
                        sql: "INSERT INTO triage_schema (version) VALUES (?)", arguments: [PostgresSchema.version])
                }
            }
        } catch let error as TriageError {
            throw error
        } catch {
            throw TriageError.database(path: path, reason: "cannot be prepared: \(Self.reason(error))")
        }
    }

    /// The schema version recorded in the database, or nil for an empty one.
    private func schemaVersion(_ postgres: PostgresBackend) throws -> Int? {
        try postgres.transaction { session in
            guard
                try session.fetchOne(Bool.self, sql: "SELECT to_regclass('triage_schema') IS NOT NULL") ?? false
            else { return nil }
            return try session.fetchOne(Int.self, sql: "SELECT MAX(version) FROM triage_schema")
        }
    }

    /// One transaction on PostgreSQL. A serialization failure, a deadlock or a unique key
    /// another writer took first (two shards creating the same run) rolls it back and runs
    /// `body` again, which then sees what the other writer committed.
    package func commitPostgres<T>(_ postgres: PostgresBackend, _ body: (any SQLSession) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try postgres.transaction { session in try body(session) }
            } catch let error as PostgresFailure
                where ["40001", "40P01", "23505"].contains(error.sqlState ?? "") && attempt < Self.postgresAttempts
            {
                attempt += 1
                usleep(useconds_t(20_000 * attempt))
            } catch let error as TriageError {
                throw error
            } catch {
                throw TriageError.database(path: path, reason: Self.reason(error))
            }
        }
    }

    /// A read on PostgreSQL, in one transaction so that it sees one snapshot.
    package func readPostgres<T>(_ postgres: PostgresBackend, _ body: (any SQLSession) throws -> T) throws -> T {
        do {
            return try postgres.transaction { session in
                try session.execute(sql: "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                return try body(session)
            }
        } catch let error as TriageError {
            throw error
        } catch {
            throw TriageError.database(path: path, reason: Self.reason(error))
        }
    }
}
