import Foundation
import Testing

/// What was learned about a cause, tied to what CI sees next: recurrences, fixes verified from
/// the runs, quarantine by cause and retry advice, each through the built binary.
@Suite struct RootCauseCommandTests {
    static let refused = "redis.exceptions.ConnectionError: Error 111 connecting to localhost:6381. Connection refused."

    /// One pytest-style run of `tests.test_redis::test_r0…r3` and `tests.test_unit::test_u`:
    /// `refused` tests fail on Redis, `asserting` ones on an assertion of their own, tests in
    /// `absent` did not run, and each test in `retried` is reported twice (pytest-rerunfailures):
    /// the first report fails as above, the second passes when `rescued`.
    static func run(
        refused: Set<String> = [], asserting: Set<String> = [], absent: Set<String> = [],
        retried: Set<String> = [], rescued: Bool = false
    ) -> String {
        let names = (0..<4).map { ("tests.test_redis", "test_r\($0)") } + [("tests.test_unit", "test_u")]
        var cases = ""
        for (classname, name) in names where !absent.contains(name) {
            let failure =
                refused.contains(name)
                ? "<failure message=\"\(Self.refused)\">Traceback</failure>"
                : asserting.contains(name)
                    ? "<failure message=\"AssertionError: \(name): assert 1 == 2\">assert</failure>" : ""
            cases += "<testcase classname=\"\(classname)\" name=\"\(name)\">\(failure)</testcase>"
            if retried.contains(name) {
                let again =
                    rescued
                    ? "" : refused.contains(name) ? "<failure message=\"\(Self.refused)\">Traceback</failure>"
                    : "<failure message=\"AssertionError: \(name): assert 1 == 2\">assert</failure>"
                cases += "<testcase classname=\"\(classname)\" name=\"\(name)\">\(again)</testcase>"
            }
        }
        return "<testsuites><testsuite name=\"pytest\">\(cases)</testsuite></testsuites>"
    }

