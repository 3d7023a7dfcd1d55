import Foundation
import TriageModel
import GRDB

/// The run history: a SQLite file, or a PostgreSQL database shared by a CI fleet, migrated
/// when opened. Every analysis reads it through the named reads of this type and its
/// extensions, never through SQL of its own.
public struct TriageDatabase: Sendable {
    /// The default location, relative to the current directory.
    public static let defaultPath = ".triage/triage.sqlite"
    /// What every connection to a history sets when it opens (after WAL mode).
    package static let connectionSettings = "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384"

    /// The SQLite connection (nil on PostgreSQL).
    private let sqlite: (any DatabaseWriter)?
    /// The PostgreSQL connection (nil on SQLite): one per process.
    package let postgres: PostgresBackend?
    /// The path shown in errors (":memory:" for a test database; a PostgreSQL URL without
    /// its password).
    public let path: String
    /// Whether the database was opened read-only.
    public let isReadOnly: Bool

    /// The SQLite connection; only SQLite's own maintenance (WAL, vacuum) asks for it.
    package var writer: any DatabaseWriter {
        get throws {
            guard let sqlite else {
                throw TriageError.database(path: path, reason: "this operation needs a SQLite database")
            }
            return sqlite
        }
    }

    /// Which backend holds the history.
    package var dialect: SQLDialect { postgres == nil ? .sqlite : .postgresql }

    /// Opens (creating if needed) the history at `location`: a `postgresql://` (or
    /// `postgres://`) URL selects PostgreSQL; anything else is the path of a SQLite file, in
    /// WAL mode with a busy timeout, so that several CI shards can write into one file at the
    /// same time.
    ///
    /// - Parameter readOnly: nothing is created or migrated, and every write fails with the
    ///   read-only error (exit code 4).
    public init(path location: String, busyTimeout: TimeInterval = 60, readOnly: Bool = false) throws {
        let postgresLocation: PostgresLocation?
        do {
            postgresLocation = try PostgresLocation.parse(location)
        } catch {
            throw TriageError.invalidArgument("\(error)")
        }
        if let postgresLocation {
            try self.init(postgres: postgresLocation, readOnly: readOnly)
        } else {
            try self.init(sqlitePath: location, busyTimeout: busyTimeout, readOnly: readOnly)
        }
    }

    /// Whether `location` names a PostgreSQL server rather than a SQLite file.
    public static func isServerURL(_ location: String) -> Bool {
        location.hasPrefix("postgresql://") || location.hasPrefix("postgres://")
    }

    /// `location` as messages show it: a server URL without its password.
    public static func displayName(of location: String) -> String {
        guard isServerURL(location) else { return location }
        return (try? PostgresLocation.parse(location))??.redacted ?? "a PostgreSQL URL that cannot be read"
    }

