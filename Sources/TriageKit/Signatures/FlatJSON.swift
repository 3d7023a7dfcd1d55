import TriageModel
import TriageStore
/// The JSON of `triage classify`, read and written on bytes: a flat object of strings per line.
///
/// The reader takes only what it is sure of, a flat object whose values are strings, `null`,
/// integers, `true` or `false`, and returns nil for anything else (nested values, duplicate
/// keys, escaped keys, lone surrogates, raw control characters, any syntax error), which the
/// caller then hands to `JSONDecoder`: what `JSONDecoder` accepts and what it rejects stays
/// the reference. The writer escapes as `JSONEncoder` does (`"`, `\`, control characters;
/// slashes kept).
enum FlatJSON {
    /// A value of a flat object.
    enum Value: Equatable {
        /// A string, checked as `decoded(_:)` reads it and left as it is written, quotes
        /// included: no string is built until its value is asked for.
        case string(ArraySlice<UInt8>)
        case integer(Int64)
        case boolean(Bool)
        case null
    }

    /// Calls `body` with each member of the object in order (its key as written, without
    /// quotes, and its value), and returns whether the line is a flat object this reader is sure
    /// of: false as soon as it is not, or when `body` returns false. The members are visited
    /// before the end of the object is read, so a caller keeps what it saw only on true.
    static func forEachMember(
        of line: ArraySlice<UInt8>, _ body: (_ key: ArraySlice<UInt8>, _ value: Value) -> Bool
    ) -> Bool {
        var reader = Reader(bytes: line)
        return reader.object(body)
    }

    /// The value of a string as it is written (a `Value.string`), its escapes decoded.
    static func decoded(_ written: ArraySlice<UInt8>) -> String? {
        var reader = Reader(bytes: written)
        guard let value = reader.string(), reader.index == written.endIndex else { return nil }
        return value
    }

    private struct Reader {
        let bytes: ArraySlice<UInt8>
        var index: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            index = bytes.startIndex
        }

