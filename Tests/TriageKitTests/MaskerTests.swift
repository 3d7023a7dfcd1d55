import Testing

@testable import TriageKit
import TriageModel
import TriageStore

@Suite struct MaskerTests {
    @Test(arguments: [
        ("Worker 4242 failed after 17 retries", "Worker <num> failed after <num> retries"),
        ("<Foo object at 0x7f3a9c2e1d00>", "<Foo object at <addr>>"),
        ("job 3f2b9c1e-8d4a-4b6e-9f00-1a2b3c4d5e6f failed", "job <uuid> failed"),
        ("connect to 10.1.2.3:49153 failed", "connect to <ip>:<port> failed"),
        ("connect to 10.1.2.3:6379 failed", "connect to <ip>:6379 failed"),
        ("HTTPConnectionPool(host='localhost', port=8712)", "HTTPConnectionPool(host='localhost', port=<port>)"),
        ("Redis connection to localhost:6379 failed", "Redis connection to localhost:6379 failed"),
        ("open /tmp/pytest-of-ci/pytest-3/test_x0/data.json", "open <tmp>"),
        ("open '/home/runner/work/app/app/tests/conftest.py'", "open '<path>/conftest.py'"),
        (#"load C:\Users\ci\AppData\Local\Temp\tmp8x2k\a.txt"#, "load <tmp>"),
        ("see tests/unit/test_a.py", "see tests/unit/test_a.py"),
        ("panic: test timed out after 10m0s", "panic: test timed out after <dur>"),
        ("Timeout of 2000ms exceeded", "Timeout of <dur> exceeded"),
        ("Failed: Timeout >1.5s", "Failed: Timeout ><dur>"),
        ("at 2024-03-05T12:47:43.495Z and 12:47:44,001", "at <ts> and <ts>"),
        ("OSError: [Errno 98] Address already in use", "OSError: [Errno 98] Address already in use"),
        (
            "socket.gaierror: [Errno -2] Name or service not known",
            "socket.gaierror: [Errno -2] Name or service not known"
        ),
        ("Process completed with exit code 137.", "Process completed with exit code 137."),
        ("commit 9fceb02d0ae598e95dc970b74767f19372d61af8 broke it", "commit <hex> broke it"),
        ("psycopg2 on python3 with ssl3_get_record", "psycopg2 on python3 with ssl3_get_record"),
        (
            "ImportError: cannot import name 'User' from 'app.models'",
            "ImportError: cannot import name 'User' from 'app.models'"
        ),
        ("line one\n\tline  two", "line one line two"),
        ("\u{1B}[31mFAILED\u{1B}[0m red", "FAILED red"),
        ("peer 16Uiu2HAm5AmQSRSrdrN7oMygWpsMN13w9tKrDZqMvJs4zwxGxRzA gone", "peer <id> gone"),
        (
            "expect(received).toBe(expected) // Object.is equality",
            "expect(received).toBe(expected) // Object.is equality"
        ),
    ])
    func masks(input: String, expected: String) {
        #expect(MessageMasker.mask(input) == expected)
    }

    @Test func longLinesAreCutAtACharacterBoundary() {
        let line = String(repeating: "é", count: 300)
        let masked = MessageMasker.mask(line)
        #expect(masked.utf8.count <= MessageMasker.maximumLength)
        #expect(masked.allSatisfy { $0 == "é" })
    }

    @Test func maskingIsIdempotent() {
        let line = "Error 111 connecting to 127.0.0.1:41234 at 0xdeadbeef00 after 3.2s in /tmp/x/y"
        let once = MessageMasker.mask(line)
        #expect(MessageMasker.mask(once) == once)
    }
}
