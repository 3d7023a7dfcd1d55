import Crypto
import Foundation
import TriageModel
import TriageStore

/// The demo: six runs of a 55-test integration suite that tell one remediation story, with
/// Five-Whys records and cycles, ending in the three reports.
///
/// Run 1: Redis is not running on 6381 (19 tests refused), a fixture is missing (6), a
/// refactor broke an import (2 modules): 28 passed, 27 failed. Cycle 1 designs fakeredis but
/// does not land it (run 2 unchanged). Cycle 2 starts a real Redis: the refusals are gone,
/// but a helper's `CONFIG SET maxmemory 1mb` leaks into the persistence tests (9 × OOM) and a
/// pub/sub test times out: 37 passed, 18 failed, +9. Cycle 3 resets maxmemory after each
/// test; then the fixture and the import are fixed and the pass rate reaches 100%.
public enum DemoStory {
    /// What the demo produced.
    public struct Outcome: Sendable {
        public var databasePath: String
        public var resultFiles: [String]
        public var reports: [String]
        public var runs: [RunSummary]
    }

    static let start = Date(timeIntervalSince1970: 1_758_016_800)  // 2025-09-16 10:00 UTC

    static func day(_ number: Int, hour: Int = 0) -> Date {
        start.addingTimeInterval(Double(number) * 86_400 + Double(hour) * 3_600)
    }

