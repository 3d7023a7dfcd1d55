import Testing
@testable import TriageKit
@Test func placeholder() { #expect(TriageKitVersion.string.isEmpty == false) }
