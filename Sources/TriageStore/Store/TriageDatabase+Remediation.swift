import Foundation
import TriageModel

/// Reads and writes of Five-Whys records and remediation cycles.
extension TriageDatabase {
    // MARK: - Clusters and tests

    /// The cluster a user names by its id or a unique prefix of it.
    public func cluster(prefix: String) throws -> StoredCluster {
        let query = prefix.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty else {
            throw TriageError.invalidArgument("the cluster id is empty; `triage runs show` lists the clusters of a run")
        }
        return try read { db in
            let rows = try db.fetchAll(sql:
                    "SELECT id, category, detail, template FROM failure_cluster WHERE id = ? OR substr(id, 1, length(?)) = ? ORDER BY id LIMIT 6",
                arguments: [query, query, query])
            let clusters = try rows.map {
                try StoredCluster(row: $0)
            }
            if let exact = clusters.first(where: { $0.id == query }) { return exact }
            if clusters.isEmpty {
                throw TriageError.notFound(
                    "no cluster id starts with \"\(query)\"; `triage runs show` lists the clusters of a run")
            }
            if clusters.count > 1 {
                let ids = clusters.prefix(5).map(\.id).joined(separator: ", ")
                throw TriageError.invalidArgument(
                    "cluster \"\(query)\" is ambiguous (\(ids)\(clusters.count > 5 ? ", …" : "")); give more of the id")
            }
            return clusters[0]
        }
    }

    /// Every stored test.
    package func allTests() throws -> [StoredTest] {
        try read { db in
            try db.fetchAll(sql: "SELECT \(StoredTest.columns) FROM test t ORDER BY t.id").map { try StoredTest(row: $0) }
        }
    }

    /// The newest run in history order (run time, then id) with a result for any of `testIDs`,
    /// no later than run `atMost` and later than run `after` when those are given.
    package func latestRun(withResultsFor testIDs: Set<Int64>, atMost: Int64? = nil, after: Int64? = nil) throws -> Int64? {
        guard !testIDs.isEmpty else { return nil }
        return try read { db in
            var bounds = ""
            var arguments: SQLArguments = []
            if let atMost {
                bounds += " AND (run.run_at < (SELECT run_at FROM run WHERE id = ?) OR (run.run_at = (SELECT run_at FROM run WHERE id = ?) AND run.id <= ?))"
                arguments += [atMost, atMost, atMost]
            }
            if let after {
                bounds += " AND (run.run_at > (SELECT run_at FROM run WHERE id = ?) OR (run.run_at = (SELECT run_at FROM run WHERE id = ?) AND run.id > ?))"
                arguments += [after, after, after]
            }
            var best: (at: String, id: Int64)?
            for chunk in Array(testIDs).chunked(into: 500) {
                let row = try db.fetchOne(sql: """
                        SELECT run.run_at, run.id FROM run
                        WHERE EXISTS (SELECT 1 FROM result r WHERE r.run_id = run.id
                                      AND r.test_id IN (\(sqlPlaceholders(count: chunk.count))))\(bounds)
                        ORDER BY run.run_at DESC, run.id DESC LIMIT 1
                        """,
                    arguments: SQLArguments(chunk) + arguments)
                if let row {
                    let found: (at: String, id: Int64) = (try row.required(0, "run_at", of: "run"), try row.required(1, "id", of: "run"))
                    if best.map({ ($0.at, $0.id) < (found.at, found.id) }) ?? true { best = found }
                }
            }
            return best?.id
        }
    }

    // MARK: - Five-Whys

    package func insertWhys(_ content: WhysContent, now: Date) throws -> Int64 {
        try transaction { db in
            let stamp = ISO8601.string(now)
            guard
                let id = try db.insertReturningID(
                    sql: "INSERT INTO whys (problem, status, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
                    arguments: [content.problem, content.status.rawValue, stamp, stamp])
            else { throw DamagedRow(table: "whys", column: "id", found: "no id for a new record") }
            try Self.writeWhys(db, id: id, content: content, now: now)
            return id
        }
    }