    /// Writes a file; a result file gets its name in a comment, so that two runs with the same
    /// results are two files (a file already stored is skipped).
    @discardableResult
    static func write(_ cli: CLI, _ name: String, _ text: String) throws -> String {
        let marked = name.hasSuffix(".xml") ? text + "<!-- \(name) -->\n" : text
        try Data(marked.utf8).write(to: cli.folder.appendingPathComponent(name))
        return name
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func jsonFile(_ cli: CLI, _ name: String) throws -> [String: Any] {
        try json(String(decoding: try Data(contentsOf: cli.folder.appendingPathComponent(name)), as: UTF8.self))
    }

    /// The Redis cluster of the first run.
    static func redisCluster(_ cli: CLI) throws -> String {
        let run = try json(try cli.run(["runs", "show", "1", "--format", "json"]).stdout)
        let clusters = try #require(run["failuresByCluster"] as? [[String: Any]])
        return try #require(clusters.first { $0["category"] as? String == "connection_refused" }?["clusterID"] as? String)
    }

    static let all: Set<String> = ["test_r0", "test_r1", "test_r2", "test_r3"]

    // MARK: - Recurrence

    @Test func aCauseACycleRemovedComesBackAndTheGateSaysSo() throws {
        let cli = try CLI()
        let summary = cli.folder.appendingPathComponent("summary.md").path
        #expect(try cli.run(["ingest", Self.write(cli, "1.xml", Self.run(refused: Self.all))]).status == 0)
        let redis = try Self.redisCluster(cli)
        let start = try cli.run(["cycle", "start", "Redis on 6381", "--cluster", redis])
        #expect(start.status == 0, "\(start.stderr)")
        // The cause still fails during the cycle: not a recurrence, the cycle is not closed.
        let during = try cli.run([
            "ci", Self.write(cli, "2.xml", Self.run(refused: ["test_r0"])), "--run-id", "b2", "--branch", "main",
            "--fail-on", "recurrence",
        ])
        #expect(during.status == 0, "\(during.stdout)\(during.stderr)")
        #expect(!during.stdout.contains("RECURRENCE"))
        #expect(try cli.run(["ingest", Self.write(cli, "3.xml", Self.run())]).status == 0)
        let close = try cli.run(["cycle", "close", "1", "--status", "success"])
        #expect(close.status == 0, "\(close.stderr)")

        // A clean run and an unrelated new failure: the recurrence gate passes.
        let unrelated = try cli.run([
            "ci", Self.write(cli, "4.xml", Self.run(asserting: ["test_u"])), "--run-id", "b4", "--branch", "main",
            "--fail-on", "recurrence",
        ])
        #expect(unrelated.status == 0, "\(unrelated.stdout)\(unrelated.stderr)")

        // Redis is back on one test: said first, in text, step summary and JSON; the gate fails.
        let back = try cli.run(
            [
                "ci", Self.write(cli, "5.xml", Self.run(refused: ["test_r2"])), "--run-id", "b5", "--branch", "main",
                "--fail-on", "recurrence", "--json", "5.json",
            ], environment: ["GITHUB_STEP_SUMMARY": summary])
        #expect(back.status == 1, "\(back.stdout)\(back.stderr)")
        let firstLine = back.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(firstLine.hasPrefix("triage: RECURRENCE cause \(redis)"))
        #expect(firstLine.contains("Redis on 6381, cycle 1"))
        #expect(firstLine.contains("tests.test_redis::test_r2"))
        #expect(back.stdout.contains("gate recurrence: FAILED"))
        let result = try Self.jsonFile(cli, "5.json")
        let recurrences = try #require(result["recurrences"] as? [[String: Any]])
        #expect(recurrences.count == 1)
        #expect(recurrences.first?["cycleID"] as? Int == 1)
        #expect(recurrences.first?["clusterID"] as? String == redis)
        #expect(recurrences.first?["previousStatus"] as? String == "success")
        #expect(recurrences.first?["fixedAt"] as? String != nil)
        #expect(recurrences.first?["tests"] as? [String] == ["tests.test_redis::test_r2"])
        let markdown = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(markdown.contains("**A fixed cause is back:**"))
        #expect(markdown.contains("Redis on 6381, cycle 1"))

        // The cycle carries the note; the status report lists the recurrence.
        let cycle = try cli.run(["cycle", "show", "1"])
        #expect(cycle.stdout.contains("recurred in run 5: \(redis) failed 1 test(s) again"))
        #expect(cycle.stdout.contains("recurrence: cluster \(redis) failed 1 test(s) again in run 5"))
        let status = try cli.run(["report", "status"])
        #expect(status.stdout.contains("## Fixed causes that came back"))
        #expect(status.stdout.contains("| 5 | Redis on 6381, cycle 1 |"))
    }

    @Test func aFixedRecordThatFailsAgainIsReopenedAndTheCommandSaysSo() throws {
        let cli = try CLI()
        #expect(try cli.run(["ingest", Self.write(cli, "1.xml", Self.run(refused: Self.all))]).status == 0)
        let redis = try Self.redisCluster(cli)
        #expect(try cli.run(["whys", "new", "--cluster", redis, "--problem", "Redis refused on 6381"]).status == 0)
        #expect(try cli.run(["whys", "set", "1", "--status", "fixed"]).status == 0)

        // Without --fail-on recurrence the run is reported, the record reopened, and the default
        // gate (new failures against the previous run) decides.
        let back = try cli.run([
            "ci", Self.write(cli, "2.xml", Self.run(refused: ["test_r1"])), "--run-id", "b2", "--json", "2.json",
            "--fail-on", "never",
        ])
        #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
        #expect(back.stdout.hasPrefix("triage: RECURRENCE cause \(redis) connection_refused"))
        #expect(back.stdout.contains("of Five-Whys 1 (fixed since"))
        #expect(back.stdout.contains("the record is open again"))
        let result = try Self.jsonFile(cli, "2.json")
        #expect(result["reopenedWhys"] as? [Int] == [1])

        let record = try Self.json(try cli.run(["whys", "show", "1", "--format", "json"]).stdout)
        #expect(record["status"] as? String == "open")
        let noted = try #require(record["recurrences"] as? [[String: Any]])
        #expect(noted.map { $0["runID"] as? Int } == [2])
        #expect(noted.first?["previousStatus"] as? String == "fixed")

        // Open now: the same failure again is no recurrence.
        let again = try cli.run([
            "ci", Self.write(cli, "3.xml", Self.run(refused: ["test_r1"])), "--run-id", "b3", "--fail-on",
            "recurrence",
        ])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(!again.stdout.contains("RECURRENCE"))
        let status = try cli.run(["report", "status"])
        #expect(status.stdout.contains("| 2 | Five-Whys 1 | `\(redis)` connection\\_refused | fixed since"))
    }

    // MARK: - Verified from the runs

    @Test func aFixedRecordTurnsVerifiedAfterTenCleanRunsOfEveryTestAndNotBefore() throws {
        let cli = try CLI()
        #expect(try cli.run(["ingest", Self.write(cli, "1.xml", Self.run(refused: Self.all))]).status == 0)
        let redis = try Self.redisCluster(cli)
        #expect(try cli.run(["whys", "new", "--cluster", redis, "--problem", "Redis refused"]).status == 0)
        #expect(try cli.run(["whys", "set", "1", "--status", "fixed"]).status == 0)
        // Ten clean runs, but test_r3 did not run in one of them: it has nine.
        for index in 2...11 {
            let absent: Set<String> = index == 5 ? ["test_r3"] : []
            let ingest = try cli.run(["ingest", Self.write(cli, "\(index).xml", Self.run(absent: absent))])
            #expect(ingest.status == 0, "\(ingest.stderr)")
            #expect(!ingest.stdout.contains("verified"), "run \(index): \(ingest.stdout)")
        }
        let before = try cli.run(["whys", "show", "1"])
        #expect(before.stdout.contains("Five-Whys 1  fixed"))
        #expect(before.stdout.contains("verification: 9 of 10 clean runs (the least of 4 test(s); each needs 10)"))
        #expect(before.stdout.contains("9/10   tests.test_redis::test_r3"))
        let json = try Self.json(try cli.run(["whys", "show", "1", "--format", "json"]).stdout)
        let verification = try #require(json["verification"] as? [String: Any])
        #expect(verification["cleanRuns"] as? Int == 9 && verification["requiredRuns"] as? Int == 10)
        #expect(verification["isVerified"] as? Bool == false)

        let last = try cli.run(["ingest", Self.write(cli, "12.xml", Self.run())])
        #expect(last.status == 0)
        #expect(last.stdout.contains("Five-Whys 1 is verified: its causes stayed away for 10 clean runs"))
        let after = try cli.run(["whys", "show", "1"])
        #expect(after.stdout.contains("Five-Whys 1  verified"))
        #expect(after.stdout.contains("verification: 10 of 10 clean runs, verified"))
    }

    @Test func aRetryThatHitTheCauseRestartsTheCountAndCycleTestsAreCountedPerTest() throws {
        let cli = try CLI()
        #expect(try cli.run(["ingest", Self.write(cli, "1.xml", Self.run(refused: Self.all))]).status == 0)
        let redis = try Self.redisCluster(cli)
        #expect(try cli.run(["cycle", "start", "Redis", "--cluster", redis]).status == 0)
        #expect(try cli.run(["ingest", Self.write(cli, "2.xml", Self.run(refused: ["test_r3"]))]).status == 0)
        #expect(try cli.run(["cycle", "close", "1", "--status", "partial"]).status == 0)
        // Run 3: test_r0 hits Redis and passes on retry; runs 4 and 5 are clean.
        _ = try cli.run([
            "ingest", Self.write(cli, "3.xml", Self.run(refused: ["test_r0", "test_r3"], retried: ["test_r0"], rescued: true)),
        ])
        for index in 4...5 { _ = try cli.run(["ingest", Self.write(cli, "\(index).xml", Self.run(refused: ["test_r3"]))]) }
        let show = try cli.run(["cycle", "show", "1", "--clean-runs", "3", "--format", "json"])
        let cycle = try Self.json(show.stdout)
        let fixed = try #require(cycle["fixedTests"] as? [String: Any])
        let tests = try #require(fixed["tests"] as? [[String: Any]])
        let counts = Dictionary(
            uniqueKeysWithValues: tests.map { ($0["test"] as? String ?? "", $0["cleanRuns"] as? Int ?? -1) })
        // Fixed by the cycle: r0, r1, r2 (r3 still failed in the after run).
        #expect(counts == ["tests.test_redis::test_r0": 2, "tests.test_redis::test_r1": 3, "tests.test_redis::test_r2": 3])
        #expect(fixed["cleanRuns"] as? Int == 2 && fixed["isVerified"] as? Bool == false)
        let text = try cli.run(["cycle", "show", "1", "--clean-runs", "3"])
        #expect(text.stdout.contains("fixed tests verified: 2 of 3 clean runs"))
    }

    // MARK: - Quarantine by cause

    @Test func aCauseScopedQuarantineExcusesOnlyItsCause() throws {
        let cli = try CLI()
        #expect(try cli.run(["ingest", Self.write(cli, "1.xml", Self.run(refused: Self.all))]).status == 0)
        let redis = try Self.redisCluster(cli)
        let add = try cli.run([
            "quarantine", "add", "test_r0", "--cluster", String(redis.prefix(6)), "--reason", "Redis starts late",
        ])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout == "quarantined tests.test_redis::test_r0 (cause \(redis)) with no expiry\n")

        func gate(_ run: String, _ xml: String) throws -> (CLI.Result, [String: Any]) {
            let result = try cli.run([
                "ci", Self.write(cli, "\(run).xml", xml), "--run-id", run, "--fail-on", "any-failure", "--json",
                "\(run).json",
            ])
            return (result, try Self.jsonFile(cli, "\(run).json"))
        }
        // Redis refused for test_r0: excused.
        let (refused, refusedJSON) = try gate("b2", Self.run(refused: ["test_r0"]))
        #expect(refused.status == 0, "\(refused.stdout)\(refused.stderr)")
        #expect(refusedJSON["quarantinedFailures"] as? [String] == ["tests.test_redis::test_r0"])
        // An assertion failure of the same test still fails the gate; so does Redis on another test.
        let (assertion, assertionJSON) = try gate("b3", Self.run(asserting: ["test_r0"]))
        #expect(assertion.status == 1)
        #expect(assertionJSON["quarantinedFailures"] as? [String] == [])
        let (other, _) = try gate("b4", Self.run(refused: ["test_r1"]))
        #expect(other.status == 1)

        // The cause across every test: an outage of the shared service.
        let wide = try cli.run(["quarantine", "add", "--cluster", redis, "--reason", "Redis outage", "--expires", "2d"])
        #expect(wide.status == 0, "\(wide.stderr)")
        #expect(wide.stdout.hasPrefix("quarantined every test (cause \(redis)) until "))
        let (outage, outageJSON) = try gate("b5", Self.run(refused: Self.all))
        #expect(outage.status == 0, "\(outage.stdout)")
        #expect((outageJSON["quarantinedFailures"] as? [String])?.count == 4)
        let (mixed, _) = try gate("b6", Self.run(refused: Self.all, asserting: ["test_u"]))
        #expect(mixed.status == 1)

        let list = try cli.run(["quarantine", "list"])
        #expect(list.stdout.contains("every test (cause \(redis))  Redis outage"))
        #expect(list.stdout.contains("tests.test_redis::test_r0 (cause \(redis))  Redis starts late"))
        #expect(try cli.run(["quarantine", "remove", "--cluster", redis]).stdout == "removed every test (cause \(redis)) from quarantine\n")
        // test_u, which no quarantine names, fails on Redis: it counts again (a test_r* would be
        // known flaky by now).
        let (afterRemoval, _) = try gate("b7", Self.run(refused: ["test_u"]))
        #expect(afterRemoval.status == 1)
        // The plain quarantine of the test and its cause-scoped one are separate entries.
        #expect(try cli.run(["quarantine", "add", "test_r0", "--reason", "all of it"]).status == 0)
        #expect(try cli.run(["quarantine", "list", "--format", "json"]).stdout.components(separatedBy: "\"test\"").count == 3)
    }