    private init(postgres location: PostgresLocation, readOnly: Bool) throws {
        path = location.redacted
        isReadOnly = readOnly
        sqlite = nil
        do {
            postgres = try PostgresBackend.connect(location)
            // Read-only as SQLite's flag is: every write fails (exit 4), nothing is migrated.
            if readOnly {
                try postgres?.session().execute(sql: "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            }
        } catch {
            throw TriageError.database(path: path, reason: "\(error)")
        }
        try migratePostgres()
    }

    private init(sqlitePath path: String, busyTimeout: TimeInterval, readOnly: Bool) throws {
        self.path = path
        postgres = nil
        self.isReadOnly = readOnly
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            if !readOnly { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        } catch {
            throw TriageError.database(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
        }
        // Opening sets WAL mode and migrates: two processes doing that at once on a new file
        // (two CI jobs on an empty cache) would collide, so opening is serialized by a lock file.
        let lock = OpeningLock(path: path + ".lock", timeout: busyTimeout)
        defer { lock.release() }
        var configuration = Configuration()
        configuration.readonly = readOnly
        // WAL mode is set here, not with `journalMode = .wal`: GRDB's WAL setup commits a
        // throwaway table whenever the -wal file is empty, a write on every open (reads too)
        // that a full disk then leaves half copied into the database file.
        configuration.journalMode = .default
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            if !readOnly {
                // Before the first table: a new database gives pages freed by `prune` back to the
                // file system a batch at a time (an existing one is converted by its first prune).
                if try Int.fetchOne(db, sql: "PRAGMA page_count") == 0 {
                    try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                }
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                guard mode == "wal" else {
                    throw DatabaseError(message: "could not switch to WAL mode (the journal mode stayed \(mode ?? "unknown"))")
                }
            }
            try db.execute(sql: Self.connectionSettings)
        }
        do {
            sqlite = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw TriageError.database(
                path: path, reason: "cannot be opened as a SQLite database: \(Self.reason(error))")
        }
        try migrate(busyTimeout: busyTimeout)
    }

    /// A fresh in-memory database, for tests.
    public static func inMemory() throws -> TriageDatabase {
        try TriageDatabase(writer: DatabaseQueue(), path: ":memory:")
    }

    private init(writer: any DatabaseWriter, path: String) throws {
        sqlite = writer
        postgres = nil
        self.path = path
        self.isReadOnly = false
        try migrate()
    }

    private func migrate(busyTimeout: TimeInterval = 60) throws {
        let migrator = Schema.migrator
        do {
            let writer = try writer
            if try writer.read({ try migrator.hasBeenSuperseded($0) }) {
                throw TriageError.database(
                    path: path,
                    reason:
                        "was written by a newer version of triage (its schema has migrations this binary does not know); upgrade triage, the database was not changed"
                )
            }
            if isReadOnly {
                if try !writer.read({ try migrator.hasCompletedMigrations($0) }) {
                    throw TriageError.database(
                        path: path,
                        reason:
                            "needs to be migrated to this version of triage, which cannot happen read-only; open it once with write access"
                    )
                }
            } else {
                let isPending = try writer.read { try !migrator.hasCompletedMigrations($0) }
                try migrator.migrate(writer)
                // A new or migrated schema is a write like any other: the file alone must hold it.
                if isPending {
                    try foldWriteAheadLog()
                } else if let size = try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int,
                    size > 0
                {
                    // Left behind by a process that was killed or could not fold it in, or in
                    // use by another writer: fold it in when nobody needs to be waited for.
                    let timeout = Int(busyTimeout * 1000)
                    _ = try? writer.writeWithoutTransaction {
                        try $0.execute(
                            sql: "PRAGMA busy_timeout = 0; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA busy_timeout = \(timeout)")
                    }
                }
            }
        } catch let error as TriageError {
            throw error
        } catch {
            throw TriageError.database(path: path, reason: "cannot be prepared: \(Self.reason(error))")
        }
    }

    /// Runs `body` in one IMMEDIATE transaction: all of it is written, or none of it.
    /// Immediate, so that concurrent writers queue on the busy timeout instead of failing.
    /// Once committed, the write-ahead log is folded into the database file, so that the file
    /// alone (what a CI cache saves) holds everything written.
    package func transaction<T>(checkingForeignKeys: Bool = true, _ body: (any SQLSession) throws -> T) throws -> T {
        let value = try commit(checkingForeignKeys: checkingForeignKeys, body)
        try foldWriteAheadLog()
        return value
    }

    /// `transaction` without folding the write-ahead log: for a series of short transactions
    /// that fold once at the end.
    ///
    /// `checkingForeignKeys: false` is for a writer that only refers to rows it has just read or
    /// written in the same transaction (ingest): SQLite then skips a parent lookup for every
    /// reference of every inserted row. The pragma can only change outside a transaction.
    package func commit<T>(checkingForeignKeys: Bool = true, _ body: (any SQLSession) throws -> T) throws -> T {
        if let postgres { return try commitPostgres(postgres, body) }
        do {
            return try writer.writeWithoutTransaction { db in
                if !checkingForeignKeys { try db.execute(sql: "PRAGMA foreign_keys = OFF") }
                defer { if !checkingForeignKeys { try? db.execute(sql: "PRAGMA foreign_keys = ON") } }
                var value: T?
                try db.inTransaction(.immediate) {
                    value = try body(SQLiteSession(db))
                    return .commit
                }
                guard let value else { throw TriageError.database(path: path, reason: "transaction returned nothing") }
                return value
            }
        } catch let error as TriageError {
            throw error
        } catch {
            throw TriageError.database(path: path, reason: Self.reason(error))
        }
    }

    /// How often a checkpoint that other connections kept from finishing is tried again.
    package static let checkpointAttempts = 5

    /// Copies every committed page from the `-wal` file into the database file and empties the
    /// `-wal` file (`PRAGMA wal_checkpoint(TRUNCATE)`). Until this succeeds a committed write
    /// lives only in the `-wal` file, and a copy of the database file alone lacks it or is
    /// malformed. Another connection that writes or reads an older snapshot keeps the
    /// checkpoint from finishing: SQLite waits on the busy timeout, then this tries again a few
    /// times, then reports the data as stored but not folded in (exit code 4).
    package func foldWriteAheadLog() throws {
        guard let writer = sqlite, path != ":memory:", !isReadOnly else { return }
        var delay: useconds_t = 50_000
        for attempt in 1...Self.checkpointAttempts {
            let isBusy: Bool
            do {
                isBusy = try writer.writeWithoutTransaction { db in
                    // One row: busy (1 when blocked), frames in the log, frames checkpointed.
                    let busy = try Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                    return busy != 0
                }
            } catch {
                throw TriageError.database(
                    path: path, reason: Self.unfoldedReason(Self.checkpointCause(error)))
            }
            if !isBusy { return }
            if attempt < Self.checkpointAttempts {
                usleep(delay)
                delay *= 2
            }
        }
        throw TriageError.database(
            path: path,
            reason: Self.unfoldedReason(
                "other triage processes kept the database busy through \(Self.checkpointAttempts) tries"))
    }

    private static func unfoldedReason(_ cause: String) -> String {
        "the changes were saved, but only in its -wal file (\(cause)); keep that file beside it (cache the whole folder), fix the cause and run `triage runs` to fold them in"
    }

    private static func checkpointCause(_ error: Error) -> String {
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_FULL: return "the disk is full"
            case .SQLITE_BUSY, .SQLITE_LOCKED: return "another process kept it locked past the busy timeout"
            case .SQLITE_READONLY: return "the file is read-only"
            default: return error.message ?? "\(error.resultCode)"
            }
        }
        return "\(error)"
    }

