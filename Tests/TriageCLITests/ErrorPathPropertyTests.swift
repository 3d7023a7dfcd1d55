import Foundation
import Testing

/// A seeded property over the commands' error paths: no input, file, template or database may
/// end the process with a signal; each gets its one-line `triage: ` error and an exit code the
/// README lists (0, 1, 2, 3, 4, 5, or 64 for bad usage).
///
/// Replay a failure with the seed and case number it reports:
/// `TRIAGE_FUZZ_SEED=<seed> TRIAGE_FUZZ_CASES=<n> swift test --filter ErrorPathPropertyTests`
/// (case n is the n-th invocation; every case starts from the same database and files).
/// `TRIAGE_FUZZ_VERBOSE=1` prints each invocation with its exit code.
@Suite struct ErrorPathPropertyTests {
    static let documentedCodes: Set<Int32> = [0, 1, 2, 3, 4, 5, 64]

    // MARK: - A seeded generator (SplitMix64)

    struct SplitMix64 {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
        mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
    }

    // MARK: - Running the binary, noting how it ended

    struct Outcome {
        var reason: Process.TerminationReason
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    /// Runs the binary in `cli.folder` with stdout and stderr in files (no pipe can fill up)
    /// and a deadline, so a hang is reported instead of stalling the suite.
    static func run(_ arguments: [String], in cli: CLI, timeout: TimeInterval = 30) throws -> Outcome {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.currentDirectoryURL = cli.folder
        process.environment = cli.environment
        let outURL = cli.folder.appendingPathComponent(".fuzz-stdout")
        let errURL = cli.folder.appendingPathComponent(".fuzz-stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                process.terminate()
                process.waitUntilExit()
                break
            }
            usleep(2_000)
        }
        process.waitUntilExit()
        return Outcome(
            reason: process.terminationReason, status: process.terminationStatus,
            stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self),
            timedOut: timedOut)
    }

    /// What is wrong with an outcome, or nil when it keeps the promise.
    static func problem(with outcome: Outcome) -> String? {
        if outcome.timedOut { return "did not finish in time" }
        if outcome.reason != .exit { return "ended by signal \(outcome.status)" }
        if !documentedCodes.contains(outcome.status) { return "undocumented exit code \(outcome.status)" }
        switch outcome.status {
        case 0, 1:
            return nil
        case 64:
            return outcome.stderr.isEmpty ? "exit 64 without a usage message" : nil
        default:
            let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: true)
            if lines.isEmpty { return "exit \(outcome.status) without a message" }
            if let bad = lines.first(where: { !$0.hasPrefix("triage: ") }) {
                return "exit \(outcome.status) with a line not starting `triage: `: \(bad.debugDescription)"
            }
            return nil
        }
    }

    static func show(_ arguments: [String]) -> String {
        arguments.map { $0.debugDescription }.joined(separator: " ")
    }

    // MARK: - The setting: a small history, damaged inputs, hostile templates

    static func write(_ data: Data, to relative: String, in cli: CLI) throws {
        let url = cli.folder.appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    /// Writes the result files, good and damaged; again before every case, as a case may
    /// have written over one of them (`--output good.xml`).
    static func writeInputs(_ cli: CLI) throws {
        let fm = FileManager.default
        let good = try Data(contentsOf: URL(fileURLWithPath: CLI.fixture("junit/pytest-rerun-and-teardown.xml")))
        try write(good, to: "good.xml", in: cli)
        try write(
            Data(contentsOf: URL(fileURLWithPath: CLI.fixture("junit/surefire-flaky-and-rerun.xml"))), to: "good2.xml",
            in: cli)
        try write(good.prefix(good.count / 2), to: "truncated.xml", in: cli)
        try write(Data(), to: "empty.xml", in: cli)
        var junk = SplitMix64(seed: 7)
        try write(Data((0..<4096).map { _ in UInt8(truncatingIfNeeded: junk.next()) }), to: "junk.bin", in: cli)
        try write(Data([0xEF, 0xBB, 0xBF]), to: "bom-only.xml", in: cli)
        try write(Data("<testsuites><testsuite name=\"x\"><testcase name=\"".utf8), to: "cut-in-tag.xml", in: cli)
        try write(Data("<?xml version=\"1.0\"?>\n<html><body/></html>".utf8), to: "unknown-root.xml", in: cli)
        try fm.createDirectory(at: cli.folder.appendingPathComponent("dir"), withIntermediateDirectories: true)
        try fm.createDirectory(at: cli.folder.appendingPathComponent("empty-dir"), withIntermediateDirectories: true)
    }

    static func prepare(_ cli: CLI) throws {
        try writeInputs(cli)

        // Templates: a partial that includes itself, one that includes a missing partial,
        // one that does not parse.
        try write(Data("{{%CONTENT_TYPE: TEXT}}\n{{> _totals.md}}\n".utf8), to: "tpl-self/_totals.md.mustache", in: cli)
        try write(
            Data("{{%CONTENT_TYPE: TEXT}}\n{{> _categories.md}}\n".utf8), to: "tpl-loop/_totals.md.mustache", in: cli)
        try write(
            Data("{{%CONTENT_TYPE: TEXT}}\n{{> _totals.md}}\n".utf8), to: "tpl-loop/_categories.md.mustache", in: cli)
        try write(Data("{{%CONTENT_TYPE: TEXT}}\n{{> _nope.md}}\n".utf8), to: "tpl-missing/run.md.mustache", in: cli)
        try write(Data("{{%CONTENT_TYPE: TEXT}}\n{{> _nope.md}}\n".utf8), to: "tpl-missing/status.md.mustache", in: cli)
        try write(Data("{{%CONTENT_TYPE: TEXT}}\n{{#totals}}\n".utf8), to: "tpl-bad/run.md.mustache", in: cli)
        try write(Data("{{%CONTENT_TYPE: TEXT}}\n{{#totals}}\n".utf8), to: "tpl-bad/status.md.mustache", in: cli)
        try write(Data("{{%CONTENT_TYPE: TEXT}}\n{{/x}}\n".utf8), to: "tpl-bad/ci-summary.md.mustache", in: cli)
        try write(Data("{{%CONTENT_TYPE: TEXT}}\n{{#x}}\n".utf8), to: "tpl-bad/cycle.md.mustache", in: cli)
        try write(Data([0xFF, 0xFE, 0x00, 0x7B]), to: "tpl-binary/run.md.mustache", in: cli)

        // The history every case starts from.
        for arguments in [
            ["ingest", "good.xml", "--run-id", "r1", "--branch", "main"],
            ["ingest", "good2.xml", "--run-id", "r2", "--branch", "main"],
            ["cycle", "start", "Fix the flaky tests"],
            ["quarantine", "add", "tests.*", "--pattern", "--reason", "fuzz"],
        ] {
            let result = try run(arguments, in: cli)
            try #require(result.reason == .exit && result.status == 0, "\(arguments): \(result.stdout)\(result.stderr)")
        }
    }

    // MARK: - Hostile values

    static let ids = [
        "0", "-1", "1", "2", "99999", "18446744073709551616", "9223372036854775807", "-9223372036854775808",
        "abc", "", " 1", "0x10", "1e3", "1.5", "１", "r1", "--", "%n%s", "'; DROP TABLE runs; --",
    ]
    /// Ids for Int64 arguments: mostly numbers that parse, so the product's own checks run.
    static let numericIDs = ["0", "1", "2", "3", "99999", "9223372036854775807", "4294967296"]
    static func runID(_ g: inout SplitMix64) -> [String] {
        if g.chance(15) { return ["--", g.pick(["-1", "-9223372036854775808"])] }
        return [g.chance(75) ? g.pick(numericIDs) : g.pick(ids)]
    }
    static let names = [
        "", "\t", "a\u{1}b", "\u{7F}", "\u{1B}[31mred", "tests.*", "[", "]", "[!a-z]", "**", "?", "*", "名前",
        "😀\u{200D}😀", "a\nb", "../..", "-", "%s%n", "' OR 1=1 --", "\u{202E}evil", "\\",
        String(repeating: "x", count: 5000),
        "tests/test_a.py::test_x[param-1]", "a b",
    ]
    static let inputs = [
        "missing.xml", "nope/dir/x.xml", "dir", "empty-dir", "/dev/null", "empty.xml", "truncated.xml", "junk.bin",
        "bom-only.xml", "cut-in-tag.xml", "unknown-root.xml", "good.xml", "good2.xml", "**/*.xml", "[", "",
        "/dev/full", ".triage/triage.sqlite",
    ]
    static let outputs = [
        "/dev/full", "/dev/null", "dir", "nope/x/out.md", ".triage/triage.sqlite", "", "out.md", "good.xml", "/",
        ".triage",
    ]
    static let variants = ["", "=", "key", "=v", "k=", "a=b=c", "k=v", "k=v=", "\u{1}=x", "python=3.12"]
    static let expiries = [
        "", "0d", "-1d", "3651d", "3650d", "99999999999999999999d", "2025-13-45", "tomorrow", "12h", "1w", "2w3d",
        "0000-00-00", "1970-01-01", "9999-12-31", "14D", "d",
    ]
    static let formats = ["text", "json", "markdown", "pytest", "junit-skip", "json", "markdown", "", "xml", "JSON"]
    static let templateFolders = [
        "tpl-self", "tpl-loop", "tpl-missing", "tpl-bad", "tpl-binary", "missing-dir", "/dev/null", "good.xml", "",
    ]
    static let databases = ["junk.bin", "/dev/null", "dir", "nope/x/db.sqlite", "good.xml", "empty.xml", "", "/"]
    static let numbers = ["0", "1", "2", "1000000", "2147483648", "9223372036854775807", "abc", "", "-0", "=-1"]
    static let rates = ["0", "1", "-0.1", "1.1", "NaN", "inf", "abc", "", "0.95"]

    /// One invocation: a subcommand with mostly hostile values.
    static func invocation(_ g: inout SplitMix64) -> [String] {
        var args: [String]
        switch g.below(22) {
        case 0:
            args = ["ingest"] + (0..<(1 + g.below(3))).map { _ in g.pick(inputs) }
            if g.chance(30) { args += ["--variant", g.pick(variants)] }
            if g.chance(20) { args += ["--label", g.pick(variants)] }
            if g.chance(20) { args += ["--date", g.pick(expiries)] }
            if g.chance(20) { args += ["--input-format", g.pick(formats)] }
            if g.chance(20) { args += ["--jobs", g.pick(numbers)] }
            if g.chance(20) { args.append("--keep-going") }
            if g.chance(20) { args.append("--each") }
            if g.chance(20) { args += ["--run-id", g.pick(names)] }
        case 1:
            args = ["parse"] + (0..<(1 + g.below(2))).map { _ in g.pick(inputs) }
            if g.chance(30) { args += ["--input-format", g.pick(formats)] }
        case 2:
            args = ["runs"]
            if g.chance(40) { args += ["--limit", g.pick(numbers)] }
            if g.chance(30) { args += ["--branch", g.pick(names)] }
        case 3:
            args = ["runs", "show"]
            if g.chance(80) { args += runID(&g) }
        case 4:
            args = ["runs", "delete"] + runID(&g)
        case 5:
            args = ["history", g.pick(names + ids)]
            if g.chance(30) { args += ["--last", g.pick(numbers)] }
        case 6:
            args = ["flaky"]
            if g.chance(50) { args += ["--variant", g.pick(variants)] }
            if g.chance(30) { args += ["--window", g.pick(numbers)] }
            if g.chance(20) { args += ["--min-runs", g.pick(numbers)] }
            if g.chance(20) { args += ["--infra-threshold", g.pick(rates)] }
            if g.chance(20) { args += ["--branch", g.pick(names)] }
        case 7:
            args = ["trend"]
            if g.chance(50) { args += ["--last", g.pick(numbers)] }
            if g.chance(30) { args += ["--branch", g.pick(names)] }
        case 8:
            args = ["diff"] + [g.chance(80) ? g.pick(numericIDs) : g.pick(ids)] + runID(&g)
        case 9:
            args = ["clusters", "show", g.pick(ids + names)]
            if g.chance(30) { args += ["--last", g.pick(numbers)] }
        case 10:
            args = ["whys", "show"] + runID(&g)
        case 11:
            args = ["cycle", "show"]
            if g.chance(30) { args += ["--after", g.pick(numericIDs)] }
            args += runID(&g)
        case 12:
            args = ["cycle", "close"]
            if g.chance(90) { args += ["--status", g.pick(["success", "partial", "failed", "", "SUCCESS", "done"])] }
            if g.chance(30) { args += ["--after", g.pick(numericIDs)] }
            if g.chance(30) { args += ["--finding", g.pick(names)] }
            args += runID(&g)
        case 13:
            args = ["quarantine", "add", g.pick(names)]
            if g.chance(70) { args += ["--reason", g.pick(names)] }
            if g.chance(60) { args += ["--expires", g.pick(expiries)] }
            if g.chance(30) { args.append("--pattern") }
            if g.chance(20) { args += ["--owner", g.pick(names)] }
        case 14:
            args = ["quarantine", "remove", g.pick(names)]
        case 15:
            args = ["quarantine", "export"]
            if g.chance(60) { args += ["--format", g.pick(formats)] }
            if g.chance(60) { args += ["--output", g.pick(outputs)] }
        case 16, 17:
            args = ["report", g.pick(["status", "run", "cycle", "", "nope", "STATUS"])]
            if g.chance(40) { args.append(g.pick(ids)) }
            if g.chance(30) { args.append(g.pick(formats)) }
            if g.chance(50) { args += ["--templates", g.pick(templateFolders)] }
            if g.chance(40) { args += ["--output", g.pick(outputs)] }
            if g.chance(20) { args += ["--format", g.pick(formats)] }
        case 18, 19:
            args = ["ci"] + (0..<(1 + g.below(2))).map { _ in g.pick(inputs) }
            if g.chance(40) {
                args += ["--fail-on", g.pick(["never", "any-failure", "new-failures", "new-clusters", "", "x"])]
            }
            if g.chance(30) { args += ["--min-pass-rate", g.pick(rates)] }
            if g.chance(40) { args += ["--summary", g.pick(outputs)] }
            if g.chance(40) { args += ["--json", g.pick(outputs)] }
            if g.chance(40) { args += ["--templates", g.pick(templateFolders)] }
            if g.chance(30) { args += ["--baseline", g.pick(ids + names)] }
            if g.chance(20) { args += ["--variant", g.pick(variants)] }
            if g.chance(20) { args += ["--run-id", g.pick(names)] }
        case 20:
            // A read command with a bad database.
            args = [g.pick(["runs", "flaky", "trend"])] + ["--db", g.pick(databases)]
        default:
            args = [g.pick(["runs", "flaky", "trend", "history", "report", "quarantine", "cycle", "whys"])]
            args += [g.pick(["--bogus", "--format", "--limit", "-x", "--", "help", "list"])]
        }
        // Now and then a bad output format on commands that take one.
        if g.chance(10), ["runs", "flaky", "trend", "history", "diff"].contains(args[0]) {
            args += ["--format", g.pick(formats)]
        }
        return args
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["TRIAGE_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x7269_6167_6521
    }
    static var caseCount: Int {
        ProcessInfo.processInfo.environment["TRIAGE_FUZZ_CASES"].flatMap { Int($0) } ?? 220
    }

    /// Puts the pristine history back so every case starts from the same database.
    static func restore(_ pristine: URL, to cli: CLI) throws {
        let fm = FileManager.default
        let db = URL(fileURLWithPath: cli.databasePath)
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? fm.removeItem(atPath: db.path + suffix)
        }
        try fm.copyItem(at: pristine, to: db)
    }

    @Test func noHostileInvocationEndsTheProcessBySignalOrWithAnUndocumentedCode() throws {
        let cli = try CLI()
        defer { try? FileManager.default.removeItem(at: cli.folder) }
        try Self.prepare(cli)
        let pristine = cli.folder.appendingPathComponent("pristine.sqlite")
        // Fold the WAL into the file so one copy is the whole database.
        _ = try Self.run(["runs"], in: cli)
        try FileManager.default.copyItem(atPath: cli.databasePath, toPath: pristine.path)

        var generator = SplitMix64(seed: Self.seed)
        var failures: [String] = []
        var codes: [Int32: Int] = [:]
        for index in 0..<Self.caseCount {
            let arguments = Self.invocation(&generator)
            try Self.restore(pristine, to: cli)
            try Self.writeInputs(cli)
            let outcome = try Self.run(arguments, in: cli)
            codes[outcome.status, default: 0] += 1
            if ProcessInfo.processInfo.environment["TRIAGE_FUZZ_VERBOSE"] != nil {
                print(
                    "case \(index) → \(outcome.status): triage \(Self.show(arguments))",
                    "|", outcome.stderr.prefix(160).debugDescription
                )
            }
            if let problem = Self.problem(with: outcome) {
                failures.append(
                    "seed \(Self.seed) case \(index): triage \(Self.show(arguments)) → \(problem)\n"
                        + "  stderr: \(outcome.stderr.prefix(400).debugDescription)")
            }
        }
        #expect(
            failures.isEmpty,
            "\(failures.count) of \(Self.caseCount) cases broke the promise:\n\(failures.joined(separator: "\n"))")
        // The generator reaches the error paths, not only the happy ones.
        #expect(codes.keys.filter { $0 >= 2 }.count >= 3, "exit codes seen: \(codes)")
        print("ErrorPathPropertyTests: \(Self.caseCount) invocations, exit codes \(codes.sorted { $0.key < $1.key })")
    }

    @Test(arguments: ["truncated", "header"])
    func aDamagedDatabaseIsExit4WithOneLine(damage: String) throws {
        let cli = try CLI()
        defer { try? FileManager.default.removeItem(at: cli.folder) }
        try Self.prepare(cli)
        _ = try Self.run(["runs"], in: cli)
        let damaged = cli.folder.appendingPathComponent("damaged.sqlite")
        var data = try Data(contentsOf: URL(fileURLWithPath: cli.databasePath))
        if damage == "truncated" {
            data = data.prefix(data.count / 2)
        } else {
            data.replaceSubrange(0..<100, with: Data(repeating: 0x5A, count: 100))
        }
        try data.write(to: damaged)
        for arguments in [
            ["runs"], ["runs", "show"], ["flaky"], ["trend"], ["history", "test"], ["report", "status"],
            ["report", "run"], ["quarantine", "export"], ["clusters", "show", "1"],
        ] {
            let full = arguments + ["--db", damaged.path]
            let outcome = try Self.run(full, in: cli)
            #expect(outcome.reason == .exit, "triage \(Self.show(full)) ended by signal \(outcome.status)")
            #expect(outcome.status == 4, "triage \(Self.show(full)) → \(outcome.status): \(outcome.stderr)")
            let lines = outcome.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("triage: "), "triage \(Self.show(full)): \(outcome.stderr)")
        }
    }
}
