import Foundation
import Testing

@Suite struct RemediationCommandTests {
    /// The story of `RemediationTests`: 55 integration tests, 28 passed / 27 failing before,
    /// 37 / 18 after; one failing unit test outside the scope.
    private func storyXML(after: Bool) -> String {
        var cases = ""
        for index in 0..<28 {
            cases += "<testcase classname=\"tests.integration.test_api\" name=\"test_ok_\(index)\"/>"
        }
        for index in 0..<19 {
            let body =
                after && index < 9
                ? ""
                : "<failure message=\"ConnectionError: Error 111 connecting to localhost:6381. Connection refused.\">t</failure>"
            cases +=
                "<testcase classname=\"tests.integration.test_persistence\" name=\"test_redis_\(index)\">\(body)</testcase>"
        }
        for index in 0..<6 {
            cases +=
                "<testcase classname=\"tests.integration.test_fixtures\" name=\"test_fixture_\(index)\"><error message=\"fixture 'isolated_test_env' not found\">s</error></testcase>"
        }
        for index in 0..<2 {
            cases +=
                "<testcase classname=\"tests.integration.test_imports\" name=\"test_import_\(index)\"><error message=\"ImportError: cannot import name 'AgentRegistry' from 'app.agents'\">c</error></testcase>"
        }
        cases +=
            "<testcase classname=\"tests.unit.test_units\" name=\"test_unit\"><failure message=\"AssertionError: unit\">t</failure></testcase>"
        return "<testsuite name=\"pytest\">\(cases)</testsuite>"
    }

    private func write(_ cli: CLI, _ name: String, _ text: String) throws -> String {
        let url = cli.folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func aCycleReportsTheStoryFiguresAsJSON() throws {
        let cli = try CLI()
        #expect(try cli.run(["ingest", try write(cli, "before.xml", storyXML(after: false))]).status == 0)
        let run = try json(try cli.run(["runs", "show", "--format", "json"]).stdout)
        let clusters = try #require(run["failuresByCluster"] as? [[String: Any]])
        let redis = try #require(clusters.first { $0["tests"] as? Int == 19 }?["clusterID"] as? String)

        let whys = try cli.run([
            "whys", "new", "--cluster=\(redis.prefix(8))", "--problem", "19 tests: Redis refused on 6381", "--format",
            "json",
        ])
        #expect(whys.status == 0, "\(whys.stderr)")
        let start = try cli.run([
            "cycle", "start", "Redis integration remediation", "--max", "20", "--scope", "tests/integration/*",
            "--cluster=\(redis)", "--whys", "1",
        ])
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout.contains("cycle 1 of 20"))
        #expect(try cli.run(["ingest", try write(cli, "after.xml", storyXML(after: true))]).status == 0)
        let close = try cli.run([
            "cycle", "close", "1", "--status", "partial", "--next", "Complete fakeredis wiring", "--risk", "low",
            "--priority", "medium",
        ])
        #expect(close.status == 0, "\(close.stderr)")

        let show = try cli.run(["cycle", "show", "1", "--format", "json"])
        #expect(show.status == 0)
        let cycle = try json(show.stdout)
        let m = try #require(cycle["measurement"] as? [String: Any])
        let before = try #require(m["before"] as? [String: Any]), after = try #require(m["after"] as? [String: Any])
        #expect(before["tests"] as? Int == 55 && before["passed"] as? Int == 28 && before["failing"] as? Int == 27)
        #expect(after["tests"] as? Int == 55 && after["passed"] as? Int == 37 && after["failing"] as? Int == 18)
        #expect(m["passedChange"] as? Int == 9)
        #expect((m["fixed"] as? [String])?.count == 9)
        #expect((m["newlyFailing"] as? [String])?.isEmpty == true)
        #expect(m["verdict"] as? String == "improved")
        let remaining = try #require(m["remainingByCluster"] as? [[String: Any]])
        #expect(remaining.map { $0["testsAfter"] as? Int } == [10, 6, 2])
        // The remaining clusters are the after run's own failing clusters, as `runs show` lists them.
        let afterClusters = try #require(
            try json(try cli.run(["runs", "show", "2", "--format", "json"]).stdout)["failuresByCluster"]
                as? [[String: Any]])
        let inScope = afterClusters.filter { $0["tests"] as? Int != 1 }  // the one failing unit test is out of scope
        #expect(remaining.map { $0["clusterID"] as? String } == inScope.map { $0["clusterID"] as? String })
        #expect(cycle["status"] as? String == "partial" && cycle["risk"] as? String == "low")
        #expect(cycle["nextSteps"] as? [String] == ["Complete fakeredis wiring"])
        #expect(cycle["isMeasurementStored"] as? Bool == true)

        // Closing again is one line on stderr, exit 2, and changes nothing.
        let again = try cli.run(["cycle", "close", "1", "--status", "success"])
        #expect(again.status == 2)
        #expect(again.stderr.split(separator: "\n").count == 1 && again.stderr.contains("already closed"))
        #expect(try cli.run(["cycle", "show", "1", "--format", "json"]).stdout == show.stdout)
    }

    @Test func whysEditUsesTheEditorAndBadInputExitsTwo() throws {
        let cli = try CLI()
        #expect(try cli.run(["ingest", try write(cli, "before.xml", storyXML(after: false))]).status == 0)
        let run = try json(try cli.run(["runs", "show", "--format", "json"]).stdout)
        let redis = try #require(
            (run["failuresByCluster"] as? [[String: Any]])?.first { $0["tests"] as? Int == 19 }?["clusterID"] as? String
        )
        #expect(try cli.run(["whys", "new", "--cluster=\(redis)", "--problem", "Redis refused"]).status == 0)
        #expect(try cli.run(["whys", "why", "1", "Redis client returns None"]).status == 0)

        // An "editor" that changes the status line in place.
        let editor = try write(cli, "editor.sh", "#!/bin/sh\nsed -i.bak 's/^Status: open$/Status: analysed/' \"$1\"\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: editor)
        let edit = try cli.run(
            ["whys", "edit", "1", "--format", "json"], environment: ["EDITOR": editor, "VISUAL": ""])
        #expect(edit.status == 0, "\(edit.stderr)")
        let record = try json(edit.stdout)
        #expect(record["status"] as? String == "analysed")
        #expect((record["steps"] as? [[String: Any]])?.first?["answer"] as? String == "Redis client returns None")

        let before = try cli.run(["whys", "show", "1", "--format", "json"]).stdout
        for (arguments, fragment) in [
            (["whys", "why", "1", " "], "the why is empty"),
            (["whys", "show", "7"], "Five-Whys 7 does not exist"),
            (["whys", "new", "--cluster", "zz9", "--problem", "x"], "no cluster id starts with"),
            (["cycle", "start", "E", "--scope", "tests/none/*"], "matches no stored test"),
            (["cycle", "note", "4", "x"], "cycle 4 does not exist"),
        ] {
            let result = try cli.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(
                result.stderr.contains(fragment) && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        #expect(try cli.run(["whys", "show", "1", "--format", "json"]).stdout == before)
        #expect(
            try cli.run(["cycle", "list", "--format", "json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                == "[\n\n]")
    }
}
