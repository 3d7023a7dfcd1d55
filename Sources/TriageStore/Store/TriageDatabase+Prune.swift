import Foundation
import TriageModel

/// What `prune` removed (or, in a dry run, would remove).
public struct PruneReport: Codable, Sendable, Equatable {
    /// The runs removed, oldest first.
    public var runs: [Int64]
    /// Their results.
    public var results: Int
    /// Tests that no remaining run reports and no Five-Whys record names.
    public var tests: Int
    /// Clusters that no remaining failure, Five-Whys record, cycle or quarantine refers to.
    public var clusters: Int
    /// Runs that matched but that a remediation cycle starts from or measured: kept.
    public var keptForCycles: [Int64]
    /// The database's size on disk before and after (its file and write-ahead log).
    public var bytesBefore: Int64
    public var bytesAfter: Int64
    public var dryRun: Bool

    package init(runs: [Int64], results: Int, tests: Int, clusters: Int, keptForCycles: [Int64], bytesBefore: Int64, bytesAfter: Int64, dryRun: Bool) {
        self.runs = runs
        self.results = results
        self.tests = tests
        self.clusters = clusters
        self.keptForCycles = keptForCycles
        self.bytesBefore = bytesBefore
        self.bytesAfter = bytesAfter
        self.dryRun = dryRun
    }
}

extension TriageDatabase {
    /// How many orphaned tests or clusters one short transaction of `prune` deletes.
    package static let pruneBatchSize = 5_000

    /// Removes the runs stored before `cutoff` and those beyond the newest `keepRuns` (either
    /// criterion selects a run, as a CI server's build discarder does), then the tests and
    /// clusters that only they used, then gives the freed pages back to the file system.
    ///
    /// Each run goes in a transaction of its own and orphans go `pruneBatchSize` at a time, so
    /// a CI job writing meanwhile waits for one step at most. Runs a remediation cycle starts
    /// from or measured are kept: a cycle's figures keep their runs.
    public func prune(before cutoff: Date?, keepRuns: Int?, dryRun: Bool = false) throws -> PruneReport {
        let bytesBefore = sizeOnDisk()
        let (selected, kept) = try read { db -> ([Int64], [Int64]) in
            var candidates = Set<Int64>()
            if let cutoff {
                candidates.formUnion(
                    try db.fetchAll(Int64.self, sql: "SELECT id FROM run WHERE run_at < ?", arguments: [ISO8601.string(cutoff)]))
            }
            if let keepRuns {
                candidates.formUnion(
                    try db.fetchAll(Int64.self, sql: """
                            SELECT id FROM run WHERE id NOT IN (
                                SELECT id FROM run ORDER BY run_at DESC, id DESC LIMIT ?)
                            """, arguments: [max(0, keepRuns)]))
            }
            let cycleRuns = Set(
                try db.fetchAll(Int64.self, sql: """
                        SELECT before_run_id FROM cycle WHERE before_run_id IS NOT NULL
                        UNION SELECT before_run_id FROM cycle_result WHERE before_run_id IS NOT NULL
                        UNION SELECT after_run_id FROM cycle_result WHERE after_run_id IS NOT NULL
                        """))
            let ordered = try db.fetchAll(Int64.self, sql: "SELECT id FROM run ORDER BY run_at, id")
            return (
                ordered.filter { candidates.contains($0) && !cycleRuns.contains($0) },
                ordered.filter { candidates.contains($0) && cycleRuns.contains($0) }
            )
        }
        var report = PruneReport(
            runs: selected, results: 0, tests: 0, clusters: 0, keptForCycles: kept, bytesBefore: bytesBefore,
            bytesAfter: bytesBefore, dryRun: dryRun)
        if dryRun {
            report.results = try read { db in
                try selected.reduce(0) {
                    $0 + (try db.fetchOne(Int.self, sql: "SELECT COUNT(*) FROM result WHERE run_id = ?", arguments: [$1]) ?? 0)
                }
            }
            return report
        }
        // On PostgreSQL, a range of runs that goes as a whole goes a partition at a time.
        let dropped = dialect == .postgresql ? try dropWholePartitions(of: selected, report: &report) : []
        for id in selected where !dropped.contains(id) {
            report.results += try commit { db in
                let results = try db.fetchOne(Int.self, sql: "SELECT COUNT(*) FROM result WHERE run_id = ?", arguments: [id])
                try Self.deleteRunRows(db, id: id)
                return results ?? 0
            }
        }
        report.tests = try deleteInBatches(
            """
            DELETE FROM test WHERE id IN (
                SELECT t.id FROM test t
                WHERE NOT EXISTS (SELECT 1 FROM result r WHERE r.test_id = t.id)
                  AND NOT EXISTS (SELECT 1 FROM whys_test w WHERE w.test_id = t.id)
                LIMIT ?)
            """)
        report.clusters = try deleteInBatches(
            """
            DELETE FROM failure_cluster WHERE id IN (
                SELECT c.id FROM failure_cluster c
                WHERE NOT EXISTS (SELECT 1 FROM attempt a WHERE a.cluster_id = c.id)
                  AND NOT EXISTS (SELECT 1 FROM result r WHERE r.cluster_id = c.id)
                  AND NOT EXISTS (SELECT 1 FROM whys_cluster w WHERE w.cluster_id = c.id)
                  AND NOT EXISTS (SELECT 1 FROM cycle_cluster k WHERE k.cluster_id = c.id)
                  AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.cluster_id = c.id)
                  AND NOT EXISTS (SELECT 1 FROM recurrence u WHERE u.cluster_id = c.id)
                LIMIT ?)
            """)
        if !selected.isEmpty || report.tests > 0 || report.clusters > 0 {
            try reclaimSpace()
        }
        try foldWriteAheadLog()
        report.bytesAfter = sizeOnDisk()
        return report
    }

