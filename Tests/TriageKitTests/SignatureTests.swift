import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

private let engine: SignatureEngine = {
    do { return try SignatureEngine() } catch { fatalError("built-in engine: \(error)") }
}()

private func signature(_ message: String?, text: String? = nil, type: String? = nil, test: String? = nil) -> Signature {
    engine.signature(for: FailureInput(message: message, text: text, failureType: type, test: test))
}

@Suite struct ClusterStabilityTests {
    @Test func ephemeralPortTempPathPIDDurationTimestampAndAddressDoNotChangeTheCluster() {
        let first = signature(
            "2024-05-01T10:00:01Z worker 4242: ConnectionRefusedError at 0x7f3a9c2e1d00: connect to 127.0.0.1:41234 "
                + "from /tmp/pytest-of-ci/pytest-7/test_a0/sock failed after 1.52s: Connection refused",
            test: "tests/test_a.py::test_one")
        let second = signature(
            "2025-11-30T23:59:59Z worker 977: ConnectionRefusedError at 0x55d0c0ffee10: connect to 127.0.0.1:53999 "
                + "from /tmp/pytest-of-ci/pytest-12/test_a3/sock failed after 30.1s: Connection refused",
            test: "tests/test_a.py::test_one")
        #expect(first.category == "connection_refused")
        #expect(first.template == second.template)
        #expect(first.clusterID == second.clusterID)
        #expect(!first.template.contains("41234"))
        #expect(!first.template.contains("0x7f3a9c2e1d00"))
    }

    @Test func clusterIDIsTenLowercaseHexDigitsAndTheSameOnEveryRun() throws {
        let one = signature(
            "redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379. Connection refused.")
        let again = try SignatureEngine().signature(
            for: FailureInput(
                message: "redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379. Connection refused."
            ))
        #expect(one.clusterID.count == 10)
        #expect(one.clusterID.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(one == again)
    }

    @Test func redisRefusedAndPostgresRefusedAreDifferentCauses() {
        let redis = signature(
            "redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379. Connection refused.")
        let postgres = signature(
            "psycopg2.OperationalError: connection to server at \"localhost\" (127.0.0.1), port 5432 failed: Connection refused"
        )
        #expect(redis.category == "connection_refused")
        #expect(postgres.category == "connection_refused")
        #expect(redis.detail == "redis")
        #expect(postgres.detail == "postgres")
        #expect(redis.clusterID != postgres.clusterID)
    }

    @Test func theSameAssertionInTwoTestsIsTwoCauses() {
        let message = "AssertionError: assert 3 == 4"
        let first = signature(message, test: "tests/test_cart.py::test_total")
        let second = signature(message, test: "tests/test_cart.py::test_discount")
        let firstAgain = signature("AssertionError: assert 7 == 9", test: "tests/test_cart.py::test_total")
        #expect(first.category == "assertion_failure")
        #expect(first.clusterID != second.clusterID)
        #expect(first.clusterID == firstAgain.clusterID)
    }

    @Test func theSameInfrastructureCauseInTwoTestsIsOneCause() {
        let message = "sqlite3.OperationalError: database is locked"
        #expect(signature(message, test: "test_a").clusterID == signature(message, test: "test_b").clusterID)
    }
}

@Suite struct ErrorLineTests {
    @Test func collectionFailureFindsTheImportErrorInTheText() {
        let text = """
            ImportError while importing test module '/home/ci/app/tests/test_models.py'.
            Hint: make sure your test modules/packages have valid Python names.
            Traceback:
            /usr/lib/python3.11/importlib/__init__.py:126: in import_module
                return _bootstrap._gcd_import(name[level:], package, level)
            tests/test_models.py:3: in <module>
                from app.models import User
            E   ImportError: cannot import name 'User' from 'app.models' (/home/ci/app/app/models.py)
            """
        let result = signature("collection failure", text: text, test: "tests/test_models.py")
        #expect(result.category == "import_error")
        #expect(result.detail?.contains("User") == true)
        #expect(result.detail?.contains("app.models") == true)
        #expect(result.template.hasPrefix("ImportError: cannot import name 'User' from 'app.models'"))
    }

    @Test func setupWrapperFindsTheMissingFixtureAndIgnoresTheAvailableList() {
        let text = """
            file /home/ci/proj/tests/test_env.py, line 12
              def test_reads_env(isolated_test_env, redis_client):
            E       fixture 'isolated_test_env' not found
            >       available fixtures: cache, capfd, capsys, doctest_namespace, monkeypatch, redis_client, timeout_guard, tmp_path
            >       use 'pytest --fixtures [testpath]' for help on them.
            """
        let result = signature(
            "failed on setup with \"file /home/ci/proj/tests/test_env.py, line 12\"", text: text,
            test: "tests/test_env.py::test_reads_env")
        #expect(result.category == "missing_fixture")
        #expect(result.detail == "isolated_test_env")
        #expect(result.template == "fixture 'isolated_test_env' not found")
    }

    @Test func javaCausedByChainNamesTheRootCause() {
        let text = """
            org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'dataSource'
            \tat org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.doCreateBean(AbstractAutowireCapableBeanFactory.java:628)
            \tat com.example.TimeoutAwareRunner.run(TimeoutAwareRunner.java:40)
            Caused by: org.postgresql.util.PSQLException: Connection to localhost:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.
            \tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:319)
            Caused by: java.net.ConnectException: Connection refused
            \tat java.base/sun.nio.ch.Net.pollConnect(Native Method)
            """
        let result = signature(
            "Failed to load ApplicationContext", text: text, type: "java.lang.IllegalStateException",
            test: "com.example.RepositoryIT")
        #expect(result.category == "connection_refused")
        #expect(result.detail == "postgres")
        #expect(result.template.contains("refused"))
    }

    @Test func primaryLineOfAJavaTraceIsTheDeepestCause() {
        let text =
            "java.lang.RuntimeException: boom\n\tat a.B.c(B.java:1)\nCaused by: java.lang.IllegalStateException: inner\n\tat a.B.d(B.java:2)"
        let line = ErrorLines.primaryLine(of: Array(text.utf8))
        #expect(String(decoding: ErrorLines.clean(line), as: UTF8.self) == "java.lang.IllegalStateException: inner")
    }

    @Test func pythonTracebackUsesItsLastExceptionLine() {
        let text = """
            Traceback (most recent call last):
              File "/srv/app/cache.py", line 12, in get
                return self.client.get(key, timeout=5)
            KeyError: 'CACHE_URL'
            """
        let result = signature("", text: text)
        #expect(result.category == "key_error")
        #expect(result.template == "KeyError: 'CACHE_URL'")
    }

    @Test func stackFrameWordsDoNotDecideTheCategory() {
        // `TimeoutHandler` and `timeout=5` are code, not the failure.
        let text = """
            \tat com.example.TimeoutHandler.handle(TimeoutHandler.java:31)
              File "/srv/app/net.py", line 3, in send
                sock.settimeout(5)  # connection timed out before
            """
        let result = signature("java.lang.IllegalArgumentException: bad id", text: text, test: "t")
        #expect(result.category == "unclassified")
    }

    @Test func goTestOutputIsRead() {
        let text = """
            === RUN   TestStore
                store_test.go:41: open store: dial tcp 127.0.0.1:6379: connect: connection refused
            --- FAIL: TestStore (0.01s)
            """
        let result = signature("Failed", text: text, test: "TestStore")
        #expect(result.category == "connection_refused")
        #expect(result.detail == "redis")
        #expect(result.template == "open store: dial tcp <ip>:6379: connect: connection refused")
    }
}

@Suite struct PlatformVariantTests {
    static let linux = "redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379. Connection refused."

    @Test(arguments: [
        "redis.exceptions.ConnectionError: Error 61 connecting to localhost:6379. Connection refused.",
        "redis.exceptions.ConnectionError: Error 10061 connecting to localhost:6379. No connection could be made because the target machine actively refused it.",
        "ConnectionRefusedError: [WinError 1225] The remote computer refused the network connection ('127.0.0.1', 6379)",
        "Error: connect ECONNREFUSED 127.0.0.1:6379",
        "dial tcp [::1]:6379: connectex: No connection could be made because the target machine actively refused it.",
    ])
    func macOSAndWindowsRefusalsClusterWithLinux(variant: String) {
        let linux = signature(Self.linux, test: "a")
        let other = signature(variant, test: "b")
        #expect(other.category == "connection_refused")
        #expect(other.detail == "redis")
        #expect(other.clusterID == linux.clusterID)
    }

    @Test func errnoNumbersOfAddressInUseAreOneCause() {
        let linux = signature("OSError: [Errno 98] Address already in use")
        let macOS = signature("OSError: [Errno 48] Address already in use")
        let windows = signature(
            "OSError: [WinError 10048] Only one usage of each socket address (protocol/network address/port) is normally permitted"
        )
        #expect(linux.category == "address_in_use")
        #expect(linux.clusterID == macOS.clusterID)
        #expect(linux.clusterID == windows.clusterID)
    }

    @Test func dnsFailuresOfEachPlatformAreOneCause() {
        let linux = signature("socket.gaierror: [Errno -2] Name or service not known")
        let macOS = signature("socket.gaierror: [Errno 8] nodename nor servname provided, or not known")
        let windows = signature("socket.gaierror: [Errno 11001] getaddrinfo failed")
        #expect(linux.category == "dns_resolution")
        #expect(linux.clusterID == macOS.clusterID)
        #expect(linux.clusterID == windows.clusterID)
    }
}

