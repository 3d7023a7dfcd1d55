import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

/// One cause, one cluster: the parametrized cases of one test that fail alike share it.
@Suite struct OneClusterPerCauseTests {
    @Test(arguments: [
        ("tests.test_tax::test_vat[7-de]", "tests.test_tax::test_vat"),
        ("tests.test_tax::test_vat[a[0]]", "tests.test_tax::test_vat"),
        ("com.acme.CalcTest::add(int, int)[2]", "com.acme.CalcTest::add"),
        ("Acme.Tests.Calc::Sum(1, 2)", "Acme.Tests.Calc::Sum"),
        ("Acme.Tests.Calc::Sum (data row 3)", "Acme.Tests.Calc::Sum"),
        ("tests.test_plain::test_one", "tests.test_plain::test_one"),
        ("com.acme.CalcTest::[1] 1, 2", "com.acme.CalcTest::[1] 1, 2"),
        ("Suite::[1]", "Suite::[1]"),
        ("unbalanced::test]", "unbalanced::test]"),
        ("Suite::[1]", "Suite::[1]"),
        ("pkg.Suite.(1)", "pkg.Suite.(1)"),
        ("tests/test_x.py::[2]", "tests/test_x.py::[2]"),
        ("tests::test_\u{e9}t\u{e9}[caf\u{e9}-\u{1F600}]", "tests::test_\u{e9}t\u{e9}"),
        ("Calc::Summe (Zeile \u{e4}) [2]", "Calc::Summe"),
    ])
    func parametersAreLeftOut(id: String, expected: String) {
        #expect(FailureInput.withoutParameters(id) == expected)
    }

    @Test func parametrizedCasesThatFailAlikeShareACluster() {
        let engine = SignatureEngine.builtin
        func cluster(_ test: String, _ message: String) -> String {
            engine.signature(for: FailureInput(message: message, text: "trace", test: test)).clusterID
        }
        let first = cluster("tests.test_tax::test_vat[7-de]", "AssertionError: assert 7 == 19")
        #expect(first == cluster("tests.test_tax::test_vat[19-fr]", "AssertionError: assert 19 == 20"))
        #expect(first == cluster("tests.test_tax::test_vat", "AssertionError: assert 1 == 2"))
        // A list of another length in the same assertion is the same cause.
        #expect(
            cluster("tests.test_sum::test_list", "AssertionError: assert [1, 2, 3] == [1, 2]")
                == cluster("tests.test_sum::test_list", "AssertionError: assert [1, 2] == [1]"))
        #expect(TemplatePattern.python("AssertionError: assert [\u{2026}] == {\u{2026}}") == #"AssertionError:\s+assert\s+\[.*?\]\s+==\s+\{.*?\}"#)
        // Another test's assertion is another cause.
        #expect(first != cluster("tests.test_tax::test_gst[7]", "AssertionError: assert 7 == 19"))
    }
}

/// A timeout no rule knows the runner of is told apart by the words it opens with.
@Suite struct LeadingClauseTests {
    @Test(arguments: [
        ("Error: Widget wait timed out after <dur>. Raise the limit", "widget wait timed out after <dur>"),
        ("<ts> <num> RunnerError: step expired, giving up", "step expired"),
        ("**Job timed out (<dur>)** - build <num>", "job timed out <dur>"),
        ("Failed Timed out waiting for the queue to drain in time", "timed out waiting for the queue"),
        ("scheduler: task lease expired while waiting", "task lease expired while waiting"),
        ("SpecTimeoutError:", "spectimeouterror"),
        ("version 1.5s timed out", "version 1.5s timed out"),
        // A runner's status mark before the message is not one of its words.
        ("✕ › Job timed out", "job timed out"),
        ("<num> - job (Timeout)", ""),
    ])
    func keepsTheFirstClause(template: String, expected: String) {
        #expect(LeadingClause.of(template) == expected)
    }

    /// The built-in signature of a one-line failure in `test`.
    private func signature(_ message: String, _ test: String) -> Signature {
        SignatureEngine.builtin.signature(for: FailureInput(message: message, text: "", test: test))
    }

