#!/usr/bin/env python3
"""Writes a confounded test history as pytest-style JUnit XML, one file per run, with its truth.

usage: confounded_history.py OUT_DIR [--tests 1000] [--runs 60] [--seed 1]
                             [--outages 2] [--outage-share 0.85,0.97] [--reruns 3]

OUT_DIR gets run-K.xml (K = 0 … RUNS-1, oldest first) and truth.json:
  runs:  [{run, file, commit, outage, rerun}]   (ingest each with --run-id RUN --commit COMMIT)
  tests: {test id: {class, p, added, regression, outcomes}}
The test id is `classname::name`, as `triage flaky` prints it. `outcomes` holds one letter per
run: P passed, F failed, R failed then passed on a retry, S skipped, - not in that run.

Classes of tests:
  stable                  never fails by itself
  flaky-high              fails 20-50% of runs, independently
  flaky-low               fails 3-10% of runs, independently
  flaky-retry             its first attempt fails in 10-40% of runs and the retry passes
                          (written as pytest-rerunfailures does: a childless <testcase>, repeated)
  regression-fixed        fails on 2-6 successive commits, then passes after the fix commit
  regression-unfixed      fails on every commit from some commit on
Confounders on top: outage runs (most tests fail with "connection refused"), re-runs of one
commit (the same commit in two runs, one of them right after an outage), tests added half-way
(about 8% of the tests, of any class, appear only from about the middle run on), occasional
skips. The same seed gives the same history.
"""
import argparse
import json
import os
import random
from xml.sax.saxutils import escape, quoteattr

CLASSES = [  # class, share of the tests
    ("stable", 0.76),
    ("flaky-high", 0.03),
    ("flaky-low", 0.06),
    ("flaky-retry", 0.03),
    ("regression-fixed", 0.08),
    ("regression-unfixed", 0.04),
]
FLAKY_CLASSES = {"flaky-high", "flaky-low", "flaky-retry"}

FLAKY_MESSAGES = [
    "Failed: Timeout >10.0s",
    "AssertionError: assert 'connected' == 'closed'",
    "redis.exceptions.ConnectionError: Connection reset by peer",
    "asyncio.exceptions.CancelledError",
]
REGRESSION_MESSAGES = [
    "AssertionError: assert {a} == {b}",
    "ImportError: cannot import name 'RedisManager' from 'netra_backend.app.redis_manager'",
    "AttributeError: 'MockWebSocket' object has no attribute 'send_json'",
    "KeyError: 'user_id'",
    "TypeError: setup_middleware() missing 1 required positional argument: 'app'",
]


def outage_message(rng):
    host = rng.choice(["localhost", "127.0.0.1", "redis", "db.internal"])
    port = rng.choice([6379, 6380, 5432])
    return rng.choice([
        f"redis.exceptions.ConnectionError: Error 111 connecting to {host}:{port}. Connection refused.",
        f"ConnectionRefusedError: [Errno 111] Connect call failed ('{host}', {port})",
    ])


