import Foundation
import TriageModel

extension TriageDatabase {
    /// Runs, newest first. A branch no run is on is `notFound`, naming the branches there are.
    /// With `job`, only that CI job's runs.
    public func runs(limit: Int = 20, branch: String? = nil, job: String? = nil) throws -> [RunSummary] {
        let runs = try read { db in
            var sql = "SELECT * FROM run WHERE 1 = 1"
            var arguments: SQLArguments = []
            if let branch {
                sql += " AND branch = ?"
                arguments += [branch]
            }
            if let job {
                sql += " AND job = ?"
                arguments += [job]
            }
            sql += " ORDER BY run_at DESC, id DESC LIMIT ?"
            arguments += [limit]
            return try db.fetchAll(sql: sql, arguments: arguments).map { try Self.runSummary($0) }
        }
        if let branch, runs.isEmpty {
            let branches = try branches()
            if !branches.contains(branch) { throw Self.unknownBranch(branch, branches: branches) }
        }
        return runs
    }

    /// The branches of the stored runs, by name.
    public func branches() throws -> [String] {
        try read { try $0.fetchAll(String.self, sql: "SELECT DISTINCT branch FROM run WHERE branch IS NOT NULL ORDER BY branch") }
    }

    package static func unknownBranch(_ branch: String, branches: [String]) -> TriageError {
        if branches.isEmpty {
            return .notFound("no run is on branch \(branch): no stored run has a branch; `triage runs` lists them")
        }
        let shown = branches.prefix(20).joined(separator: ", ") + (branches.count > 20 ? ", …" : "")
        return .notFound("no run is on branch \(branch); the branches with runs are: \(shown)")
    }

    /// One run with its files and failures by cluster; throws `notFound` for an unknown id.
    public func runDetail(id: Int64) throws -> RunDetail {
        try read { db in
            guard let row = try db.fetchOne(sql: "SELECT * FROM run WHERE id = ?", arguments: [id]) else {
                throw TriageError.notFound("run \(id) does not exist; `triage runs` lists the stored runs")
            }
            let run = try Self.runSummary(row)
            let files = try db.fetchAll(sql: "SELECT path, format, size, sha256, cases FROM run_file WHERE run_id = ? ORDER BY id",
                arguments: [id]
            ).map {
                RunDetail.File(
                    path: try $0.required("path", of: "run_file"), format: try $0.required("format", of: "run_file"),
                    size: try $0.required("size", of: "run_file"), sha256: try $0.required("sha256", of: "run_file"),
                    cases: try $0.required("cases", of: "run_file"))
            }
            let clusters = try db.fetchAll(sql: """
                    SELECT c.id, c.category, c.detail, c.template, COUNT(*) AS tests
                    FROM result r JOIN failure_cluster c ON c.id = r.cluster_id
                    WHERE r.run_id = ? AND r.outcome IN ('failed', 'error')
                    GROUP BY c.id ORDER BY tests DESC, c.id
                    """, arguments: [id]
            ).map {
                RunDetail.ClusterCount(
                    clusterID: try $0.required("id", of: "failure_cluster"),
                    category: try $0.required("category", of: "failure_cluster"), detail: $0["detail"],
                    template: try $0.required("template", of: "failure_cluster"), tests: try $0.required("tests", of: "result"))
            }
            let failing = Dictionary(grouping: try Self.failingTests(runID: id, db: db), by: { $0.cluster?.id ?? "" })
            let byCluster = clusters.map { cluster in
                var cluster = cluster
                cluster.failing = failing[cluster.clusterID]?.map(\.test) ?? []
                return cluster
            }
            return RunDetail(run: run, passRate: run.totals.passRate, files: files, failuresByCluster: byCluster)
        }
    }

    /// The tests of a run that failed and then passed on a retry, by name.
    public func testsPassedOnRetry(runID: Int64) throws -> [String] {
        try read { db in
            try db.fetchAll(sql: """
                    SELECT t.suite_path, t.classname, t.name, t.variant FROM result r JOIN test t ON t.id = r.test_id
                    WHERE r.run_id = ? AND r.retried = 1 AND r.outcome = 'passed' ORDER BY t.classname, t.name, t.variant
                    """, arguments: [runID]
            ).map { try TestIdentity(row: $0).displayID }
        }
    }

    /// The id of the newest run, nil in an empty history.
    public func latestRunID() throws -> Int64? {
        try read { try $0.fetchOne(Int64.self, sql: "SELECT id FROM run ORDER BY run_at DESC, id DESC LIMIT 1") }
    }

    package static func runSummary(_ row: SQLRow) throws -> RunSummary {
        let labelsText: String = row["labels"] ?? "{}"
        let labels = (try? JSONDecoder().decode([String: String].self, from: Data(labelsText.utf8))) ?? [:]
        return RunSummary(
            id: try row.required("id", of: "run"), key: try row.required("run_key", of: "run"),
            createdAt: try row.required("created_at", of: "run"), runAt: try row.required("run_at", of: "run"),
            metadata: RunMetadata(
                commit: row["commit_sha"], branch: row["branch"], ciProvider: row["ci_provider"],
                buildID: row["build_id"],
                buildURL: row["build_url"], pullRequest: row["pull_request"], labels: labels, job: row["job"]),
            totals: RunTotals(
                tests: try row.required("tests", of: "run"), passed: try row.required("passed", of: "run"),
                failed: try row.required("failed", of: "run"), errors: try row.required("errors", of: "run"),
                skipped: try row.required("skipped", of: "run"), retried: try row.required("retried", of: "run")))
    }
}

extension TriageDatabase {
    /// Removes a run stored by mistake, with its files, results and attempts, in one
    /// transaction. A run that a remediation cycle measured or starts from is refused: a closed
    /// cycle's figures rest on it.
    @discardableResult
    public func deleteRun(id: Int64) throws -> RunSummary {
        try transaction { db in
            guard let row = try db.fetchOne(sql: "SELECT * FROM run WHERE id = ?", arguments: [id]) else {
                throw TriageError.notFound("run \(id) does not exist; `triage runs` lists the stored runs")
            }
            let cycles = try db.fetchAll(sql: """
                    SELECT c.effort, c.number, c.status FROM cycle c LEFT JOIN cycle_result m ON m.cycle_id = c.id
                    WHERE c.before_run_id = ? OR m.before_run_id = ? OR m.after_run_id = ? ORDER BY c.id
                    """, arguments: [id, id, id])
            if let cycle = cycles.first {
                let status: String = try cycle.required("status", of: "cycle")
                let effort: String = try cycle.required("effort", of: "cycle")
                let number: Int = try cycle.required("number", of: "cycle")
                let what = status == "open" ? "starts from it" : "measured it"
                throw TriageError.invalidArgument(
                    "run \(id) cannot be deleted: cycle \(number) of \"\(effort)\" \(what); a cycle's figures must keep their runs"
                )
            }
            try Self.deleteRunRows(db, id: id)
            return try Self.runSummary(row)
        }
    }
}
