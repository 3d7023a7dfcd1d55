import Crypto
import Foundation
import TriageModel
import TriageStore

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

/// What the checks before parsing found out about a file, with its fingerprint, and the file
/// itself, opened once: parsing reads the same descriptor the checks read.
public struct FileInspection: Sendable {
    public var size: Int64
    /// SHA-256 of the whole file, in hex (ingest may fold the variant into it).
    public var sha256: String
    let sniffed: PrologSniffer.Result
    let file: OpenedFile
    /// SHA-256 of the bytes checked, which parsing must read again; nil when not fingerprinted.
    let contentSHA256: String?
}

/// Reads result files: checks the file, detects the format from the root element and streams
/// the cases through the format's parser, so memory does not grow with the file's size.
public enum ReportReader {
    /// Streams every case of `url` to `onCase`, repeated reports of a test already merged
    /// into one case when they are adjacent (see `CaseMerger`).
    ///
    /// Every byte is checked before the parser sees it (see `preflight`). Without an
    /// inspection that happens while parsing, in one pass over the file.
    ///
    /// - Parameters:
    ///   - displayPath: the path to name in errors, as the user wrote it.
    ///   - format: forces a format instead of detecting it.
    ///   - inspection: what `inspect` found, when the caller already ran the checks (ingest
    ///     does, to fingerprint the file first); parsing reads the file it opened and refuses
    ///     bytes other than the ones fingerprinted.
    public static func read(
        _ url: URL, displayPath: String? = nil, format forced: ReportFormat? = nil, inspection: FileInspection? = nil,
        onCase: @escaping (TestCase) throws -> Void
    ) throws -> ParsedFileInfo {
        let shown = displayPath ?? url.path
        let file: OpenedFile
        let sniffed: PrologSniffer.Result
        if let inspection {
            (file, sniffed) = (inspection.file, inspection.sniffed)
        } else {
            file = try open(url, shown: shown)
            sniffed = try PrologSniffer.sniff(try file.head(PrologSniffer.headSize), file: shown)
        }
        let format: ReportFormat
        if let forced {
            format = forced
        } else if let detected = ReportFormat.forRootElement(sniffed.rootName) {
            format = detected
        } else {
            throw TriageError.badInput(
                file: shown, line: sniffed.rootLine,
                reason:
                    "root element <\(sniffed.rootName)> is not a test report triage knows (JUnit <testsuites>/<testsuite>, xUnit.net <assemblies>/<assembly>, NUnit <test-run>/<test-results>, TRX <TestRun>)"
            )
        }
        let merger = AdjacentCaseMerger(infersUndescribedFailures: format.omitsFailedAttempts, sink: onCase)
        let delegate: any FormatParser =
            format == .trx
            ? TRXParser(
                sink: { try merger.accept($0.cappingTexts()) },
                classNames: try TRXParser.classNames(in: CheckedStream(file: file, sniffed: sniffed)))
            : makeParser(format) { try merger.accept($0.cappingTexts()) }
        let stream = CheckedStream(file: file, sniffed: sniffed, expectedSHA256: inspection?.contentSHA256)
        let parser = XMLParser(stream: stream)
        parser.delegate = delegate
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        let succeeded = parser.parse()
        if let refused = stream.error {
            throw refused
        }
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
        return ParsedFileInfo(path: shown, format: format, size: file.size, stats: delegate.stats)
    }

    /// Opens a file and checks it as `read` does before parsing (a readable regular file, a
    /// prolog without entity declarations, nothing that crashes the parser) and, with
    /// `fingerprint`, hashes it in the same pass over its bytes. The inspection keeps the file
    /// open for `read`.
    public static func inspect(_ url: URL, displayPath: String? = nil, fingerprint: Bool = true) throws -> FileInspection {
        let shown = displayPath ?? url.path
        let file = try open(url, shown: shown)
        let sniffed = try PrologSniffer.sniff(try file.head(PrologSniffer.headSize), file: shown)
        let digest = try preflight(file, sniffed: sniffed, fingerprint: fingerprint)
        return FileInspection(
            size: file.size, sha256: digest ?? "", sniffed: sniffed, file: file, contentSHA256: digest)
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

    /// Refuses what is not a readable regular file before anything opens it (opening a FIFO
    /// would block), then opens it. `stat` follows symbolic links, so a link to a result file
    /// reads like the file.
    private static func open(_ url: URL, shown: String) throws -> OpenedFile {
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            throw TriageError.badInput(file: shown, line: nil, reason: "no such file, or it cannot be read")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR:
            throw TriageError.badInput(
                file: shown, line: nil,
                reason:
                    "is a directory; name a result file, or pass the folder to `triage ingest` to read every .xml/.trx in it"
            )
        default:
            throw TriageError.badInput(
                file: shown, line: nil,
                reason: "is not a regular file (a FIFO, socket or device); triage reads result files only")
        }
        guard access(url.path, R_OK) == 0 else {
            throw TriageError.badInput(file: shown, line: nil, reason: "cannot be read: permission denied")
        }
        return try OpenedFile(path: url.path, shown: shown)
    }

