import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What reading one result file found, besides its cases.
public struct ParsedFileInfo: Codable, Sendable, Equatable {
    public var path: String
    public var format: ReportFormat
    public var size: Int64
    public var stats: ParseStats
}

/// Reads result files: checks the file, detects the format from the root element and streams
/// the cases through the format's parser, so memory does not grow with the file's size.
public enum ReportReader {
    /// Streams every case of `url` to `onCase`, repeated reports of a test already merged
    /// into one case when they are adjacent (see `CaseMerger`).
    ///
    /// - Parameters:
    ///   - displayPath: the path to name in errors, as the user wrote it.
    ///   - format: forces a format instead of detecting it.
    public static func read(
        _ url: URL, displayPath: String? = nil, format forced: ReportFormat? = nil,
        onCase: @escaping (TestCase) throws -> Void
    ) throws -> ParsedFileInfo {
        let shown = displayPath ?? url.path
        let size = try checkRegularFile(url, shown: shown)
        let head = try readHead(url, shown: shown)
        let sniffed = try PrologSniffer.sniff(head, file: shown)
        let format: ReportFormat
        if let forced {
            format = forced
        } else if let detected = ReportFormat.forRootElement(sniffed.rootName) {
            format = detected
        } else {
            throw TriageError.badInput(
                file: shown, line: sniffed.rootLine,
                reason: "root element <\(sniffed.rootName)> is not a test report triage knows (JUnit <testsuites>/<testsuite>, xUnit.net <assemblies>/<assembly>, NUnit <test-run>/<test-results>, TRX <TestRun>)")
        }
        guard let stream = InputStream(url: url) else {
            throw TriageError.badInput(file: shown, line: nil, reason: "cannot be opened for reading")
        }
        let merger = AdjacentCaseMerger(infersUndescribedFailures: format.omitsFailedAttempts, sink: onCase)
        let delegate: any FormatParser =
            format == .trx
            ? TRXParser(sink: { try merger.accept($0) }, classNames: TRXParser.classNames(in: url))
            : makeParser(format) { try merger.accept($0) }
        let parser = XMLParser(stream: stream)
        parser.delegate = delegate
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        let succeeded = parser.parse()
        if let failure = delegate.failure {
            // Parsers do not know the path they read; name it here.
            if case let .badInput(file, line, reason)? = failure as? TriageError, file.isEmpty {
                throw TriageError.badInput(file: shown, line: line, reason: reason)
            }
            throw failure
        }
        if !succeeded {
            throw describe(parser.parserError, line: parser.lineNumber, open: delegate.openElements, file: shown)
        }
        if !delegate.openElements.isEmpty {
            throw TriageError.badInput(
                file: shown, line: parser.lineNumber,
                reason: "the file ends inside <\(delegate.openElements.last ?? "")>; was the test run cut off?")
        }
        try merger.flush()
        return ParsedFileInfo(path: shown, format: format, size: size, stats: delegate.stats)
    }

    /// Reads a whole file into merged cases (repeats merged wherever they stand), for
    /// `triage parse` and tests. Ingest streams instead.
    public static func readAll(
        _ url: URL, displayPath: String? = nil, format: ReportFormat? = nil
    ) throws -> (info: ParsedFileInfo, cases: [TestCase]) {
        var received: [TestCase] = []
        let info = try read(url, displayPath: displayPath, format: format) { received.append($0) }
        var cases: [TestCase] = []
        var index: [TestIdentity: Int] = [:]
        for testCase in received {
            if let position = index[testCase.identity] {
                CaseMerger.merge(
                    testCase, into: &cases[position], infersUndescribedFailures: info.format.omitsFailedAttempts)
            } else {
                index[testCase.identity] = cases.count
                cases.append(testCase)
            }
        }
        return (info, cases)
    }

    static func makeParser(_ format: ReportFormat, sink: @escaping (TestCase) throws -> Void) -> any FormatParser {
        switch format {
        case .junit: JUnitParser(sink: sink)
        case .xunit1, .xunit2: XUnitParser(sink: sink)
        case .nunit2: NUnit2Parser(sink: sink)
        case .nunit3: NUnit3Parser(sink: sink)
        case .trx: TRXParser(sink: sink)
        }
    }

    // MARK: - Checks before parsing

    private static func checkRegularFile(_ url: URL, shown: String) throws -> Int64 {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        } catch {
            throw TriageError.badInput(file: shown, line: nil, reason: "no such file, or it cannot be read")
        }
        let type = attributes[.type] as? FileAttributeType
        if type == .typeDirectory {
            throw TriageError.badInput(file: shown, line: nil, reason: "is a directory; name a result file, or pass the folder to `triage ingest` to read every .xml/.trx in it")
        }
        if type != .typeRegular {
            throw TriageError.badInput(file: shown, line: nil, reason: "is not a regular file (a FIFO, socket or device); triage reads result files only")
        }
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw TriageError.badInput(file: shown, line: nil, reason: "cannot be read: permission denied")
        }
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }

    private static func readHead(_ url: URL, shown: String) throws -> Data {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            return try handle.read(upToCount: PrologSniffer.headSize) ?? Data()
        } catch {
            throw TriageError.badInput(file: shown, line: nil, reason: "cannot be read: \(error.localizedDescription)")
        }
    }

    private static func describe(_ error: Error?, line: Int, open: [String], file: String) -> TriageError {
        let code = (error as NSError?)?.code ?? 0
        let reason: String
        switch XMLParser.ErrorCode(rawValue: code) {
        case .prematureDocumentEndError?, .emptyDocumentError?:
            reason = open.last.map { "the file ends inside <\($0)>; was the test run cut off?" }
                ?? "the file ends before the report does; was it cut off?"
        case .invalidCharacterError?, .invalidCharacterRefError?:
            reason = "an invalid character (a NUL or other control character, or bytes that are not in the file's encoding)"
        case .tagNameMismatchError?, .unfinishedTagError?, .ltRequiredError?, .gtRequiredError?:
            reason = "malformed XML: an element is not closed properly" + (open.last.map { " (inside <\($0)>)" } ?? "")
        case .attributeNotStartedError?, .attributeNotFinishedError?, 
            .attributeRedefinedError?, .literalNotStartedError?, .literalNotFinishedError?:
            reason = "malformed XML: a broken attribute" + (open.last.map { " in <\($0)>" } ?? "")
        case .entityBoundaryError?, .entityNotStartedError?, .entityNotFinishedError?, .undeclaredEntityError?,
            .entityRefLoopError?, .entityRefAtEOFError?, .entityIsExternalError?, .entityIsParameterError?:
            reason = "malformed XML: an unknown or broken entity reference (only &lt; &gt; &amp; &quot; &apos; and &#…; are allowed)"
        case .encodingNotSupportedError?, .unknownEncodingError?:
            reason = "the file's declared encoding is not supported or does not match its bytes"
        default:
            reason = "malformed XML (parser error \(code))" + (open.last.map { " inside <\($0)>" } ?? "")
        }
        return .badInput(file: file, line: line > 0 ? line : nil, reason: reason)
    }
}

extension ReportFormat {
    /// Whether producers of this format write failed attempts that were retried without any
    /// result element (pytest-rerunfailures in JUnit XML), so a repeat must be read as a retry
    /// of a failure. The other formats state the outcome of every test they list.
    var omitsFailedAttempts: Bool { self == .junit }
}