    /// Loads a record, applies `change` (which validates what it makes) and writes it back,
    /// all in one transaction.
    package func storeWhys(id: Int64, now: Date, _ change: (inout WhysContent) throws -> Void) throws -> FiveWhys {
        try transaction { db in
            var content = try Self.loadWhys(db, id: id).content
            try change(&content)
            try Self.writeWhys(db, id: id, content: content, now: now)
            return try Self.loadWhys(db, id: id)
        }
    }

    public func whys(id: Int64) throws -> FiveWhys {
        try read { try Self.loadWhys($0, id: id) }
    }

    package func allWhys() throws -> [FiveWhys] {
        try read { db in
            try db.fetchAll(Int64.self, sql: "SELECT id FROM whys ORDER BY id").map { try Self.loadWhys(db, id: $0) }
        }
    }

    /// Whether none of `clusterIDs` failed a test in the last `runs` runs that ran a test those
    /// clusters ever failed (or a test the record links to). False when there are fewer such runs.
    package func clustersAreQuiet(whysID: Int64, clusterIDs: [String], runs: Int) throws -> Bool {
        try read { db in
            let marks = sqlPlaceholders(count: clusterIDs.count)
            let recent = try db.fetchAll(Int64.self, sql: """
                    SELECT run.id FROM run WHERE EXISTS (
                        SELECT 1 FROM result WHERE result.run_id = run.id
                        AND test_id IN (SELECT test_id FROM result WHERE cluster_id IN (\(marks))
                                        UNION SELECT test_id FROM whys_test WHERE whys_id = ?))
                    ORDER BY run.run_at DESC, run.id DESC LIMIT ?
                    """, arguments: SQLArguments(clusterIDs) + [whysID, runs])
            guard recent.count == runs else { return false }
            let failing =
                try db.fetchOne(Int.self, sql: """
                        SELECT COUNT(*) FROM result WHERE run_id IN (\(sqlPlaceholders(count: recent.count)))
                        AND cluster_id IN (\(marks)) AND outcome IN ('failed', 'error')
                        """, arguments: SQLArguments(recent) + SQLArguments(clusterIDs)) ?? 0
            return failing == 0
        }
    }

    package static func loadWhys(_ db: any SQLSession, id: Int64) throws -> FiveWhys {
        guard let row = try db.fetchOne(sql: "SELECT * FROM whys WHERE id = ?", arguments: [id]) else {
            throw TriageError.notFound("Five-Whys \(id) does not exist; `triage whys list` lists the records")
        }
        let clusters = try db.fetchAll(sql:
                "SELECT c.id, c.category, c.detail, c.template FROM whys_cluster w JOIN failure_cluster c ON c.id = w.cluster_id WHERE w.whys_id = ? ORDER BY w.rowid",
            arguments: [id]
        ).map { try StoredCluster(row: $0) }
        let tests = try db.fetchAll(String.self, sql:
                "SELECT CASE WHEN t.classname = '' THEN t.name ELSE t.classname || '::' || t.name END FROM whys_test w JOIN test t ON t.id = w.test_id WHERE w.whys_id = ? ORDER BY w.rowid",
            arguments: [id])
        let steps = try db.fetchAll(sql: "SELECT question, answer FROM whys_step WHERE whys_id = ? ORDER BY seq", arguments: [id]
        )
        .map { WhysContent.Step(question: $0["question"], answer: try $0.required("answer", of: "whys_step")) }
        let options = try db.fetchAll(sql: "SELECT * FROM whys_option WHERE whys_id = ? ORDER BY seq", arguments: [id]
        ).map {
            WhysContent.Option(
                title: try $0.required("title", of: "whys_option"), approach: $0["approach"], pros: decodeList($0["pros"]),
                cons: decodeList($0["cons"]), isChosen: try $0.required("chosen", of: "whys_option"))
        }
        let items = try db.fetchAll(sql: "SELECT kind, text, state FROM whys_item WHERE whys_id = ? ORDER BY kind, seq", arguments: [id])
        func texts(_ kind: String) throws -> [String] {
            try items.filter { $0["kind"] == kind }.map { try $0.required("text", of: "whys_item") }
        }
        let checklist = try items.filter { $0["kind"] == "checklist" }.map {
            WhysContent.ChecklistItem(text: try $0.required("text", of: "whys_item"), state: ChecklistState(rawValue: $0["state"] ?? "") ?? .todo)
        }
        return FiveWhys(
            id: id, problem: try row.required("problem", of: "whys"),
            status: WhysStatus(rawValue: row["status"] ?? "") ?? .open, owner: row["owner"],
            rootCause: row["root_cause"], businessImpact: row["business_impact"], risk: row["risk"],
            priority: row["priority"],
            clusters: clusters, tests: tests, steps: steps, options: options, checklist: checklist,
            findings: try texts("finding"), nextSteps: try texts("next_step"), evidence: try texts("evidence"),
            createdAt: try row.required("created_at", of: "whys"), updatedAt: try row.required("updated_at", of: "whys"),
            isReadyToVerify: nil, fixedAt: row["fixed_at"])
    }

