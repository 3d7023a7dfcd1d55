import GRDB

/// The database schema, as migrations. A migration never changes once it has shipped: a new
/// need is a new migration. Migrations use SQL only, never app types, and keep to SQL that
/// PostgreSQL also accepts where that costs nothing.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs-results") { db in
            try db.execute(sql: """
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
        migrator.registerMigration("v3-quarantine") { db in
            try db.execute(sql: """
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
        return migrator
    }
}