    /// Writes the result files, builds the database at `databasePath` (replacing it) and
    /// renders the reports into `reportsFolder`.
    public static func run(databasePath: String, resultsFolder: URL, reportsFolder: URL, renderer: TemplateRenderer)
        throws -> Outcome
    {
        // The demo replaces only what it wrote itself (or what already holds its very text):
        // a user's own database, result file or report of the same name is never touched.
        var written = DemoFiles(manifest: URL(fileURLWithPath: databasePath).deletingLastPathComponent()
            .appendingPathComponent("demo-files.json"))
        try written.checkMayReplace(URL(fileURLWithPath: databasePath), with: nil)
        for file in resultFiles() {
            try written.checkMayReplace(resultsFolder.appendingPathComponent(file.name), with: Data(file.xml.utf8))
        }
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: databasePath + suffix)
        }
        let files = try writeResultFiles(to: resultsFolder)
        for file in files { try written.record(URL(fileURLWithPath: file)) }
        let database = try TriageDatabase(path: databasePath)
        var runIDs: [Int64] = []
        for (index, file) in files.enumerated() {
            let report = try Ingestor(database: database).ingest(
                [file],
                options: IngestOptions(
                    runKey: "demo-\(index + 1)",
                    metadata: RunMetadata(
                        commit: String(format: "%07x", 0xa1b2c3 + index * 0x1111), branch: "main", ciProvider: "github",
                        buildID: String(4100 + index), labels: ["suite": "integration"]),
                    now: day(index)))
            guard let id = report.runID else { throw TriageError.notFound("demo run \(index + 1) stored nothing") }
            runIDs.append(id)
            try remediate(afterRun: index + 1, runIDs: runIDs, database: database)
        }
        let builder = ReportBuilder(database: database, renderer: renderer)
        try FileManager.default.createDirectory(at: reportsFolder, withIntermediateDirectories: true)
        let rendered = try [ReportKind.cycle, .status, .run].map { kind in
            (reportsFolder.appendingPathComponent("\(kind.rawValue).md"), Data(try builder.render(kind, format: .markdown).utf8))
        }
        for (url, data) in rendered { try written.checkMayReplace(url, with: data) }
        var reports: [String] = []
        for (url, data) in rendered {
            try data.write(to: url)
            try written.record(url)
            reports.append(url.path)
        }
        try written.record(URL(fileURLWithPath: databasePath), isDatabase: true)
        try written.save()
        return Outcome(
            databasePath: databasePath, resultFiles: files, reports: reports,
            runs: try database.runs(limit: 10).reversed())
    }

    // MARK: - The people's side of the story

    private static func cluster(_ database: TriageDatabase, run: Int64, category: String) throws -> String {
        guard let found = try database.runDetail(id: run).failuresByCluster.first(where: { $0.category == category })
        else {
            throw TriageError.notFound("demo: run \(run) has no \(category) failure")
        }
        return found.clusterID
    }

    private static func remediate(afterRun number: Int, runIDs: [Int64], database: TriageDatabase) throws {
        let run = runIDs[number - 1]
        switch number {
        case 1:
            let redis = try cluster(database, run: run, category: "connection_refused")
            let record = try FiveWhysBook.create(
                database, problem: "19 Redis integration tests fail: Redis connection required", clusters: [redis],
                owner: "platform-team", now: day(0, hour: 2))
            for (question, answer) in [
                (
                    "Why are the integration tests failing?",
                    "The Redis client raises ConnectionError: nothing answers on localhost:6381"
                ),
                ("Why does nothing answer on 6381?", "No Redis service runs in the test environment"),
                ("Why is no Redis service running?", "The integration job has no step that starts one"),
                ("Why has the job no such step?", "Test infrastructure was written for unit tests only"),
                ("Why was that never caught?", "Integration failures were read as flaky and retried"),
            ] {
                _ = try FiveWhysBook.addWhy(
                    database, id: record.id, answer: answer, question: question, now: day(0, hour: 2))
            }
            var changes = WhysChanges()
            changes.rootCause = "No Redis service in the test environment"
            changes.status = .analysed
            changes.risk = "low"
            changes.priority = "medium"
            changes.businessImpact = "Does not affect production; slows every merge that touches persistence"
            changes.addEvidence = ["CI log of run 1: Error 111 connecting to localhost:6381"]
            changes.checklist = [
                .init(text: "Five-Whys analysis", state: .done),
                .init(text: "Solution designed (fakeredis)", state: .done),
                .init(text: "Implementation persisted", state: .todo),
            ]
            _ = try FiveWhysBook.set(database, id: record.id, changes, now: day(0, hour: 2))
            for option in [
                WhysContent.Option(
                    title: "Install Redis in the CI job", approach: "service container on 6381", pros: ["real service"],
                    cons: ["one more thing to run"], isChosen: true),
                WhysContent.Option(
                    title: "fakeredis", approach: "in-process fake", pros: ["no infrastructure"],
                    cons: ["misses server behaviour"], isChosen: false),
                WhysContent.Option(
                    title: "Skip when Redis is absent", approach: "pytest.mark.skipif", pros: ["green quickly"],
                    cons: ["hides the failures"], isChosen: false),
                WhysContent.Option(
                    title: "Mock the client", approach: "unittest.mock", pros: ["fast"], cons: ["tests nothing real"],
                    isChosen: false),
            ] {
                _ = try FiveWhysBook.addOption(database, id: record.id, option, now: day(0, hour: 2))
            }
            var start = CycleStart(effort: "Redis integration remediation")
            start.maxCycles = 20
            start.scope = "tests.integration.*"
            start.clusters = [redis]
            start.whys = [record.id]
            start.beforeRunID = run
            start.owner = "platform-team"
            let cycle = try RemediationCycles.start(database, start, now: day(0, hour: 3))
            _ = try RemediationCycles.note(
                database, id: cycle.id, "fakeredis approach validated locally; implementation not persisted",
                now: day(0, hour: 6))
        case 2:
            var close = CycleClose(status: .partial)
            close.nextSteps = ["Start a real Redis on 6381 in the integration job"]
            close.findings = ["Root cause identified: no Redis service in the test environment"]
            close.risk = "low"
            close.priority = "medium"
            close.afterRunID = run
            _ = try RemediationCycles.close(database, id: 1, close, now: day(1, hour: 1))
            var start = CycleStart(effort: "Redis integration remediation")
            start.scope = "tests.integration.*"
            start.clusters = [try cluster(database, run: run, category: "connection_refused")]
            start.whys = [1]
            start.beforeRunID = run
            start.owner = "platform-team"
            _ = try RemediationCycles.start(database, start, now: day(1, hour: 2))
        case 3:
            var close = CycleClose(status: .partial)
            close.findings = [
                "Redis answers on 6381: the 10 cache tests pass", "The 9 persistence tests now fail with OOM",
            ]
            close.nextSteps = ["Find what sets maxmemory to 1mb", "Fix the fixture and the import error"]
            close.risk = "low"
            close.priority = "high"
            close.afterRunID = run
            _ = try RemediationCycles.close(database, id: 2, close, now: day(2, hour: 1))
            var fixed = WhysChanges()
            fixed.status = .fixed
            _ = try FiveWhysBook.set(database, id: 1, fixed, now: day(2, hour: 1))

            let oom = try cluster(database, run: run, category: "oom")
            let record = try FiveWhysBook.create(
                database, problem: "9 persistence tests fail with Redis OOM", clusters: [oom], owner: "platform-team",
                now: day(2, hour: 2))
            for answer in [
                "Redis refuses writes: OOM command not allowed when used memory > 'maxmemory'",
                "maxmemory is 1mb on the test server",
                "test_eviction_policy's helper runs CONFIG SET maxmemory 1mb",
                "The helper never restores the setting",
                "No fixture resets Redis configuration between tests",
            ] {
                _ = try FiveWhysBook.addWhy(database, id: record.id, answer: answer, now: day(2, hour: 2))
            }
            var changes = WhysChanges()
            changes.rootCause = "A test helper's CONFIG SET maxmemory 1mb leaks into later tests"
            changes.status = .analysed
            changes.checklist = [
                .init(text: "Leak found", state: .done), .init(text: "Reset after each test", state: .done),
            ]
            _ = try FiveWhysBook.set(database, id: record.id, changes, now: day(2, hour: 2))
            _ = try FiveWhysBook.addOption(
                database, id: record.id,
                .init(
                    title: "Reset maxmemory in an autouse fixture", approach: "CONFIG SET maxmemory 0 after each test",
                    pros: ["fixes every helper"], cons: ["one more fixture"], isChosen: true),
                now: day(2, hour: 2))
            _ = try FiveWhysBook.addOption(
                database, id: record.id,
                .init(
                    title: "Separate Redis per test", approach: "one server per worker", pros: ["full isolation"],
                    cons: ["slow"], isChosen: false),
                now: day(2, hour: 2))
            var start = CycleStart(effort: "Redis integration remediation")
            start.scope = "tests.integration.*"
            start.clusters = [oom]
            start.whys = [record.id]
            start.beforeRunID = run
            start.owner = "platform-team"
            let cycle = try RemediationCycles.start(database, start, now: day(2, hour: 3))
            _ = try RemediationCycles.note(
                database, id: cycle.id, "Fix #14: reset Redis maxmemory after each test", now: day(2, hour: 4))
        case 4:
            var close = CycleClose(status: .success)
            close.findings = ["All 19 Redis tests pass against a real server", "maxmemory is reset after every test"]
            close.nextSteps = ["Restore the isolated_test_env fixture", "Re-export User from app.models"]
            close.risk = "low"
            close.priority = "medium"
            close.afterRunID = run
            _ = try RemediationCycles.close(database, id: 3, close, now: day(3, hour: 1))
            let imports = try cluster(database, run: run, category: "import_error")
            _ = try FiveWhysBook.create(
                database, problem: "2 modules fail to import User from app.models", clusters: [imports],
                owner: "api-team", now: day(3, hour: 2))
        default:
            break
        }
    }

    // MARK: - The result files

    /// The six pytest (xunit2) result files, as `triage demo` ships them.
    public static func resultFiles() -> [(name: String, xml: String)] {
        (1...6).map { ("run-\($0).xml", xml(run: $0)) }
    }

    static func writeResultFiles(to folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try resultFiles().map { file in
            let url = folder.appendingPathComponent(file.name)
            try Data(file.xml.utf8).write(to: url)
            return url.path
        }
    }

    private enum Failure {
        case refused, oom, fixture, importError, timeout
    }

    private static func xml(run: Int) -> String {
        var cases: [String] = []
        func add(_ module: String, _ name: String, _ failure: Failure?, time: Double) {
            let classname = "tests.integration.\(module)"
            let head = "<testcase classname=\"\(classname)\" name=\"\(name)\" time=\"\(String(format: "%.3f", time))\""
            switch failure {
            case nil:
                cases.append(head + " />")
            case .refused?:
                cases.append(
                    head
                        + "><failure message=\"redis.exceptions.ConnectionError: Error 111 connecting to localhost:6381. Connection refused.\">"
                        + "tests/integration/\(module).py:42: in \(name)\n    client.ping()\nE   redis.exceptions.ConnectionError: Error 111 connecting to localhost:6381. Connection refused.</failure></testcase>"
                )
            case .oom?:
                cases.append(
                    head
                        + "><failure message=\"redis.exceptions.OutOfMemoryError: OOM command not allowed when used memory &gt; 'maxmemory'.\">"
                        + "tests/integration/\(module).py:77: in \(name)\n    store.save(snapshot)\nE   redis.exceptions.OutOfMemoryError: OOM command not allowed when used memory &gt; 'maxmemory'.</failure></testcase>"
                )
            case .fixture?:
                cases.append(
                    head
                        + "><error message=\"failed on setup with &quot;file /work/app/tests/integration/\(module).py, line 12&quot;\">"
                        + "file /work/app/tests/integration/\(module).py, line 12\n  def \(name)(isolated_test_env):\nE       fixture 'isolated_test_env' not found\n&gt;       available fixtures: cache, capfd, caplog, monkeypatch, redis_client, tmp_path\n&gt;       use 'pytest --fixtures [testpath]' for help on them.</error></testcase>"
                )
            case .importError?:
                cases.append(
                    head
                        + "><error message=\"collection failure\">ImportError while importing test module '/work/app/tests/integration/\(module).py'.\nTraceback:\ntests/integration/\(module).py:3: in &lt;module&gt;\n    from app.models import User\nE   ImportError: cannot import name 'User' from 'app.models' (/work/app/app/models/__init__.py)</error></testcase>"
                )
            case .timeout?:
                cases.append(
                    head
                        + "><failure message=\"Failed: Timeout &gt;5.0s\">tests/integration/\(module).py:30: in \(name)\n    message = subscriber.get_message(timeout=10)\nE   Failed: Timeout &gt;5.0s</failure></testcase>"
                )
            }
        }
        let redisUp = run >= 3
        let maxmemoryLeak = run == 3
        for index in 1...9 {
            add(
                "test_3tier_persistence_integration", "test_persist_tier_\(index)",
                redisUp ? (maxmemoryLeak ? .oom : nil) : .refused, time: 0.2 + Double(index) * 0.01)
        }
        for index in 1...10 {
            add(
                "test_redis_cache",
                "test_cache_\(["get", "set", "delete", "expire", "ttl", "incr", "pipeline", "scan", "hash", "list"][index - 1])",
                redisUp ? nil : .refused, time: 0.05 + Double(index) * 0.005)
        }
        for index in 1...6 {
            add("test_isolated_env", "test_env_\(index)", run >= 5 ? nil : .fixture, time: 0.01)
        }
        // Collection errors: pytest reports the module itself, with an empty classname.
        for module in ["test_user_api", "test_user_auth"] {
            if run >= 6 {
                add(module, "test_user_roundtrip", nil, time: 0.03)
            } else {
                cases.append(
                    "<testcase classname=\"\" name=\"tests.integration.\(module)\" time=\"0.000\"><error message=\"collection failure\">ImportError while importing test module '/work/app/tests/integration/\(module).py'.\nTraceback:\ntests/integration/\(module).py:3: in &lt;module&gt;\n    from app.models import User\nE   ImportError: cannot import name 'User' from 'app.models' (/work/app/app/models/__init__.py)</error></testcase>"
                )
            }
        }
        add(
            "test_pubsub", "test_pubsub_reconnect", run == 3 || run == 5 ? .timeout : nil,
            time: run == 3 || run == 5 ? 5.01 : 0.8)
        for (module, count) in [("test_api", 12), ("test_auth", 8), ("test_models", 7)] {
            for index in 1...count { add(module, "test_\(module.dropFirst(5))_\(index)", nil, time: 0.02) }
        }
        let timestamp = ISO8601.string(day(run - 1))
        return """
            <?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="0" skipped="0" tests="\(cases.count)" time="42.000" timestamp="\(timestamp)" hostname="ci-runner">
            \(cases.joined(separator: "\n"))
            </testsuite></testsuites>

            """
    }
}