    /// One streaming pass (1 MiB reads) over the file before the parser sees it, refusing what
    /// crashes Foundation's XMLParser (both found by the fuzzer):
    /// - bytes that are not UTF-8 in a UTF-8 file: libxml2 falls back to Latin-1 and hands
    ///   element names over as raw bytes, and XMLParser traps on them (`<testsuite><\u{FF}/>`);
    /// - a processing instruction without data (`<?x?>`): XMLParser calls `strlen` on its NULL
    ///   data. Such text inside a comment or CDATA block is refused too (a rare false alarm).
    /// The line is counted only for a bad file. Returns the SHA-256 with `fingerprint`.
    static func preflight(_ file: OpenedFile, sniffed: PrologSniffer.Result, fingerprint: Bool) throws -> String? {
        var checker = ByteChecker(sniffed: sniffed, hashing: fingerprint)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try file.read(into: buffer, at: checker.offset)
            if count == 0 { return try checker.finish(of: file) }
            try checker.check(UnsafeRawBufferPointer(rebasing: buffer[..<count]), of: file)
        }
    }

    /// Finds, across chunks and in bytes or UTF-16 units, `<?name?>` (whitespace allowed
    /// before `?>`) and start tags with more than `maximumAttributes` attributes (libxml2 checks
    /// each attribute against all earlier ones: 200,000 on one element took 15 s or more).
    struct InstructionScanner {
        enum Problem { case emptyInstruction, tooManyAttributes }

        /// No real report comes near this; the parser spends well under a second on it.
        static let maximumAttributes = 20_000

        let utf16LittleEndian: Bool?
        private var state = 0  // 0 text, 1 after <, 2 in the target name, 3 blanks after it, 4 after ?
        private var nameLength = 0
        private var pendingByte: UInt8?  // the first half of a UTF-16 unit cut by a chunk's end
        /// Inside `<…>` (not `<?` or `<!`), the open quote if any, and the `=` seen outside quotes.
        private var inTag = false
        private var quote: UInt16 = 0
        private var equalsInTag = 0

        init(utf16LittleEndian: Bool?) {
            self.utf16LittleEndian = utf16LittleEndian
        }

        /// The first problem in `chunk` and the offset where it is found, if any.
        mutating func firstProblem(in chunk: UnsafeRawBufferPointer) -> (problem: Problem, offset: Int)? {
            guard let littleEndian = utf16LittleEndian else { return firstProblem(inBytes: chunk) }
            for (offset, byte) in chunk.enumerated() {
                guard let first = pendingByte else {
                    pendingByte = byte
                    continue
                }
                pendingByte = nil
                let unit = littleEndian ? UInt16(first) | UInt16(byte) << 8 : UInt16(first) << 8 | UInt16(byte)
                if let problem = step(unit) { return (problem, offset) }
            }
            return nil
        }

        /// Bytes (UTF-8 and single-byte encodings), skipping with `memchr` what cannot change
        /// the state: outside any tag only `<` matters, inside a quoted value only the closing
        /// quote and `<`. Markup itself goes byte by byte.
        private mutating func firstProblem(inBytes chunk: UnsafeRawBufferPointer) -> (problem: Problem, offset: Int)? {
            guard let base = chunk.baseAddress else { return nil }
            let count = chunk.count
            var offset = 0
            while offset < count {
                if state == 0 {
                    if !inTag {
                        guard let found = memchr(base + offset, 0x3C, count - offset) else { return nil }
                        offset = UnsafeRawPointer(found) - base
                    } else if quote != 0 {
                        let remaining = count - offset
                        let close = memchr(base + offset, Int32(quote), remaining).map { UnsafeRawPointer($0) - base } ?? count
                        let open = memchr(base + offset, 0x3C, close - offset).map { UnsafeRawPointer($0) - base } ?? close
                        offset = open
                        guard offset < count else { return nil }
                    }
                }
                if let problem = step(UInt16(chunk[offset])) { return (problem, offset) }
                offset += 1
            }
            return nil
        }

        private mutating func step(_ unit: UInt16) -> Problem? {
            if countAttributes(unit) { return .tooManyAttributes }
            return stepInstruction(unit) ? .emptyInstruction : nil
        }

        /// Counts `=` outside quotes inside a start tag; true past the maximum.
        private mutating func countAttributes(_ unit: UInt16) -> Bool {
            if inTag {
                if quote != 0 {
                    if unit == quote { quote = 0 }
                } else if unit == 0x22 || unit == 0x27 {
                    quote = unit
                } else if unit == 0x3D {
                    equalsInTag += 1
                    if equalsInTag > Self.maximumAttributes { return true }
                } else if unit == 0x3E || (unit == 0x3F || unit == 0x21) && state == 1 {
                    inTag = false
                }
            } else if unit == 0x3C {
                inTag = true
                quote = 0
                equalsInTag = 0
            }
            return false
        }

        /// Advances by one character; true at the `>` of a data-less instruction.
        private mutating func stepInstruction(_ unit: UInt16) -> Bool {
            let isBlank = unit == 0x20 || unit == 0x09 || unit == 0x0A || unit == 0x0D
            switch state {
            case 1:
                state = unit == 0x3F ? 2 : (unit == 0x3C ? 1 : 0)
                nameLength = 0
            case 2:
                if isBlank {
                    state = nameLength > 0 ? 3 : 0
                } else if unit == 0x3F {
                    state = nameLength > 0 ? 4 : 0
                } else if unit == 0x3C {
                    state = 1
                } else {
                    nameLength += 1
                }
            case 3:
                state = isBlank ? 3 : unit == 0x3F ? 4 : unit == 0x3C ? 1 : 0
            case 4:
                if unit == 0x3E { state = 0; return true }
                state = unit == 0x3C ? 1 : 0
            default:
                state = unit == 0x3C ? 1 : 0
            }
            return false
        }
    }

    /// Names a parser error. The codes are libxml2's `xmlParserErrors`, which Foundation passes
    /// through; `XMLParser.ErrorCode` is not used because swift-corelibs-foundation numbers it
    /// from 0 instead of 1 (its `.invalidCharacterError` is 8, libxml2's is 9), so on Linux
    /// every case would be off by one.
    private static func describe(_ error: Error?, line: Int, open: [String], file: String) -> TriageError {
        let code = (error as NSError?)?.code ?? 0
        let reason: String
        switch code {
        case 4, 5:  // DOCUMENT_EMPTY, DOCUMENT_END
            reason =
                open.last.map { "the file ends inside <\($0)>; was the test run cut off?" }
                ?? "the file ends before the report does; was it cut off?"
        case 1:  // INTERNAL_ERROR: libxml2 stops with it on a NUL byte and on its 10 MB lookahead limit
            reason =
                "the XML parser stopped: a NUL byte, or one attribute, tag or CDATA block larger than its 10 MB limit"
        case 6...9:  // bad character references, INVALID_CHAR
            reason =
                "an invalid character (a NUL or other control character, or bytes that are not in the file's encoding)"
        case 72, 73, 74, 76, 77, 85:  // LT/GT/LTSLASH_REQUIRED, TAG_NAME_MISMATCH, TAG_NOT_FINISHED, NOT_WELL_BALANCED
            reason = "malformed XML: an element is not closed properly" + (open.last.map { " (inside <\($0)>)" } ?? "")
        case 38...44:  // LT_IN_ATTRIBUTE … LITERAL_NOT_FINISHED
            reason = "malformed XML: a broken attribute" + (open.last.map { " in <\($0)>" } ?? "")
        case 14...30, 36, 37, 87...90:  // entity references, declarations, loops, boundaries
            reason =
                "malformed XML: an unknown or broken entity reference (only &lt; &gt; &amp; &quot; &apos; and &#…; are allowed)"
        case 31, 32, 79, 81:  // UNKNOWN/UNSUPPORTED_ENCODING, ENCODING_NAME, INVALID_ENCODING
            reason = "the file's declared encoding is not supported or does not match its bytes"
        case 86:  // EXTRA_CONTENT
            reason = "malformed XML: there is content after the report's root element ends"
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