def plan(args):
    rng = random.Random(args.seed)
    runs = args.runs
    # Commits: one per run, except re-runs, which repeat the previous run's commit.
    outages = sorted(rng.sample(range(5, runs - 3), args.outages)) if args.outages else []
    rerun_at = set()
    if outages and args.reruns:
        rerun_at.add(outages[0] + 1)  # re-run after the first outage
    candidates = [k for k in range(3, runs - 1) if k not in outages and k - 1 not in rerun_at]
    while len(rerun_at) < args.reruns and candidates:
        rerun_at.add(candidates.pop(rng.randrange(len(candidates))))
    commits, commit_index = [], []
    index = -1
    for k in range(runs):
        if k not in rerun_at:
            index += 1
        commit_index.append(index)
        commits.append(f"{random.Random(args.seed * 7 + index).getrandbits(40):010x}")
    commit_count = index + 1

    lo, hi = (float(x) for x in args.outage_share.split(","))
    outage_share = {k: rng.uniform(lo, hi) for k in outages}

    tests = []
    for idx in range(args.tests):
        roll, cls = rng.random(), CLASSES[-1][0]
        for name, share in CLASSES:
            if roll < share:
                cls = name
                break
            roll -= share
        area = idx // 100
        test = {
            "classname": f"tests.service_{area}.test_module_{idx % 9}",
            "name": f"test_case_{idx}_{rng.randrange(1 << 16):04x}",
            "class": cls,
            "p": None,
            "added": 0,
            "regression": None,
            "skip_rate": 0.005,
        }
        if rng.random() < 0.08:
            test["added"] = runs // 2 + rng.randint(-3, 3)
        first_commit = commit_index[test["added"]]
        if cls == "flaky-high":
            test["p"] = rng.uniform(0.20, 0.50)
        elif cls == "flaky-low":
            test["p"] = rng.uniform(0.03, 0.10)
        elif cls == "flaky-retry":
            test["p"] = rng.uniform(0.10, 0.40)
        elif cls == "regression-fixed":
            length = rng.randint(2, 6)
            # At least one passing commit after the fix; the break may come with the test itself.
            start = rng.randint(first_commit, max(first_commit, commit_count - length - 1))
            test["regression"] = [start, start + length]  # failing commits [start, end)
        elif cls == "regression-unfixed":
            start = rng.randint(max(first_commit, commit_count // 5), commit_count - 2)
            test["regression"] = [start, commit_count]
        test["message"] = rng.choice(FLAKY_MESSAGES if cls in FLAKY_CLASSES else REGRESSION_MESSAGES)
        tests.append(test)
    return rng, commits, commit_index, outages, outage_share, rerun_at, tests


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--tests", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--outages", type=int, default=2)
    ap.add_argument("--outage-share", default="0.85,0.97", help="range of the share of tests an outage fails")
    ap.add_argument("--reruns", type=int, default=3)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng, commits, commit_index, outages, outage_share, rerun_at, tests = plan(args)
    outcomes = {id(t): [] for t in tests}
    run_rows = []
    for k in range(args.runs):
        run_rng = random.Random(args.seed * 1000003 + k)
        rows = []
        counts = {"failures": 0, "skipped": 0, "tests": 0}
        for test in tests:
            if k < test["added"]:
                outcomes[id(test)].append("-")
                continue
            counts["tests"] += 1
            head = f"<testcase classname={quoteattr(test['classname'])} name={quoteattr(test['name'])} time=\"{run_rng.random():.3f}\""
            if run_rng.random() < test["skip_rate"]:
                rows.append(f'{head}><skipped type="pytest.skip" message="flag off">flag off</skipped></testcase>')
                outcomes[id(test)].append("S")
                counts["skipped"] += 1
                continue
            cls, letter, message = test["class"], "P", test["message"]
            if k in outage_share and run_rng.random() < outage_share[k]:
                letter, message = "F", outage_message(run_rng)
            elif cls in ("flaky-high", "flaky-low") and run_rng.random() < test["p"]:
                letter = "F"
            elif cls == "flaky-retry" and run_rng.random() < test["p"]:
                letter = "R"
            elif test["regression"] and test["regression"][0] <= commit_index[k] < test["regression"][1]:
                letter = "F"
            if letter == "F":
                text = message.format(a=run_rng.randint(0, 9), b=run_rng.randint(10, 99))
                rows.append(f"{head}><failure message={quoteattr(text)}>{escape('E   ' + text)}</failure></testcase>")
                counts["failures"] += 1
            elif letter == "R":
                rows.append(f"{head} />")  # the failed first attempt, as pytest-rerunfailures writes it
                rows.append(f"{head} />")
            else:
                rows.append(f"{head} />")
            outcomes[id(test)].append(letter)
        name = f"run-{k}.xml"
        with open(os.path.join(args.out, name), "w") as out:
            out.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites>\n')
            out.write(
                f'<testsuite name="pytest" errors="0" failures="{counts["failures"]}" skipped="{counts["skipped"]}" '
                f'tests="{counts["tests"]}" time="1.0" timestamp="2025-09-16T10:00:00" hostname="ci-runner">\n')
            out.write("\n".join(rows))
            out.write("\n</testsuite>\n</testsuites>\n")
        run_rows.append({"run": f"run-{k}", "file": name, "commit": commits[k], "outage": k in outage_share,
                         "rerun": k in rerun_at})
    truth = {
        "seed": args.seed,
        "runs": run_rows,
        "tests": {
            f"{t['classname']}::{t['name']}": {
                "class": t["class"], "p": t["p"], "added": t["added"], "regression": t["regression"],
                "outcomes": "".join(outcomes[id(t)]),
            } for t in tests
        },
    }
    with open(os.path.join(args.out, "truth.json"), "w") as out:
        json.dump(truth, out, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
