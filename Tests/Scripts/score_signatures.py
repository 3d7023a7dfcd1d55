#!/usr/bin/env python3
"""Score `triage classify` (and the Drain3 peer, when installed) on the labeled failure set.

usage: score_signatures.py [--data FILE] [--triage BIN] [--rules FILE] [--split fit|held-out|all]...
                           [--show-misses N] [--no-drain3]

Each record of FILE (default Tests/Data/signatures/wild.jsonl) has `split` = fit or held-out
(by source repository). For each part, the messages go through `triage classify` one JSON
line each ({id, message, trace, test}); the answer is scored as the shared scorer does it:
category accuracy (category == label) and pairwise precision/recall/F1 and adjusted Rand
index of `cluster` against the truth key label/sublabel. Drain3 (pip install drain3) is
scored on the same part with the same method: one template miner per part, fed the first
line of each message in file order; it has no categories, so only its F1 counts.
Exit 0, or 2 when the data or the triage binary cannot be read.
"""
import argparse, collections, hashlib, json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def comb2(n):
    return n * (n - 1) // 2


def pairwise(pred, gold):
    """Pairwise precision, recall, F1, ARI and number of predicted clusters."""
    cont = collections.Counter(zip(pred, gold))
    a, b = collections.Counter(pred), collections.Counter(gold)
    tp = sum(comb2(v) for v in cont.values())
    pp = sum(comb2(v) for v in a.values())
    gp = sum(comb2(v) for v in b.values())
    p = tp / pp if pp else 1.0
    r = tp / gp if gp else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    total = comb2(len(gold))
    exp = pp * gp / total if total else 0.0
    mx = (pp + gp) / 2
    ari = (tp - exp) / (mx - exp) if mx != exp else 1.0
    return p, r, f1, ari, len(a)


def score(gold, pred):
    """gold: records; pred: id -> {category, cluster}. Returns a dict of figures and misses."""
    hits, clusters, misses = 0, [], collections.Counter()
    for g in gold:
        d = pred.get(g["id"], {})
        if d.get("category") == g["label"]:
            hits += 1
        else:
            misses[(g["label"], d.get("category"))] += 1
        clusters.append(str(d.get("cluster", "missing-" + g["id"])))
    p, r, f1, ari, k = pairwise(clusters, [g["label"] + "/" + g["sublabel"] for g in gold])
    return {"n": len(gold), "accuracy": hits / len(gold) if gold else 0.0, "precision": p,
            "recall": r, "f1": f1, "ari": ari, "clusters": k, "misses": misses}


REQUIRED = ("id", "label", "sublabel", "language", "framework", "message", "trace", "test", "source",
            "repository", "url", "split")


def split_of(repository):
    """fit or held-out, from the repository name alone (about 60/40 by repository)."""
    digest = int(hashlib.sha256(repository.lower().encode()).hexdigest(), 16)
    return "fit" if digest % 100 < 60 else "held-out"


def check(records):
    """Problems with the records: missing fields, duplicate ids, a split that is not the repository's."""
    problems, ids = [], set()
    for n, r in enumerate(records, 1):
        missing = [k for k in REQUIRED if not isinstance(r.get(k), str) or (k != "trace" and not r.get(k))]
        if missing:
            problems.append(f"record {n}: missing or empty {', '.join(missing)}")
            continue
        if r["id"] in ids:
            problems.append(f"record {n}: duplicate id {r['id']}")
        ids.add(r["id"])
        if r["split"] != split_of(r["repository"]):
            problems.append(f"record {n} ({r['id']}): split {r['split']} is not {split_of(r['repository'])}")
        if r["repository"] not in r["url"]:
            problems.append(f"record {n} ({r['id']}): url does not belong to {r['repository']}")
        if r["label"] == "assertion_failure" and ":" not in r["sublabel"]:
            problems.append(f"record {n} ({r['id']}): assertion sublabel must name the test (kind:test)")
    return problems


