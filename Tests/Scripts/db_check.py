#!/usr/bin/env python3
"""Prints a fingerprint of a triage database: integrity, runs with their totals, row counts.
Used by the reliability scripts to compare a database before and after an ordeal.
usage: db_check.py DB   (prints JSON; exit 1 when integrity_check is not ok)"""
import json, sqlite3, sys

db = sqlite3.connect(sys.argv[1])
integrity = db.execute("PRAGMA integrity_check").fetchall()
fk = db.execute("PRAGMA foreign_key_check").fetchall()
runs = db.execute(
    "SELECT id, run_key, tests, passed, failed, errors, skipped, retried FROM run ORDER BY id").fetchall()
counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
          for t in ("run", "run_file", "test", "result", "attempt", "failure_cluster")}
per_run = db.execute("SELECT run_id, count(*) FROM result GROUP BY run_id ORDER BY run_id").fetchall()
ok = integrity == [("ok",)] and not fk
print(json.dumps({"integrity": [r[0] for r in integrity], "foreign_key_violations": len(fk),
                  "runs": runs, "counts": counts, "results_per_run": per_run}, sort_keys=True))
sys.exit(0 if ok else 1)
