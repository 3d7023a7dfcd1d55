import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

/// The xUnit.net, NUnit and TRX parsers on small files kept in `Fixtures/` (see its README),
/// so every format is covered even where `../shared/corpus` is absent.
@Suite struct FormatParserTests {
    private func read(fixture name: String) throws -> (info: ParsedFileInfo, cases: [TestCase]) {
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"),
            "missing fixture \(name)")
        return try ReportReader.readAll(url)
    }

    private func read(xml: String, extension ext: String = "xml") throws -> (info: ParsedFileInfo, cases: [TestCase]) {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("triage-format-\(UUID().uuidString).\(ext)")
        try Data(xml.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try ReportReader.readAll(url)
    }

    private func trimmed(_ text: String?) -> String? {
        text?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - xUnit.net

    @Test func readsXUnitV1ClassesWithTheoryRowsApart() throws {
        let (info, cases) = try read(fixture: "xunit1-pickles.xml")
        #expect(info.format == .xunit1)
        #expect(cases.map(\.classname).allSatisfy { $0 == "Pickles.TestHarness.xUnit.AdditionFeature" })
        #expect(cases.map(\.suite).allSatisfy { $0 == "Pickles.TestHarness.xUnit.AdditionFeature" })
        #expect(cases.count == 4)
        #expect(cases.map(\.name).first == "AddTwoNumbers")
        #expect(cases[1].name.hasPrefix("AddingSeveralNumbers(firstNumber: \"40\""))
        #expect(cases[2].name.hasPrefix("AddingSeveralNumbers(firstNumber: \"60\""))
        #expect(cases.map(\.outcome) == [.passed, .passed, .passed, .failed])
        #expect(cases.allSatisfy { $0.attempts.count == 1 })
        let failure = try #require(cases.last?.attempts.first)
        #expect(trimmed(failure.message) == "System.InvalidOperationException : This is a fake failure message")
        #expect(failure.failureText?.contains("Steps.cs:line 26") == true)
        #expect(cases[0].attempts[0].stdout?.contains("Given I have entered 50 into the calculator") == true)
        #expect(cases[0].attempts[0].duration == 0.153)
    }

    @Test func readsXUnitV2PassFailSkip() throws {
        let (info, cases) = try read(fixture: "xunit2-fact-pass-fail-skip.xml")
        #expect(info.format == .xunit2)
        #expect(info.stats.reportedTests == 3)
        #expect(info.stats.environmentErrors.isEmpty)
        #expect(cases.map(\.name) == ["FailedTest", "SuccessfulTest", "SkippedTest"])
        #expect(cases.map(\.outcome) == [.failed, .passed, .skipped])
        #expect(cases.allSatisfy { $0.classname == "MyProject.Tests.SampleFact" })
        #expect(cases.allSatisfy { $0.suite == "Test collection for MyProject.Tests.SampleFact" })
        let failure = cases[0].attempts[0]
        #expect(failure.message == "Assert.True() Failure")
        #expect(failure.failureType == "Xunit.Sdk.TrueException")
        #expect(failure.failureText?.contains("SampleFact.cs:line 16") == true)
        #expect(failure.duration == 0.014)
        #expect(cases[2].attempts[0].message == "On Purpose")
    }

    @Test func keepsGenericAndTheoryArgumentsInXUnitNames() throws {
        let cases = try read(fixture: "xunit2-fixie-theories.xml").cases
        #expect(cases.count == 7)
        #expect(
            cases.prefix(3).map(\.name) == [
                "ShouldBeString<System.String>(\"A\")", "ShouldBeString<System.String>(\"B\")",
                "ShouldBeString<System.Int32>(123)",
            ])
        #expect(cases.allSatisfy { $0.attempts.count == 1 })
        #expect(cases.last?.attempts.first?.message == "⚠ Skipped with attribute.")
    }

    @Test func readsXUnitV3NotRunDecimalCommaAndEnvironmentErrors() throws {
        let (info, cases) = try read(fixture: "xunit3-notrun-errors.xml")
        #expect(cases.map(\.name) == ["Connects", "Migrates(version: 3)", "Slow"])
        #expect(cases.map(\.outcome) == [.passed, .failed, .skipped])
        #expect(cases[0].attempts[0].duration == 0.012)
        #expect(trimmed(cases[0].attempts[0].stdout) == "connected in 12 ms")
        let failure = cases[1].attempts[0]
        #expect(trimmed(failure.message) == "Assert.Equal() Failure: Values differ\nExpected: 3\nActual:   2")
        #expect(failure.failureType == "Xunit.Sdk.EqualException")
        #expect(info.stats.environmentErrors.count == 1)
        #expect(info.stats.environmentErrors.first?.contains("test-class-cleanup Tests.Database") == true)
        #expect(info.stats.environmentErrors.first?.contains("Connection still open") == true)
    }

    // MARK: - NUnit

    @Test func readsNUnit2SplittingClassFromName() throws {
        let (info, cases) = try read(fixture: "nunit2-pickles.xml")
        #expect(info.format == .nunit2)
        #expect(cases.count == 4)
        #expect(cases.allSatisfy { $0.classname == "Pickles.TestHarness.AdditionFeature" })
        #expect(cases.allSatisfy { $0.suite == "Pickles.TestHarness.AdditionFeature" })
        #expect(cases.map(\.outcome) == [.passed, .passed, .passed, .failed])
        #expect(cases.last?.name == "FailToAddTwoNumbers")
    }

    @Test func readsNUnit2FilesWithoutResultAttribute() throws {
        let cases = try read(fixture: "nunit2-without-result-attribute.xml").cases
        #expect(cases.map(\.name) == ["SuccessfulTest", "IgnoredTest", "FailedTest"])
        #expect(cases.map(\.outcome) == [.passed, .skipped, .failed])
        #expect(cases.map { $0.attempts[0].message } == [nil, "Reason", "Reason"])
        #expect(cases[2].attempts[0].failureText == "Here comes the stack trace")
    }

    @Test func readsNUnit3ParameterizedCases() throws {
        let (info, cases) = try read(fixture: "nunit3-parameterized.xml")
        #expect(info.format == .nunit3)
        #expect(cases.count == 6)
        #expect(
            cases.allSatisfy { $0.classname == "UnitTests.HelloWorldTests" && $0.suite == "UnitTests.HelloWorldTests" })
        let umlaut = try #require(cases.first { $0.name == "TestWithParameters(\"Ä\")" })
        #expect(umlaut.outcome == .failed)
        // CRLF inside CDATA reaches us as LF, as XML requires.
        #expect(umlaut.attempts[0].message == "  Expected: greater than 2\n  But was:  1\n")
        #expect(cases.filter { $0.outcome == .failed }.count == 3)
    }

    @Test func mapsNUnit3ResultsAndParentFailures() throws {
        let cases = try read(
            xml: """
                <test-run id="2" testcasecount="5" result="Failed" total="5" passed="1" failed="2" skipped="1" inconclusive="1">
                  <test-suite type="TestFixture" name="Fixture" fullname="Ns.Fixture" classname="Ns.Fixture" result="Failed" site="SetUp">
                    <failure><message><![CDATA[OneTimeSetUp: database down]]></message></failure>
                    <test-case name="A" fullname="Ns.Fixture.A" classname="Ns.Fixture" result="Failed" label="Error" site="Parent" duration="0.5" />
                    <test-case name="B" fullname="Ns.Fixture.B" classname="Ns.Fixture" result="Failed" label="Error" duration="0.1">
                      <failure><message>boom</message><stack-trace>at B()</stack-trace></failure>
                      <assertions><assertion result="Error"><message>not the message</message></assertion></assertions>
                    </test-case>
                    <test-case name="C" fullname="Ns.Fixture.C" classname="Ns.Fixture" result="Skipped" label="Ignored">
                      <reason><message>later</message></reason>
                    </test-case>
                    <test-case name="D" fullname="Ns.Fixture.D" classname="Ns.Fixture" result="Inconclusive" />
                    <test-case name="E" fullname="Ns.Fixture.E" classname="Ns.Fixture" result="Warning" />
                  </test-suite>
                </test-run>
                """
        ).cases
        #expect(cases.map(\.outcome) == [.failed, .failed, .skipped, .skipped, .passed])
        #expect(cases[0].attempts[0].message == "OneTimeSetUp: database down")
        #expect(cases[0].attempts[0].failureType == "Error")
        #expect(cases[0].attempts[0].duration == 0.5)
        #expect(cases[1].attempts[0].message == "boom")
        #expect(cases[1].attempts[0].failureText == "at B()")
        #expect(cases[2].attempts[0].message == "later")
    }

    @Test func refusesNamespacedTestSuiteRoot() throws {
        #expect(throws: TriageError.self) {
            _ = try read(
                xml: """
                    <ns2:test-suite xmlns:ns2="urn:model.allure.qatools.yandex.ru">
                      <name>my.company.Sample</name>
                    </ns2:test-suite>
                    """)
        }
    }

    @Test func repeatedNUnitNamesAreNotInferredRetries() throws {
        let cases = try read(
            xml: """
                <test-results total="2">
                  <test-suite type="TestFixture" name="Fixture" executed="True" result="Success">
                    <results>
                      <test-case name="Ns.Fixture.Rows(System.Func`2[A,B])" executed="True" result="Success" />
                      <test-case name="Ns.Fixture.Rows(System.Func`2[A,B])" executed="True" result="Success" />
                    </results>
                  </test-suite>
                </test-results>
                """
        ).cases
        #expect(cases.count == 1)
        #expect(cases[0].attempts.map(\.outcome) == [.passed, .passed])
        #expect(!cases[0].isRetriedToPass)
    }

    // MARK: - TRX

    @Test func readsTRXWithDefinitionsAfterResults() throws {
        let (info, cases) = try read(fixture: "trx-nunit-adapter.trx")
        #expect(info.format == .trx)
        #expect(cases.count == 6)
        #expect(cases.allSatisfy { $0.classname == "SampleProject.NUnit.TestServiceTests" })
        #expect(
            cases.map(\.name) == [
                "TestTheory(False)", "SkipTest", "TestTheory(True)", "TestThrowingException", "FailTest", "PassingTest",
            ])
        #expect(cases.map(\.outcome) == [.failed, .skipped, .passed, .failed, .failed, .passed])
        #expect(cases[1].attempts[0].message == "Ignore test")
        #expect(cases[2].attempts[0].duration == 0.018)
        #expect(cases[2].attempts[0].stdout == "Running SampleProject.Tests.NUnit tests")
        #expect(cases[3].attempts[0].message == "System.Exception : Pretty good exception")
        #expect(cases[3].attempts[0].failureText?.contains("TestService.cs:line 19") == true)
    }

    @Test func readsTRXInnerResultsAsTheirOwnCases() throws {
        let cases = try read(fixture: "trx-data-driven-inner-results.trx").cases
        #expect(cases.count == 7)
        #expect(cases.map(\.name).contains("UnitTest_Three"))
        #expect(cases.map(\.name).contains("UnitTest_Three (Child Two) (GrandChild One)"))
        // The parent comes before its rows, as in the document.
        let parent = try #require(cases.firstIndex { $0.name == "UnitTest_Three" })
        let row = try #require(cases.firstIndex { $0.name == "UnitTest_Three (Child One)" })
        #expect(parent < row)
    }

    @Test func mapsTRXOutcomes() {
        #expect(TRXParser.outcome("Passed") == .passed)
        #expect(TRXParser.outcome("Failed") == .failed)
        #expect(TRXParser.outcome("Timeout") == .failed)
        #expect(TRXParser.outcome("Error") == .error)
        #expect(TRXParser.outcome(nil) == .error)
        for notRun in ["NotExecuted", "Inconclusive", "Aborted", "NotRunnable", "Pending"] {
            #expect(TRXParser.outcome(notRun) == .skipped, "\(notRun)")
        }
    }

    // MARK: - Names

    @Test func splitsQualifiedNamesOutsideArguments() {
        #expect(QualifiedName.split("Ns.Class.Method")! == ("Ns.Class", "Method"))
        #expect(QualifiedName.split("Ns.Class.Method(1.5, \"a.b\")")! == ("Ns.Class", "Method(1.5, \"a.b\")"))
        #expect(QualifiedName.split("Ns.Generic<Double>(11.5d).Test1")! == ("Ns.Generic<Double>(11.5d)", "Test1"))
        #expect(QualifiedName.split("Ns.C.M(\")\", 1.5)")! == ("Ns.C", "M(\")\", 1.5)"))
        #expect(QualifiedName.split("SuccessfulTest") == nil)
    }
}