/// Failures from many ecosystems, written the way their runtimes word them; the rules must
/// recognise the cause, not these strings.
@Suite struct BuiltinRuleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var message: String
        var text: String? = nil
        var category: String
        var detail: String?
        var testDescription: String { "\(category): \(message.prefix(60))" }
    }

    static let cases: [Case] = [
        Case(
            message: "dial tcp 127.0.0.1:5432: connect: connection refused", category: "connection_refused",
            detail: "postgres"),
        Case(
            message: "MongoNetworkError: connect ECONNREFUSED 127.0.0.1:27017", category: "connection_refused",
            detail: "mongo"),
        Case(
            message: "SequelizeConnectionRefusedError: connect ECONNREFUSED ::1:5432", category: "connection_refused",
            detail: "postgres"),
        Case(
            message: "redis.exceptions.ConnectionError: Error -2 connecting to redis:6379. Name or service not known.",
            category: "dns_resolution", detail: "nxdomain"),
        Case(
            message:
                "requests.exceptions.ReadTimeout: HTTPConnectionPool(host='api', port=80): Read timed out. (read timeout=10)",
            category: "connection_timeout", detail: "http"),
        Case(
            message: "ERROR 2003 (HY000): Can't connect to MySQL server on 'localhost:3306' (111)",
            category: "connection_refused", detail: "mysql"),
        Case(
            message: "curl: (7) Failed to connect to localhost port 8080: Connection refused",
            category: "connection_refused", detail: "http"),
        Case(
            message: "java.net.ConnectException: Connection refused",
            text: "\tat com.mysql.cj.jdbc.ConnectionImpl.connect(ConnectionImpl.java:1)",
            category: "connection_refused", detail: "mysql"),
        Case(
            message:
                "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
            category: "connection_refused", detail: "docker_daemon"),
        Case(
            message: "dial tcp 10.20.30.40:7000: connect: connection refused", category: "connection_refused",
            detail: "tcp_remote"),
        Case(
            message: "ConnectionResetError: [Errno 104] Connection reset by peer", category: "connection_reset",
            detail: "tcp_local"),
        Case(
            message: "Get \"https://10.0.0.5/health\": dial tcp 10.0.0.5:443: i/o timeout",
            category: "connection_timeout", detail: "http"),
        Case(
            message: "socket.timeout: timed out", category: "connection_timeout",
            detail: "socket_read"),
        Case(
            message: "psycopg2.OperationalError: could not connect to server: Connection timed out",
            category: "connection_timeout", detail: "postgres"),
        Case(
            message: "dial tcp: lookup db on 127.0.0.11:53: no such host", category: "dns_resolution",
            detail: "nxdomain"),
        Case(
            message: "Error: getaddrinfo EAI_AGAIN registry.example.org", category: "dns_resolution",
            detail: "temporary_failure"),
        Case(
            message: "System.Net.Sockets.SocketException : No such host is known.", category: "dns_resolution",
            detail: "nxdomain"),
        Case(
            message: "OSError: [Errno 101] Network is unreachable", category: "network_unreachable",
            detail: "enetunreach"),
        Case(
            message: "OSError: [Errno 99] Cannot assign requested address", category: "address_not_available",
            detail: "eaddrnotavail"),
        Case(
            message: "listen tcp :8080: bind: address already in use", category: "address_in_use", detail: "go_listen"),
        Case(
            message: "x509: certificate signed by unknown authority", category: "ssl_error", detail: "unknown_authority"
        ),
        Case(
            message: "Error: self signed certificate in certificate chain", category: "ssl_error", detail: "self_signed"
        ),
        Case(
            message: "ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1129)",
            category: "ssl_error", detail: "wrong_version_number"),
        Case(
            message: "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB", category: "oom",
            detail: "cuda"),
        Case(message: "fatal error: runtime: out of memory", category: "oom", detail: "go_runtime"),
        Case(message: "java.lang.OutOfMemoryError: Metaspace", category: "oom", detail: "java_metaspace"),
        Case(message: "Error: Process completed with exit code 137.", category: "oom", detail: "killed_137"),
        Case(
            message: "System.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown.",
            category: "oom", detail: "dotnet_oom"),
        Case(message: "Error: Cannot find module 'express'", category: "import_error", detail: "node_module_not_found"),
        Case(
            message: "java.lang.ClassNotFoundException: org.h2.Driver", category: "import_error",
            detail: "class_not_found"),
        Case(
            message: "ImportError: libGL.so.1: cannot open shared object file: No such file or directory",
            category: "import_error", detail: "shared_library"),
        Case(
            message: "ImportError: cannot import name 'SSLError' from 'requests.exceptions'", category: "import_error",
            detail: "requests.exceptions.SSLError"),
        Case(
            message: "AttributeError: 'str' object has no attribute 'decode'", category: "attribute_error",
            detail: "object_attribute"),
        Case(
            message: "TypeError: Cannot read properties of undefined (reading 'map')", category: "type_error",
            detail: "Cannot read properties of undefined (reading 'map')"),
        Case(
            message: "KeyError: 'DATABASE_URL'", text: "    url = os.environ['DATABASE_URL']", category: "key_error",
            detail: "env:DATABASE_URL"),
        Case(
            message: "Error: EACCES: permission denied, open '/usr/lib/node_modules/.staging/x'",
            category: "permission_denied", detail: "path"),
        Case(
            message: "dial unix /var/run/docker.sock: connect: permission denied", category: "permission_denied",
            detail: "docker_socket"),
        Case(
            message: "java.io.FileNotFoundException: src/test/resources/data.json (No such file or directory)",
            category: "file_not_found", detail: "test_data"),
        Case(
            message: "Error: ENOENT: no such file or directory, open '/home/ci/work/fixtures/user.json'",
            category: "file_not_found", detail: "test_data"),
        Case(
            message: "java.io.FileNotFoundException: conf/app.properties (No such file or directory)",
            category: "file_not_found", detail: "relative_path"),
        Case(
            message: "org.junit.runners.model.TestTimedOutException: test timed out after 1000 milliseconds",
            category: "timeout", detail: "test_timeout"),
        Case(message: "thrown: \"Exceeded timeout of 5000 ms for a test.", category: "timeout", detail: "jest_timeout"),
        Case(message: "context deadline exceeded", category: "timeout", detail: "context_deadline"),
        Case(
            message: "Timed out retrying after 4000ms: Expected to find element: [data-cy=submit], but never found it.",
            category: "timeout", detail: "cypress_get:[data-cy=submit]"),
        Case(message: "Failed asserting that false is true.", category: "assertion_failure", detail: nil),
        Case(
            message: "assertion `left == right` failed\n  left: 1\n right: 2", category: "assertion_failure",
            detail: nil),
        Case(message: "AssertionError: expected 1 to equal 2", category: "assertion_failure", detail: nil),
        Case(message: "Expected: 5\n  But was:  4", category: "assertion_failure", detail: nil),
        Case(message: "store_test.go:12: got 3, want 4", category: "assertion_failure", detail: nil),
        Case(
            message:
                "Timeout - Async callback was not invoked within the 5000 ms timeout specified by jest.setTimeout.",
            category: "timeout", detail: "jest_timeout"),
        Case(message: "REQUIRE( v == 1 ) with expansion: 2 == 1", category: "assertion_failure", detail: nil),
        Case(
            message: "/src/checks.cpp:4: error: CHECK_EQ( 1, 2 ) is NOT correct!", category: "assertion_failure",
            detail: nil),
        Case(message: "SyntaxError: invalid syntax", category: "unclassified", detail: nil),
    ]

    @Test(arguments: cases)
    func recognisesTheCause(_ example: Case) {
        let result = signature(example.message, text: example.text, test: "t")
        #expect(result.category == example.category)
        #expect(result.detail == example.detail)
        #expect(result.rule == "builtin." + example.category)
    }
}

@Suite struct TeamRuleTests {
    @Test func teamRulesRunBeforeBuiltinsAndCaptureTheDetail() throws {
        let rule = SignatureRule(
            name: "vault-sealed", category: "vault_unavailable",
            messagePattern: #"Vault at (\w+):\d+ .*Connection refused"#, detailGroup: 1)
        let engine = try SignatureEngine(teamRules: [rule])
        let result = engine.signature(
            for: FailureInput(message: "Vault at vaultsrv:8200 unreachable: Connection refused", test: "t"))
        #expect(result.category == "vault_unavailable")
        #expect(result.detail == "vaultsrv")
        #expect(result.rule == "vault-sealed")
        // Without the team rule, the built-in rules see a refused connection.
        #expect(signature("Vault at vaultsrv:8200 unreachable: Connection refused").category == "connection_refused")
    }

    @Test func namedCaptureGroupsTraceAndTestPatternsApply() throws {
        let rule = SignatureRule(
            name: "grpc-port", category: "address_in_use", tracePattern: #"bind to port (?<port>\d+)"#,
            detailGroup: "port", testPattern: #"^tests/grpc/"#)
        let engine = try SignatureEngine(teamRules: [rule])
        let matching = engine.signature(
            for: FailureInput(
                message: "server failed", text: "grpc: could not bind to port 50051", test: "tests/grpc/test_a.py::t"))
        let otherTest = engine.signature(
            for: FailureInput(
                message: "server failed", text: "grpc: could not bind to port 50051", test: "tests/http/test_b.py::t"))
        #expect(matching.rule == "grpc-port")
        #expect(matching.detail == "50051")
        #expect(otherTest.rule != "grpc-port")
    }

    @Test func firstMatchingTeamRuleWins() throws {
        let engine = try SignatureEngine(teamRules: [
            SignatureRule(name: "first", category: "infra_a", messagePattern: "boom"),
            SignatureRule(name: "second", category: "infra_b", messagePattern: "boom"),
        ])
        #expect(engine.signature(for: FailureInput(message: "boom")).rule == "first")
        #expect(engine.rules.map(\.name).prefix(2) == ["first", "second"])
        #expect(engine.rules.dropFirst(2).allSatisfy { $0.origin == .builtin })
    }

    @Test func aTeamRuleChangesOnlyTheIDsOfTheCausesItNames() throws {
        let plain = try SignatureEngine()
        let rule = SignatureRule(name: "x", category: "oom", messagePattern: "heap space")
        let withRule = try SignatureEngine(teamRules: [rule])
        let edited = try SignatureEngine(teamRules: [
            SignatureRule(name: "x", category: "oom", messagePattern: "Java heap space")
        ])
        #expect(plain.rulesVersion == SignatureEngine.builtinRulesVersion)
        #expect(withRule.rulesVersion.hasPrefix(SignatureEngine.builtinRulesVersion + "+"))
        let named = FailureInput(message: "java.lang.OutOfMemoryError: Java heap space")
        #expect(withRule.signature(for: named).rule == "x")
        #expect(plain.signature(for: named).clusterID != withRule.signature(for: named).clusterID)
        #expect(withRule.signature(for: named).clusterID != edited.signature(for: named).clusterID)
        // A cause the team rule does not match keeps its built-in id, so links to it survive.
        let other = FailureInput(
            message: "redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379. Connection refused.")
        #expect(plain.signature(for: other).clusterID == withRule.signature(for: other).clusterID)
    }

    @Test func invalidRegexNamesTheRule() {
        let rule = SignatureRule(name: "broken-rule", category: "oom", messagePattern: "OOM (unclosed")
        #expect {
            _ = try SignatureEngine(teamRules: [rule])
        } throws: { error in
            guard let error = error as? SignatureError, case .invalidPattern(let name, let field, _, _) = error else {
                return false
            }
            return name == "broken-rule" && field == "message" && error.description.contains("broken-rule")
        }
    }

    @Test func unknownCaptureGroupIsRejected() {
        let rule = SignatureRule(name: "r", category: "oom", messagePattern: "OOM (\\w+)", detailGroup: 2)
        #expect(throws: SignatureError.unknownCaptureGroup(rule: "r", group: "2")) {
            _ = try SignatureEngine(teamRules: [rule])
        }
    }

