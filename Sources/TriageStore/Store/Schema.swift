import TriageModel
import GRDB

/// The database schema, as migrations. A migration never changes once it has shipped: a new
/// need is a new migration. Migrations use SQL only, never app types, and keep to SQL that
/// PostgreSQL also accepts where that costs nothing.
package enum Schema {
    /// A result a flakiness verdict can start from: failed, or passed on retry (a missing
    /// outcome too, so that a damaged history is reported). The predicate of the partial index
    /// `result_failing` (v11), word for word: SQLite uses a partial index only for a query that
    /// says the terms it was made with.
    package static let failingResult = "(outcome IS NULL OR outcome IN ('failed', 'error') OR retried = 1)"

    package static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs-results") { db in
            try db.execute(
                sql: """
                    CREATE TABLE run (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        run_key TEXT NOT NULL UNIQUE,
                        created_at TEXT NOT NULL,
                        commit_sha TEXT,
                        branch TEXT,
                        ci_provider TEXT,
                        build_id TEXT,
                        build_url TEXT,
                        pull_request TEXT,
                        labels TEXT NOT NULL DEFAULT '{}',
                        tests INTEGER NOT NULL DEFAULT 0,
                        passed INTEGER NOT NULL DEFAULT 0,
                        failed INTEGER NOT NULL DEFAULT 0,
                        errors INTEGER NOT NULL DEFAULT 0,
                        skipped INTEGER NOT NULL DEFAULT 0,
                        retried INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX run_branch ON run(branch, id);
                    CREATE INDEX run_commit ON run(commit_sha);

                    CREATE TABLE run_file (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                        path TEXT NOT NULL,
                        format TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        sha256 TEXT NOT NULL,
                        cases INTEGER NOT NULL,
                        ingested_at TEXT NOT NULL,
                        UNIQUE (run_id, sha256)
                    );
                    CREATE INDEX run_file_sha ON run_file(sha256);

                    CREATE TABLE test (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        identity_hash INTEGER NOT NULL UNIQUE,
                        suite TEXT NOT NULL,
                        classname TEXT NOT NULL,
                        name TEXT NOT NULL,
                        file TEXT
                    );

                    CREATE TABLE failure_cluster (
                        id TEXT PRIMARY KEY,
                        category TEXT NOT NULL,
                        detail TEXT,
                        template TEXT NOT NULL,
                        rules_version TEXT NOT NULL
                    );
                    CREATE INDEX failure_cluster_category ON failure_cluster(category);

                    CREATE TABLE result (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                        test_id INTEGER NOT NULL REFERENCES test(id),
                        file_id INTEGER NOT NULL REFERENCES run_file(id) ON DELETE CASCADE,
                        outcome TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'error', 'skipped')),
                        attempts INTEGER NOT NULL CHECK (attempts >= 1),
                        retried INTEGER NOT NULL DEFAULT 0 CHECK (retried IN (0, 1)),
                        duration REAL,
                        cluster_id TEXT REFERENCES failure_cluster(id),
                        UNIQUE (run_id, test_id)
                    );
                    CREATE INDEX result_test_run ON result(test_id, run_id);
                    CREATE INDEX result_cluster ON result(cluster_id, run_id);

                    CREATE TABLE attempt (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        result_id INTEGER NOT NULL REFERENCES result(id) ON DELETE CASCADE,
                        seq INTEGER NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('run', 'retry', 'teardown')),
                        outcome TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'error', 'skipped')),
                        inferred INTEGER NOT NULL DEFAULT 0,
                        duration REAL,
                        message TEXT,
                        failure_type TEXT,
                        failure_text TEXT,
                        stdout TEXT,
                        stderr TEXT,
                        cluster_id TEXT REFERENCES failure_cluster(id),
                        UNIQUE (result_id, seq)
                    );
                    CREATE INDEX attempt_cluster ON attempt(cluster_id);
                    """)
        }
        migrator.registerMigration("v2-remediation") { db in
            // Five-Whys records and remediation cycles. Texts are stored trimmed; risk and
            // priority are free text, kept as entered. Links to clusters and tests use the ids
            // of v1's tables, so a link cannot outlive what it names.
            try db.execute(
                sql: """
                    CREATE TABLE whys (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        problem TEXT NOT NULL CHECK (length(trim(problem)) > 0),
                        root_cause TEXT,
                        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'analysed', 'fixed', 'verified')),
                        owner TEXT,
                        business_impact TEXT,
                        risk TEXT,
                        priority TEXT,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );

                    CREATE TABLE whys_step (
                        whys_id INTEGER NOT NULL REFERENCES whys(id) ON DELETE CASCADE,
                        seq INTEGER NOT NULL CHECK (seq >= 1),
                        question TEXT,
                        answer TEXT NOT NULL CHECK (length(trim(answer)) > 0),
                        PRIMARY KEY (whys_id, seq)
                    );

                    CREATE TABLE whys_option (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        whys_id INTEGER NOT NULL REFERENCES whys(id) ON DELETE CASCADE,
                        seq INTEGER NOT NULL CHECK (seq >= 1),
                        title TEXT NOT NULL CHECK (length(trim(title)) > 0),
                        approach TEXT,
                        pros TEXT NOT NULL DEFAULT '[]',
                        cons TEXT NOT NULL DEFAULT '[]',
                        chosen INTEGER NOT NULL DEFAULT 0 CHECK (chosen IN (0, 1)),
                        UNIQUE (whys_id, seq),
                        UNIQUE (whys_id, title)
                    );
                    CREATE UNIQUE INDEX whys_option_one_chosen ON whys_option(whys_id) WHERE chosen = 1;

                    CREATE TABLE whys_item (
                        whys_id INTEGER NOT NULL REFERENCES whys(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL CHECK (kind IN ('checklist', 'finding', 'next_step', 'evidence')),
                        seq INTEGER NOT NULL CHECK (seq >= 1),
                        text TEXT NOT NULL CHECK (length(trim(text)) > 0),
                        state TEXT CHECK (state IN ('done', 'partial', 'todo')),
                        CHECK ((kind = 'checklist') = (state IS NOT NULL)),
                        PRIMARY KEY (whys_id, kind, seq)
                    );

                    CREATE TABLE whys_cluster (
                        whys_id INTEGER NOT NULL REFERENCES whys(id) ON DELETE CASCADE,
                        cluster_id TEXT NOT NULL REFERENCES failure_cluster(id),
                        PRIMARY KEY (whys_id, cluster_id)
                    );
                    CREATE INDEX whys_cluster_cluster ON whys_cluster(cluster_id);

                    CREATE TABLE whys_test (
                        whys_id INTEGER NOT NULL REFERENCES whys(id) ON DELETE CASCADE,
                        test_id INTEGER NOT NULL REFERENCES test(id),
                        PRIMARY KEY (whys_id, test_id)
                    );

                    CREATE TABLE cycle (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        effort TEXT NOT NULL CHECK (length(trim(effort)) > 0),
                        number INTEGER NOT NULL CHECK (number >= 1),
                        max_cycles INTEGER CHECK (max_cycles >= number),
                        scope TEXT NOT NULL CHECK (length(scope) > 0),
                        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'success', 'partial', 'failed')),
                        owner TEXT,
                        started_at TEXT NOT NULL,
                        closed_at TEXT,
                        before_run_id INTEGER REFERENCES run(id),
                        risk TEXT,
                        priority TEXT,
                        business_impact TEXT,
                        UNIQUE (effort, number),
                        CHECK ((status = 'open') = (closed_at IS NULL))
                    );

                    CREATE TABLE cycle_note (
                        cycle_id INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL CHECK (kind IN ('note', 'next_step', 'finding')),
                        seq INTEGER NOT NULL CHECK (seq >= 1),
                        created_at TEXT NOT NULL,
                        text TEXT NOT NULL CHECK (length(trim(text)) > 0),
                        PRIMARY KEY (cycle_id, kind, seq)
                    );

                    CREATE TABLE cycle_cluster (
                        cycle_id INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
                        cluster_id TEXT NOT NULL REFERENCES failure_cluster(id),
                        PRIMARY KEY (cycle_id, cluster_id)
                    );

                    CREATE TABLE cycle_whys (
                        cycle_id INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
                        whys_id INTEGER NOT NULL REFERENCES whys(id),
                        PRIMARY KEY (cycle_id, whys_id)
                    );

                    -- The figures computed when a cycle is closed, kept so that later ingests (or a
                    -- new signature engine) never change what a closed cycle reported. The columns
                    -- are for queries; `measurement` is the whole computed value as JSON.
                    CREATE TABLE cycle_result (
                        cycle_id INTEGER PRIMARY KEY REFERENCES cycle(id) ON DELETE CASCADE,
                        before_run_id INTEGER REFERENCES run(id),
                        after_run_id INTEGER REFERENCES run(id),
                        tests_before INTEGER NOT NULL CHECK (tests_before >= 0),
                        passed_before INTEGER NOT NULL CHECK (passed_before >= 0),
                        failed_before INTEGER NOT NULL CHECK (failed_before >= 0),
                        errors_before INTEGER NOT NULL CHECK (errors_before >= 0),
                        skipped_before INTEGER NOT NULL CHECK (skipped_before >= 0),
                        tests_after INTEGER NOT NULL CHECK (tests_after >= 0),
                        passed_after INTEGER NOT NULL CHECK (passed_after >= 0),
                        failed_after INTEGER NOT NULL CHECK (failed_after >= 0),
                        errors_after INTEGER NOT NULL CHECK (errors_after >= 0),
                        skipped_after INTEGER NOT NULL CHECK (skipped_after >= 0),
                        fixed INTEGER NOT NULL CHECK (fixed >= 0),
                        newly_failing INTEGER NOT NULL CHECK (newly_failing >= 0),
                        still_failing INTEGER NOT NULL CHECK (still_failing >= 0),
                        verdict TEXT NOT NULL CHECK (verdict IN ('improved', 'no change', 'regressed', 'inconclusive')),
                        measurement TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v3-quarantine") { db in
            try db.execute(
                sql: """
                    CREATE TABLE quarantine (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        test TEXT NOT NULL UNIQUE,
                        reason TEXT NOT NULL,
                        owner TEXT,
                        created_at TEXT NOT NULL,
                        expires_at TEXT
                    );
                    """)
        }
        migrator.registerMigration("v4-partial-cluster-index") { db in
            // Only failing results have a cluster: indexing the NULLs of every passing result
            // cost one B-tree insert per stored test for nothing.
            try db.execute(
                sql: """
                    DROP INDEX result_cluster;
                    CREATE INDEX result_cluster ON result(cluster_id, run_id) WHERE cluster_id IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v5-identity-variants-run-time") { db in
            // A test row is a test-variant: the suite path (every enclosing suite) and the
            // variant join the class and name in its identity. Rows stored before keep their
            // hash, which was the leaf suite's: right for files without nested suites; a nested
            // one is adopted by the first new row with its leaf suite, class and name (`legacy`).
            // Runs are ordered by `run_at`, the time the files state, not by when they were stored.
            try db.execute(
                sql: """
                    ALTER TABLE test ADD COLUMN suite_path TEXT NOT NULL DEFAULT '';
                    ALTER TABLE test ADD COLUMN variant TEXT NOT NULL DEFAULT '';
                    ALTER TABLE test ADD COLUMN legacy INTEGER NOT NULL DEFAULT 0;
                    UPDATE test SET suite_path = suite, legacy = 1;
                    ALTER TABLE run ADD COLUMN run_at TEXT NOT NULL DEFAULT '';
                    ALTER TABLE run ADD COLUMN job TEXT;
                    UPDATE run SET run_at = created_at;
                    CREATE INDEX run_time ON run(run_at, id);
                    CREATE INDEX run_branch_time ON run(branch, run_at, id);
                    """)
        }
        migrator.registerMigration("v6-quarantine-pattern") { db in
            // Whether an entry is a glob given on purpose (`--pattern`) or one test's full id. A
            // column rather than a marker inside `test`: ids may contain any character, and
            // `test` stays what users typed and see. Entries stored before could be globs only
            // through `*` and `?`, so those stay globs.
            try db.execute(
                sql: """
                    ALTER TABLE quarantine ADD COLUMN is_pattern INTEGER NOT NULL DEFAULT 0 CHECK (is_pattern IN (0, 1));
                    UPDATE quarantine SET is_pattern = 1 WHERE test GLOB '*[*?]*';
                    """)
        }
        migrator.registerMigration("v7-rowids-without-autoincrement") { db in
            // AUTOINCREMENT read and rewrote a `sqlite_sequence` row on every insert into the
            // three tables that grow with each ingest: two more B-tree operations per stored
            // result, for ids that never needed to outlive a deletion (tests are never deleted;
            // results and attempts go only with their run). Rebuilt as plain rowid tables, the
            // same columns, ids and indexes (GRDB runs migrations with foreign keys off and
            // checks them afterwards; references by name follow the renamed tables).
            try db.execute(
                sql: """
                    CREATE TABLE new_test (
                        id INTEGER PRIMARY KEY,
                        identity_hash INTEGER NOT NULL UNIQUE,
                        suite TEXT NOT NULL,
                        classname TEXT NOT NULL,
                        name TEXT NOT NULL,
                        file TEXT,
                        suite_path TEXT NOT NULL DEFAULT '',
                        variant TEXT NOT NULL DEFAULT '',
                        legacy INTEGER NOT NULL DEFAULT 0
                    );
                    INSERT INTO new_test (id, identity_hash, suite, classname, name, file, suite_path, variant, legacy)
                        SELECT id, identity_hash, suite, classname, name, file, suite_path, variant, legacy FROM test;
                    DROP TABLE test;
                    ALTER TABLE new_test RENAME TO test;

                    CREATE TABLE new_result (
                        id INTEGER PRIMARY KEY,
                        run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                        test_id INTEGER NOT NULL REFERENCES test(id),
                        file_id INTEGER NOT NULL REFERENCES run_file(id) ON DELETE CASCADE,
                        outcome TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'error', 'skipped')),
                        attempts INTEGER NOT NULL CHECK (attempts >= 1),
                        retried INTEGER NOT NULL DEFAULT 0 CHECK (retried IN (0, 1)),
                        duration REAL,
                        cluster_id TEXT REFERENCES failure_cluster(id),
                        UNIQUE (run_id, test_id)
                    );
                    INSERT INTO new_result (id, run_id, test_id, file_id, outcome, attempts, retried, duration, cluster_id)
                        SELECT id, run_id, test_id, file_id, outcome, attempts, retried, duration, cluster_id FROM result;
                    DROP TABLE result;
                    ALTER TABLE new_result RENAME TO result;
                    CREATE INDEX result_test_run ON result(test_id, run_id);
                    CREATE INDEX result_cluster ON result(cluster_id, run_id) WHERE cluster_id IS NOT NULL;

                    CREATE TABLE new_attempt (
                        id INTEGER PRIMARY KEY,
                        result_id INTEGER NOT NULL REFERENCES result(id) ON DELETE CASCADE,
                        seq INTEGER NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('run', 'retry', 'teardown')),
                        outcome TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'error', 'skipped')),
                        inferred INTEGER NOT NULL DEFAULT 0,
                        duration REAL,
                        message TEXT,
                        failure_type TEXT,
                        failure_text TEXT,
                        stdout TEXT,
                        stderr TEXT,
                        cluster_id TEXT REFERENCES failure_cluster(id),
                        UNIQUE (result_id, seq)
                    );
                    INSERT INTO new_attempt (id, result_id, seq, kind, outcome, inferred, duration, message, failure_type,
                                             failure_text, stdout, stderr, cluster_id)
                        SELECT id, result_id, seq, kind, outcome, inferred, duration, message, failure_type,
                               failure_text, stdout, stderr, cluster_id FROM attempt;
                    DROP TABLE attempt;
                    ALTER TABLE new_attempt RENAME TO attempt;
                    CREATE INDEX attempt_cluster ON attempt(cluster_id);
                    """)
        }
        migrator.registerMigration("v8-cause-quarantine-recurrence") { db in
            // When a Five-Whys record was marked fixed, and the newest run stored then (its id and
            // run time, kept apart from the run so that deleting it changes nothing): runs after
            // that point are the ones that count towards verification or report a recurrence.
            // Records already fixed or verified count from their last change.
            //
            // `recurrence`: a cause a fixed or verified record names, or a closed successful
            // cycle removed, failing again in a run; the note of the run the record reopened for.
            //
            // `quarantine` gains `cluster_id`: an entry excuses only failures of that cause (for
            // one test, or for every test with `test` = '*'). Rebuilt because `test` was unique
            // on its own; now a test and a cause are unique together.
            try db.execute(
                sql: """
                    ALTER TABLE whys ADD COLUMN fixed_at TEXT;
                    ALTER TABLE whys ADD COLUMN fixed_run_id INTEGER;
                    ALTER TABLE whys ADD COLUMN fixed_run_at TEXT;
                    UPDATE whys SET fixed_at = updated_at,
                        fixed_run_id = (SELECT id FROM run WHERE created_at <= whys.updated_at ORDER BY run_at DESC, id DESC LIMIT 1),
                        fixed_run_at = (SELECT run_at FROM run WHERE created_at <= whys.updated_at ORDER BY run_at DESC, id DESC LIMIT 1)
                        WHERE status IN ('fixed', 'verified');

                    CREATE TABLE recurrence (
                        id INTEGER PRIMARY KEY,
                        run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                        cluster_id TEXT NOT NULL REFERENCES failure_cluster(id),
                        whys_id INTEGER REFERENCES whys(id) ON DELETE CASCADE,
                        cycle_id INTEGER REFERENCES cycle(id) ON DELETE CASCADE,
                        previous_status TEXT NOT NULL,
                        fixed_at TEXT,
                        tests TEXT NOT NULL DEFAULT '[]',
                        detected_at TEXT NOT NULL,
                        CHECK ((whys_id IS NULL) <> (cycle_id IS NULL))
                    );
                    CREATE UNIQUE INDEX recurrence_once
                        ON recurrence(run_id, cluster_id, COALESCE(whys_id, 0), COALESCE(cycle_id, 0));
                    CREATE INDEX recurrence_whys ON recurrence(whys_id) WHERE whys_id IS NOT NULL;
                    CREATE INDEX recurrence_cycle ON recurrence(cycle_id, cluster_id) WHERE cycle_id IS NOT NULL;

                    CREATE TABLE new_quarantine (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        test TEXT NOT NULL,
                        is_pattern INTEGER NOT NULL DEFAULT 0 CHECK (is_pattern IN (0, 1)),
                        cluster_id TEXT REFERENCES failure_cluster(id),
                        reason TEXT NOT NULL,
                        owner TEXT,
                        created_at TEXT NOT NULL,
                        expires_at TEXT
                    );
                    INSERT INTO new_quarantine (id, test, is_pattern, reason, owner, created_at, expires_at)
                        SELECT id, test, is_pattern, reason, owner, created_at, expires_at FROM quarantine;
                    DROP TABLE quarantine;
                    ALTER TABLE new_quarantine RENAME TO quarantine;
                    CREATE UNIQUE INDEX quarantine_test_cause ON quarantine(test, COALESCE(cluster_id, ''));
                    """)
        }
        migrator.registerMigration("v9-rules-in-force") { db in
            // The team rules the history's clusters were made with: what ingest uses unless told
            // otherwise, and what commands compare the rules on disk with (one row).
            try db.execute(
                sql: """
                    CREATE TABLE rules_in_force (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        version TEXT NOT NULL,
                        rules TEXT NOT NULL,
                        source TEXT,
                        recorded_at TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v10-result-file-index") { db in
            // `result.file_id` cascades from `run_file`: without an index every deleted file
            // scanned the whole result table, so `prune` of a run took most of a second at five
            // million results. About 11 MB per million results.
            try db.execute(sql: "CREATE INDEX result_file ON result(file_id)")
        }
        migrator.registerMigration("v11-failing-result-index") { db in
            // The results a flakiness verdict starts from (a window's failing or retried tests):
            // found from this small index instead of by reading every result of the window.
            try db.execute(sql: "CREATE INDEX result_failing ON result(run_id, test_id) WHERE (outcome IS NULL OR outcome IN ('failed', 'error') OR retried = 1)")
        }
        migrator.registerMigration("v12-checks-without-value-lists") { db in
            // SQLite checks `x IN ('a', 'b', …)` by building a small temporary index of the
            // list, on every row it checks: for the `result` and `attempt` CHECKs that was about
            // a third of what storing a passing case cost. The same rules written as `x = 'a' OR
            // x = 'b' …` compare in place. Both tables are rebuilt (SQLite cannot change a CHECK
            // in place) with the same columns, ids and indexes; every stored row already passes
            // the rules, which are the same.
            try db.execute(
                sql: """
                    CREATE TABLE new_result (
                        id INTEGER PRIMARY KEY,
                        run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                        test_id INTEGER NOT NULL REFERENCES test(id),
                        file_id INTEGER NOT NULL REFERENCES run_file(id) ON DELETE CASCADE,
                        outcome TEXT NOT NULL
                            CHECK (outcome = 'passed' OR outcome = 'failed' OR outcome = 'error' OR outcome = 'skipped'),
                        attempts INTEGER NOT NULL CHECK (attempts >= 1),
                        retried INTEGER NOT NULL DEFAULT 0 CHECK (retried = 0 OR retried = 1),
                        duration REAL,
                        cluster_id TEXT REFERENCES failure_cluster(id),
                        UNIQUE (run_id, test_id)
                    );
                    INSERT INTO new_result (id, run_id, test_id, file_id, outcome, attempts, retried, duration, cluster_id)
                        SELECT id, run_id, test_id, file_id, outcome, attempts, retried, duration, cluster_id FROM result;

                    CREATE TABLE new_attempt (
                        id INTEGER PRIMARY KEY,
                        result_id INTEGER NOT NULL REFERENCES new_result(id) ON DELETE CASCADE,
                        seq INTEGER NOT NULL,
                        kind TEXT NOT NULL CHECK (kind = 'run' OR kind = 'retry' OR kind = 'teardown'),
                        outcome TEXT NOT NULL
                            CHECK (outcome = 'passed' OR outcome = 'failed' OR outcome = 'error' OR outcome = 'skipped'),
                        inferred INTEGER NOT NULL DEFAULT 0,
                        duration REAL,
                        message TEXT,
                        failure_type TEXT,
                        failure_text TEXT,
                        stdout TEXT,
                        stderr TEXT,
                        cluster_id TEXT REFERENCES failure_cluster(id),
                        UNIQUE (result_id, seq)
                    );
                    INSERT INTO new_attempt (id, result_id, seq, kind, outcome, inferred, duration, message, failure_type,
                                             failure_text, stdout, stderr, cluster_id)
                        SELECT id, result_id, seq, kind, outcome, inferred, duration, message, failure_type,
                               failure_text, stdout, stderr, cluster_id FROM attempt;
                    DROP TABLE attempt;
                    DROP TABLE result;
                    ALTER TABLE new_result RENAME TO result;
                    ALTER TABLE new_attempt RENAME TO attempt;
                    CREATE INDEX result_test_run ON result(test_id, run_id);
                    CREATE INDEX result_cluster ON result(cluster_id, run_id) WHERE cluster_id IS NOT NULL;
                    CREATE INDEX result_file ON result(file_id);
                    CREATE INDEX result_failing ON result(run_id, test_id) WHERE (outcome IS NULL OR outcome IN ('failed', 'error') OR retried = 1);
                    CREATE INDEX attempt_cluster ON attempt(cluster_id);
                    """)
        }
        return migrator
    }
}
