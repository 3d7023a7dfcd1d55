/// ASCII helpers for the parsers' hot paths.
@inline(__always)
package func isASCIIWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
}

/// `text` without leading and trailing ASCII whitespace; far cheaper than Foundation's
/// `trimmingCharacters`, which matters at a million attributes.
package func asciiTrimmed(_ text: String) -> Substring {
    let utf8 = text.utf8
    guard let first = utf8.firstIndex(where: { !isASCIIWhitespace($0) }),
        let last = utf8.lastIndex(where: { !isASCIIWhitespace($0) })
    else { return "" }
    return text[first...last]
}
