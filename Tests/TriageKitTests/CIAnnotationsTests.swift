import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

/// GitHub's limits as `triage ci` meets them: 10 error and 10 warning annotations per step, and a
/// step summary under 1 MiB.
@Suite struct CIAnnotationsTests {
    static func result(newFailures: Int, flakyNew: Int = 0, stillFailing: Int = 0) -> CIResult {
        func failing(_ name: String, isNew: Bool, flaky: Bool = false) -> CIResult.FailingTest {
            CIResult.FailingTest(
                test: "tests.test_x::\(name)", outcome: .failed, clusterID: "abc123def0", category: "assertion_failure",
                isNew: isNew, isKnownFlaky: flaky, isQuarantined: false, counts: !flaky)
        }
        let failing =
            (0..<newFailures).map { failing("test_new_\($0)", isNew: true) }
            + (0..<flakyNew).map { failing("test_flaky_\($0)", isNew: true, flaky: true) }
            + (0..<stillFailing).map { failing("test_old_\($0)", isNew: false) }
        return CIResult(
            runID: 7, runKey: "github-1", isNewHistory: false, baselineRunID: 6,
            totals: RunTotals(tests: failing.count + 1, passed: 1, failed: failing.count), passRate: 0.5,
            baselinePassRate: 1, passRateChange: -0.5, failing: failing,
            newFailures: failing.filter(\.isNew).map(\.test), fixed: [], stillFailing: [], newClusters: [],
            flakyInvolved: [], quarantinedFailures: [], expiredQuarantines: [], gate: .newFailures,
            minimumPassRate: nil, passed: newFailures == 0, reasons: [], notes: [])
    }

    @Test func annotatesNewFailuresAtTheirFileAndLine() {
        let result = Self.result(newFailures: 1, flakyNew: 1)
        let locations = [
            "tests.test_x::test_new_0": CIAnnotations.Location(
                file: "tests/test_x.py", line: 12, message: "assert 1 == 2\n100% wrong")
        ]
        let lines = CIAnnotations.commands(result, locations: locations)
        #expect(
            lines == [
                "::error file=tests/test_x.py,line=12,title=new failure%3A tests.test_x%3A%3Atest_new_0::cluster abc123def0 assertion_failure%0Aassert 1 == 2%0A100%25 wrong",
                "::warning title=new failure (known flaky)%3A tests.test_x%3A%3Atest_flaky_0::cluster abc123def0 assertion_failure%0Afailed",
            ])
    }

    @Test func stopsAtTenOfEachKindAndSaysHowManyMore() {
        let lines = CIAnnotations.commands(Self.result(newFailures: 25, flakyNew: 12), locations: [:])
        #expect(lines.filter { $0.hasPrefix("::error ") }.count == 10)
        #expect(lines.filter { $0.hasPrefix("::warning ") }.count == 10)
        #expect(lines.count == 21)
        #expect(lines.last?.hasPrefix("::notice title=triage::17 more new failure(s) not annotated") == true)
    }

    @Test func aMessageCannotStartACommandOfItsOwn() {
        let result = Self.result(newFailures: 1)
        let hostile = ["tests.test_x::test_new_0": CIAnnotations.Location(message: "x\r\n::set-env name=A::b\u{1b}[2J")]
        let line = CIAnnotations.commands(result, locations: hostile)[0]
        #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{1b}"))
        #expect(line.hasSuffix("x\\u{d}%0A::set-env name=A::b\\u{1b}[2J"))
    }

    @Test func readsLocationsFromTheResultFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("r.xml")
        try Data(
            """
            <testsuite name="pytest"><testcase classname="tests.test_x" name="test_a" file="tests/test_x.py" line="12">\
            <failure message="assert 1 == 2">trace</failure></testcase>\
            <testcase classname="tests.test_x" name="test_b" file="tests/test_x.py" line="20"/></testsuite>
            """.utf8
        ).write(to: file)
        let found = CIAnnotations.locations(
            files: [file.path], variant: Variant(["python": "3.12"]),
            failing: ["tests.test_x::test_a [python=3.12]"])
        #expect(
            found == [
                "tests.test_x::test_a [python=3.12]": CIAnnotations.Location(
                    file: "tests/test_x.py", line: 12, message: "assert 1 == 2")
            ])
    }

    @Test func theStepSummaryStaysUnderItsBudgetAndSaysWhatItLeftOut() throws {
        let renderer = try TemplateRenderer()
        let result = Self.result(newFailures: 3_000, stillFailing: 300)
        let full = try renderer.render(CISummaryView(result), template: "ci-summary.md")
        let budget = 60_000
        #expect(full.utf8.count > budget)
        let cut = try CISummaryView.markdown(result, budget: budget) {
            try renderer.render($0, template: "ci-summary.md")
        }
        #expect(cut.utf8.count <= budget)
        let shown = cut.components(separatedBy: "\n").filter { $0.hasPrefix("| `tests.test_x::test_new_") }.count
        #expect(shown > 200)
        #expect(cut.contains("… and \(3_000 - shown) more rows left out, to keep the summary under GitHub's 1 MiB"))
        // The still-failing table shows 50 rows and says how many more there were.
        #expect(cut.contains("… and 250 more rows left out"))
        let small = try CISummaryView.markdown(Self.result(newFailures: 3), budget: CISummaryView.stepSummaryLimit) {
            try renderer.render($0, template: "ci-summary.md")
        }
        #expect(!small.contains("left out"))
    }
}