    @Test func twoRuntimesOutOfMemoryInWordsNoRuleKnowsAreTwoCauses() {
        let first = signature("fatal: out of memory while growing the arena (4096 bytes)", "suite::a")
        #expect(first.category == "oom" && first.detail == "out_of_memory")
        // The same runtime's words in another test, for another size: one cause.
        #expect(first.clusterID == signature("fatal: out of memory while growing the arena (65536 bytes)", "suite::b").clusterID)
        // Another runtime's words: another cause.
        let other = signature("panic: vm ran out of memory in the young generation", "suite::a")
        #expect(other.category == "oom" && other.detail == "out_of_memory")
        #expect(first.clusterID != other.clusterID)
    }

    @Test func twoRunnersTimeoutsAreTwoCausesAndOneRunnersIsOne() {
        let hook = signature("Error: Setup hook timed out in 3000ms", "suite::a")
        #expect(hook.category == "timeout" && hook.detail == "timed_out")
        // The same runner's limit in another test, with another duration: one cause.
        #expect(hook.clusterID == signature("Error: Setup hook timed out in 9000ms", "suite::b").clusterID)
        // Another runner's words: another cause.
        #expect(hook.clusterID != signature("Error: job step timed out after 3000 ms", "suite::a").clusterID)
        // A timeout a rule names a runner for is clustered by that detail alone.
        let go = signature("panic: test timed out after 10m0s", "pkg::TestA")
        #expect(go.detail != "timed_out")
        #expect(go.clusterID == signature("panic: test timed out after 2m0s\nrunning tests: TestB", "pkg::TestB").clusterID)
    }
}

@Suite struct ShapeCollapserTests {
    @Test(arguments: [
        ("assert [<num>, <num>, <num>] == [<num>, <num>]", "assert […] == […]"),
        ("assert [<num>] == []", "assert […] == []"),
        ("KeyError: {'a': <num>, 'b': [<num>, <num>]}", "KeyError: {…}"),
        ("missing fixtures {'db', 'redis'}", "missing fixtures {…}"),
        ("fixture ['redis_client'] not found", "fixture […] not found"),
        ("rows[i] is None", "rows[i] is None"),
        ("tests.test_x::test_vat[de-7] failed", "tests.test_x::test_vat[de-7] failed"),
        ("unbalanced [<num>, <num>", "unbalanced [<num>, <num>"),
        ("text with ']' quoted, [<num>, '<num>]']", "text with ']' quoted, […]"),
        ("no brackets at all", "no brackets at all"),
    ])
    func collectionsOfAnyLengthHaveOneShape(line: String, expected: String) {
        #expect(ShapeCollapser.collapse(line) == expected)
    }
}

@Suite struct BuiltinRulesDriftTests {
    @Test func aHistoryClusteredWithOlderBuiltinRulesIsToldToRecluster() throws {
        let db = try TestSupport.database()
        #expect(try RulesInForce.driftNote(db) == nil)
        try db.recordRulesInForce(
            RecordedRules(version: SignatureEngine.builtinRulesVersion, rules: "", source: nil, recordedAt: "2026-11-01T00:00:00Z"))
        #expect(try RulesInForce.driftNote(db) == nil)
        try db.recordRulesInForce(
            RecordedRules(version: "sig-v0+abcd1234", rules: "", source: nil, recordedAt: "2026-11-01T00:00:00Z"))
        let note = try #require(try RulesInForce.driftNote(db))
        #expect(note.contains("sig-v0") && note.contains("triage recluster"))
    }
}

@Suite struct MiddleCutTests {
    @Test func aLongIdKeepsBothEnds() {
        let id = "tests.integration.persistence.test_redis_persistence::test_snapshot_survives_restart[aof-everysec]"
        let cut = SafeText.middle(id, width: 40)
        #expect(cut.count == 40)
        #expect(cut.hasPrefix("tests.integration") && cut.hasSuffix("aof-everysec]") && cut.contains("…"))
        #expect(SafeText.middle("short", width: 40) == "short")
    }
}
