import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

/// Team rules may not hang or crawl: patterns that backtrack badly are refused when the rules
/// are loaded, the rest see bounded input, and many rules are matched through an index.
@Suite struct HostileRulesTests {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func engine(message pattern: String) throws -> SignatureEngine {
        try SignatureEngine(teamRules: [SignatureRule(name: "r", category: "infra", messagePattern: pattern)])
    }

    @Test(arguments: [
        "(x+x+)+y", "(a+)+", "(a*)*b", "(\\s*foo)+", "(a|ab)+", "(a|a)*", "(?:x?y?)+z", "(\\w+\\d+)*",
        "\\w+\\w*x", ".*.*x", ".*x.*y", "a\\S+b.+c", "(a)\\1", "(?<n>a)\\k<n>", "(?x) a b", "(?=(a+)+b)a",
    ])
    func aPatternThatCanBacktrackIsRefused(pattern: String) {
        #expect {
            try Self.engine(message: pattern)
        } throws: { error in
            guard case .slowPattern(let rule, let field, let given, _) = error as? SignatureError else { return false }
            return rule == "r" && field == "message" && given == pattern
        }
    }

    @Test(arguments: [
        "OOM command not allowed", #"Vault at (\w+):\d+ .*Connection refused"#, "bind to port (?<port>\\d+)",
        "(ab)+c", "(a[bc])+", "(foo|bar)+", "(?i)timeout after \\d+ ?ms", "\\d+\\.\\d+", "^E\\s+\\w+Error: .*",
        "[a-z]+@[a-z]+\\.com", "(?:\\d{3})+", "\\Q(x+x+)+\\E", "a{2,5}b", "(?:abc)?def",
    ])
    func anOrdinaryPatternIsKept(pattern: String) throws {
        _ = try Self.engine(message: pattern)
    }

    @Test func theRulesFileNamesTheFileLineAndRule() {
        let yaml = """
            rules:
              - name: fine
                category: oom
                message: "OOM"
              - name: slow
                category: oom
                message: "(x+x+)+y"
            """
        #expect {
            try RulesFile.parse(yaml, file: "rules.yaml")
        } throws: { error in
            let text = (error as? SignatureError)?.description ?? ""
            return text.hasPrefix("rules.yaml:5: rule 'slow': its message pattern '(x+x+)+y' could take minutes")
                && !text.contains("\n")
        }
    }

    @Test func allowedPatternsStayFastOnLongAndAlmostMatchingMessages() throws {
        // What the checks let through can still be polynomial: bounded by the line limit.
        let patterns = ["x+y", "x.*y", "(?:x{2})+y", "\\s+$", "(ab)+c", "[a-z]+@[a-z]+\\.com", "\\w+:\\d+ .*z"]
        for pattern in patterns {
            let engine = try Self.engine(message: pattern)
            for length in [30, 5_000, 1_000_000] {
                let message = String(repeating: "x", count: length)
                let time = Self.seconds {
                    _ = engine.signature(for: FailureInput(message: message, text: message, test: "t"))
                }
                // A guard against catastrophic backtracking (minutes), not a speed target.
                #expect(time < 30, "\(pattern) on \(length) characters: \(time) s")
                if length == 5_000 { print("\(pattern) on 5,000 characters: \(time) s") }
            }
        }
    }

    @Test func aRuleSeesEachLineUpToTheLimit() throws {
        let engine = try Self.engine(message: "needle")
        let far = String(repeating: "a", count: TeamRuleMatcher.lineLimit) + "needle"
        #expect(engine.signature(for: FailureInput(message: far, test: "t")).rule != "r")
        #expect(engine.signature(for: FailureInput(message: far + "\nneedle", test: "t")).rule == "r")
        let trace = try SignatureEngine(teamRules: [
            SignatureRule(name: "t", category: "infra", tracePattern: "^port (\\d+)$", detailGroup: 1)
        ])
        let signature = trace.signature(
            for: FailureInput(message: "boom", text: "Traceback\nport 8080\nmore", test: "t"))
        #expect(signature.rule == "t")
        #expect(signature.detail == "8080")
    }

    static let manyRules = (0..<10_000).map {
        SignatureRule(name: "r\($0)", category: "infra", messagePattern: "widget \($0) exploded at [0-9]+")
    }

    @Test func tenThousandRulesAreMatchedThroughAnIndexInOrder() throws {
        var rules = Self.manyRules
        rules.append(SignatureRule(name: "any-widget", category: "infra", messagePattern: "widget \\d+ exploded"))
        rules.append(SignatureRule(name: "no-literal", category: "infra", messagePattern: "\\d\\d\\d\\d\\d\\d"))
        var engine: SignatureEngine?
        let load = try Self.seconds { engine = try SignatureEngine(teamRules: rules) }
        let loaded = try #require(engine)
        #expect(load < 120, "loading 10,000 rules: \(load) s")
        #expect(loaded.signature(for: FailureInput(message: "widget 9999 exploded at 3", test: "t")).rule == "r9999")
        #expect(
            loaded.signature(for: FailureInput(message: "widget 12345 exploded at 3", test: "t")).rule == "any-widget")
        #expect(loaded.signature(for: FailureInput(message: "widget 12 exploded", test: "t")).rule == "any-widget")
        #expect(loaded.signature(for: FailureInput(message: "code 123456", test: "t")).rule == "no-literal")
        #expect(loaded.signature(for: FailureInput(message: "AssertionError: 1 != 2", test: "t")).rule != "no-literal")

        // From a rules file, each rule is compiled once, when the file is read.
        let yaml =
            "rules:\n"
            + Self.manyRules.map {
                "  - name: \($0.name)\n    category: infra\n    message: \"\($0.messagePattern ?? "")\""
            }.joined(separator: "\n")
        let file = try TestSupport.write(yaml, name: "rules.yaml")
        var fromFile: SignatureEngine?
        let fileLoad = try Self.seconds { fromFile = try SignatureEngine.standard(rulesFile: file.path) }
        #expect(fromFile?.teamRules.count == 10_000)
        #expect(fileLoad < 120, "loading 10,000 rules from a file: \(fileLoad) s")
        print("10,000 team rules from a file: loaded in \(fileLoad) s")

        let inputs = (0..<500).map {
            FailureInput(
                message: "AssertionError: expected \($0) got something else entirely here",
                text: "Traceback\n  File x.py line 3\nAssertionError: expected", test: "t\($0)")
        }
        let time = Self.seconds { for input in inputs { _ = loaded.signature(for: input) } }
        print("10,000 team rules: \(time / 500 * 1000) ms per message; loaded in \(load) s")
        #expect(time / 500 < 0.05, "\(time / 500 * 1000) ms per message")
    }

    /// A recluster slow enough to matter (every failure tried against 300 rules that have no
    /// literal to index) while another connection, which waits at most 1 s for the lock,
    /// ingests: before, the recluster held the write lock throughout and the ingest failed.
    @Test func aReclusterDoesNotHoldTheWriteLockWhileItClassifies() throws {
        let folder = try TestSupport.temporaryFolder()
        let path = folder.appendingPathComponent("triage.sqlite").path
        let cases = (0..<3_000).map {
            "<testcase classname=\"tests.big\" name=\"test_\($0)\"><failure message=\"RuntimeError: widget \($0) broke\">trace</failure></testcase>"
        }
        let big = try TestSupport.write("<testsuite name=\"s\">\(cases.joined())</testsuite>")
        _ = try Ingestor(database: TriageDatabase(path: path)).ingest([big.path], options: IngestOptions(runKey: "big"))
        let rules = (0..<300).map {
            SignatureRule(name: "r\($0)", category: "infra", messagePattern: "widget \\d{9}\($0)")
        }
        let engine = try SignatureEngine(teamRules: rules)
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var reclusterError: Error?
        nonisolated(unsafe) var reclusterSeconds = 0.0
        let thread = Thread {
            do {
                let db = try TriageDatabase(path: path)
                reclusterSeconds = try Self.seconds { _ = try db.recluster(with: engine) }
            } catch {
                reclusterError = error
            }
            finished.signal()
        }
        thread.start()
        usleep(300_000)
        let small = try TestSupport.write(
            "<testsuite name=\"s\"><testcase classname=\"tests.small\" name=\"test_a\"/></testsuite>")
        let other = try TriageDatabase(path: path, busyTimeout: 1)
        let report = try Ingestor(database: other).ingest([small.path], options: IngestOptions(runKey: "small"))
        #expect(report.runID != nil)
        finished.wait()
        #expect(reclusterError == nil, "\(String(describing: reclusterError))")
        print("recluster of 3,000 failures with 300 rules: \(reclusterSeconds) s")
    }
}
