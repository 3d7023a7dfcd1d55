import Foundation
import Testing
@testable import TriageKit
import TriageModel
import TriageStore

@Suite struct JUnitParserTests {
    @Test func readsSurefireFlakyAndRerunElementsAsAttempts() throws {
        let cases = try TestSupport.cases("junit/surefire-flaky-and-rerun.xml")
        #expect(cases.map(\.name) == ["testFlaky", "testBroken", "testOk"])

        let flaky = cases[0]
        #expect(flaky.outcome == .passed)
        #expect(flaky.isRetriedToPass)
        #expect(flaky.attempts.map(\.outcome) == [.failed, .error, .passed])
        #expect(flaky.attempts.map(\.kind) == [.run, .retry, .retry])
        #expect(flaky.attempts[0].message == "expected: <1> but was: <2>")
        #expect(flaky.attempts[0].failureText?.contains("FlakyTest.java:12") == true)
        #expect(flaky.attempts[0].stdout == "attempt 1")
        #expect(flaky.attempts[1].failureType == "java.net.ConnectException")

        let broken = cases[1]
        #expect(broken.outcome == .error)  // the last rerun errored
        #expect(!broken.isRetriedToPass)
        #expect(broken.retryCount == 2)
        #expect(broken.attempts.map(\.message) == ["boom", "boom again", "old style"])
        #expect(broken.attempts[2].failureText == "java.lang.IllegalStateException: old style")

        #expect(cases[2].duration == 1234.5)
    }

    @Test func foldsPytestRerunsAndTeardownErrors() throws {
        let cases = try TestSupport.cases("junit/pytest-rerun-and-teardown.xml")
        #expect(cases.count == 4)

        let rerun = try #require(cases.first { $0.name == "test_third_try" })
        #expect(rerun.attempts.count == 3)
        #expect(rerun.attempts.map(\.outcome) == [.failed, .failed, .passed])
        #expect(rerun.attempts.prefix(2).allSatisfy { $0.isInferred })
        #expect(rerun.outcome == .passed && rerun.isRetriedToPass)

        let teardown = try #require(cases.first { $0.name == "test_fails_and_teardown" })
        #expect(teardown.attempts.map(\.kind) == [.run, .teardown])
        #expect(teardown.outcome == .error)
        #expect(teardown.retryCount == 0)
        #expect(!teardown.isRetriedToPass)

        let collection = try #require(cases.first { $0.name == "tests.test_broken" })
        #expect(collection.classname == "")
        #expect(collection.identity.displayID == "tests.test_broken")
        #expect(collection.outcome == .error)
        #expect(collection.attempts[0].message == "collection failure")
        #expect(collection.attempts[0].failureText?.contains("cannot import name 'User'") == true)

        let skipped = try #require(cases.first { $0.name == "test_skip" })
        #expect(skipped.outcome == .skipped)
        #expect(skipped.attempts[0].message == "no redis")
    }

    @Test func handlesNestedSuitesSeveralResultsAndStatusAttributes() throws {
        let (info, cases) = try ReportReader.readAll(TestSupport.fixture("junit/nested-multi-status.xml"))
        #expect(info.format == .junit)
        #expect(info.stats.suites == 3)  // the outer suite holds the synthetic "<init>" case, as in Jenkins
        let byName = Dictionary(uniqueKeysWithValues: cases.map { ($0.name, $0) })

        let multi = try #require(byName["multi"])
        #expect(multi.suite == "inner.A")
        #expect(multi.outcome == .error)  // error > failure > skipped
        #expect(multi.attempts.count == 1)
        #expect(multi.attempts[0].message == "worst")

        #expect(byName["status-notrun"]?.outcome == .skipped)
        #expect(byName["disabled"]?.outcome == .skipped)
        #expect(byName["disabled"]?.duration == nil)  // "<<computed>>"
        #expect(byName["googletest-run"]?.outcome == .passed)
        #expect(byName["googletest-run"]?.duration == 0.0015)
        #expect(byName["googletest-run"]?.attempts[0].stdout == nil)  // whitespace-only CDATA
        #expect(byName["negative"]?.duration == 0)

        let suiteError = try #require(byName["<init>"])
        #expect(suiteError.classname == "outer")
        #expect(suiteError.outcome == .error)
        #expect(suiteError.attempts[0].failureType == "java.lang.NoClassDefFoundError")
    }