    @Test func rulesFileLoadsYAML() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "triage-rules-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: url) }
        try """
        rules:
          - name: vault-down
            category: connection_refused
            message: 'Vault at (\\w+):\\d+'
            detail: 1
          - name: slow-ci
            category: timeout
            trace: "runner (?<runner>[a-z]+) overloaded"
            detail: runner
            test: "^tests/e2e/"
            per_test: false
        """.write(to: url, atomically: true, encoding: .utf8)
        let rules = try RulesFile.load(from: url)
        #expect(rules.count == 2)
        #expect(
            rules[0]
                == SignatureRule(
                    name: "vault-down", category: "connection_refused", messagePattern: #"Vault at (\w+):\d+"#,
                    detailGroup: 1))
        #expect(rules[1].detailGroup == .name("runner"))
        #expect(rules[1].testPattern == "^tests/e2e/")
        #expect(rules[1].isPerTest == false)
    }

    @Test func rulesFileErrorsNameTheFileLineAndProblem() {
        let badRegex = """
            rules:
              - name: ok
                category: oom
                message: fine
              - name: bad-one
                category: oom
                message: "OOM ["
            """
        #expect {
            _ = try RulesFile.parse(badRegex, file: "team.yaml")
        } throws: { error in
            let text = String(describing: error)
            return text.hasPrefix("team.yaml:5:") && text.contains("bad-one") && !text.contains("\n")
        }
        #expect {
            _ = try RulesFile.parse("rules:\n  - name: x\n    categry: oom\n    message: a", file: "team.yaml")
        } throws: { error in
            String(describing: error).contains("unknown key 'categry'")
        }
        #expect {
            _ = try RulesFile.parse("rules: [\n", file: "team.yaml")
        } throws: { error in
            String(describing: error).hasPrefix("team.yaml:") && String(describing: error).contains("YAML")
        }
        #expect(throws: SignatureError.self) {
            _ = try RulesFile.parse("rules:\n  - name: x\n    message: a", file: "team.yaml")
        }
    }
}

/// Rules written by the structure of a failure (exception type, errno and its names across
/// runtimes, the client library's phrasing family), each shown with wording of our own.
@Suite struct StructuralRuleTests {
    typealias Case = BuiltinRuleTests.Case

    static let cases: [Case] = [
        // Chromium's net error names, as browsers driven by tests report them.
        Case(message: "page.goto: net::ERR_CONNECTION_REFUSED at http://localhost:8123/login",
             category: "connection_refused", detail: "http"),
        Case(message: "navigation failed: net::ERR_CONNECTION_RESET at http://localhost:8123/",
             category: "connection_reset", detail: "http"),
        Case(message: "net::ERR_CONNECTION_TIMED_OUT at https://example.test/",
             category: "connection_timeout", detail: "http"),
        // Rust's io::Error debug form and .NET's SocketException with its native code.
        Case(message: "called `Result::unwrap()` on an `Err` value: Os { code: 111, kind: ConnectionRefused, message: \"x\" }",
             category: "connection_refused", detail: "tcp_local"),
        Case(message: "Err(Os { code: 104, kind: ConnectionReset, message: \"peer gone\" })",
             category: "connection_reset", detail: "tcp_local"),
        Case(message: "System.Net.Sockets.SocketException (10061): la machine cible l'a refusée (db.internal:5432)",
             category: "connection_refused", detail: "postgres"),
        // A client that could not connect without saying why; with a timeout named, a timeout.
        Case(message: "Npgsql.NpgsqlException: Failed to connect to 10.0.0.7:5432",
             category: "connection_refused", detail: "postgres"),
        Case(message: "RedisConnectionException: It was not possible to connect to the redis server(s). SocketFailure on PING",
             category: "connection_refused", detail: "redis"),
        Case(message: "RedisConnectionException: It was not possible to connect to the redis server(s). Timeout",
             category: "connection_timeout", detail: "redis"),
        Case(message: "com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure",
             category: "connection_refused", detail: "mysql"),
        Case(message: "Error: 14 UNAVAILABLE: failed to connect to all addresses",
             category: "connection_refused", detail: "grpc"),
        Case(message: "dial tcp 127.0.0.1:1883: connect: connection refused", category: "connection_refused",
             detail: "mqtt"),
        // libpq, WinHTTP and StackExchange.Redis wordings of a dropped connection.
        Case(message: "OperationalError: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally",
             category: "connection_reset", detail: "postgres"),
        Case(message: "WinHttpException: The connection with the server was terminated abnormally",
             category: "connection_reset", detail: "tcp_local"),
        // Connection pools and HttpClient's cancelled task.
        Case(message: "SQLTransientConnectionException: app-pool - Connection is not available, request timed out after 5000ms.",
             category: "connection_timeout", detail: "jdbc_pool"),
        Case(message: "System.Threading.Tasks.TaskCanceledException: A task was canceled.",
             text: "   at System.Net.Http.HttpClient.SendAsync(HttpRequestMessage request)",
             category: "connection_timeout", detail: "http"),
        Case(message: "org.acme.bus.BusClientException$TimeoutException: publish did not complete in time",
             category: "connection_timeout", detail: "tcp_local"),
        // A runner's own limit beats the network words it quotes; TestNG's thread timeout.
        Case(message: "org.testng.internal.thread.ThreadTimeoutException: Method Foo.bar() didn't finish within the time-out 5000",
             category: "timeout", detail: "testng_method_timeout"),
        Case(message: "panic: test timed out after 2m0s\nread tcp 127.0.0.1:1->127.0.0.1:2: i/o timeout",
             category: "timeout", detail: "go_test_deadline"),
        // Eventually-style assertions and retry helpers.
        Case(message: "Error: Condition never satisfied\nError Trace: poll_test.go:12",
             category: "timeout", detail: "eventually_condition"),
        Case(message: "Error: retry.try timeout: Error: expected 1 to equal 2", category: "timeout",
             detail: "eventually_condition"),
        Case(message: "org.opentest4j.AssertionFailedError: expected true", text: "\tat com.acme.TestHelpers.waitUntil(TestHelpers.java:9)",
             category: "timeout", detail: "eventually_condition"),
        // Browser waits, told apart by the element waited for.
        Case(message: "CypressError: Timed out retrying after 4000ms: Expected to find element: `#save-button`, but never found it.",
             category: "timeout", detail: "cypress_get:#save-button"),
        Case(message: "TimeoutError: Waiting for element to be located By(css selector, .menu-item)\nWait timed out after 5000ms",
             category: "timeout", detail: "selenium_wait:(css selector, .menu-item)"),
        Case(message: "TimeoutError: locator.fill: Timeout 5000ms exceeded.", category: "timeout",
             detail: "playwright_action_timeout"),
        Case(message: "Test timeout of 15000ms exceeded.", category: "timeout", detail: "playwright_test_timeout"),
        Case(message: "kotlinx.coroutines.TimeoutCancellationException: Timed out waiting for 100 ms",
             category: "timeout", detail: "kotlin_coroutine_timeout"),
        // A duration comparison that failed is a timing assertion; a missing error is an assertion.
        Case(message: "Error: \t\"2.5s\" is not less than \"1s\"\nError Trace: cache_test.go:40", category: "timeout",
             detail: "timing_assertion"),
        Case(message: "conn_test.go:30: err = <nil>, want a deadline error (i/o timeout)", category: "assertion_failure",
             detail: nil),
        Case(message: "Assert.Throws() Failure\nExpected: typeof(System.ArgumentException)\nActual: typeof(System.Threading.Tasks.TaskCanceledException)",
             category: "assertion_failure", detail: nil),
        // Assertion phrasing families of expect.js/chai, gomega and xUnit.
        Case(message: "Error: expected 'a' to sort of equal 'b'", category: "assertion_failure", detail: nil),
        Case(message: "Expected\n    <int>: 3\nto be >=\n    <int>: 5", category: "assertion_failure", detail: nil),
        Case(message: "Assert.InRange() Failure\nRange: (1 - 2)\nActual: 3", category: "assertion_failure", detail: nil),
        // Memory: Rust's allocation error handler, a shell job killed by SIGKILL.
        Case(message: "memory allocation of 123456 bytes failed", category: "oom", detail: "rust_alloc_failed"),
        Case(message: "/tmp/step.sh: line 3:  812 Killed                  ./run-tests", category: "oom",
             detail: "killed_137"),
        // Binds are told apart by runtime, .NET before Java; Kestrel's own wording before other .NET binds.
        Case(message: "System.IO.IOException: Failed to bind to address http://127.0.0.1:5005: address already in use.",
             category: "address_in_use", detail: "kestrel_bind"),
        Case(message: "System.Net.Sockets.SocketException (98): Address already in use", category: "address_in_use",
             detail: "dotnet_bind"),
    ]

