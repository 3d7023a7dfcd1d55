#!/usr/bin/env python3
"""Append labeled failure messages, typed in a compact block format on stdin, to wild.jsonl.

usage: add_signature_records.py [LABELED.jsonl] < blocks
Block:  @ URL | language | framework | label | sublabel [| test]
        M message line, exactly as quoted (repeatable, joined with newlines)
        T trace line (repeatable)
        MT / TT: a message / trace line that begins with a tab (the tab is not typed);
        inside M/T lines the character U+21E5 stands for a tab
Ids, source, repository and split are derived; a URL already in LABELED.jsonl (an earlier set),
a thread already in wild.jsonl before this run, or an identical (URL, message) pair is skipped. Assertion sublabels get ':<test>' appended.
"""
import json, sys, re, hashlib, os
OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Data/signatures/wild.jsonl")
LABELED = sys.argv[1] if len(sys.argv) > 1 else None
existing = [json.loads(l) for l in open(OUT)] if os.path.exists(OUT) else []
seen = {(r["url"], r["message"]) for r in existing}
assert_repo = {r["sublabel"]: r["repository"] for r in existing if r["label"] == "assertion_failure"}
earlier_threads = {r["url"] for r in existing}
old_urls = set()
for l in (open(LABELED) if LABELED else []):
    m = re.search(r"\((https?://[^)]+)\)", json.loads(l)["source"])
    if m: old_urls.add(m.group(1))
n = max([int(r["id"].split("-")[1]) for r in existing] + [0])
def split(repo):
    return "fit" if int(hashlib.sha256(repo.lower().encode()).hexdigest(), 16) % 100 < 60 else "held-out"
recs, cur = [], None
for raw in sys.stdin.read().split("\n"):
    if raw.startswith("@ "):
        parts = [p.strip() for p in raw[2:].split("|")]
        cur = {"h": parts, "M": [], "T": []}; recs.append(cur)
    elif raw.startswith("MT "):
        cur["M"].append("\t" + raw[3:])
    elif raw.startswith("TT "):
        cur["T"].append("\t" + raw[3:])
    elif raw.startswith("M ") or raw == "M":
        cur["M"].append(raw[2:])
    elif raw.startswith("T ") or raw == "T":
        cur["T"].append(raw[2:])
    elif raw.strip():
        sys.exit("bad line: " + raw)
out = []
for c in recs:
    url, lang, fw, label, sub = c["h"][:5]
    test = c["h"][5] if len(c["h"]) > 5 and c["h"][5] else None
    m = re.match(r"https://github.com/([^/]+/[^/]+)/(issues|pull|discussions)/(\d+)", url)
    if m: repo, src = m.group(1), f"{m.group(1)}#{m.group(3)} ({url})"
    else:
        m = re.match(r"https://github.com/([^/]+/[^/]+)/blob/", url)
        if not m: sys.exit("bad url " + url)
        repo, src = m.group(1), url
    msg = "\n".join(c["M"]).replace("\u21e5", "\t"); tr = "\n".join(c["T"]).replace("\u21e5", "\t")
    if not msg: sys.exit("empty message " + url)
    if url in old_urls: print("skip (in labeled.jsonl):", url); continue
    if url in earlier_threads: print("skip (thread already in wild.jsonl):", url); continue
    if (url, msg) in seen: print("skip dup:", url); continue
    seen.add((url, msg)); n += 1
    rid = f"w-{n:04d}"
    if label == "assertion_failure" and ":" not in sub:
        sub = sub + ":" + (test or rid)
    if label == "assertion_failure" and assert_repo.setdefault(sub, repo) != repo:
        sys.exit(f"assertion sublabel {sub} already names a test of {assert_repo[sub]}: qualify it")
    r = {"id": rid, "label": label, "sublabel": sub, "language": lang, "framework": fw,
         "message": msg, "trace": tr, "test": test or f"test-{rid}", "source": src,
         "repository": repo, "url": url, "split": split(repo)}
    out.append(r)
with open(OUT, "a") as f:  # written only when every block passed
    for r in out:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print("added", len(out), "total", len(existing) + len(out))
