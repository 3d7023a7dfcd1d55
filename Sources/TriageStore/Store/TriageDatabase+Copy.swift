import Foundation
import TriageModel

/// What `triage db copy` did: rows per table, as counted in the source and the destination.
public struct CopyReport: Codable, Sendable, Equatable {
    public struct Table: Codable, Sendable, Equatable {
        public var name: String
        public var source: Int
        public var destination: Int

        package init(name: String, source: Int, destination: Int) {
            self.name = name
            self.source = source
            self.destination = destination
        }
    }

    public var from: String
    public var to: String
    public var tables: [Table]
    public var isVerified: Bool { tables.allSatisfy { $0.source == $0.destination } }

    package init(from: String, to: String, tables: [Table]) {
        self.from = from
        self.to = to
        self.tables = tables
    }
}

extension TriageDatabase {
    /// The tables of a history with the columns both backends have, parents before children.
    /// (PostgreSQL's `attempt` also holds its result's run, and its link tables an ordering
    /// column of their own; both are filled there as rows arrive.)
    package static let copiedTables: [(name: String, columns: [String], order: String)] = [
        ("run", ["id", "run_key", "created_at", "commit_sha", "branch", "ci_provider", "build_id", "build_url",
                 "pull_request", "labels", "tests", "passed", "failed", "errors", "skipped", "retried", "run_at", "job"], "id"),
        ("run_file", ["id", "run_id", "path", "format", "size", "sha256", "cases", "ingested_at"], "id"),
        ("failure_cluster", ["id", "category", "detail", "template", "rules_version"], "id"),
        ("test", ["id", "identity_hash", "suite", "classname", "name", "file", "suite_path", "variant", "legacy"], "id"),
        ("result", ["id", "run_id", "test_id", "file_id", "outcome", "attempts", "retried", "duration", "cluster_id"], "id"),
        ("attempt", ["id", "result_id", "seq", "kind", "outcome", "inferred", "duration", "message", "failure_type",
                     "failure_text", "stdout", "stderr", "cluster_id"], "id"),
        ("whys", ["id", "problem", "root_cause", "status", "owner", "business_impact", "risk", "priority", "created_at",
                  "updated_at", "fixed_at", "fixed_run_id", "fixed_run_at"], "id"),
        ("whys_step", ["whys_id", "seq", "question", "answer"], "whys_id, seq"),
        ("whys_option", ["id", "whys_id", "seq", "title", "approach", "pros", "cons", "chosen"], "id"),
        ("whys_item", ["whys_id", "kind", "seq", "text", "state"], "whys_id, kind, seq"),
        ("whys_cluster", ["whys_id", "cluster_id"], "rowid"),
        ("whys_test", ["whys_id", "test_id"], "rowid"),
        ("cycle", ["id", "effort", "number", "max_cycles", "scope", "status", "owner", "started_at", "closed_at",
                   "before_run_id", "risk", "priority", "business_impact"], "id"),
        ("cycle_note", ["cycle_id", "kind", "seq", "created_at", "text"], "cycle_id, kind, seq"),
        ("cycle_cluster", ["cycle_id", "cluster_id"], "rowid"),
        ("cycle_whys", ["cycle_id", "whys_id"], "cycle_id, whys_id"),
        ("cycle_result", ["cycle_id", "before_run_id", "after_run_id", "tests_before", "passed_before", "failed_before",
                          "errors_before", "skipped_before", "tests_after", "passed_after", "failed_after",
                          "errors_after", "skipped_after", "fixed", "newly_failing", "still_failing", "verdict",
                          "measurement"], "cycle_id"),
        ("recurrence", ["id", "run_id", "cluster_id", "whys_id", "cycle_id", "previous_status", "fixed_at", "tests",
                        "detected_at"], "id"),
        ("quarantine", ["id", "test", "is_pattern", "cluster_id", "reason", "owner", "created_at", "expires_at"], "id"),
        ("rules_in_force", ["id", "version", "rules", "source", "recorded_at"], "id"),
    ]

    /// Rows per INSERT: few statements, and far below both backends' limit on bound values.
    package static let copyBatchRows = 400