    /// A read on the SQLite connection itself (tests look at the file with it).
    package func readSQLite<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.read(body)
    }

    /// Whether maintenance that only SQLite needs (vacuum, the write-ahead log) applies.
    package var isSQLiteFile: Bool { sqlite != nil && path != ":memory:" }

    /// Runs `body` outside a transaction, for SQLite's maintenance statements (`VACUUM`).
    package func maintenance(_ body: (any SQLSession) throws -> Void) throws {
        try writer.writeWithoutTransaction { try body(SQLiteSession($0)) }
    }

    /// Runs a read, mapping SQLite errors to `TriageError`.
    package func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        if let postgres { return try readPostgres(postgres, body) }
        do {
            return try writer.read { try body(SQLiteSession($0)) }
        } catch let error as TriageError {
            throw error
        } catch {
            throw TriageError.database(path: path, reason: Self.reason(error))
        }
    }

    package static func reason(_ error: Error) -> String {
        if let error = error as? DamagedRow { return error.description }
        if let error = error as? PostgresFailure { return error.description }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return
                    "the database stayed locked by another writer past the busy timeout; retry, or check for a stuck triage process"
            case .SQLITE_FULL:
                return "the disk is full; nothing was written, free some space and retry"
            case .SQLITE_READONLY:
                return
                    "the database is read-only; nothing was written, check the permissions of the file and its folder (or the mount)"
            case .SQLITE_CORRUPT, .SQLITE_NOTADB:
                return "the file is not a valid triage database (corrupt, or another kind of file)"
            case .SQLITE_CANTOPEN:
                return "cannot open the file; check the path and permissions"
            default:
                return error.message ?? "\(error.resultCode)"
            }
        }
        return "\(error)"
    }
}

/// An advisory lock (flock) held while a database is opened and migrated.
private struct OpeningLock {
    private let descriptor: Int32

    /// Waits up to `timeout` for the lock; without it (a read-only folder, a timeout) opening
    /// goes on unlocked and relies on SQLite's own busy handling.
    init(path: String, timeout: TimeInterval) {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0, Date() < deadline {
            usleep(10_000)
        }
    }

    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
