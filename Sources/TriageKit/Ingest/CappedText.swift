import Foundation
import TriageModel
import TriageStore

/// Text collected from XML character data, kept up to a limit so that a 100 MB text node
/// costs at most `limit` bytes of memory. What is cut is counted and marked.
struct CappedText {
    /// The default limit for one stored text field (message, failure text, output), in UTF-8 bytes.
    static let defaultLimit = 64 * 1024

    private(set) var value = ""
    private(set) var byteCount = 0
    private(set) var droppedBytes = 0
    let limit: Int

    init(limit: Int = CappedText.defaultLimit) {
        self.limit = limit
    }

    mutating func append(_ piece: String) {
        let size = piece.utf8.count
        if droppedBytes == 0, byteCount + size <= limit {
            value += piece
            byteCount += size
            return
        }
        let room = limit - byteCount
        if room > 0 {
            // Cut on a character boundary at or below the room left.
            var kept = 0
            var end = piece.startIndex
            for character in piece {
                let width = character.utf8.count
                if kept + width > room { break }
                kept += width
                end = piece.index(after: end)
            }
            value += piece[..<end]
            byteCount += kept
            droppedBytes += size - kept
        } else {
            droppedBytes += size
        }
    }

    /// Appends a CDATA block. XML requires `\r\n` and lone `\r` to reach the application as
    /// `\n`; Foundation's parser does so for character data but hands CDATA over raw.
    mutating func append(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        guard text.unicodeScalars.contains("\r") else { return append(text) }
        append(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n"))
    }

    /// The text with a truncation marker, or nil when only whitespace was collected.
    var text: String? {
        if value.allSatisfy(\.isWhitespace) { return nil }
        if droppedBytes > 0 { return value + "\n…[truncated: \(droppedBytes) more bytes]" }
        return value
    }
}

extension CappedText {
    /// Room for the truncation marker: text that `CappedText` already cut is left alone.
    private static let markerRoom = 64

    /// `text` cut to `limit` bytes with the truncation marker, for values that arrive whole
    /// (attributes such as `message`, `type` or a test's name) rather than as character data.
    static func capped(_ text: String?, limit: Int = CappedText.defaultLimit) -> String? {
        guard let text, text.utf8.count > limit + markerRoom else { return text }
        var capped = CappedText(limit: limit)
        capped.append(text)
        return capped.value + "\n…[truncated: \(capped.droppedBytes) more bytes]"
    }
}

extension CappedText {
    /// A part of a test's identity (suite, class, name) cut like other text, with the SHA-256
    /// of the whole value in its marker: the identity is computed from the cut form, so two
    /// names that differ only after the cut must not cut to the same text.
    static func cappedIdentity(_ text: String, limit: Int = CappedText.defaultLimit) -> String {
        guard text.utf8.count > limit + markerRoom else { return text }
        var capped = CappedText(limit: limit)
        capped.append(text)
        let digest = ResultFiles.sha256(text).prefix(32)
        return capped.value + "\n…[truncated: \(capped.droppedBytes) more bytes; sha256 of the whole: \(digest)]"
    }
}

extension TestCase {
    /// The case with every text that came from an attribute capped like stored text, so that
    /// a 10 MB `message` or name costs 64 KiB in the database and in reports. The parts of the
    /// identity keep a fingerprint of their whole value (see `cappedIdentity`).
    func cappingTexts() -> TestCase {
        var copy = self
        copy.suite = CappedText.cappedIdentity(suite)
        copy.suitePath = CappedText.cappedIdentity(suitePath)
        copy.classname = CappedText.cappedIdentity(classname)
        copy.name = CappedText.cappedIdentity(name)
        copy.file = CappedText.capped(file)
        for (index, attempt) in attempts.enumerated() {
            let message = CappedText.capped(attempt.message)
            let failureType = CappedText.capped(attempt.failureType)
            // Written back only when cut: writing would copy the attempts `self` shares.
            if message != attempt.message || failureType != attempt.failureType {
                copy.attempts[index].message = message
                copy.attempts[index].failureType = failureType
            }
        }
        return copy
    }
}