    /// Deletes a run's attempts, results, files and row.
    package static func deleteRunRows(_ db: any SQLSession, id: Int64) throws {
        try db.execute(
            sql: "DELETE FROM attempt WHERE result_id IN (SELECT id FROM result WHERE run_id = ?)", arguments: [id])
        try db.execute(sql: "DELETE FROM result WHERE run_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM run_file WHERE run_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM run WHERE id = ?", arguments: [id])
    }

    /// PostgreSQL: drops each partition of `result` and `attempt` whose runs are all among
    /// `selected`, then deletes those runs' files and rows; the runs it removed.
    ///
    /// A partition is dropped only when its whole range lies below the newest run (no later
    /// run can land in it) and every run stored in the range goes. One transaction per range:
    /// a CI job storing a run meanwhile waits for the moment the parent tables are locked to
    /// drop a partition, instead of for a row-by-row delete of up to a thousand runs.
    private func dropWholePartitions(of selected: [Int64], report: inout PruneReport) throws -> Set<Int64> {
        let going = Set(selected)
        let size = PostgresSchema.runsPerPartition
        let stored = try read { try $0.fetchAll(Int64.self, sql: "SELECT id FROM run ORDER BY id") }
        let newest = stored.last ?? 0
        let ranges = Dictionary(grouping: stored, by: { $0 / size })
            .filter { range, runs in (range + 1) * size - 1 <= newest && runs.allSatisfy(going.contains) }
        var removed = Set<Int64>()
        for (range, runs) in ranges.sorted(by: { $0.key < $1.key }) {
            report.results += try commit { db in
                guard
                    try db.fetchOne(
                        Int.self, sql: "SELECT COUNT(*) FROM pg_class WHERE relname = ? AND relnamespace = current_schema()::regnamespace",
                        arguments: ["result_p\(range)"]) == 1
                else { return 0 }
                let results = try db.fetchOne(Int.self, sql: "SELECT COUNT(*) FROM result_p\(range)") ?? 0
                // The attempt partition first: `attempt` has no key into `result` on
                // PostgreSQL, and `result_pN` is detached before it is dropped, so that no
                // CASCADE can touch a key of the whole table.
                try db.execute(sql: "DROP TABLE attempt_p\(range)")
                try db.execute(sql: "ALTER TABLE result DETACH PARTITION result_p\(range)")
                try db.execute(sql: "DROP TABLE result_p\(range)")
                let low = range * size, high = (range + 1) * size
                try db.execute(sql: "DELETE FROM run_file WHERE run_id >= ? AND run_id < ?", arguments: [low, high])
                try db.execute(sql: "DELETE FROM run WHERE id >= ? AND id < ?", arguments: [low, high])
                removed.formUnion(runs)
                return results
            }
        }
        return removed
    }

    /// Runs `sql` (a DELETE whose only argument is the batch size) until it deletes nothing;
    /// how many rows it deleted in all.
    private func deleteInBatches(_ sql: String) throws -> Int {
        var total = 0
        while true {
            let deleted = try commit { db in
                try db.execute(sql: sql, arguments: [Self.pruneBatchSize])
            }
            total += deleted
            if deleted < Self.pruneBatchSize { return total }
        }
    }

    /// Gives free pages back to the file system: incrementally, a batch at a time, when the
    /// database was created for it; otherwise converts it once with a full `VACUUM`.
    private func reclaimSpace() throws {
        guard isSQLiteFile else { return }
        do {
            try maintenance { db in
                let mode = try db.fetchOne(Int.self, sql: "PRAGMA auto_vacuum") ?? 0
                if mode == 2 {
                    while try db.fetchOne(Int.self, sql: "PRAGMA freelist_count") ?? 0 > 0 {
                        try db.execute(sql: "PRAGMA incremental_vacuum(2000)")
                    }
                } else {
                    try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                    try db.execute(sql: "VACUUM")
                }
            }
        } catch {
            throw TriageError.database(path: path, reason: "pruned, but space could not be reclaimed: \(Self.reason(error))")
        }
    }

    /// Bytes of the database file and its write-ahead log (on PostgreSQL, of the database).
    package func sizeOnDisk() -> Int64 {
        if postgres != nil {
            return (try? read { try $0.fetchOne(Int64.self, sql: "SELECT pg_database_size(current_database())") }) ?? 0
        }
        return [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }
}