    @Test(arguments: cases)
    func recognisesTheCause(_ example: Case) {
        let result = signature(example.message, text: example.text, test: "t")
        #expect(result.category == example.category)
        #expect(result.detail == example.detail)
    }

    @Test func aTestNamedForTimeoutsDoesNotTurnAThreadTimeoutIntoAReadTimeout() {
        // `ThreadTimeoutException` holds the letters of `readtimeout`; only whole words count.
        let result = signature("org.testng.internal.thread.ThreadTimeoutException: Method A.b() didn't finish within the time-out 10")
        #expect(result.category == "timeout")
    }

    @Test func differentSelectorsAreDifferentCausesAndTheSameSelectorIsOne() {
        let save = signature("Timed out retrying: Expected to find element: '#save', but never found it.", test: "a")
        let saveAgain = signature("Timed out retrying after 10000ms: Expected to find element: '#save', but never found it", test: "b")
        let load = signature("Timed out retrying: Expected to find element: '#load', but never found it.", test: "a")
        #expect(save.clusterID == saveAgain.clusterID)
        #expect(save.clusterID != load.clusterID)
    }
}

@Suite struct RunnerLimitTests {
    @Test func aRunnersTimeoutOfIsNotABrowserActionTimeout() {
        let runner = signature("Error: timeout of 3000ms exceeded. Ensure the")
        let action = signature("TimeoutError: page.check: Timeout 3000ms exceeded.")
        #expect(runner.category == "timeout")
        #expect(runner.detail != "playwright_action_timeout")
        #expect(action.detail == "playwright_action_timeout")
    }
}

/// Rules of `sig-v3` and later, written by structure so that failures from projects nobody here has seen
/// are read right, each shown with wording of our own.
@Suite struct GeneralizingRuleTests {
    typealias Case = BuiltinRuleTests.Case

