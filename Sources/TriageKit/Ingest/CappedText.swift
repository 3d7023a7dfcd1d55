import Foundation

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