/// What the demo wrote, with each file's SHA-256 when it wrote it (`demo-files.json` beside the
/// demo database): the demo replaces a file only when it is still what the demo wrote, or
/// already holds the text the demo would write.
struct DemoFiles {
    let manifest: URL
    private var digests: [String: String]

    init(manifest: URL) {
        self.manifest = manifest
        digests = (try? JSONDecoder().decode([String: String].self, from: Data(contentsOf: manifest))) ?? [:]
    }

    private static func key(_ url: URL) -> String { url.standardizedFileURL.path }

    private static func digest(_ url: URL) -> String? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return ResultFiles.hex(SHA256.hash(data: data))
    }

    /// Throws when `url` holds a file the demo did not write and that differs from `data`
    /// (nil: any content differs).
    func checkMayReplace(_ url: URL, with data: Data?) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        if let data, (try? Data(contentsOf: url)) == data { return }
        if let recorded = digests[Self.key(url)], recorded == Self.digest(url) || recorded == "database" { return }
        throw TriageError.invalidArgument(
            "\(url.path) exists and the demo did not write it; the demo never replaces your files: move it, or point the demo elsewhere (--db, --results, --reports)"
        )
    }

    mutating func record(_ url: URL, isDatabase: Bool = false) throws {
        digests[Self.key(url)] = isDatabase ? "database" : Self.digest(url)
    }

    func save() throws {
        try JSONEncoder.sorted.encode(digests).write(to: manifest)
    }
}