    static let cases: [Case] = [
        // The client's phrasing family names the service when the message does not.
        Case(message: "Error: socket hang up", category: "connection_reset", detail: "http"),
        Case(message: "django.db.utils.OperationalError: server closed the connection unexpectedly",
             category: "connection_reset", detail: "postgres"),
        Case(message: "read unixgram /tmp/agent.sock: i/o timeout", category: "connection_timeout", detail: "unix_socket"),
        Case(message: "dial tcp 127.0.0.1:9000: connect: connection refused", text: "websocket: bad handshake",
             category: "connection_refused", detail: "websocket"),
        Case(message: "ERROR [Pool] localhost/127.0.0.1:4100 HTTP connection pool: object creation failed\njava.net.ConnectException: Connection refused",
             category: "connection_refused", detail: "http"),
        Case(message: "java.net.SocketTimeoutException: Read timed out", category: "connection_timeout", detail: "http"),
        Case(message: "redis.exceptions.TimeoutError: Timeout reading from socket", category: "connection_timeout",
             detail: "redis"),
        // A cancelled .NET task is HttpClient's timeout; another cancelled operation names none.
        Case(message: "System.Threading.Tasks.TaskCanceledException: A task was cancel", category: "connection_timeout",
             detail: "http"),
        Case(message: "System.TimeoutException : cleanup did not end in time\n---- System.OperationCanceledException : cancelled",
             category: "timeout", detail: "dotnet_timeout"),
        // Name resolution: musl's and Windows' wordings; gRPC's delay figure is not a DNS failure.
        Case(message: "ConnectionError: Error -2 connecting to cache:6379. Name does not resolve.",
             category: "dns_resolution", detail: "nxdomain"),
        Case(message: "ClientConnectorError: Cannot connect to host api.test:443 ssl:default [getaddrinfo failed]",
             category: "dns_resolution", detail: "nxdomain"),
        Case(message: "DEADLINE_EXCEEDED: deadline exceeded after 1.5s. Name resolution delay 0.01 seconds.",
             category: "timeout", detail: "context_deadline"),
        // Binds: Jetty's wording, HttpListener's exception.
        Case(message: "java.io.IOException: Failed to bind to /0.0.0.0:8089", category: "address_in_use", detail: "java_bind"),
        Case(message: "System.Net.HttpListenerException : Address already in use", category: "address_in_use",
             detail: "httplistener_bind"),
        // Permission errors by their kind: a package manager's cache, .NET's path access, the temp dir itself.
        Case(message: "npm ERR! Error: EACCES: permission denied, mkdir '/home/ci/.npm/_cacache/tmp'",
             category: "permission_denied", detail: "npm_cache"),
        Case(message: "System.UnauthorizedAccessException : Access to the path 'D:\\build\\out' is denied.",
             category: "permission_denied", detail: "dotnet_path_access"),
        Case(message: "PermissionError: [Errno 13] Permission denied: '/tmp'", category: "permission_denied",
             detail: "tmp_dir"),
        // pytest's import path mismatch; an unexpected exception is not an expected one missing.
        Case(message: "_pytest.pathlib.ImportPathMismatchError: ('pkg', '/a/pkg.py', PosixPath('/b/pkg.py'))",
             category: "import_error", detail: "import_file_mismatch"),
        Case(message: "UNEXPECTED EXCEPTION: OperationalError('database is locked')", category: "database_locked",
             detail: "sqlite"),
        // Runner timeouts of more runners and clients.
        Case(message: "thrown: \"Exceeded timeout of 5000 ms for a hook.", category: "timeout", detail: "jest_hook_timeout"),
        Case(message: "TimeoutError: waiting for selector `.row` failed: timeout 3000ms exceeded", category: "timeout",
             detail: "puppeteer_wait"),
        Case(message: "CypressError: Timed out retrying after 4000ms: Expected to find content: 'Saved' within the element: <div> but never did.",
             category: "timeout", detail: "cypress_contains:Saved"),
        Case(message: "subprocess.TimeoutExpired: Command '['make']' timed out after 30 seconds", category: "timeout",
             detail: "subprocess_timeout"),
        Case(message: "Timeout::Error: execution expired", category: "timeout", detail: "ruby_timeout"),
        Case(message: "Elapsed(()): deadline has elapsed", category: "timeout", detail: "timed_out"),
        // Memory, resets and timeouts as more runtimes and clients word them.
        Case(message: "FATAL ERROR: Scavenger: semi-space copy Allocation failed - process out of memory",
             category: "oom", detail: "node_heap"),
        Case(message: "PHP Fatal error:  Allowed memory size of 1024 bytes exhausted", category: "oom",
             detail: "php_memory_limit"),
        // A `>` is quoted source only as pytest's marker in the first column or a code frame's
        // `> 12 |`; as a log's or a quote's prefix, the line is the failure itself.
        Case(
            message: ">\tException in thread \"main\" java.net.ConnectException: Connection refused: localhost/127.0.0.1:3000",
            category: "connection_refused", detail: "http"),
        Case(message: "   >     java.lang.OutOfMemoryError: Java heap space", category: "oom", detail: "java_heap"),
        // A Unix socket nobody listens on: `connect` fails with ENOENT.
        Case(
            message: "dial unix /run/agent/agent.sock: connect: no such file or directory", category: "connection_refused",
            detail: "unix_socket"),
        Case(message: "Error: connect ENOENT /tmp/worker.sock", category: "connection_refused", detail: "unix_socket"),
        Case(message: "open /tmp/fixtures/users.json: no such file or directory", category: "file_not_found", detail: "tmp_path"),
        // sig-v4: each runtime's own out-of-memory wording is a kind of its own.
        Case(message: "ResourceExhaustedError: OOM when allocating tensor with shape[64,512,512]", category: "oom",
             detail: "tensor_alloc"),
        Case(message: "OSError: [Errno 12] Cannot allocate memory", category: "oom", detail: "enomem"),
        Case(message: "Error: spawn ENOMEM", category: "oom", detail: "enomem"),
        Case(message: "in `new': failed to allocate memory (NoMemoryError)", category: "oom", detail: "ruby_nomemory"),
        Case(message: "worker 3 died: JS heap out of memory", category: "oom", detail: "node_heap"),
        Case(message: "Error: Navigation timeout of 5000 ms exceeded", category: "timeout", detail: "page_navigation"),
        Case(message: "Error: waitUntil condition timed out after 3000ms", category: "timeout",
             detail: "eventually_condition"),
        Case(
            message: "Timeout::Error: execution expired",
            text: "/usr/lib/ruby/3.1.0/net/protocol.rb:219:in `rbuf_fill'\n/usr/lib/ruby/3.1.0/net/http.rb:1609:in `request'",
            category: "connection_timeout", detail: "http"),
        Case(message: "make: *** [Makefile:12: test] Error 137", category: "oom", detail: "out_of_memory"),
        Case(message: "System.Net.Http.HttpIOException: The response ended prematurely. (ResponseEnded)",
             category: "connection_reset", detail: "http"),
        Case(message: "pymysql.err.OperationalError: (2013, 'Lost connection to MySQL server during query')",
             category: "connection_reset", detail: "mysql"),
        Case(message: "FATAL: terminating connection due to administrator command", category: "connection_reset",
             detail: "postgres"),
        Case(message: "Get \"http://svc/health\": net/http: request canceled (Client.Timeout exceeded while awaiting headers)",
             category: "connection_timeout", detail: "http"),
        Case(message: "java.net.http.HttpTimeoutException: request timed out", category: "connection_timeout",
             detail: "http"),
        Case(message: "Error: No such file or directory (os error 2)", text: "Os { code: 2, kind: NotFound }",
             category: "file_not_found", detail: "unknown_path"),
        // sig-v5: a pool's own timeout names its library, a deadlock its database, a missing file
        // the folder it was expected in.
        Case(message: "thread 'it_lists_users' panicked at 'called `Result::unwrap()` on an `Err` value: PoolTimedOut'",
             category: "connection_timeout", detail: "sqlx_pool"),
        Case(message: "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out",
             category: "connection_timeout", detail: "sqlalchemy_pool"),
        Case(message: "ERROR 1213 (40001): Deadlock found when trying to get lock; try restarting transaction",
             category: "database_locked", detail: "mysql_deadlock"),
        Case(message: "asyncpg.exceptions.DeadlockDetectedError: deadlock detected", category: "database_locked",
             detail: "postgres_deadlock"),
        Case(message: "ORA-00060: deadlock detected while waiting for resource", category: "database_locked",
             detail: "oracle_deadlock"),
        Case(message: "Transaction (Process ID 57) was deadlocked on lock resources with another process and has been chosen as the deadlock victim.",
             category: "database_locked", detail: "sqlserver_deadlock"),
        Case(message: "FileNotFoundError: [Errno 2] No such file or directory: 'tests/data/sample.csv'",
             category: "file_not_found", detail: "test_data"),
        Case(message: "java.io.FileNotFoundException: src\\test\\resources\\orders.xml (The system cannot find the path specified)",
             category: "file_not_found", detail: "test_data"),
        Case(message: "open /Users/ann/work/config/dev.yaml: no such file or directory", category: "file_not_found",
             detail: "user_home_path"),
        Case(message: "open /home/runner/work/app/app/config/dev.yaml: no such file or directory", category: "file_not_found",
             detail: "absolute_path"),
        Case(message: "System.IO.FileNotFoundException: Could not find file '/build/src/App.Tests/App.Tests.csproj'.",
             category: "file_not_found", detail: "project_file"),
        Case(message: "Error: ENOENT: no such file or directory, scandir '.tmp/build-42'", category: "file_not_found",
             detail: "tmp_path"),
        // Karma's launcher and a hyper client, a Rust bind, and Windows out of local ports.
        Case(message: "WARN [launcher]: Firefox have not captured in 60000 ms, killing.", category: "timeout",
             detail: "karma_capture_timeout"),
        Case(message: "ERROR [Chrome 120]: Disconnected, because no message in 30000 ms.", category: "timeout",
             detail: "karma_no_message"),
        Case(message: "Error: hyper::Error(IncompleteMessage): connection closed before message completed",
             category: "connection_reset", detail: "http"),
        Case(message: "Error: Os { code: 98, kind: AddrInUse, message: \"Address already in use\" }",
             category: "address_in_use", detail: "rust_bind"),
        Case(message: "dial tcp 10.0.0.5:443: connectex: Only one usage of each socket address (protocol/network address/port) is normally permitted.",
             category: "address_in_use", detail: "windows_port_exhaustion"),
        Case(message: "listen udp :5353: bind: Only one usage of each socket address (protocol/network address/port) is normally permitted.",
             category: "address_in_use", detail: "go_listen"),
        // PHP's PDO quotes the MySQL client's own code for a server it could not reach.
        Case(message: "PDOException: SQLSTATE[HY000] [2002] No such file or directory", category: "connection_refused",
             detail: "mysql"),
        Case(message: "SQLSTATE[HY000] [2002] Connection timed out", category: "connection_timeout", detail: "mysql"),
        Case(message: "Failure/Error: expect(page).to have_content 'Saved'", category: "assertion_failure", detail: nil),
        // Clients that found no server, in their own words; PostgreSQL's lock timeout.
        Case(message: "io.grpc.StatusRuntimeException: UNAVAILABLE: io exception", category: "connection_refused",
             detail: "grpc"),
        Case(message: "kafka.errors.NoBrokersAvailable: NoBrokersAvailable", category: "connection_refused", detail: "kafka"),
        Case(message: "org.apache.kafka.common.errors.TimeoutException: Timeout expired while fetching topic metadata",
             category: "connection_timeout", detail: "kafka"),
        Case(message: "Microsoft.Data.SqlClient.SqlException (0x80131904): A network-related or instance-specific error occurred while establishing a connection to SQL Server.",
             category: "connection_refused", detail: "sqlserver"),
        Case(message: "NoNodeAvailableException[None of the configured nodes are available: [{#transport#-1}{10.1.2.3:9300}]]",
             category: "connection_refused", detail: "elasticsearch"),
        Case(message: "com.datastax.oss.driver.api.core.AllNodesFailedException: Could not reach any contact point",
             category: "connection_refused", detail: "cassandra"),
        Case(message: "java.sql.SQLRecoverableException: IO Error: The Network Adapter could not establish the connection",
             category: "connection_refused", detail: "oracle"),
        Case(message: "ORA-12541: TNS:no listener", category: "connection_refused", detail: "oracle"),
        Case(message: "psycopg.errors.LockNotAvailable: canceling statement due to lock timeout", category: "database_locked",
             detail: "postgres_lock_timeout"),
        Case(message: "psql: error: connection to server on socket \"/run/postgresql/.s.PGSQL.5432\" failed: No such file or directory",
             category: "connection_refused", detail: "postgres"),
        Case(message: "KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full.",
             category: "connection_timeout", detail: "knex_pool"),
        // Runners' and CI services' own time limits.
        Case(message: "Error: Timeout - Async function did not complete within 5000ms (set by jasmine.DEFAULT_TIMEOUT_INTERVAL)",
             category: "timeout", detail: "jasmine_timeout"),
        Case(message: "Asynchronous wait failed: Exceeded timeout of 2 seconds, with unfulfilled expectations: \"sync\".",
             category: "timeout", detail: "xctest_wait_timeout"),
        Case(message: "Test 'Imports' exceeded execution timeout period.", category: "timeout", detail: "dotnet_test_timeout"),
        Case(message: "12/40 Test #12: integration ..............***Timeout 300.05 sec", category: "timeout",
             detail: "ctest_timeout"),
        Case(message: "        TIMEOUT [ 120.004s] store::tests::replays_log", category: "timeout", detail: "nextest_timeout"),
        Case(message: "ERROR: Job failed: execution took longer than 2h0m0s seconds", category: "timeout",
             detail: "ci_job_timeout"),
        Case(message: "clues == expected\nvalues are not the same", category: "assertion_failure", detail: nil),
        Case(message: "org.scalatest.exceptions.TestFailedException: 3 did not equal 4", category: "assertion_failure",
             detail: nil),
        Case(message: "#   Failed test 'parses the header'\n#   at t/header.t line 12.", category: "assertion_failure",
             detail: nil),
        Case(message: "── Failure ('test-parse.R:12:3'): parse keeps names ──\n`x` not equal to `y`.",
             category: "assertion_failure", detail: nil),
        Case(message: "spec/parse_spec.lua:8: Expected objects to be equal.", category: "assertion_failure", detail: nil),
        // Waits that ran out, by the helper that waited.
        Case(message: "Capybara::ElementNotFound: Unable to find css \"#save-button\"", category: "timeout",
             detail: "capybara_find:#save-button"),
        Case(message: "selenium.common.exceptions.TimeoutException: Message: ", category: "timeout", detail: "selenium_wait"),
        Case(message: "Error: Timeout - Async callback was not invoked within 5000ms (set by jasmine.DEFAULT_TIMEOUT_INTERVAL)",
             category: "timeout", detail: "jasmine_timeout"),
        Case(message: "Timeout - Async callback was not invoked within timeout specified by jasmine.DEFAULT_TIMEOUT_INTERVAL.",
             text: "at pTimeout (node_modules/jest-jasmine2/build/queueRunner.js:53:21)", category: "timeout",
             detail: "jest_timeout"),
        Case(message: "test sync::tests::drains_queue has been running for over 60 seconds", category: "timeout",
             detail: "test_hang"),
        Case(message: "java.util.concurrent.TimeoutException", text: "\tat com.acme.it.Helpers.waitTillCondition(Helpers.java:88)",
             category: "timeout", detail: "eventually_condition"),
        // Killed runners, a refused Kafka broker, a bind refused in the system's language.
        Case(message: "> Process 'Gradle Test Executor 4' finished with non-zero exit value 137", category: "oom",
             detail: "killed_137"),
        Case(message: "[Producer clientId=p-1] Connection to node -1 (localhost/127.0.0.1:9092) could not be established. Broker may not be available.",
             category: "connection_refused", detail: "kafka"),
        Case(message: "java.net.BindException: Adresse déjà utilisée (Bind failed)", category: "address_in_use",
             detail: "java_bind"),
        Case(message: "java.net.BindException: Cannot assign requested address", category: "address_not_available",
             detail: "eaddrnotavail"),
        // Vite's modules, Playwright's and Selenide's retried checks, H2's lock, Docker's port,
        // DBConnection's pool, mysqli's code, a browser gone from its WebDriver session.
        Case(message: "TypeError: Failed to fetch dynamically imported module: http://localhost:5173/src/App.tsx",
             category: "import_error", detail: "dynamic_import_fetch"),
        Case(message: "Error: Failed to load url ./setup.ts (resolved id: ./setup.ts). Does the file exist?",
             category: "import_error", detail: "vite_load_url"),
        Case(message: "Error: expect(locator).toHaveText(expected) failed\n\nLocator: getByRole('status')\nTimeout: 5000ms",
             category: "timeout", detail: "playwright_expect"),
        Case(message: "Element not found {#submit}\nExpected: visible", category: "timeout", detail: "selenide_wait"),
        Case(message: "org.h2.jdbc.JdbcSQLTimeoutException: Timeout trying to lock table \"ORDERS\"", category: "database_locked",
             detail: "h2_lock_timeout"),
        Case(message: "Error response from daemon: Bind for 0.0.0.0:5432 failed: port is already allocated",
             category: "address_in_use", detail: "docker_port"),
        Case(message: "** (DBConnection.ConnectionError) connection not available and request was dropped from queue after 5000ms.",
             category: "connection_timeout", detail: "dbconnection_pool"),
        Case(message: "mysqli::real_connect(): (HY000/2002): Connection refused", category: "connection_refused",
             detail: "mysql"),
        Case(message: "invalid session id: session deleted as the browser has closed the connection",
             category: "connection_reset", detail: "selenium"),
        // A PostgreSQL server not taking connections, node-postgres's and Npgsql's own words,
        // go-redis's pool, Surefire's fork, Chromium's certificate errors, serialization, and
        // the import errors of Rust, Go, Ruby and PHP.
        Case(message: "FATAL:  the database system is starting up", category: "connection_refused", detail: "postgres"),
        Case(message: "Error: Connection terminated unexpectedly", category: "connection_reset", detail: "postgres"),
        Case(message: "Npgsql.NpgsqlException: Exception while reading from stream\n ---> System.TimeoutException: Timeout during reading attempt",
             category: "connection_timeout", detail: "postgres"),
        Case(message: "redis: connection pool timeout", category: "connection_timeout", detail: "redis_pool"),
        Case(message: "There was a timeout in the fork", category: "timeout", detail: "surefire_fork_timeout"),
        Case(message: "page.goto: net::ERR_CERT_AUTHORITY_INVALID at https://app.test/", category: "ssl_error",
             detail: "unknown_authority"),
        Case(message: "x509: certificate is valid for db.internal, not localhost", category: "ssl_error",
             detail: "hostname_mismatch"),
        Case(message: "ERROR: could not serialize access due to read/write dependencies among transactions",
             category: "database_locked", detail: "postgres_serialization"),
        Case(message: "error[E0432]: unresolved import `crate::store`", category: "import_error",
             detail: "rust_unresolved_import"),
        Case(message: "package example.com/app/internal/store is not in std", category: "import_error",
             detail: "go_package_not_found"),
        Case(message: "LoadError: cannot load such file -- pg", category: "import_error", detail: "ruby_load_error"),
        Case(message: "PHP Fatal error:  Uncaught Error: Class \"App\\Store\" not found", category: "import_error",
             detail: "php_class_not_found"),
        // No rule names the cause: a failed check in an unknown runner's words is an assertion;
        // another exception, or words of something outside the test, stay unclassified.
        Case(message: "FAIL  render/header  output mismatch at line 3", category: "assertion_failure", detail: nil),
        Case(message: "IllegalStateException: expected state RUNNING", category: "unclassified", detail: nil),
        Case(message: "Backend request failed, giving up", category: "unclassified", detail: nil),
        // Assertion phrasings of many runners.
        Case(message: "AssertionError: False is not true", category: "assertion_failure", detail: nil),
        Case(message: "AssertionError: 'b' not found in ['a']", category: "assertion_failure", detail: nil),
        Case(message: "AssertionError: ValueError not raised", category: "assertion_failure", detail: nil),
        Case(message: "Expected: is <4>\n     but: was <5>", category: "assertion_failure", detail: nil),
        Case(message: "Expecting:\n <3>\nto be equal to:\n <4>\nbut was not.", category: "assertion_failure", detail: nil),
        Case(message: "expect(received).toHaveLength(expected)\n\nExpected length: 2\nReceived length: 1",
             category: "assertion_failure", detail: nil),
        Case(message: "AssertionError: expected false to be true", category: "assertion_failure", detail: nil),
        Case(message: "Error: \tReceived unexpected error:\n\t\tboom", category: "assertion_failure", detail: nil),
        Case(message: "store_test.go:41: lookup returned 3 rows", category: "assertion_failure", detail: nil),
        Case(message: "Multiple failures or warnings in test:\n  1) Expected: 1\n  But was:  2", category: "assertion_failure",
             detail: nil),
        Case(message: "Assert.IsNotNull failed.", category: "assertion_failure", detail: nil),
        Case(message: "Assertion with == failed\ncode:  assert sum(1, 1) == 3", category: "assertion_failure", detail: nil),
        Case(message: "expected: 3\n     got: 4\n\n(compared using ==)", category: "assertion_failure", detail: nil),
        Case(message: "Expected equality of these values:\n  a\n    Which is: 1\n  b", category: "assertion_failure",
             detail: nil),
        // sig-v6: asyncio's connect failures told by their errno, a name server that failed, the
        // MySQL client's code next to a name that did not resolve, Ruby's bind, NATS, PHP's time
        // limit, rustls's expired certificate, and a check raised by an assertion library.
        Case(message: "OSError: [Errno 110] Connect call failed ('10.0.0.7', 5432)", category: "connection_timeout",
             detail: "postgres"),
        Case(message: "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 6379)",
             category: "connection_refused", detail: "redis"),
        Case(message: "dial tcp: lookup db.internal on 10.96.0.10:53: read udp 10.1.0.4:40000->10.96.0.10:53: i/o timeout",
             category: "dns_resolution", detail: "resolver_timeout"),
        Case(message: "dial tcp: lookup db.internal on 127.0.0.53:53: read udp 127.0.0.1:40000->127.0.0.53:53: read: connection refused",
             category: "dns_resolution", detail: "resolver_refused"),
        Case(message: "SQLSTATE[HY000] [2002] php_network_getaddresses: getaddrinfo for db failed: Temporary failure in name resolution",
             category: "dns_resolution", detail: "temporary_failure"),
        Case(message: "Errno::EADDRINUSE: Address already in use - bind(2) for \"0.0.0.0\" port 3000",
             category: "address_in_use", detail: "ruby_bind"),
        Case(message: "nats: no servers available for connection", category: "connection_refused", detail: "nats"),
        Case(message: "PHP Fatal error:  Maximum execution time of 30 seconds exceeded in /app/src/Worker.php on line 12",
             category: "timeout", detail: "timed_out"),
        Case(message: "Error: invalid peer certificate: CertExpired", category: "ssl_error", detail: "cert_expired"),
        Case(message: "Expected url to be \"http://localhost/api/v2\" with a length of 23, but \"http://localhost/api\" has a length of 20.",
             text: "   at FluentAssertions.Execution.XUnit2TestFramework.Throw(String message)\n   at Api.Tests.LinkTests.BuildsUrl()",
             category: "assertion_failure", detail: nil),
        Case(message: "MongoServerSelectionError: Server selection timed out after 30000 ms", category: "connection_timeout",
             detail: "mongo"),
        Case(message: "unable to dial 10.0.0.3:7000: no answer before the timeout", category: "connection_timeout",
             detail: "tcp_remote"),
        Case(message: "System.IO.FileNotFoundException: Could not load file or assembly 'Newtonsoft.Json, Version=13.0.0.0'",
             category: "import_error", detail: "dotnet_assembly_load"),
        Case(message: "ServiceUnavailable: couldn't connect to localhost:7687: Connection refused", category: "connection_refused",
             detail: "neo4j"),
        Case(message: "dial tcp 127.0.0.1:10000: connect: connection refused", category: "connection_refused",
             detail: "azure_storage"),
        Case(message: "Locator: getByText('Saved')\nExpected: visible\nTimeout: 5000ms\nError: element(s) not found",
             category: "timeout", detail: "playwright_expect"),
        Case(message: "Error [ERR_REQUIRE_ESM]: require() of ES Module /app/node_modules/chalk/source/index.js from /app/test/setup.js not supported.",
             category: "import_error", detail: "require_esm"),
        Case(message: "PHP Fatal error:  Class 'App\\Http\\Kernel' not found in /app/bootstrap/app.php on line 12",
             category: "import_error", detail: "php_class_not_found"),
        Case(message: "go: module example.com/lib@latest found (v1.2.0), but does not contain package example.com/lib/util",
             category: "import_error", detail: "go_package_not_found"),
        Case(message: "CommandError: No fixture named 'users' found.", category: "missing_fixture", detail: "users"),
        // testify's EqualError compares an error's text: an assertion, whatever error it quotes.
        Case(message: "\tError:      \tError message not equal:\n\t            \texpected: \"dial tcp: lookup nowhere.invalid: no such host\"",
             category: "assertion_failure", detail: nil),
        Case(message: "uncaught exception: HUnitFailure (HUnitFailure Nothing (ExpectedButGot Nothing \"3\" \"4\"))",
             category: "assertion_failure", detail: nil),
        Case(message: "Remove-Item : Cannot find path 'C:\\build\\out.json' because it does not exist.",
             category: "file_not_found", detail: "absolute_path"),
        Case(message: "psycopg_pool.PoolTimeout: couldn't get a connection after 5.00 sec", category: "connection_timeout",
             detail: "psycopg_pool"),
        Case(message: "Faraday::ConnectionFailed: Net::OpenTimeout while opening the connection to api.example.com",
             category: "connection_timeout", detail: "http"),
        // Without the library's frames, the URLs it quotes keep it unclassified.
        Case(message: "Expected url to be \"http://localhost/api/v2\" with a length of 23, but \"http://localhost/api\" has a length of 20.",
             category: "unclassified", detail: nil),
        // sig-v7: Common Test's timetrap, a runtime's own heap running out, Elixir's HTTP clients'
        // timeouts, Kafka's client timeout, a check macro.
        Case(message: "=== Ended at 2026-01-02\n=== Reason: timetrap_timeout", category: "timeout",
             detail: "timetrap_timeout"),
        Case(message: "bench-suite: Heap exhausted;\nbench-suite: Current maximum heap size is 4194304 bytes (4 MB).",
             category: "oom", detail: "out_of_memory"),
        Case(message: "Out of Memory: Exhausted heap space, trying to allocate 1048592 bytes.", category: "oom",
             detail: "out_of_memory"),
        Case(message: "** (MatchError) no match of right hand side value: {:error, %HTTPoison.Error{id: nil, reason: :connect_timeout}}",
             category: "connection_timeout", detail: "http"),
        Case(message: "{:error, %Mint.TransportError{reason: :timeout}}", category: "connection_timeout", detail: "http"),
        Case(message: "org.apache.kafka.common.errors.TimeoutException: Timeout expired while waiting for the committed offsets",
             category: "connection_timeout", detail: "kafka"),
        Case(message: "tests/test_queue.nim(12, 7): Check failed: requests.len == 3\n    requests.len was 2",
             category: "assertion_failure", detail: nil),
        Case(message: "F0101 12:00:00.000000 4242 buffer_test.cc:88] Check failed: size == expected (16 vs. 32)",
             category: "assertion_failure", detail: nil),
        Case(message: "asyncpg.exceptions.ConnectionDoesNotExistError: connection was closed in the middle of operation",
             category: "connection_reset", detail: "postgres"),
        Case(message: "requests.exceptions.ConnectionError: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))",
             category: "connection_reset", detail: "http"),
        Case(message: "io.lettuce.core.RedisCommandTimeoutException: Command timed out after 10 second(s)",
             category: "connection_timeout", detail: "redis"),
        Case(message: "g++: fatal error: Killed signal terminated program cc1plus\ncompilation terminated.",
             category: "oom", detail: "killed_137"),
        Case(message: "RuntimeError: cuda runtime error (2) : out of memory at /src/THCCachingAllocator.cpp:510",
             category: "oom", detail: "cuda"),
        // The thirteenth batch's fit part: Testcontainers for Node without Docker, a service that
        // did not come up, an error value that is a timeout, a program that could not be started.
        Case(message: "Error: Could not find a working container runtime strategy", category: "connection_refused",
             detail: "docker_daemon"),
        Case(message: "java.lang.IllegalStateException: Kafka broker did not start in 30 seconds", category: "timeout",
             detail: "test_wait"),
        // A plain timeout on the line that names the service waited for is that client's timeout;
        // a runner's limit, or a timeout on another line, stays a timeout.
        Case(message: "MongoNetworkError: connection 7 to mongo:27017 timed out", category: "connection_timeout",
             detail: "mongo"),
        Case(message: "redis: pool exhausted, TimeoutError after 3 retries", category: "connection_timeout", detail: "redis"),
        Case(message: "Error: job timed out after 60s\n    while seeding redis fixtures", category: "timeout",
             detail: "timed_out"),
        Case(message: "panic: test timed out after 10m0s\nrunning tests:\n\tTestRedisFailover (10m0s)", category: "timeout",
             detail: "go_test_deadline"),
        // The fourteenth batch's fit part: runners' and runtimes' own words for a timeout, memory,
        // a dropped connection, a server that could not be reached.
        Case(message: "AssertionError: Async operation timed out after 10 seconds", category: "timeout",
             detail: "tornado_async_timeout"),
        Case(message: "Timeout (0:05:00)!\nThread 0x00007f3a (most recent call first):\n  File \"/app/tests/test_sync.py\", line 40 in test_sync",
             category: "timeout", detail: "faulthandler_timeout"),
        Case(message: "** (exit) exited in: GenServer.call(Cache, {:get, :k}, 5000)\n    ** (EXIT) time out", category: "timeout",
             detail: "genserver_call_timeout"),
        Case(message: "not ok 3 - timeout!\n  ---\n  expired: server test", category: "timeout", detail: "timed_out"),
        Case(message: "eheap_alloc: Cannot allocate 1048576000 bytes of memory (of type \"old_heap\").", category: "oom",
             detail: "erlang_alloc"),
        Case(message: "RangeError: WebAssembly.Memory(): could not allocate memory", category: "oom", detail: "out_of_memory"),
        Case(message: "smtplib.SMTPServerDisconnected: Connection unexpectedly closed", category: "connection_reset",
             detail: "smtp"),
        Case(message: "websockets.exceptions.ConnectionClosedError: no close frame received or sent", category: "connection_reset",
             detail: "websocket"),
        Case(message: "HttpException: Connection closed before full header was received, uri = http://localhost:8080/api",
             category: "connection_reset", detail: "http"),
        Case(message: "** (DBConnection.ConnectionError) owner #PID<0.500.0> timed out because it owned the connection for longer than 120000ms",
             text: "    (postgrex 0.17.1) lib/postgrex/protocol.ex:3190", category: "timeout",
             detail: "connection_ownership_timeout"),
        Case(message: "** (DBConnection.ConnectionError) tcp recv: closed", text: "    (postgrex 0.17.1) lib/postgrex/protocol.ex:3190",
             category: "connection_reset", detail: "postgres"),
        Case(message: "Grpc.Core.RpcException: Status(StatusCode=Unavailable, Detail=\"failed to connect to all addresses\")",
             category: "connection_refused", detail: "grpc"),
        Case(message: "panic: kafka: client has run out of available brokers to talk to", category: "connection_refused",
             detail: "kafka"),
        Case(message: "Symfony\\Component\\HttpClient\\Exception\\TransportException: cURL error 28 while requesting the token endpoint",
             category: "connection_timeout", detail: "http"),
        Case(message: "InvalidArgumentException: Unable to find file \"fixtures/orders.yml\"", category: "file_not_found",
             detail: "test_data"),
        // The fifteenth batch's fit part: actor test kits, CI limits on silence, Lua's and the JVM's
        // memory, Apple's URL errors, phpredis, Hutch, PHP's require, the BEAM's resolver.
        Case(message: "java.lang.AssertionError: assertion failed: timeout (3 seconds) during expectMsg while waiting for Pong",
             category: "timeout", detail: "expect_message_timeout"),
        Case(message: "Failed: Timeout 00:00:03 while waiting for a message of type System.String", category: "timeout",
             detail: "expect_message_timeout"),
        Case(message: "No output has been received in the last 10m0s, this potentially indicates a stalled build",
             category: "timeout", detail: "ci_job_timeout"),
        Case(message: "Too long with no output (exceeded 10m0s): context deadline exceeded", category: "timeout",
             detail: "ci_job_timeout"),
        Case(message: "spec/parser_spec.lua:12: not enough memory", category: "oom", detail: "out_of_memory"),
        Case(message: "Error occurred during initialization of VM\nCould not reserve enough space for 4194304KB object heap",
             category: "oom", detail: "jvm_native_memory"),
        Case(message: "Gradle build daemon has been running out of JVM Metaspace", category: "oom", detail: "java_metaspace"),
        Case(message: "Error Domain=NSURLErrorDomain Code=-1001 \"The request timed out.\"", category: "connection_timeout",
             detail: "http"),
        Case(message: "Error Domain=NSURLErrorDomain Code=-1004 \"Could not connect to the server.\"",
             category: "connection_refused", detail: "http"),
        Case(message: "RedisException: read error on connection to 127.0.0.1:6379", category: "connection_reset",
             detail: "redis"),
        Case(message: "Hutch::ConnectionError: couldn't connect to rabbitmq at amqp://guest@localhost:5672",
             category: "connection_refused", detail: "rabbitmq"),
        Case(message: "PHP Warning:  require_once(vendor/autoload.php): Failed to open stream: No such file or directory",
             category: "import_error", detail: "php_require"),
        Case(message: "** (MatchError) no match of right hand side value: {:error, :nxdomain}", category: "dns_resolution",
             detail: "nxdomain"),
        // The sixteenth batch's fit part: a stream that ended on the line naming its service's
        // client; Jest's module mapper pointing at nothing. An unexpected EOF with no service
        // named is no connection.
        Case(message: "[mysql] 2026/01/02 10:00:00 packets.go:37: unexpected EOF", category: "connection_reset",
             detail: "mysql"),
        Case(message: "pq: unexpected EOF from postgres while reading the startup response", category: "connection_reset",
             detail: "postgres"),
        Case(message: "config_test.go:40: decoding fixture: unexpected EOF", category: "assertion_failure", detail: nil),
        Case(message: "Configuration error:\n\nCould not locate module @app/ui/Button mapped as:\n/src/ui/$1.",
             category: "import_error", detail: "node_module_not_found"),
        // The seventeenth batch's fit part: curl's empty reply, Apache HttpClient's failed connect,
        // gocheck's ErrorMatches, GCC's compiler killed.
        Case(message: "GuzzleHttp\\Exception\\RequestException: cURL error 52: Empty reply from server", category: "connection_reset",
             detail: "http"),
        Case(message: "org.apache.http.conn.HttpHostConnectException: Connection to http://localhost:9090 refused",
             category: "connection_refused", detail: "http"),
        Case(message: "store_test.go:88:\n    c.Assert(err, ErrorMatches, `dial tcp .*: connection refused`)\n... error string = \"EOF\"",
             category: "assertion_failure", detail: nil),
        Case(message: "c++: internal compiler error: Killed (program cc1plus)", category: "oom", detail: "killed_137"),
        // The eighteenth batch's fit part: MUnit's failure, Nimble's eventually.
        Case(message: "==> X app.ParserSuite.parses empty input  0.002s munit.FailException: /ci/port-tools/src/test/ParserSuite.scala:12 values are not equal",
             category: "assertion_failure", detail: nil),
        Case(message: "expected to eventually equal <3>, got <2>", category: "timeout", detail: "eventually_condition"),
        Case(message: "thread 'raft::tests::elects_leader' panicked at 'called `Result::unwrap()` on an `Err` value: Commit(Timeout)'",
             category: "timeout", detail: "timed_out"),
        Case(message: "java.io.IOException: error=2, Aucun fichier ou dossier de ce type",
             text: "\tat java.base/java.lang.ProcessImpl.forkAndExec(Native Method)", category: "file_not_found",
             detail: "missing_executable"),
        Case(message: "Error: spawn chromium ENOENT", category: "file_not_found", detail: "missing_executable"),
        Case(message: "exec: \"kubectl\": executable file not found in $PATH", category: "file_not_found",
             detail: "missing_executable"),
        Case(message: "FileNotFoundError: [Errno 2] No such file or directory: 'ffmpeg'",
             text: "  File \"/usr/lib/python3.11/subprocess.py\", line 1901, in _execute_child\n    raise child_exception_type(errno_num, err_msg, err_filename)",
             category: "file_not_found", detail: "missing_executable"),
        Case(message: "FileNotFoundError: [Errno 2] No such file or directory: 'fixtures/users.json'",
             category: "file_not_found", detail: "test_data"),
        // sig-v8: Ruby's Net::HTTP names its own timeouts; a client library named in the trace is
        // more precise than the protocol the message names; a compiler driver killed, in
        // another layout.
        Case(message: "Failure/Error: get '/status'\n  Net::ReadTimeout:\n    Net::ReadTimeout with #<TCPSocket:(closed)>",
             category: "connection_timeout", detail: "http"),
        Case(message: "Net::OpenTimeout: execution expired", category: "connection_timeout", detail: "http"),
        Case(message: "Net::ReadTimeout: Net::ReadTimeout",
             text: "# ./gems/mongo-2.19.0/lib/mongo/socket.rb:12:in `read_from_socket'", category: "connection_timeout",
             detail: "mongo"),
        Case(message: "ninja: build stopped: subcommand failed.\nkilled: signal terminated program cc1", category: "oom",
             detail: "killed_137"),
        // Python's AttributeError that names a circular import; docker-py without a daemon; a
        // .NET TimeoutException inside a client's exception; Windows' and Mono's resolvers.
        Case(message: "AttributeError: partially initialized module 'shop.cart' has no attribute 'Cart' (most likely due to a circular import)",
             category: "import_error", detail: "circular_import"),
        Case(message: "docker.errors.DockerException: Error while fetching server API version: ('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))",
             category: "connection_refused", detail: "docker_daemon"),
        Case(message: "Npgsql.NpgsqlException : Exception while connecting ---> System.TimeoutException : The operation has timed out.",
             category: "connection_timeout", detail: "postgres"),
        Case(message: "System.Net.Http.HttpRequestException: An error occurred while sending the request. ---> System.Net.Http.WinHttpException: The server name or address could not be resolved",
             category: "dns_resolution", detail: "nxdomain"),
        Case(message: "System.Net.WebException: Error: NameResolutionFailure", category: "dns_resolution", detail: "nxdomain"),
        Case(message: "System.ArgumentException : Docker is either not running or misconfigured. Check DOCKER_HOST.",
             category: "connection_refused", detail: "docker_daemon"),
        // pytest's ScopeMismatch names the fixture a wider scope cannot have; pytest-django's
        // database that no `db` fixture or mark enabled.
        Case(message: "ScopeMismatch: You tried to access the 'function' scoped fixture 'tmp_db' with a 'session' scoped request object, involved factories:",
             category: "missing_fixture", detail: "tmp_db"),
        Case(message: "E   ScopeMismatch: You tried to access the function scoped fixture api_client with a module scoped request object",
             category: "missing_fixture", detail: "api_client"),
        Case(message: "RuntimeError: Database access not allowed, use the \"django_db\" mark to enable it.",
             category: "missing_fixture", detail: "db"),
        // A check on the type of what was thrown is the test's own assertion, whatever types it
        // names; Go's x509 error type printed as a value is a TLS failure.
        Case(message: "Expected type to be System.TimeoutException, but found System.Threading.Tasks.TaskCanceledException.",
             category: "assertion_failure", detail: nil),
        Case(message: "Error:      Expected nil, but got: x509.UnknownAuthorityError{Cert:(*x509.Certificate)(0xc000123)}",
             category: "ssl_error", detail: "unknown_authority"),
        // Windows' refusal in Python's errno form; aiokafka with no broker; got's own timeout.
        Case(message: "OSError: Multiple exceptions: [Errno 10061] Connect call failed ('127.0.0.1', 7000)",
             category: "connection_refused", detail: "tcp_local"),
        Case(message: "aiokafka.errors.KafkaConnectionError: Unable to bootstrap from [('broker', 29092, <AddressFamily.AF_UNSPEC: 0>)]",
             category: "connection_refused", detail: "kafka"),
        Case(message: "TimeoutError: Timeout awaiting 'response' for 2000ms", category: "connection_timeout",
             detail: "http"),
        // sig-v9: reqwest's failed request names HTTP; TypeScript's missing type definitions are a
        // module not found.
        Case(message: "Error: error sending request for url (api.internal/v1/items)\n  caused by: tcp connect error: Connection refused (os error 111)",
             category: "connection_refused", detail: "http"),
        Case(message: "src/app.spec.ts:1:1 - error TS2688: Cannot find type definition file for 'jasmine'.",
             category: "import_error", detail: "node_module_not_found"),
        // JUnit 5's parameters and RSpec's shared examples are a test's fixtures; rustls names
        // the kind of certificate it refused; Foundation's file errors by their documented codes.
        Case(message: "org.junit.jupiter.api.extension.ParameterResolutionException: No ParameterResolver registered for parameter [org.acme.it.StoreClient client] in method [void org.acme.it.OrderIT.places(org.acme.it.StoreClient)].",
             category: "missing_fixture", detail: "StoreClient"),
        Case(message: "ParameterResolutionException: Discovered multiple competing ParameterResolvers for parameter [java.nio.file.Path dir] in method [void CacheTest.evicts(java.nio.file.Path)]",
             category: "missing_fixture", detail: "Path"),
        Case(message: "ArgumentError: Could not find shared examples :a_paginated_endpoint",
             category: "missing_fixture", detail: "a_paginated_endpoint"),
        Case(message: "Could not find shared context \"with a signed in admin\"", category: "missing_fixture",
             detail: "with a signed in admin"),
        Case(message: "Custom { kind: InvalidData, error: InvalidCertificate(UnknownIssuer) }\nError: invalid peer certificate: UnknownIssuer",
             category: "ssl_error", detail: "unknown_authority"),
        Case(message: "error: invalid peer certificate: NotValidForName", category: "ssl_error", detail: "hostname_mismatch"),
        Case(message: "Fatal error: Error Domain=NSCocoaErrorDomain Code=513 \"You don't have permission to save the file.\"",
             category: "permission_denied", detail: "path"),
        Case(message: "The operation couldn't be completed. (NSCocoaErrorDomain error 260.)", category: "file_not_found",
             detail: "unknown_path"),
        // A refused path is told by whose it is: a program that could not be run, the tests'
        // own folders, a developer's home.
        Case(message: "ci/run-suite.sh: line 12: ./bin/start-stub: Permission denied", category: "permission_denied",
             detail: "not_executable"),
        Case(message: "fork/exec /opt/work/out/probe.test: permission denied", category: "permission_denied",
             detail: "not_executable"),
        Case(message: "PermissionError: [Errno 13] Permission denied: 'tests/golden/out.json'", category: "permission_denied",
             detail: "test_dir"),
        Case(message: "Error: EACCES: permission denied, mkdir '/home/dana/src/app/.cache'", category: "permission_denied",
             detail: "home_dir"),
        // Spring Boot's embedded server finding its port taken.
        Case(message: "org.springframework.boot.web.server.PortInUseException: Port 9090 is already in use",
             category: "address_in_use", detail: "java_bind"),
    ]

    @Test(arguments: cases)
    func recognisesTheCause(_ example: Case) {
        let result = signature(example.message, text: example.text, test: "t")
        #expect(result.category == example.category, "\(example.message)")
        #expect(result.detail == example.detail, "\(example.message)")
    }
}

/// Which lines are quoted source: pytest's `>` marker in the first column and a code frame's
/// `> 12 |`, and no other `>` prefix.
@Suite struct QuotedSourceLineTests {
    @Test(arguments: [
        (">       assert client.get(url).status == 200", true),
        (">   import missing_module", true),
        ("    > 12 |     expect(ping()).toBe(true)", true),
        (">  7 | const x = 1", true),
        ("   >     java.lang.AssertionError: boom", false),
        (">\tCaused by: java.net.ConnectException: Connection refused", false),
        ("> 1) test_it_downloads_the_config_file", false),
        ("> Task :core:test FAILED", false),
    ])
    func aLineIsQuotedSourceOnlyByItsMarker(line: String, isSource: Bool) {
        let bytes = Array(line.utf8)
        let frame = bytes.withUnsafeBufferPointer { FrameLines.isFrame($0, lineStart: 0, previousWasFileLine: false) }
        #expect(frame == isSource, "\(line)")
    }
}
