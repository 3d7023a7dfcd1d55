import Foundation

/// The result-file formats triage reads.
public enum ReportFormat: String, Codable, Sendable, CaseIterable {
    /// JUnit/Ant family: `<testsuites>` or `<testsuite>` roots, every producer.
    case junit
    /// xUnit.net v1: `<assembly>` root with `<class>` children.
    case xunit1
    /// xUnit.net v2 and v3: `<assemblies>` root.
    case xunit2
    /// NUnit 2: `<test-results>` root (also a bare `<test-suite>`).
    case nunit2
    /// NUnit 3: `<test-run>` root.
    case nunit3
    /// Visual Studio TRX: `<TestRun>` root.
    case trx

    /// The format a root element's local name announces, or nil for anything else.
    public static func forRootElement(_ localName: String) -> ReportFormat? {
        switch localName {
        case "testsuites", "testsuite": .junit
        case "assembly": .xunit1
        case "assemblies": .xunit2
        case "test-results", "test-suite": .nunit2
        case "test-run": .nunit3
        case "TestRun": .trx
        default: nil
        }
    }
}