    static var hasPytest: Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import pytest"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Runs pytest in the CLI's folder; returns its JUnit XML.
    static func pytest(_ cli: CLI, mode: String, plugin: Bool) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_svc.py", "--junitxml=out-\(mode).xml"]
            + (plugin ? ["-p", "triage_quarantine"] : [])
        process.currentDirectoryURL = cli.folder
        process.environment = cli.environment.merging(["MODE": mode, "PYTHONPATH": cli.folder.path]) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return try String(contentsOf: cli.folder.appendingPathComponent("out-\(mode).xml"), encoding: .utf8)
    }

    @Test(.enabled(if: hasPytest)) func theExportedPytestPluginXfailsOnlyFailuresOfTheCause() throws {
        let cli = try CLI()
        try FileManager.default.createDirectory(
            at: cli.folder.appendingPathComponent("tests"), withIntermediateDirectories: true)
        try Self.write(
            cli, "tests/test_svc.py",
            """
            import os


            def refuse():
                raise ConnectionError("Error 111 connecting to localhost:6381. Connection refused.")


            def test_a():
                refuse()


            def test_b():
                if os.environ["MODE"] == "first":
                    refuse()
                assert 1 == 2

            """)
        _ = try Self.pytest(cli, mode: "first", plugin: false)
        #expect(try cli.run(["ingest", "out-first.xml"]).status == 0)
        let run = try Self.json(try cli.run(["runs", "show", "--format", "json"]).stdout)
        let cluster = try #require((run["failuresByCluster"] as? [[String: Any]])?.first?["clusterID"] as? String)
        #expect(try cli.run(["quarantine", "add", "--cluster", cluster, "--reason", "Redis outage"]).status == 0)
        let export = try cli.run(["quarantine", "export", "--format", "pytest", "--output", "triage_quarantine.py"])
        #expect(export.status == 0, "\(export.stderr)")

        // test_a fails on the cause again: xfail; test_b now fails on an assertion: a failure.
        let junit = try Self.pytest(cli, mode: "second", plugin: true)
        #expect(junit.contains("name=\"test_a\""))
        let caseA = try #require(junit.range(of: "name=\"test_a\"").map { junit[$0.lowerBound...].prefix(600) })
        let caseB = try #require(junit.range(of: "name=\"test_b\"").map { junit[$0.lowerBound...].prefix(600) })
        #expect(caseA.contains("<skipped type=\"pytest.xfail\""), "\(caseA)")
        #expect(caseB.contains("<failure"), "\(caseB)")
        // And the gate, reading what pytest wrote, agrees: only test_b counts.
        let gate = try cli.run(["ci", "out-second.xml", "--run-id", "p2", "--fail-on", "any-failure", "--json", "p2.json"])
        #expect(gate.status == 1)
        let failing = try #require(try Self.jsonFile(cli, "p2.json")["failing"] as? [[String: Any]])
        #expect(failing.map { $0["test"] as? String } == ["tests.test_svc::test_b"])
    }

    // MARK: - Retry advice

    @Test func retryAdviceNamesTheCausesThatPassOnRetry() throws {
        let cli = try CLI()
        // Three runs: Redis refused on two tests, passing on the retry; an assertion retried and failing.
        for index in 1...3 {
            let xml = Self.run(
                refused: ["test_r0", "test_r1"], asserting: ["test_u"], retried: ["test_r0", "test_r1"], rescued: true)
            let failing = xml.replacingOccurrences(
                of: "<failure message=\"AssertionError: test_u: assert 1 == 2\">assert</failure></testcase>",
                with:
                    "<failure message=\"AssertionError: test_u: assert 1 == 2\">assert</failure></testcase><testcase classname=\"tests.test_unit\" name=\"test_u\"><failure message=\"AssertionError: test_u: assert 1 == 2\">assert</failure></testcase>"
            )
            #expect(try cli.run(["ingest", Self.write(cli, "\(index).xml", failing)]).status == 0)
        }
        let json = try Self.json(try cli.run(["retry-advice", "--format", "json"]).stdout)
        let retry = try #require(json["retry"] as? [[String: Any]])
        let never = try #require(json["never"] as? [[String: Any]])
        #expect(retry.count == 1 && never.count == 1)
        let retried = try #require(retry.first?["evidence"] as? [String: Any])
        #expect(retried["retried"] as? Int == 6 && retried["passedOnRetry"] as? Int == 6)
        #expect((retried["cluster"] as? [String: Any])?["category"] as? String == "connection_refused")
        let hopeless = try #require(never.first?["evidence"] as? [String: Any])
        #expect(hopeless["retried"] as? Int == 3 && hopeless["passedOnRetry"] as? Int == 0)
        #expect((hopeless["cluster"] as? [String: Any])?["category"] as? String == "assertion_failure")

        let pytest = try cli.run(["retry-advice", "--format", "pytest"])
        #expect(pytest.status == 0)
        #expect(pytest.stdout.hasPrefix("--only-rerun 'ConnectionError:"))
        #expect(pytest.stdout.components(separatedBy: "--only-rerun").count == 2)
        let text = try cli.run(["retry-advice"])
        #expect(text.stdout.contains("      6/6 passed on retry"))
        #expect(text.stdout.contains("do not retry: retried 3+ times, never passed"))

        // The pattern finds the message in both spellings pytest-rerunfailures matches against,
        // and not the assertion.
        if Self.hasPytest {
            let pattern = try #require(retry.first?["pattern"] as? String)
            let check = Process()
            check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            check.arguments = [
                "python3", "-c",
                "import re, sys; p = sys.argv[1]; ok = [bool(re.search(p, m)) for m in sys.argv[2:]]; sys.exit(0 if ok == [True, True, False] else 1)",
                pattern, Self.refused, "ConnectionError: Error 111 connecting to localhost:6381. Connection refused.",
                "AssertionError: test_u: assert 1 == 2",
            ]
            try check.run()
            check.waitUntilExit()
            #expect(check.terminationStatus == 0, "\(pattern)")
        }

        // With too little evidence nothing is retried, rather than everything.
        let strict = try cli.run(["retry-advice", "--format", "pytest", "--min-retries", "7"])
        #expect(strict.stdout == "--only-rerun '(?!)'\n")
        #expect(strict.stderr.contains("retry nothing"))
    }
}
