import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Placeholder until this format's parser lands: reports the format as unsupported.
final class XUnitParser: NSObject, FormatParser {
    private(set) var stats = ParseStats()
    private(set) var failure: Error?
    private(set) var openElements: [String] = []

    init(sink: @escaping (TestCase) throws -> Void) {}

    func parserDidStartDocument(_ parser: XMLParser) {
        failure = TriageError.badInput(file: "", line: nil, reason: "this format is not supported yet")
        parser.abortParsing()
    }
}
