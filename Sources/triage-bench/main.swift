import Foundation
import TriageModel
import TriageStore
import Synchronization
import TriageKit

// triage-bench: speed and memory figures, printed (never asserted in unit tests).
//
//   swift run -c release triage-bench ingest [--cases 500000] [--file F] [--peer PYTHON] [--shards 16] [--shard-cases 25000]
//   swift run -c release triage-bench classify [--messages 200000] [--file F] [--write F] [--output F] [--peer PYTHON]
//   swift run -c release triage-bench history [--runs 1000] [--from K] [--tests 2000] [--writers N] [--db postgres|URL|PATH] [--prune [--keep N]]
//
// Paths to ../shared are found relative to the package root; SHARED overrides.

let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first ?? "help"

func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let shared = URL(
    fileURLWithPath: ProcessInfo.processInfo.environment["SHARED"]
        ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared").path)

func peakMemoryMiB() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

/// CPU seconds (user and system) used so far by this process (`RUSAGE_SELF`) or by its
/// finished children (`RUSAGE_CHILDREN`). On a shared machine CPU time moves less than wall
/// time: a thread waiting for a core costs wall time only.
func cpuSeconds(_ who: __rusage_who = RUSAGE_SELF) -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(who.rawValue), &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

@discardableResult
func shell(
    _ executable: String, _ args: [String], stdin: URL? = nil, stdout: URL? = nil
) throws -> (status: Int32, seconds: Double, cpu: Double) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + args
    if let stdin { process.standardInput = try FileHandle(forReadingFrom: stdin) }
    if let stdout {
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: stdout)
    } else {
        process.standardOutput = FileHandle.nullDevice
    }
    process.standardError = FileHandle.nullDevice
    let start = Date()
    let cpuBefore = cpuSeconds(RUSAGE_CHILDREN)
    try process.run()
    process.waitUntilExit()
    return (process.terminationStatus, Date().timeIntervalSince(start), cpuSeconds(RUSAGE_CHILDREN) - cpuBefore)
}