    /// Writes every editable field of a record (the row exists): links and lists are replaced.
    package static func writeWhys(_ db: any SQLSession, id: Int64, content: WhysContent, now: Date) throws {
        try db.execute(
            sql: """
                UPDATE whys SET problem = ?, root_cause = ?, status = ?, owner = ?, business_impact = ?, risk = ?, priority = ?,
                    updated_at = ? WHERE id = ?
                """,
            arguments: [
                content.problem, content.rootCause, content.status.rawValue, content.owner, content.businessImpact,
                content.risk, content.priority, ISO8601.string(now), id,
            ])
        // The fix point: set when the record becomes fixed (or verified) and kept while it
        // stays so; runs after the newest run stored then count towards verification.
        try db.execute(
            sql: """
                UPDATE whys SET
                    fixed_run_id = CASE WHEN status NOT IN ('fixed', 'verified') THEN NULL WHEN fixed_at IS NULL
                        THEN (SELECT id FROM run ORDER BY run_at DESC, id DESC LIMIT 1) ELSE fixed_run_id END,
                    fixed_run_at = CASE WHEN status NOT IN ('fixed', 'verified') THEN NULL WHEN fixed_at IS NULL
                        THEN (SELECT run_at FROM run ORDER BY run_at DESC, id DESC LIMIT 1) ELSE fixed_run_at END,
                    fixed_at = CASE WHEN status NOT IN ('fixed', 'verified') THEN NULL ELSE COALESCE(fixed_at, ?) END
                WHERE id = ?
                """, arguments: [ISO8601.string(now), id])
        for table in ["whys_step", "whys_option", "whys_item", "whys_cluster", "whys_test"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE whys_id = ?", arguments: [id])
        }
        for clusterID in content.clusterIDs {
            guard
                try db.fetchOne(Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM failure_cluster WHERE id = ?)", arguments: [clusterID])
                    == true
            else {
                throw TriageError.notFound(
                    "no cluster has the id \"\(clusterID)\"; `triage runs show` lists the clusters of a run")
            }
            try db.execute(
                sql: "INSERT INTO whys_cluster (whys_id, cluster_id) VALUES (?, ?)", arguments: [id, clusterID])
        }
        for test in content.tests {
            guard
                let testID = try db.fetchOne(Int64.self, sql:
                        "SELECT MIN(id) FROM test WHERE (CASE WHEN classname = '' THEN name ELSE classname || '::' || name END) = ?",
                    arguments: [test])
            else {
                throw TriageError.notFound(
                    "no stored test has the id \"\(test)\"; `triage flaky` and `triage runs show` name the stored tests"
                )
            }
            try db.execute(
                sql: "INSERT INTO whys_test (whys_id, test_id) VALUES (?, ?) ON CONFLICT DO NOTHING", arguments: [id, testID])
        }
        for (index, step) in content.steps.enumerated() {
            try db.execute(
                sql: "INSERT INTO whys_step (whys_id, seq, question, answer) VALUES (?, ?, ?, ?)",
                arguments: [id, index + 1, step.question, step.answer])
        }
        for (index, option) in content.options.enumerated() {
            try db.execute(
                sql:
                    "INSERT INTO whys_option (whys_id, seq, title, approach, pros, cons, chosen) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    id, index + 1, option.title, option.approach, encodeList(option.pros), encodeList(option.cons),
                    option.isChosen,
                ])
        }
        func insertItems(_ kind: String, _ texts: [String], states: [ChecklistState]? = nil) throws {
            for (index, text) in texts.enumerated() {
                try db.execute(
                    sql: "INSERT INTO whys_item (whys_id, kind, seq, text, state) VALUES (?, ?, ?, ?, ?)",
                    arguments: [id, kind, index + 1, text, states?[index].rawValue])
            }
        }
        try insertItems("checklist", content.checklist.map(\.text), states: content.checklist.map(\.state))
        try insertItems("finding", content.findings)
        try insertItems("next_step", content.nextSteps)
        try insertItems("evidence", content.evidence)
    }

    package static func encodeList(_ list: [String]) -> String {
        (try? JSONEncoder.sorted.encode(list)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    package static func decodeList(_ text: String?) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data((text ?? "[]").utf8))) ?? []
    }

    // MARK: - Cycles

    package struct NewCycle {
        package var effort: String
        package var maxCycles: Int?
        package var scope: String
        package var owner: String?
        package var clusterIDs: [String]
        package var whysIDs: [Int64]
        package var beforeRunID: Int64?
        package var now: Date

        package init(effort: String, maxCycles: Int? = nil, scope: String, owner: String? = nil, clusterIDs: [String], whysIDs: [Int64], beforeRunID: Int64? = nil, now: Date) {
            self.effort = effort
            self.maxCycles = maxCycles
            self.scope = scope
            self.owner = owner
            self.clusterIDs = clusterIDs
            self.whysIDs = whysIDs
            self.beforeRunID = beforeRunID
            self.now = now
        }
    }

    /// Stores a new cycle, numbered within its effort; returns its id.
    package func insertCycle(_ new: NewCycle) throws -> Int64 {
        try transaction { db in
            let previous = try db.fetchOne(sql:
                    "SELECT COUNT(*) AS cycles, (SELECT max_cycles FROM cycle WHERE effort = ? ORDER BY number LIMIT 1) AS first_max FROM cycle WHERE effort = ?",
                arguments: [new.effort, new.effort])
            let number = (previous?["cycles"] as Int? ?? 0) + 1
            let maxCycles = new.maxCycles ?? previous?["first_max"]
            if let maxCycles, number > maxCycles {
                throw TriageError.invalidArgument(
                    "\"\(new.effort)\" has had its \(maxCycles) cycles; pass --max with a larger number to plan more, or start a new effort"
                )
            }
            for whysID in new.whysIDs {
                guard
                    try db.fetchOne(Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM whys WHERE id = ?)", arguments: [whysID])
                        == true
                else {
                    throw TriageError.notFound(
                        "Five-Whys \(whysID) does not exist; `triage whys list` lists the records")
                }
            }
            guard
                let id = try db.insertReturningID(
                    sql:
                        "INSERT INTO cycle (effort, number, max_cycles, scope, owner, started_at, before_run_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    arguments: [
                        new.effort, number, maxCycles, new.scope, new.owner, ISO8601.string(new.now), new.beforeRunID,
                    ])
            else { throw DamagedRow(table: "cycle", column: "id", found: "no id for a new cycle") }
            for clusterID in new.clusterIDs {
                try db.execute(
                    sql: "INSERT INTO cycle_cluster (cycle_id, cluster_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    arguments: [id, clusterID])
            }
            for whysID in new.whysIDs {
                try db.execute(
                    sql: "INSERT INTO cycle_whys (cycle_id, whys_id) VALUES (?, ?) ON CONFLICT DO NOTHING", arguments: [id, whysID])
            }
            return id
        }
    }

    package enum CycleItemKind: String {
        case note
        case nextStep = "next_step"
        case finding
    }

    /// Appends notes, next steps or findings to a cycle.
    package func addCycleItems(cycleID: Int64, _ items: [(CycleItemKind, String)], now: Date) throws {
        try transaction { db in
            _ = try Self.loadCycleRow(db, id: cycleID)
            try Self.insertCycleItems(db, cycleID: cycleID, items, now: now)
        }
    }

    package struct CycleClosing {
        package var status: CycleStatus
        package var items: [(CycleItemKind, String)]
        package var risk: String?
        package var priority: String?
        package var businessImpact: String?
        package var measurement: CycleMeasurement
        package var now: Date

        package init(status: CycleStatus, items: [(CycleItemKind, String)], risk: String? = nil, priority: String? = nil, businessImpact: String? = nil, measurement: CycleMeasurement, now: Date) {
            self.status = status
            self.items = items
            self.risk = risk
            self.priority = priority
            self.businessImpact = businessImpact
            self.measurement = measurement
            self.now = now
        }
    }

    package func closeCycle(id: Int64, _ closing: CycleClosing) throws {
        try transaction { db in
            let row = try Self.loadCycleRow(db, id: id)
            guard row["status"] == CycleStatus.open.rawValue else {
                throw TriageError.invalidArgument(
                    "cycle \(id) is already closed (\(row["status"] as String? ?? "")); add to it with `triage cycle note \(id)`, or start the next cycle"
                )
            }
            try Self.insertCycleItems(db, cycleID: id, closing.items, now: closing.now)
            try db.execute(
                sql: """
                    UPDATE cycle SET status = ?, closed_at = ?, risk = COALESCE(?, risk), priority = COALESCE(?, priority),
                        business_impact = COALESCE(?, business_impact) WHERE id = ?
                    """,
                arguments: [
                    closing.status.rawValue, ISO8601.string(closing.now), closing.risk, closing.priority,
                    closing.businessImpact, id,
                ])
            let m = closing.measurement
            let before = m.before ?? ScopeTotals(), after = m.after ?? ScopeTotals()
            try db.execute(
                sql: """
                    INSERT INTO cycle_result (cycle_id, before_run_id, after_run_id,
                        tests_before, passed_before, failed_before, errors_before, skipped_before,
                        tests_after, passed_after, failed_after, errors_after, skipped_after,
                        fixed, newly_failing, still_failing, verdict, measurement)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, m.beforeRunID, m.afterRunID,
                    before.tests, before.passed, before.failed, before.errors, before.skipped,
                    after.tests, after.passed, after.failed, after.errors, after.skipped,
                    m.fixed.count, m.newlyFailing.count, m.stillFailing.count, m.verdict.rawValue, try jsonString(m),
                ])
        }
    }

    /// A cycle as stored (its measurement only when closed).
    package func storedCycle(id: Int64) throws -> RemediationCycle {
        try read { try self.loadCycle($0, id: id) }
    }

    package func allCycles() throws -> [RemediationCycle] {
        try read { db in
            try db.fetchAll(Int64.self, sql: "SELECT id FROM cycle ORDER BY effort, number").map {
                try self.loadCycle(db, id: $0)
            }
        }
    }

    package static func loadCycleRow(_ db: any SQLSession, id: Int64) throws -> SQLRow {
        guard let row = try db.fetchOne(sql: "SELECT * FROM cycle WHERE id = ?", arguments: [id]) else {
            throw TriageError.notFound("cycle \(id) does not exist; `triage cycle list` lists the cycles")
        }
        return row
    }

    package static func insertCycleItems(_ db: any SQLSession, cycleID: Int64, _ items: [(CycleItemKind, String)], now: Date) throws {
        for (kind, text) in items {
            let seq =
                (try db.fetchOne(Int.self, sql: "SELECT MAX(seq) FROM cycle_note WHERE cycle_id = ? AND kind = ?",
                    arguments: [cycleID, kind.rawValue]) ?? 0) + 1
            try db.execute(
                sql: "INSERT INTO cycle_note (cycle_id, kind, seq, created_at, text) VALUES (?, ?, ?, ?, ?)",
                arguments: [cycleID, kind.rawValue, seq, ISO8601.string(now), text])
        }
    }

    package func loadCycle(_ db: any SQLSession, id: Int64) throws -> RemediationCycle {
        let row = try Self.loadCycleRow(db, id: id)
        let clusters = try db.fetchAll(sql:
                "SELECT c.id, c.category, c.detail, c.template FROM cycle_cluster l JOIN failure_cluster c ON c.id = l.cluster_id WHERE l.cycle_id = ? ORDER BY l.rowid",
            arguments: [id]
        ).map { try StoredCluster(row: $0) }
        let whys = try db.fetchAll(sql:
                "SELECT w.id, w.problem, w.status FROM cycle_whys l JOIN whys w ON w.id = l.whys_id WHERE l.cycle_id = ? ORDER BY w.id",
            arguments: [id]
        ).map {
            RemediationCycle.WhysLink(
                id: try $0.required("id", of: "whys"), problem: try $0.required("problem", of: "whys"),
                status: WhysStatus(rawValue: $0["status"] ?? "") ?? .open)
        }
        let items = try db.fetchAll(sql: "SELECT kind, created_at, text FROM cycle_note WHERE cycle_id = ? ORDER BY kind, seq",
            arguments: [id])
        func texts(_ kind: CycleItemKind) throws -> [String] {
            try items.filter { $0["kind"] == kind.rawValue }.map { try $0.required("text", of: "cycle_note") }
        }
        let notes = try items.filter { $0["kind"] == CycleItemKind.note.rawValue }.map {
            RemediationCycle.Note(
                createdAt: try $0.required("created_at", of: "cycle_note"), text: try $0.required("text", of: "cycle_note"))
        }
        let measurementText = try db.fetchOne(String.self, sql: "SELECT measurement FROM cycle_result WHERE cycle_id = ?", arguments: [id])
        let measurement = try measurementText.map { text in
            do {
                return try JSONDecoder().decode(CycleMeasurement.self, from: Data(text.utf8))
            } catch {
                throw TriageError.database(
                    path: path,
                    reason:
                        "the stored figures of cycle \(id) cannot be read (\(error)); the database may have been edited by hand"
                )
            }
        }
        let number: Int = try row.required("number", of: "cycle")
        let maxCycles: Int? = row["max_cycles"]
        return RemediationCycle(
            id: id, effort: try row.required("effort", of: "cycle"), number: number, maxCycles: maxCycles,
            label: maxCycles.map { "cycle \(number) of \($0)" } ?? "cycle \(number)",
            scope: try row.required("scope", of: "cycle"), status: CycleStatus(rawValue: row["status"] ?? "") ?? .open,
            owner: row["owner"], startedAt: try row.required("started_at", of: "cycle"), closedAt: row["closed_at"], beforeRunID: row["before_run_id"],
            risk: row["risk"], priority: row["priority"], businessImpact: row["business_impact"],
            clusters: clusters, whys: whys, notes: notes, nextSteps: try texts(.nextStep), findings: try texts(.finding),
            measurement: measurement, isMeasurementStored: measurement != nil)
    }
}
