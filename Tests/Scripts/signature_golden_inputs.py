#!/usr/bin/env python3
"""Writes the inputs of the signature golden file from the labeled failure messages.

usage: signature_golden_inputs.py ../shared/signatures/labeled.jsonl > Tests/TriageKitTests/Fixtures/signatures/golden.jsonl
then:  RECORD_GOLDEN=1 swift test --filter SignatureGoldenTests   (fills in what the engine says)

Each labeled message gives several inputs in the shapes a result file gives them: as quoted,
wrapped by a runner (the cause only in the text), with an exception type, with what varies
between runs (addresses, ports, paths, times, ids), upper-cased, cut short, and with control
and non-ASCII characters. Seeded, so the same labeled file gives the same inputs.
"""
import json
import random
import sys

rng = random.Random(12)
NOISE = [
    "2024-05-01T10:00:01Z", "12:47:43.495", "0x7f3a9c2e1d00", "3f2b9c1e-8d4a-4b6e-9f00-1a2b3c4d5e6f",
    "/tmp/pytest-of-ci/pytest-7/test_a0/sock", "/home/runner/work/app/app/tests/conftest.py",
    r"C:\Users\ci\AppData\Local\Temp\tmp8x2k\a.txt", "10.1.2.3:49153", "127.0.0.1:6379", "localhost:8712",
    "port 5432", "after 1.52s", "10m0s", "9fceb02d0ae598e95dc970b74767f19372d61af8", "worker 4242",
    "exit code 137", "[Errno 111]", "-17", "req_ab12cd34ef56gh78ij90", "\t", "\u00e9t\u00e9 \u2014 \u00b5s",
    "\x1b[31mred\x1b[0m", "\r\n", "\u2028", "\x00", "\x7f",
]


def noisy(text):
    words = text.split(" ")
    for _ in range(rng.randint(1, 4)):
        words.insert(rng.randint(0, len(words)), rng.choice(NOISE))
    return " ".join(words)


def variants(record):
    message = record.get("message") or ""
    trace = record.get("trace") or ""
    test = record.get("test") or "test"
    first = message.splitlines()[0] if message.strip() else ""
    yield {"message": message, "trace": trace, "test": test}
    yield {"message": "", "trace": message + "\n" + trace, "test": test}
    yield {"message": "failed on setup with \"" + first + "\"", "trace": trace + "\nE   " + first, "test": test}
    yield {"message": "collection failure",
           "trace": "Traceback (most recent call last):\n" + trace + "\n" + message, "test": test}
    yield {"message": message, "trace": trace, "test": test, "type": first.split(":")[0][:60]}
    yield {"message": noisy(message), "trace": noisy(trace), "test": test + "[" + str(rng.randint(0, 9)) + "]"}
    yield {"message": message.upper(), "trace": trace, "test": test}
    yield {"message": message[: max(1, len(message) // 2)], "trace": trace[: len(trace) // 3], "test": test}
    yield {"message": trace, "trace": message, "test": None}


for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        record = json.loads(line)
        for number, variant in enumerate(variants(record)):
            variant["id"] = f"{record['id']}/{number}"
            print(json.dumps({"input": variant}, sort_keys=True, ensure_ascii=False))