/// The Python of the peers' virtual environment: `--peer`, else ~/peers/bin/python if present.
func peerPython() -> String? {
    option("peer")
        ?? (FileManager.default.fileExists(atPath: NSHomeDirectory() + "/peers/bin/python")
            ? NSHomeDirectory() + "/peers/bin/python" : nil)
}

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("triage-bench-\(getpid())")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func fmt(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

// MARK: - ingest

func benchIngest() throws {
    let cases = Int(option("cases") ?? "500000") ?? 500_000
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file: URL
    if let given = option("file") {
        file = URL(fileURLWithPath: given)
    } else {
        file = folder.appendingPathComponent("results-\(cases).xml")
        print("generating \(cases) cases with gen_junit.py …")
        let result = try shell(
            "python3", [shared.appendingPathComponent("bench/gen_junit.py").path, String(cases)], stdout: file)
        guard result.status == 0 else {
            throw TriageError.invalidArgument("gen_junit.py failed; is ../shared beside the package?")
        }
    }
    let size =
        Double((try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value ?? 0)
        / 1_048_576
    print("file: \(file.path) (\(fmt(size, 1)) MB)")

    if let floor = try? shell("xmllint", ["--stream", "--noout", file.path]), floor.status == 0 {
        print("parse floor  xmllint --stream --noout: \(fmt(floor.seconds)) s")
    } else {
        print("parse floor  xmllint not found (apt-get install libxml2-utils)")
    }
    // The floor of anything built on FoundationXML: one streaming XMLParser pass that only
    // counts, built from the shared benchmark source; the ingest ratio below is against it.
    var xmlParserFloor: Double?
    var xmlParserFloorCPU: Double?
    let floorBinary = folder.appendingPathComponent("xmlparser_floor")
    if let built = try? shell(
        "swiftc", ["-O", shared.appendingPathComponent("bench/xmlparser_floor.swift").path, "-o", floorBinary.path]),
        built.status == 0
    {
        let runs = (0..<3).compactMap { _ in try? shell(floorBinary.path, [file.path]) }
        xmlParserFloor = runs.map(\.seconds).min()
        xmlParserFloorCPU = runs.map(\.cpu).min()
        print(
            "parse floor  xmlparser_floor (one XMLParser pass, best of 3): \(fmt(xmlParserFloor ?? 0)) s, cpu \(fmt(xmlParserFloorCPU ?? 0)) s"
        )
    } else {
        print("parse floor  xmlparser_floor could not be built (swiftc, bench/xmlparser_floor.swift)")
    }
    var parsed = 0
    let parseStart = Date()
    let parseCPUBefore = cpuSeconds()
    _ = try ReportReader.read(file) { _ in parsed += 1 }
    let parseSeconds = Date().timeIntervalSince(parseStart)
    print(
        "parse only   triage (XMLParser, no database): \(fmt(parseSeconds)) s, \(Int(Double(parsed) / parseSeconds)) cases/s, cpu \(fmt(cpuSeconds() - parseCPUBefore)) s"
    )

    let database = try TriageDatabase(path: folder.appendingPathComponent("bench.sqlite").path)
    let start = Date()
    let cpuBefore = cpuSeconds()
    let report = try Ingestor(database: database).ingest([file.path])
    let seconds = Date().timeIntervalSince(start)
    let cpu = cpuSeconds() - cpuBefore
    let tests = report.totals?.tests ?? 0
    print(
        "ingest       triage into a fresh database (signatures on): \(fmt(seconds)) s, \(Int(Double(tests) / seconds)) cases/s, \(fmt(size / seconds, 1)) MB/s; cpu \(fmt(cpu)) s (all threads)"
    )
    if let xmlParserFloor {
        print("ratio        ingest / xmlparser_floor: \(fmt(seconds / xmlParserFloor, 1))× (target ≤ 2.5×)")
    }
    if let xmlParserFloorCPU {
        print("ratio        cpu: ingest / xmlparser_floor: \(fmt(cpu / xmlParserFloorCPU, 1))× (no target; what the work costs, whatever the load)")
    }
    print("peak memory  \(fmt(peakMemoryMiB(), 1)) MiB (VmHWM of this process: parse, ingest and the steps before)")
    // After the peak memory is read: these open two more databases of their own.
    try benchStorage(file: file, cases: parsed, folder: folder, floor: xmlParserFloor)

    if let peer = peerPython() {
        let result = try shell(
            peer,
            [
                shared.appendingPathComponent("bench/peer_junitparser.py").path, file.path,
                folder.appendingPathComponent("peer.sqlite").path,
            ])
        let ratio = result.seconds / seconds
        print(
            "peer         peer_junitparser.py: \(fmt(result.seconds)) s (exit \(result.status)); triage "
                + (ratio >= 1 ? "is \(fmt(ratio, 1))× faster" : "takes \(fmt(1 / ratio, 1))× as long"))
    } else {
        print(
            "peer         skipped: no ~/peers/bin/python (python3 -m venv ~/peers && ~/peers/bin/pip install junitparser drain3), or pass --peer PYTHON"
        )
    }
    let shards = Int(option("shards") ?? "16") ?? 16
    if shards > 0 {
        try benchIngestJobs(folder: folder, shards: shards, cases: Int(option("shard-cases") ?? "25000") ?? 25_000)
    }
}

/// The one writer is what bounds ingest on two cores: what it costs with the parsing taken
/// out, beside what SQLite alone needs for the same number of rows in the leanest layout
/// (`StorageFloor`). Both as ratios to the XMLParser floor, the target's unit.
func benchStorage(file: URL, cases: Int, folder: URL, floor: Double?) throws {
    func ratio(_ seconds: Double) -> String {
        floor.map { " = \(fmt(seconds / $0, 1))× the xmlparser_floor" } ?? ""
    }
    let storageFloor = try StorageFloor(path: folder.appendingPathComponent("floor.sqlite").path)
    let minimal = try storageFloor.measure { storeRows in
        // The reader keeps its handler for the file's lifetime only: it returns before `measure` does.
        try withoutActuallyEscaping(storeRows) { store in
            var rows: [StorageFloor.Row] = []
            rows.reserveCapacity(10_000)
            _ = try ReportReader.read(file) { testCase in
                let last = testCase.attempts.last
                rows.append(
                    StorageFloor.Row(
                        identityHash: testCase.identity.storageHash, suite: testCase.suite, classname: testCase.classname,
                        name: testCase.name, file: testCase.file, outcome: testCase.outcome.rawValue,
                        duration: testCase.duration, message: last?.message, failureText: last?.failureText,
                        stdout: last?.stdout, stderr: last?.stderr))
                if rows.count == 10_000 {
                    try store(rows)
                    rows.removeAll(keepingCapacity: true)
                }
            }
            try store(rows)
        }
    }
    print(
        "store floor  SQLite alone, the file's \(cases) cases as a row per test and per result (WITHOUT ROWID results, one index, the texts in the result): \(fmt(minimal)) s\(ratio(minimal))"
    )

    // The file's cases and signatures are made first and the writer alone is timed, case by
    // case, then the commit: the ingest's writer without the parsing it waits for.
    let database = try TriageDatabase(path: folder.appendingPathComponent("writer.sqlite").path)
    let engine = SignatureEngine.builtin
    var writing: UInt64 = 0
    let commitStart = try database.ingestTransaction { store -> UInt64 in
        let now = Date()
        let run = try store.run(key: "bench-writer", metadata: RunMetadata(), createdAt: now, runAt: now)
        let fileID = try store.addFile(path: file.path, format: .junit, size: 0, sha256: "", runID: run.id, at: now)
        let writer = try store.writer(runID: run.id, rulesVersion: engine.rulesVersion)
        _ = try ReportReader.read(file) { testCase in
            let signatures = engine.signatures(of: testCase)
            let before = DispatchTime.now().uptimeNanoseconds
            try writer.write(testCase, signatures: signatures, fileID: fileID)
            writing += DispatchTime.now().uptimeNanoseconds - before
        }
        try writer.flush()
        return DispatchTime.now().uptimeNanoseconds
    }
    let total = Double(writing + DispatchTime.now().uptimeNanoseconds - commitStart) / 1e9
    print("store only   triage's writer on the file's cases, parsing excluded, with the commit: \(fmt(total)) s\(ratio(total))")
}

/// `--jobs`: a folder of `shards` files of `cases` each (the names made distinct per file, so
/// that they are one run), ingested with `--jobs 1` and with one job per core into new
/// databases; the two stored runs must hold the same results.
func benchIngestJobs(folder: URL, shards: Int, cases: Int) throws {
    let shardFolder = folder.appendingPathComponent("shards")
    try FileManager.default.createDirectory(at: shardFolder, withIntermediateDirectories: true)
    print("generating \(shards) files × \(cases) cases with gen_junit.py …")
    for shard in 0..<shards {
        let generated = folder.appendingPathComponent("generated.xml")
        let result = try shell(
            "python3", [shared.appendingPathComponent("bench/gen_junit.py").path, String(cases), "--seed", String(shard + 1)],
            stdout: generated)
        guard result.status == 0 else { throw TriageError.invalidArgument("gen_junit.py failed") }
        let text = try String(contentsOf: generated, encoding: .utf8)
            .replacingOccurrences(of: "classname=\"tests.", with: "classname=\"shard\(shard).tests.")
        try text.write(to: shardFolder.appendingPathComponent("results-\(shard).xml"), atomically: false, encoding: .utf8)
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    var seconds: [Int: Double] = [:]
    var stored: [Int: RunTotals] = [:]
    for jobs in [1, cores] {
        let database = try TriageDatabase(path: folder.appendingPathComponent("jobs-\(jobs).sqlite").path)
        let start = Date()
        let cpuBefore = cpuSeconds()
        let report = try Ingestor(database: database).ingest([shardFolder.path], options: IngestOptions(jobs: jobs))
        seconds[jobs] = Date().timeIntervalSince(start)
        stored[jobs] = report.totals
        print(
            "jobs         --jobs \(jobs): \(fmt(seconds[jobs] ?? 0)) s, cpu \(fmt(cpuSeconds() - cpuBefore)) s, \(report.totals?.tests ?? 0) tests stored"
        )
    }
    if let one = seconds[1], let all = seconds[cores], cores > 1 {
        print(
            "ratio        --jobs 1 / --jobs \(cores): \(fmt(one / all))× (target ≥ 1.4×); same totals: \(stored[1] == stored[cores])")
    }
}

// MARK: - classify

/// The labeled failure messages of ../shared/signatures, one record a line.
func labeledRecords() throws -> [[String: Any]] {
    let url = shared.appendingPathComponent("signatures/labeled.jsonl")
    return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap { line in
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }
}

/// `count` messages in the shapes of the labeled set: each is a labeled message and trace
/// with what varies between real runs changed (object addresses, line numbers, long numbers
/// such as process ids), under one of 50 test names per message. The same count gives the
/// same file.
func writeClassifyInput(count: Int, to file: URL) throws {
    let records = try labeledRecords()
    var generator = SplitMix(seed: 12)
    func vary(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let match = rest.firstMatch(of: /0x[0-9a-f]{4,}|line [0-9]+|[0-9]{5,}/) {
            result += rest[..<match.range.lowerBound]
            let found = match.output
            if found.hasPrefix("0x") {
                result += "0x" + String(generator.next() & 0xFFFF_FFFF_FFFF, radix: 16)
            } else if found.hasPrefix("line ") {
                result += "line \(generator.next() % 2000 + 1)"
            } else {
                result += String(generator.next() % 90_000 + 10_000)
            }
            rest = rest[match.range.upperBound...]
        }
        return result + rest
    }
    var output = Data()
    for number in 0..<count {
        let record = records[Int(generator.next() % UInt64(records.count))]
        let line: [String: Any] = [
            "id": "m-\(number)",
            "message": vary(record["message"] as? String ?? ""),
            "trace": vary(record["trace"] as? String ?? ""),
            "test": "\(record["test"] as? String ?? "test")[\(generator.next() % 50)]",
        ]
        output.append(try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]))
        output.append(UInt8(ascii: "\n"))
    }
    try output.write(to: file)
}

/// Times `triage classify` and the Drain3 peer on the same file of messages with traces, and
/// the signature engine alone on those messages in this process.
func benchClassify() throws {
    let count = Int(option("messages") ?? "200000") ?? 200_000
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file: URL
    if let given = option("file") {
        file = URL(fileURLWithPath: given)
    } else {
        file = folder.appendingPathComponent("messages-\(count).jsonl")
        try writeClassifyInput(count: count, to: file)
        if let kept = option("write") {
            try? FileManager.default.removeItem(atPath: kept)
            try FileManager.default.copyItem(at: file, to: URL(fileURLWithPath: kept))
        }
    }
    let contents = try String(contentsOf: file, encoding: .utf8)
    let inputs = contents.split(separator: "\n").compactMap { line -> FailureInput? in
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            return nil
        }
        return FailureInput(
            message: object["message"] as? String, text: object["trace"] as? String, test: object["test"] as? String)
    }
    let characters = inputs.reduce(0) { $0 + ($1.message?.count ?? 0) + ($1.text?.count ?? 0) } / max(inputs.count, 1)
    print("file: \(file.path) (\(inputs.count) messages with traces, \(characters) characters each on average)")

    let engine = SignatureEngine.builtin
    var sink = 0
    let engineStart = Date()
    for input in inputs { sink &+= engine.signature(for: input).clusterID.utf8.count }
    let engineSeconds = Date().timeIntervalSince(engineStart)
    print(
        "engine       SignatureEngine.builtin in this process: \(fmt(engineSeconds)) s, \(Int(Double(inputs.count) / engineSeconds)) messages/s (checksum \(sink % 1000))"
    )

    // The command a script runs: JSON lines in, JSON lines out, one process.
    let triage = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
        "triage")
    var classifySeconds: Double?
    if FileManager.default.isExecutableFile(atPath: triage.path) {
        let output = URL(fileURLWithPath: option("output") ?? folder.appendingPathComponent("classified.jsonl").path)
        let runs = (0..<3).compactMap { _ in
            try? shell(triage.path, ["classify"], stdin: file, stdout: output)
        }
        classifySeconds = runs.filter { $0.status == 0 }.map(\.seconds).min()
        if let classifySeconds {
            print(
                "classify     triage classify < file > out (best of 3): \(fmt(classifySeconds)) s, \(Int(Double(inputs.count) / classifySeconds)) messages/s"
            )
        } else {
            print("classify     triage classify failed (exit \(runs.first?.status ?? -1))")
        }
    } else {
        print("classify     skipped: no triage binary beside triage-bench (swift build -c release)")
    }

    if let peer = peerPython() {
        let result = try shell(peer, [shared.appendingPathComponent("bench/peer_drain3.py").path, file.path])
        print("peer         peer_drain3.py (Drain3): \(fmt(result.seconds)) s (exit \(result.status))")
        if let classifySeconds {
            print("ratio        Drain3 / triage classify: \(fmt(result.seconds / classifySeconds, 1))× (target ≥ 5×)")
        }
    } else {
        print(
            "peer         skipped: no ~/peers/bin/python (python3 -m venv ~/peers && ~/peers/bin/pip install junitparser drain3), or pass --peer PYTHON"
        )
    }
}