def run_triage(binary, rules, part):
    cmd = [binary, "classify"] + (["--rules", rules] if rules else [])
    feed = "".join(json.dumps({"id": g["id"], "message": g["message"], "trace": g.get("trace", ""),
                               "test": g.get("test", "")}) + "\n" for g in part)
    out = subprocess.run(cmd, input=feed, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"score_signatures: {binary} classify exited {out.returncode}: {out.stderr.strip()[:300]}")
    pred = {}
    for line in out.stdout.splitlines():
        if line.strip():
            d = json.loads(line)
            pred[str(d["id"])] = d
    return pred


def run_drain3(part):
    import logging
    logging.disable(logging.CRITICAL)
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig
    cfg = TemplateMinerConfig()
    cfg.profiling_enabled = False
    miner = TemplateMiner(config=cfg)
    pred = {}
    for g in part:
        text = (g.get("message") or "").strip()
        line = text.splitlines()[0] if text else ""
        pred[g["id"]] = {"category": None, "cluster": miner.add_log_message(line)["cluster_id"]}
    return pred


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(ROOT, "Tests/Data/signatures/wild.jsonl"))
    ap.add_argument("--triage", default=None, help="triage binary (default .build/release, else .build/debug)")
    ap.add_argument("--rules", default=None, help="team rules file passed to triage classify")
    ap.add_argument("--split", action="append", choices=["fit", "held-out", "all"])
    ap.add_argument("--show-misses", type=int, default=8, help="most common (label, predicted) misses shown")
    ap.add_argument("--no-drain3", action="store_true")
    ap.add_argument("--json", action="store_true", help="one JSON object of figures per part and tool")
    ap.add_argument("--check", action="store_true", help="only check the data file's records and split; exit 1 on a bad record")
    args = ap.parse_args()

    binary = args.triage
    if binary is None:
        built = [os.path.join(ROOT, ".build", c, "triage") for c in ("release", "debug")]
        built = [b for b in built if os.access(b, os.X_OK)]
        binary = max(built, key=os.path.getmtime) if built else None  # the newest build
    if binary is None or not os.access(binary, os.X_OK):
        sys.exit("score_signatures: no triage binary (swift build first, or pass --triage)")
    try:
        records = [json.loads(l) for l in open(args.data, encoding="utf-8") if l.strip()]
    except (OSError, ValueError) as e:
        print(f"score_signatures: {args.data}: {e}", file=sys.stderr)
        sys.exit(2)
    if args.check:
        problems = check(records)
        for p in problems:
            print(p, file=sys.stderr)
        print(f"{len(records)} records, {len({r.get('repository') for r in records})} repositories, "
              f"{len(problems)} problems")
        sys.exit(1 if problems else 0)
    drain3 = not args.no_drain3
    if drain3:
        try:
            import drain3 as _  # noqa: F401
        except ImportError:
            print("drain3 not installed: peer skipped (pip install drain3)", file=sys.stderr)
            drain3 = False

    for split in args.split or ["fit", "held-out"]:
        part = records if split == "all" else [r for r in records if r.get("split") == split]
        repos = len({r["repository"] for r in part})
        tools = [("triage", lambda: run_triage(binary, args.rules, part))]
        if drain3:
            tools.append(("drain3", lambda: run_drain3(part)))
        for name, run in tools:
            s = score(part, run())
            if args.json:
                print(json.dumps({"split": split, "tool": name, "messages": s["n"], "repositories": repos,
                                  "accuracy": round(s["accuracy"], 3), "f1": round(s["f1"], 3),
                                  "precision": round(s["precision"], 3), "recall": round(s["recall"], 3),
                                  "ari": round(s["ari"], 3), "clusters": s["clusters"]}))
                continue
            print(f"[{split}] {name}: messages={s['n']} repositories={repos} clusters={s['clusters']} "
                  f"pairP={s['precision']:.3f} pairR={s['recall']:.3f}")
            acc = f"accuracy={s['accuracy']:.3f} " if name == "triage" else "accuracy=n/a "
            print(f"[{split}] {name}: {acc}f1={s['f1']:.3f} ari={s['ari']:.3f}")
            if name == "triage":
                for (gl, pl), n in s["misses"].most_common(args.show_misses):
                    print(f"    label={gl:22} predicted={pl} n={n}")


if __name__ == "__main__":
    main()