        mutating func object(_ body: (ArraySlice<UInt8>, Value) -> Bool) -> Bool {
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return false }
            skipSpace()
            if !take(UInt8(ascii: "}")) {
                repeat {
                    skipSpace()
                    guard let key = plainKey() else { return false }
                    skipSpace()
                    guard take(UInt8(ascii: ":")) else { return false }
                    skipSpace()
                    guard let value = value(), body(key, value) else { return false }
                    skipSpace()
                } while take(UInt8(ascii: ","))
                guard take(UInt8(ascii: "}")) else { return false }
            }
            skipSpace()
            return index == bytes.endIndex
        }

        // MARK: - Tokens

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.endIndex, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// JSON's white space: space, tab, line feed, carriage return.
        mutating func skipSpace() {
            while index < bytes.endIndex,
                bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D
            {
                index += 1
            }
        }

        /// A key without escapes or control characters.
        mutating func plainKey() -> ArraySlice<UInt8>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.endIndex, bytes[index] != UInt8(ascii: "\"") {
                guard bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 else { return nil }
                index += 1
            }
            guard index < bytes.endIndex else { return nil }
            index += 1
            return bytes[start..<(index - 1)]
        }

        mutating func value() -> Value? {
            guard index < bytes.endIndex else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let start = index
                return skipString() ? .string(bytes[start..<index]) : nil
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            case UInt8(ascii: "t"): return literal("true") ? .boolean(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .boolean(false) : nil
            default: return integer().map(Value.integer)
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard bytes.endIndex - index >= count else { return false }
            let matches = word.withUTF8Buffer { bytes[index..<(index + count)].elementsEqual($0) }
            if matches { index += count }
            return matches
        }

        /// `-?(0|[1-9][0-9]*)` within `Int64`, not followed by a fraction or exponent.
        mutating func integer() -> Int64? {
            let negative = take(UInt8(ascii: "-"))
            let start = index
            var magnitude: UInt64 = 0
            while index < bytes.endIndex, ASCII.isDigit(bytes[index]) {
                let (times, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, carry) = times.addingReportingOverflow(UInt64(bytes[index] &- UInt8(ascii: "0")))
                guard !overflow, !carry else { return nil }
                magnitude = sum
                index += 1
            }
            let digits = index - start
            guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            if index < bytes.endIndex {
                let next = bytes[index]
                guard next != UInt8(ascii: "."), next | 0x20 != UInt8(ascii: "e") else { return nil }
            }
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
                return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return Int64(magnitude)
        }

        /// A string value with its escapes decoded.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            // Most strings have no escapes: their bytes are the value.
            index = plainRunEnd(from: index)
            guard index < bytes.endIndex, bytes[index] >= 0x20 else { return nil }
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                return ASCII.string(bytes[start..<(index - 1)])
            }
            var decoded = Array(bytes[start..<index])
            while index < bytes.endIndex {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return ASCII.string(decoded)
                case UInt8(ascii: "\\"):
                    index += 1
                    guard escape(into: &decoded) else { return nil }
                case 0..<0x20:
                    return nil
                default:
                    // The plain bytes up to the next quote, backslash or control character, at once.
                    let run = index
                    index = plainRunEnd(from: index)
                    decoded.append(contentsOf: bytes[run..<index])
                }
            }
            return nil
        }

        /// Passes over a string as `string()` reads it, accepting and refusing the same ones.
        mutating func skipString() -> Bool {
            guard take(UInt8(ascii: "\"")) else { return false }
            while index < bytes.endIndex {
                index = plainRunEnd(from: index)
                guard index < bytes.endIndex else { return false }
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return true
                case UInt8(ascii: "\\"):
                    guard skipEscape() else { return false }
                default:
                    return false  // a control character
                }
            }
            return false
        }

        /// The index of the first quote, backslash or control character at or after `start`
        /// (`bytes.endIndex` when there is none). Eight bytes are tested at once: a string's
        /// plain runs are most of a line.
        func plainRunEnd(from start: Int) -> Int {
            bytes.withUnsafeBufferPointer { buffer in
                let base = bytes.startIndex
                var offset = start - base
                let count = buffer.count
                let ones: UInt64 = 0x0101_0101_0101_0101
                let highs: UInt64 = 0x8080_8080_8080_8080
                let raw = UnsafeRawBufferPointer(buffer)
                while offset + 8 <= count {
                    let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                    let quotes = word ^ (ones &* 0x22)
                    let backslashes = word ^ (ones &* 0x5C)
                    // A byte is flagged when it is zero after the xor (the byte matched), or
                    // below 0x20; a byte of 0x80 or more is never below 0x20.
                    let found =
                        ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
                        | ((word &- ones &* 0x20) & ~word)
                    if found & highs != 0 { break }
                    offset += 8
                }
                while offset < count {
                    let byte = buffer[offset]
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                    offset += 1
                }
                return base + offset
            }
        }

        /// Passes over the escape after a backslash, accepting and refusing the escapes that
        /// `escape(into:)` does.
        mutating func skipEscape() -> Bool {
            guard index < bytes.endIndex else { return false }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                return true
            case UInt8(ascii: "u"):
                guard let unit = hexUnit() else { return false }
                if (0xD800..<0xDC00).contains(unit) {
                    guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hexUnit() else { return false }
                    return (0xDC00..<0xE000).contains(low)
                }
                // Every other code unit is a scalar of its own; a lone low surrogate is not.
                return !(0xDC00..<0xE000).contains(unit)
            default:
                return false
            }
        }

        /// The escape after a backslash, appended as UTF-8.
        mutating func escape(into decoded: inout [UInt8]) -> Bool {
            guard index < bytes.endIndex else { return false }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(byte)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hexUnit() else { return false }
                var scalar = UInt32(unit)
                if (0xD800..<0xDC00).contains(unit) {
                    guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hexUnit(),
                        (0xDC00..<0xE000).contains(low)
                    else { return false }
                    scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                } else if (0xDC00..<0xE000).contains(unit) {
                    return false
                }
                guard let character = Unicode.Scalar(scalar) else { return false }
                decoded.append(contentsOf: UTF8.encode(character)!)
            default:
                return false
            }
            return true
        }

        mutating func hexUnit() -> UInt16? {
            guard bytes.endIndex - index >= 4 else { return nil }
            var unit: UInt16 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                if ASCII.isDigit(byte) {
                    digit = byte - UInt8(ascii: "0")
                } else if (byte | 0x20) &- UInt8(ascii: "a") < 6 {
                    digit = (byte | 0x20) - UInt8(ascii: "a") + 10
                } else {
                    return nil
                }
                unit = unit << 4 | UInt16(digit)
                index += 1
            }
            return unit
        }
    }

    // MARK: - Writing

    /// Appends `"value"`, escaped as `JSONEncoder` escapes it.
    static func appendString(_ value: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { appendEscaped($0, to: &output) }
        output.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var start = 0
        for (index, byte) in text.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            // The bytes before it need no escape: copied in one piece.
            output.append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<index]))
            start = index + 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                output.append(UInt8(ascii: "\\"))
                output.append(byte)
            case 0x08: appendEscape("\\b", to: &output)
            case 0x09: appendEscape("\\t", to: &output)
            case 0x0A: appendEscape("\\n", to: &output)
            case 0x0C: appendEscape("\\f", to: &output)
            case 0x0D: appendEscape("\\r", to: &output)
            case 0..<0x20:
                appendEscape("\\u00", to: &output)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default:
                output.append(byte)
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: text[start...]))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendEscape(_ escape: StaticString, to output: inout [UInt8]) {
        escape.withUTF8Buffer { output.append(contentsOf: $0) }
    }
}
