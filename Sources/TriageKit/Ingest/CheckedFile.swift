import Crypto
import Foundation
import TriageModel
import TriageStore

/// A result file opened once. The checks, the fingerprint and the parser all read this one
/// descriptor, so a file swapped for another under the same path after the checks is never
/// parsed in its place.
///
/// `@unchecked Sendable` is safe: the descriptor and size never change, and every read is a
/// `pread` at an explicit offset, so readers on several threads share no file position.
final class OpenedFile: @unchecked Sendable {
    let descriptor: Int32
    let size: Int64
    /// The path as the user wrote it, for errors.
    let shown: String

    /// Opens `path` for reading. The caller has already refused what is not a regular file by
    /// path (`stat`), before anything opens it; `O_NONBLOCK` keeps a FIFO swapped in since
    /// then from blocking the open, and `fstat` refuses it.
    init(path: String, shown: String) throws {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == EACCES ? "cannot be read: permission denied" : "no such file, or it cannot be read"
            throw TriageError.badInput(file: shown, line: nil, reason: reason)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw TriageError.badInput(
                file: shown, line: nil, reason: "is not a regular file (a FIFO, socket or device); triage reads result files only")
        }
        self.descriptor = descriptor
        self.size = Int64(info.st_size)
        self.shown = shown
    }

    deinit { close(descriptor) }

    /// Fills as much of `buffer` as the file has from `offset` on; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        while true {
            let count = pread(descriptor, base, buffer.count, off_t(offset))
            if count >= 0 { return count }
            if errno == EINTR || errno == EAGAIN { continue }
            throw TriageError.badInput(
                file: shown, line: nil, reason: "cannot be read: \(String(cString: strerror(errno)))")
        }
    }

    /// The first `count` bytes (fewer for a shorter file).
    func head(_ count: Int) throws -> Data {
        var data = Data(count: count)
        let read = try data.withUnsafeMutableBytes { try self.read(into: $0, at: 0) }
        data.count = read
        return data
    }

    /// The 1-based line of byte `offset`, counted only when a check fails.
    func lineNumber(at offset: Int64) -> Int {
        var line = 1
        var position: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { buffer.deallocate() }
        while position < offset {
            let wanted = Int(min(Int64(buffer.count), offset - position))
            guard let count = try? read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]), at: position),
                count > 0
            else { break }
            line += countNewlines(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            position += Int64(count)
        }
        return line
    }
}

/// Counts `\n` bytes with `memchr`, which skips through memory many bytes at a time.
func countNewlines(_ bytes: UnsafeRawBufferPointer) -> Int {
    guard var cursor = bytes.baseAddress else { return 0 }
    let end = cursor + bytes.count
    var lines = 0
    while cursor < end, let found = memchr(cursor, 0x0A, end - cursor) {
        lines += 1
        cursor = UnsafeRawPointer(found) + 1
    }
    return lines
}

/// The checks a file's bytes pass before the XML parser may see them, fed in chunks, with
/// the SHA-256 of what went through (see `ReportReader.preflight` for what is refused and why).
struct ByteChecker {
    private var scanner: ReportReader.InstructionScanner
    private var utf8: UTF8Validator?
    private var hasher: SHA256?
    /// Bytes checked so far.
    private(set) var offset: Int64 = 0

    init(sniffed: PrologSniffer.Result, hashing: Bool) {
        scanner = ReportReader.InstructionScanner(utf16LittleEndian: sniffed.utf16LittleEndian)
        utf8 = sniffed.isUTF8 ? UTF8Validator() : nil
        hasher = hashing ? SHA256() : nil
    }

    /// Checks the next chunk of `file`; throws the refusal, with its line, for a bad one.
    mutating func check(_ chunk: UnsafeRawBufferPointer, of file: OpenedFile) throws {
        if let finding = scanner.firstProblem(in: chunk) {
            let reason =
                switch finding.problem {
                case .emptyInstruction:
                    "a processing instruction without data (<?name?>), which crashes the XML parser triage uses; remove it"
                case .tooManyAttributes:
                    "an element with more than \(ReportReader.InstructionScanner.maximumAttributes) attributes; the XML parser's time grows with the square of their number, so triage refuses it"
                }
            throw TriageError.badInput(
                file: file.shown, line: file.lineNumber(at: offset + Int64(finding.offset)), reason: reason)
        }
        if let bad = utf8?.firstInvalid(in: chunk) {
            throw Self.notUTF8(file, at: offset + Int64(bad))
        }
        hasher?.update(bufferPointer: chunk)
        offset += Int64(chunk.count)
    }

