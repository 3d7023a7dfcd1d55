import Foundation
import Testing

/// `triage prune` through the binary: what goes, what stays, and the space it gives back.
@Suite struct PruneCommandTests {
    /// Stores `count` runs a day apart, the first on 2026-01-01; run k fails test_k's
    /// own-cluster assertion (a cluster only that run uses) and reports test_k only in run k.
    private func storeRuns(_ cli: CLI, count: Int) throws {
        for run in 1...count {
            let file = cli.folder.appendingPathComponent("run-\(run).xml")
            let only = "<testcase classname=\"tests.test_once\" name=\"test_only_in_\(run)\"/>"
            let report = CICommandTests.report(failing: ["test_\(run % 6)"]).replacingOccurrences(
                of: "</testsuite>", with: only + "</testsuite>")
            try Data(report.utf8).write(to: file)
            let day = String(format: "2026-01-%02d", run)
            let stored = try cli.run(["ingest", file.path, "--date", day])
            #expect(stored.status == 0, "\(stored.stderr)")
        }
    }

    private func json(_ result: CLI.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func removesOldRunsAndWhatOnlyTheyUsedAndKeepsTheRest() throws {
        let cli = try CLI()
        try storeRuns(cli, count: 6)
        let dry = try json(try cli.run(["prune", "--older-than", "2026-01-04", "--dry-run", "--format", "json"]))
        #expect(dry["runs"] as? [Int] == [1, 2, 3])
        #expect(dry["results"] as? Int == 21)
        #expect(try json(try cli.run(["runs", "--format", "json"]).wrappedAsObject())["count"] as? Int == 6)

        let pruned = try cli.run(["prune", "--older-than", "2026-01-04", "--format", "json"])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        let report = try json(pruned)
        #expect(report["runs"] as? [Int] == [1, 2, 3])
        #expect(report["results"] as? Int == 21)
        // test_only_in_1…3 are gone; test_0…5 are still reported by runs 4–6.
        #expect(report["tests"] as? Int == 3)
        // Runs 1–3 failed test_1…3, runs 4–6 fail test_4, test_5, test_0: three per-test
        // assertion clusters only the removed runs used.
        #expect(report["clusters"] as? Int == 3)
        let runs = try cli.run(["runs", "--format", "json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
        #expect(list.compactMap { $0["id"] as? Int }.sorted() == [4, 5, 6])
        // What remains still answers: the history of a test reported by every run.
        let history = try cli.run(["history", "tests.test_ws::test_5", "--format", "json"])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(try cli.run(["history", "tests.test_once::test_only_in_2"]).status == 2)
    }

    @Test func keepRunsKeepsTheNewestAndCyclesKeepTheirRuns() throws {
        let cli = try CLI()
        try storeRuns(cli, count: 5)
        #expect(try cli.run(["cycle", "start", "Fix it", "--before", "1"]).status == 0)
        let result = try cli.run(["prune", "--keep-runs", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Removed 2 runs (runs 2, 3)"), "\(result.stdout)")
        #expect(result.stdout.contains("Kept 1 run (run 1) that a remediation cycle starts from or measured."))
        let runs = try cli.run(["runs", "--format", "json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
        #expect(list.compactMap { $0["id"] as? Int }.sorted() == [1, 4, 5])
    }

    @Test func aClusterAQuarantineNamesIsKept() throws {
        let cli = try CLI()
        try storeRuns(cli, count: 3)
        let listed = try cli.run(["clusters", "--format", "json"])
        let clusters = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        // Run 1 alone failed test_1: quarantine that cause, then prune run 1.
        let onlyRun1 = try #require(clusters.first { ($0["lastSeenRun"] as? Int) == 1 }?["id"] as? String)
        let added = try cli.run(["quarantine", "add", "--cluster", onlyRun1, "--reason", "shared Redis outage"])
        #expect(added.status == 0, "\(added.stderr)")
        let pruned = try cli.run(["prune", "--keep-runs", "2", "--format", "json"])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(try json(pruned)["clusters"] as? Int == 0)
        #expect(try cli.run(["quarantine", "list"]).stdout.contains(onlyRun1))
    }

    @Test(.disabled(if: CLI.onPostgres, "measures the SQLite file")) func givesSpaceBackAndRefusesWhatItCannotRead() throws {
        let cli = try CLI()
        try storeRuns(cli, count: 3)
        // Enough rows that removing them frees pages.
        let big = cli.folder.appendingPathComponent("big.xml")
        let cases = (0..<3000).map {
            "<testcase classname=\"tests.test_big\" name=\"test_\($0)\"><system-out>\(String(repeating: "x", count: 200))</system-out></testcase>"
        }
        try Data("<testsuite name=\"big\">\(cases.joined())</testsuite>".utf8).write(to: big)
        #expect(try cli.run(["ingest", big.path, "--date", "2025-12-01"]).status == 0)
        let report = try json(try cli.run(["prune", "--older-than", "2026-01-01", "--format", "json"]))
        let before = try #require(report["bytesBefore"] as? Int)
        let after = try #require(report["bytesAfter"] as? Int)
        #expect(after < before / 2, "\(before) → \(after)")
        #expect(report["tests"] as? Int == 3000)

        let refusals: [([String], String)] = [
            (["prune"], "say what to remove"), (["prune", "--older-than", "soon"], "neither an age"),
            (["prune", "--keep-runs", "0"], "at least 1"),
        ]
        for (arguments, reason) in refusals {
            let refused = try cli.run(arguments)
            #expect(refused.status == 64, "\(arguments)")
            #expect(refused.stderr.split(separator: "\n").first?.contains(reason) == true, "\(refused.stderr)")
        }
    }
}

extension CLI.Result {
    /// `runs --format json` prints a list; as an object with its count, for one-line checks.
    func wrappedAsObject() throws -> CLI.Result {
        let list = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [Any] ?? []
        return CLI.Result(status: status, stdout: "{\"count\": \(list.count)}", stderr: stderr)
    }
}