// MARK: - history at scale

/// A pytest-like run: `tests` tests, 7.5% always failing, 7.5% flaky (failing 40% of runs).
func historyRunXML(run: Int, tests: Int) -> String {
    var generator = SplitMix(seed: UInt64(run) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
    var cases = ""
    cases.reserveCapacity(tests * 120)
    for index in 0..<tests {
        let character = Double((index &* 2_654_435_761) % 1000) / 1000
        let fails = character < 0.075 || (character < 0.15 && generator.nextDouble() < 0.4)
        let head =
            "<testcase classname=\"tests.area_\(index / 200).test_mod_\(index % 13)\" name=\"test_\(index)\" time=\"0.0\(index % 10)\""
        if fails {
            let message =
                character < 0.075
                ? "redis.exceptions.ConnectionError: Error 111 connecting to localhost:6381. Connection refused."
                : "Failed: Timeout &gt;5.0s"
            cases += head + "><failure message=\"\(message)\">trace</failure></testcase>\n"
        } else {
            cases += head + "/>\n"
        }
    }
    return "<testsuites><testsuite name=\"pytest\">\n\(cases)</testsuite></testsuites>\n"
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// `--db postgres`: a new database on the server `Tests/Scripts/with_postgres.sh` started;
/// `--db URL` or a path: that history; default: a new SQLite file.
func benchDatabaseLocation(folder: URL) throws -> String {
    switch option("db") {
    case nil: return folder.appendingPathComponent("history.sqlite").path
    case "postgres"?: return try ScratchPostgres.create(prefix: "bench")
    case let location?: return location
    }
}

func benchHistory() throws {
    let runs = Int(option("runs") ?? "1000") ?? 1000
    let tests = Int(option("tests") ?? "2000") ?? 2000
    // Runs stored at once by separate connections (each one a CI job of its own).
    let writers = max(1, Int(option("writers") ?? "1") ?? 1)
    // `--from K` numbers the runs K, K+1, …: more runs into a history an earlier call filled.
    let first = Int(option("from") ?? "0") ?? 0
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let location = try benchDatabaseLocation(folder: folder)
    let database = try TriageDatabase(path: location)
    print("history      on \(database.path)")
    let runTimes = Mutex<[Double]>([])
    let failures = Mutex<[String]>([])
    let start = Date()
    let perWriter = (runs + writers - 1) / writers
    DispatchQueue.concurrentPerform(iterations: writers) { writer in
        do {
            let own = writer == 0 ? database : try TriageDatabase(path: location)
            let ingestor = Ingestor(database: own)
            let file = folder.appendingPathComponent("run-\(writer).xml")
            for offset in stride(from: writer * perWriter, to: min(runs, (writer + 1) * perWriter), by: 1) {
                let run = first + offset
                try Data(historyRunXML(run: run, tests: tests).utf8).write(to: file)
                let runStart = Date()
                _ = try ingestor.ingest(
                    [file.path],
                    options: IngestOptions(runKey: "run-\(run)", metadata: RunMetadata(commit: "c\(run)", branch: "main")))
                let stored = runTimes.withLock { $0.append(Date().timeIntervalSince(runStart)); return $0.count }
                if stored % 100 == 0 { print("  \(stored) runs stored (\(fmt(Date().timeIntervalSince(start), 1)) s)") }
            }
        } catch {
            failures.withLock { $0.append("\(error)") }
        }
    }
    if let failure = failures.withLock({ $0.first }) { throw TriageError.invalidArgument("ingest failed: \(failure)") }
    let timings = runTimes.withLock { $0 }
    let elapsed = Date().timeIntervalSince(start)
    print(
        "throughput   \(writers) writer\(writers == 1 ? "" : "s"): \(fmt(Double(runs * tests) / elapsed, 0)) results/s"
    )
    let firstTen = timings.prefix(10).reduce(0, +) / Double(max(1, min(10, timings.count)))
    let lastTen = timings.suffix(10).reduce(0, +) / Double(max(1, min(10, timings.count)))
    print(
        "history      \(runs) runs × \(tests) tests = \(runs * tests) results stored in \(fmt(Date().timeIntervalSince(start), 1)) s"
    )
    print(
        "ingest       one run of \(tests) tests: \(fmt(firstTen * 1000, 0)) ms (first 10 runs) vs \(fmt(lastTen * 1000, 0)) ms (last 10 runs)"
    )
    func time(_ label: String, _ body: () throws -> String) rethrows {
        let started = Date()
        let summary = try body()
        print("\(label)\(fmt(Date().timeIntervalSince(started), 3)) s  (\(summary))")
    }
    let latest = try database.latestRunID() ?? 0
    try time("flaky        ") {
        let report = try FlakinessAnalyzer.analyze(database)
        return
            "\(report.tests(in: .flaky).count) flaky, \(report.tests(in: .broken).count) broken over \(report.runIDs.count) runs"
    }
    try time("trend        ") { "\(try Trend.load(database, last: 30).points.count) points" }
    try time("diff         ") {
        let diff = try RunComparison.compare(database, before: latest - 1, after: latest)
        return "\(diff.newFailures.count) new failures, \(diff.fixed.count) fixed"
    }
    try time("clusters     ") { "\(try database.clusterSummaries().count) clusters" }
    try time("report status") {
        "\(try ReportBuilder(database: database, renderer: TemplateRenderer()).render(.status, format: .markdown).count) characters"
    }
    try time("history TEST ") {
        let history = try TestHistory.load(database, test: "tests.area_0.test_mod_1::test_1")
        return "\(history.entries.count) results of one test"
    }
    if CommandLine.arguments.contains("--prune") {
        try time("prune        ") {
            // `--keep N`: the newest N runs stay (default: half of the runs just stored).
            let keep = Int(option("keep") ?? "") ?? runs / 2
            let report = try database.prune(before: nil, keepRuns: keep, dryRun: false)
            return "\(report.runs.count) runs, \(report.results) results; \(report.bytesBefore / 1_048_576) → \(report.bytesAfter / 1_048_576) MiB"
        }
    }
}

switch command {
case "ingest": try benchIngest()
case "classify": try benchClassify()
case "history": try benchHistory()
default:
    print(
        "usage: triage-bench ingest [--cases N] [--file F] [--peer PYTHON] | classify [--messages N] [--file F] [--write F] [--output F] [--peer PYTHON] | history [--runs N] [--from K] [--tests N] [--writers N] [--db postgres|URL|PATH] [--prune [--keep N]]"
    )
}