    @Test(arguments: [
        ("0.5", 0.5), ("1.5e-3", 0.0015), ("2,503.1", 2503.1), ("0,288", 0.288), ("1,234", 1234.0),
        ("-345345", 0.0), ("00:00:01.5000000", 1.5), (" 3 ", 3.0),
    ])
    func parsesLenientTimes(raw: String, expected: Double) {
        #expect(TimeValue.seconds(raw) == expected)
    }

    @Test(arguments: ["", "<<computed>>", "abc", "nan", "inf"])
    func treatsUnparseableTimesAsUnknown(raw: String) {
        #expect(TimeValue.seconds(raw) == nil)
    }

    @Test func capsHugeTextWithAMarker() throws {
        let big = String(repeating: "x", count: 200_000)
        let url = try TestSupport.write(
            "<testsuite name=\"s\"><testcase name=\"t\"><failure message=\"m\">\(big)</failure></testcase></testsuite>")
        let cases = try ReportReader.readAll(url).cases
        let text = try #require(cases.first?.attempts.first?.failureText)
        #expect(text.utf8.count < CappedText.defaultLimit + 100)
        #expect(text.hasSuffix("[truncated: \(200_000 - CappedText.defaultLimit) more bytes]"))
    }

    @Test func keepsEntitiesAndNewlinesInMessages() throws {
        let url = try TestSupport.write(
            #"<testsuite name="s"><testcase classname="c" name="n &amp; &lt;x&gt;"><failure message="line1&#10;line2 &quot;q&quot;">t</failure></testcase></testsuite>"#
        )
        let cases = try ReportReader.readAll(url).cases
        #expect(cases.first?.name == "n & <x>")
        #expect(cases.first?.attempts.first?.message == "line1\nline2 \"q\"")
    }

    @Test func readsUTF16WithBOM() throws {
        let xml =
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><testsuite name=\"s\"><testcase classname=\"c\" name=\"Größe\"/></testsuite>"
        var data = Data([0xFF, 0xFE])
        data.append(xml.data(using: .utf16LittleEndian)!)
        let url = try TestSupport.temporaryFolder().appendingPathComponent("utf16.xml")
        try data.write(to: url)
        let cases = try ReportReader.readAll(url).cases
        #expect(cases.map(\.name) == ["Größe"])
    }
}

@Suite struct BadInputTests {
    @Test(arguments: [
        ("junit/empty.xml", "the file is empty"),
        ("junit/truncated.xml", "line 5: the file ends inside <failure>"),
        ("junit/xxe.xml", "line 2: the file declares XML entities"),
        ("junit/bomb.xml", "declares XML entities"),
        ("junit/unknown-root.xml", "root element <suites> is not a test report"),
        ("junit/not-xml.txt.xml", "this is not XML"),
    ])
    func reportsBadFilesWithFileLineAndReason(fixture: String, expected: String) throws {
        let url = TestSupport.fixture(fixture)
        let error = try #require(throws: TriageError.self) { try ReportReader.readAll(url, displayPath: fixture) }
        #expect(error.description.hasPrefix(fixture + ": "))
        #expect(error.description.contains(expected), "\(error.description)")
        #expect(!error.description.contains("\n"))
        #expect(error.exitCode == 3)
    }

    @Test func refusesADirectoryAndAFIFO() throws {
        let folder = try TestSupport.temporaryFolder()
        let directoryError = try #require(throws: TriageError.self) { try ReportReader.readAll(folder) }
        #expect(directoryError.description.contains("is a directory"))

        let fifo = folder.appendingPathComponent("pipe.xml")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let fifoError = try #require(throws: TriageError.self) { try ReportReader.readAll(fifo) }
        #expect(fifoError.description.contains("not a regular file"))
    }

    @Test func rejectsNULCharacters() throws {
        let url = try TestSupport.write("<testsuite name=\"s\"><testcase name=\"a\u{0}b\"/></testsuite>")
        let error = try #require(throws: TriageError.self) { try ReportReader.readAll(url) }
        #expect(error.description.contains("line 1"))
    }
}