    /// Ends the checks at the end of the file: a UTF-8 sequence must not be cut there.
    /// Returns the SHA-256 in hex when hashing.
    mutating func finish(of file: OpenedFile) throws -> String? {
        if let utf8, !utf8.isComplete {
            throw Self.notUTF8(file, at: offset)
        }
        return hasher.map { ResultFiles.hex($0.finalize()) }
    }

    private static func notUTF8(_ file: OpenedFile, at offset: Int64) -> TriageError {
        .badInput(
            file: file.shown, line: file.lineNumber(at: offset),
            reason:
                "bytes that are not UTF-8 (the file declares no other encoding); re-encode it as UTF-8 or declare its encoding"
        )
    }
}

/// UTF-8 validation that carries a sequence cut by a chunk's end into the next chunk, and
/// skips ASCII eight bytes at a time.
struct UTF8Validator {
    /// Continuation bytes still expected, and the range the next one must fall in.
    private var needed = 0
    private var lowest: UInt8 = 0x80
    private var highest: UInt8 = 0xBF

    var isComplete: Bool { needed == 0 }

    /// The offset of the first byte that cannot be part of valid UTF-8, if any.
    mutating func firstInvalid(in chunk: UnsafeRawBufferPointer) -> Int? {
        let count = chunk.count
        var index = 0
        while index < count {
            if needed == 0 {
                // Eight ASCII bytes at once; `loadUnaligned` reads any address.
                while index + 8 <= count, chunk.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                }
                guard index < count else { break }
                let lead = chunk[index]
                index += 1
                if lead < 0x80 { continue }
                switch lead {
                case 0xC2...0xDF: (needed, lowest, highest) = (1, 0x80, 0xBF)
                case 0xE0: (needed, lowest, highest) = (2, 0xA0, 0xBF)
                case 0xE1...0xEC, 0xEE...0xEF: (needed, lowest, highest) = (2, 0x80, 0xBF)
                case 0xED: (needed, lowest, highest) = (2, 0x80, 0x9F)  // no surrogates
                case 0xF0: (needed, lowest, highest) = (3, 0x90, 0xBF)
                case 0xF1...0xF3: (needed, lowest, highest) = (3, 0x80, 0xBF)
                case 0xF4: (needed, lowest, highest) = (3, 0x80, 0x8F)
                default: return index - 1
                }
            } else {
                let byte = chunk[index]
                guard byte >= lowest, byte <= highest else { return index }
                index += 1
                needed -= 1
                (lowest, highest) = (0x80, 0xBF)
            }
        }
        return nil
    }
}

/// The stream `XMLParser` reads a result file through: each chunk is checked (and hashed)
/// before the parser sees it, so bytes that changed after an earlier pass are checked too.
/// A failed check ends the stream with an error, which `error` holds.
final class CheckedStream: InputStream {
    private let file: OpenedFile
    private var checker: ByteChecker
    private let expectedSHA256: String?
    private var position: Int64 = 0
    private var finished = false
    private(set) var error: Error?

    /// - Parameter expectedSHA256: the fingerprint an earlier pass took; reading different
    ///   bytes is an error rather than a run stored under another file's fingerprint.
    init(file: OpenedFile, sniffed: PrologSniffer.Result, expectedSHA256: String? = nil) {
        self.file = file
        self.expectedSHA256 = expectedSHA256
        checker = ByteChecker(sniffed: sniffed, hashing: expectedSHA256 != nil)
        super.init(data: Data())
    }

    override func open() {}
    override func close() {}
    override var hasBytesAvailable: Bool { error == nil && !finished }
    override var streamStatus: Stream.Status { error != nil ? .error : finished ? .atEnd : .open }
    override var streamError: Error? { error }

    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength length: Int) -> Int {
        guard error == nil else { return -1 }
        do {
            let count = try file.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: length), at: position)
            if count == 0 {
                finished = true
                let digest = try checker.finish(of: file)
                if let expectedSHA256, digest != expectedSHA256 {
                    throw TriageError.badInput(
                        file: file.shown, line: nil,
                        reason: "the file changed while triage read it; store it again once it is complete")
                }
                return 0
            }
            try checker.check(UnsafeRawBufferPointer(start: buffer, count: count), of: file)
            position += Int64(count)
            return count
        } catch {
            self.error = error
            return -1
        }
    }
}
