#!/usr/bin/env bash
# Hostile result files too large for the unit tests (the small ones are in
# Tests/TriageKitTests/HostileInputTests.swift). Each file is parsed (`triage parse`) and
# ingested into a fresh database; the script prints exit code, seconds and peak RSS
# (getrusage of the child), and fails on a crash, a hang (60 s) or a peak RSS over LIMIT_MB.
# Usage: Tests/Scripts/hostile_inputs.sh   (TRIAGE_BIN names a built binary)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -z "${TRIAGE_BIN:-}" ]]; then
  swift build -c release --product triage >/dev/null
  TRIAGE_BIN=.build/release/triage
fi
python3 - "$TRIAGE_BIN" "$work" "${LIMIT_MB:-200}" <<'PY'
import os, subprocess, sys, time
binary, work, limit_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
MB = 1 << 20

def write(name, parts):
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        for part in parts:
            f.write(part)
    return path

def repeated(chunk, total):
    block = chunk * (MB // len(chunk))
    for _ in range(total // len(block)):
        yield block

head = b'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="s">'
cases = {
    # (file, exit codes accepted, what must hold)
    "100 MB text node in <system-out>": (write("text-node.xml", [head, b'<testcase classname="c" name="t"><system-out>',
        *repeated(b"0123456789abcdef", 100 * MB), b"</system-out></testcase></testsuite>"]), {0}),
    "100 MB text node in <failure>": (write("failure-text.xml", [head, b'<testcase classname="c" name="t"><failure message="m">',
        *repeated(b"x&lt;y ", 100 * MB), b"</failure></testcase></testsuite>"]), {0}),
    "100 MB CDATA block": (write("cdata.xml", [head, b'<testcase classname="c" name="t"><system-err><![CDATA[',
        *repeated(b"line\r\n", 100 * MB), b"]]></system-err></testcase></testsuite>"]), {3}),  # libxml2's 10 MB limit
    "10 MB attribute": (write("attribute-10mb.xml", [head, b'<testcase classname="c" name="t"><failure message="',
        *repeated(b"a", 10 * MB), b'"/></testcase></testsuite>']), {3}),  # libxml2's 10 MB limit
    "100 MB attribute": (write("attribute-100mb.xml", [head, b'<testcase classname="c" name="t"><failure message="',
        *repeated(b"a", 100 * MB), b'"/></testcase></testsuite>']), {3}),
    "100 MB of one unclosed start tag": (write("open-tag.xml", [head, b'<testcase classname="c" ',
        *repeated(b" ", 100 * MB)]), {3}),
    "1,000,000 nested elements": (write("deep.xml", [head, b"<testcase classname='c' name='t'>", b"<a>" * 1_000_000,
        b"</a>" * 1_000_000, b"</testcase></testsuite>"]), {0, 3}),
    "100,000 attributes on one element": (write("attrs.xml", [head, b"<testcase classname='c' name='t' ",
        b" ".join(b"a%d='1'" % i for i in range(100_000)), b"/></testsuite>"]), {0, 3}),
    "billion laughs (10 levels)": (write("laughs.xml", [b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">',
        *[b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)],
        b']>\n<testsuite name="s"><testcase classname="c" name="&lol9;"/></testsuite>']), {3}),
}
failed = False
print(f"{'case':36} {'command':7} {'exit':>4} {'seconds':>8} {'peak RSS':>9}  first line of stderr")
for title, (path, accepted) in cases.items():
    for command in (["parse", "--format", "text", path], ["ingest", "--db", os.path.join(work, "h.sqlite"), "--run-id", title, path]):
        # time(1) reports the peak RSS of the process tree it waited for; timeout turns a hang into exit 137.
        run = subprocess.run(["/usr/bin/time", "-f", "@@ %e %M", "timeout", "-s", "KILL", "60", binary, *command],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        lines = run.stderr.decode(errors="replace").strip().splitlines()
        seconds, rss_kb = lines[-1].split()[1:3]
        rss_mb = int(rss_kb) / 1024
        message = [l for l in lines[:-1] if not l.startswith("Command ")][:1]
        print(f"{title:36} {command[0]:7} {run.returncode:>4} {float(seconds):8.2f} {rss_mb:7.1f}MB  {message[0][:110] if message else ''}")
        if run.returncode not in accepted or rss_mb > limit_mb:
            failed = True
            print(f"  FAILED: exit {run.returncode} (accepted {sorted(accepted)}; 137 is a hang), peak RSS {rss_mb:.1f} MB (limit {limit_mb})")
sys.exit(1 if failed else 0)
PY
