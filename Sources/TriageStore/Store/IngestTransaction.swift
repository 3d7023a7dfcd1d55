import Foundation
import TriageModel

/// What one ingest asks of the store, all inside one transaction: the run, its files, the
/// writer of its cases and its totals. The ingest decides; this only reads and writes.
package final class IngestTransaction {
    private let db: any SQLSession

    fileprivate init(db: any SQLSession) {
        self.db = db
    }

    /// The run stored under `key`, or a new one with `metadata`.
    package func run(key: String, metadata meta: RunMetadata, createdAt: Date, runAt: Date) throws -> (id: Int64, isNew: Bool) {
        if let id = try db.fetchOne(Int64.self, sql: "SELECT id FROM run WHERE run_key = ?", arguments: [key]) {
            return (id, false)
        }
        let labels = String(decoding: try JSONEncoder.sorted.encode(meta.labels), as: UTF8.self)
        let id = try db.insertReturningID(
            sql: """
                INSERT INTO run (run_key, created_at, run_at, commit_sha, branch, ci_provider, build_id, build_url,
                                 pull_request, labels, job)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                RETURNING id
                """,
            arguments: [
                key, ISO8601.string(createdAt), ISO8601.string(runAt), meta.commit, meta.branch, meta.ciProvider,
                meta.buildID, meta.buildURL, meta.pullRequest, labels, meta.job,
            ])
        guard let id else { throw DamagedRow(table: "run", column: "id", found: "no id for a new run") }
        if db.dialect == .postgresql {
            // The run's results go into the partition of its id range, made on first use.
            _ = try db.fetchAll(sql: "SELECT triage_ensure_partition(?)", arguments: [id])
        }
        return (id, true)
    }

    /// The run that already holds a file with this digest: within `runID` when `scopedToRun`,
    /// anywhere otherwise.
    package func runHoldingFile(sha256: String, runID: Int64, scopedToRun: Bool) throws -> Int64? {
        if scopedToRun {
            return try db.fetchOne(Int64.self, sql: "SELECT run_id FROM run_file WHERE sha256 = ? AND run_id = ?", arguments: [sha256, runID])
        }
        return try db.fetchOne(Int64.self, sql: "SELECT run_id FROM run_file WHERE sha256 = ? ORDER BY run_id LIMIT 1", arguments: [sha256])
    }

    /// Stores a file of the run before its cases; `finishFile` records what it held.
    package func addFile(path: String, format: ReportFormat?, size: Int64, sha256: String, runID: Int64, at date: Date) throws
        -> Int64
    {
        let id = try db.insertReturningID(
            sql:
                "INSERT INTO run_file (run_id, path, format, size, sha256, cases, ingested_at) VALUES (?, ?, ?, ?, ?, 0, ?) RETURNING id",
            arguments: [runID, path, format?.rawValue ?? "unknown", size, sha256, ISO8601.string(date)])
        guard let id else { throw DamagedRow(table: "run_file", column: "id", found: "no id for a new file") }
        return id
    }

    package func finishFile(id: Int64, format: ReportFormat, cases: Int) throws {
        try db.execute(
            sql: "UPDATE run_file SET format = ?, cases = ? WHERE id = ?", arguments: [format.rawValue, cases, id])
    }

    /// Runs `body` in a savepoint: what it wrote stays only if it returns.
    package func savepoint(_ body: () throws -> Void) throws {
        try db.savepoint(body)
    }

    /// Removes a run this ingest created and stored nothing in, and gives its id back: a
    /// refused ingest does not use up a run id. Only the id just handed out is given back, so
    /// the id of a deleted run is still never reused.
    package func dropEmptyRun(id: Int64) throws {
        try db.execute(sql: "DELETE FROM run WHERE id = ?", arguments: [id])
        // PostgreSQL's sequences are shared by concurrent writers: there an id is never given back.
        if db.dialect == .sqlite {
            try db.execute(
                sql: "UPDATE sqlite_sequence SET seq = seq - 1 WHERE name = 'run' AND seq = ?", arguments: [id])
        }
    }

    /// Sets the run's time; unless `always`, only moves it earlier.
    package func setRunTime(runID: Int64, to date: Date, always: Bool) throws {
        let stamp = ISO8601.string(date)
        try db.execute(
            sql: "UPDATE run SET run_at = ? WHERE id = ? AND (CAST(? AS INTEGER) = 1 OR run_at > ?)",
            arguments: [stamp, runID, always, stamp])
    }

    /// Counts the run's results into its row (what trends read) and returns the counts.
    package func updateTotals(runID: Int64) throws -> RunTotals {
        try db.execute(
            sql: """
                UPDATE run SET
                    tests = (SELECT COUNT(*) FROM result WHERE run_id = run.id),
                    passed = (SELECT COUNT(*) FROM result WHERE run_id = run.id AND outcome = 'passed'),
                    failed = (SELECT COUNT(*) FROM result WHERE run_id = run.id AND outcome = 'failed'),
                    errors = (SELECT COUNT(*) FROM result WHERE run_id = run.id AND outcome = 'error'),
                    skipped = (SELECT COUNT(*) FROM result WHERE run_id = run.id AND outcome = 'skipped'),
                    retried = (SELECT COUNT(*) FROM result WHERE run_id = run.id AND retried = 1)
                WHERE id = ?
                """, arguments: [runID])
        let row = try db.fetchOne(sql: "SELECT tests, passed, failed, errors, skipped, retried FROM run WHERE id = ?", arguments: [runID])
        return RunTotals(
            tests: row?["tests"] ?? 0, passed: row?["passed"] ?? 0, failed: row?["failed"] ?? 0,
            errors: row?["errors"] ?? 0, skipped: row?["skipped"] ?? 0, retried: row?["retried"] ?? 0)
    }

    /// The writer of the run's cases; clusters it stores are recorded under `rulesVersion`.
    package func writer(runID: Int64, rulesVersion: String) throws -> RunWriter {
        try RunWriter(db: db, runID: runID, rulesVersion: rulesVersion)
    }
}

extension TriageDatabase {
    /// One ingest in one transaction: all of it is stored, or none of it. Foreign keys go
    /// unchecked inside (the ingest refers only to rows it has just read or written).
    package func ingestTransaction<T>(_ body: (IngestTransaction) throws -> T) throws -> T {
        try transaction(checkingForeignKeys: false) { db in try body(IngestTransaction(db: db)) }
    }
}