    /// Copies the whole history into `destination`, which must hold none, keeping every id;
    /// counts each table on both sides at the end. One transaction on the destination: an
    /// interrupted copy leaves it empty.
    public func copy(to destination: TriageDatabase) throws -> CopyReport {
        guard try destination.isEmptyHistory() else {
            throw TriageError.invalidArgument(
                "\(destination.path) already holds a history; copy into a new, empty database")
        }
        try destination.commit(checkingForeignKeys: false) { target in
            for table in Self.copiedTables {
                let carriesRun = table.name == "attempt" && target.dialect == .postgresql
                var columns = table.columns
                var select = "SELECT \(columns.map { "t.\($0)" }.joined(separator: ", ")) FROM \(table.name) t"
                if carriesRun {
                    columns.append("run_id")
                    select = "SELECT \(table.columns.map { "t.\($0)" }.joined(separator: ", ")), r.run_id FROM attempt t JOIN result r ON r.id = t.result_id"
                }
                let order = table.order.split(separator: ",").map { "t.\($0.trimmingCharacters(in: .whitespaces))" }
                select += " ORDER BY \(order.joined(separator: ", "))"
                var batch: [SQLValue] = []
                var rows = 0
                var lastRun: Int64?
                func flush() throws {
                    guard rows > 0 else { return }
                    let row = "(" + sqlPlaceholders(count: columns.count) + ")"
                    try target.execute(
                        sql: "INSERT INTO \(table.name) (\(columns.joined(separator: ", "))) VALUES "
                            + Array(repeating: row, count: rows).joined(separator: ", "),
                        arguments: SQLArguments(values: batch))
                    batch.removeAll(keepingCapacity: true)
                    rows = 0
                }
                try read { source in
                    try source.forEach(sql: select, arguments: []) { row in
                        if table.name == "run", target.dialect == .postgresql, let id: Int64 = row[0], id / 1000 != lastRun {
                            // Results go into the partition of their run's id range.
                            try flush()
                            _ = try target.fetchAll(sql: "SELECT triage_ensure_partition(?)", arguments: [id])
                            lastRun = id / 1000
                        }
                        batch.append(contentsOf: row.values)
                        rows += 1
                        if rows == Self.copyBatchRows { try flush() }
                    }
                }
                try flush()
            }
            if target.dialect == .postgresql {
                for statement in PostgresSchema.resetSequences() { _ = try target.fetchAll(sql: statement) }
            } else {
                try target.execute(sql: "DELETE FROM sqlite_sequence")
                for table in ["run", "run_file", "whys", "whys_option", "cycle", "quarantine"] {
                    try target.execute(
                        sql: "INSERT INTO sqlite_sequence (name, seq) SELECT ?, COALESCE(MAX(id), 0) FROM \(table)",
                        arguments: [table])
                }
            }
        }
        try destination.foldWriteAheadLog()
        if destination.dialect == .postgresql {
            // Statistics for the tables just filled, rather than waiting for autovacuum: read
            // right after nine million results went into a new partition, before it had been
            // analyzed, a flakiness window took 8.7 s; once analyzed, 0.2–0.4 s.
            _ = try destination.commit { try $0.execute(sql: "ANALYZE") }
        }
        var report = CopyReport(from: path, to: destination.path, tables: [])
        for table in Self.copiedTables {
            let sql = "SELECT COUNT(*) FROM \(table.name)"
            report.tables.append(
                CopyReport.Table(
                    name: table.name, source: try read { try $0.fetchOne(Int.self, sql: sql) ?? 0 },
                    destination: try destination.read { try $0.fetchOne(Int.self, sql: sql) ?? 0 }))
        }
        guard report.isVerified else {
            let differing = report.tables.filter { $0.source != $0.destination }
                .map { "\($0.name) \($0.source) → \($0.destination)" }.joined(separator: ", ")
            throw TriageError.database(path: destination.path, reason: "the copy does not match its source: \(differing)")
        }
        return report
    }

    /// Whether no run, test, cluster or record is stored yet.
    package func isEmptyHistory() throws -> Bool {
        try read { db in
            try db.fetchOne(
                Bool.self,
                sql: """
                    SELECT CASE WHEN EXISTS (SELECT 1 FROM run) OR EXISTS (SELECT 1 FROM test)
                        OR EXISTS (SELECT 1 FROM failure_cluster) OR EXISTS (SELECT 1 FROM whys)
                        OR EXISTS (SELECT 1 FROM cycle) OR EXISTS (SELECT 1 FROM quarantine) THEN 0 ELSE 1 END
                    """) ?? false
        }
    }
}
