import TriageModel
import TriageStore
/// A set of phrase ids (at most `PhraseSet.capacity`), stored inline so that testing
/// a rule's cues against a scan is a few word operations and no allocation.
struct PhraseSet: Sendable, Equatable {
    static let capacity = 1280

    /// Ids 0–1023 in `low`, the rest in `high`: twenty 64-bit words.
    private var low = SIMD16<UInt64>()
    private var high = SIMD4<UInt64>()

    init() {}

    init(_ ids: [Int]) {
        for id in ids { insert(id) }
    }

    var isEmpty: Bool { low == SIMD16<UInt64>() && high == SIMD4<UInt64>() }

    func contains(_ id: Int) -> Bool {
        let word = id &>> 6
        let bit: UInt64 = 1 &<< UInt64(id & 63)
        return (word < 16 ? low[word] : high[word &- 16]) & bit != 0
    }

    mutating func insert(_ id: Int) {
        let word = id &>> 6
        let bit: UInt64 = 1 &<< UInt64(id & 63)
        if word < 16 { low[word] |= bit } else { high[word &- 16] |= bit }
    }

    mutating func formUnion(_ other: PhraseSet) {
        low |= other.low
        high |= other.high
    }

    func intersects(_ other: PhraseSet) -> Bool {
        (low & other.low) != SIMD16<UInt64>() || (high & other.high) != SIMD4<UInt64>()
    }
}

/// A phrase with the word-boundary conditions under which it counts.
struct Phrase: Sendable {
    var bytes: [UInt8]
    /// The byte before the match must not be a letter or digit.
    var wordStart: Bool
    /// The byte after the match must not be a letter or digit.
    var wordEnd: Bool

    /// Parses the lexicon notation: a leading or trailing `~` asks for a word boundary.
    init(notation: String) {
        var text = Substring(notation)
        wordStart = text.hasPrefix("~")
        if wordStart { text = text.dropFirst() }
        wordEnd = text.hasSuffix("~")
        if wordEnd { text = text.dropLast() }
        bytes = Array(text.lowercased().utf8)
    }
}

/// The phrases found in one text: which ids occur anywhere, which occur outside stack
/// frames and source-code lines, and where each first occurs.
struct PhraseScan: Sendable {
    var bytes: [UInt8]
    /// Ids found on any line, stack frames included (useful for details such as a client
    /// library named in a frame).
    var anywhere = PhraseSet()
    /// Ids found on lines that are not stack frames or quoted source (used for categories).
    var outsideFrames = PhraseSet()
    /// For each found id, the end offset of its first occurrence, and of its first
    /// occurrence outside frames when that comes later.
    fileprivate var firstEnds: [(id: UInt16, end: Int32, inFrame: Bool)] = []

    static let empty = PhraseScan(bytes: [])

    var isEmpty: Bool { bytes.isEmpty }

    /// Byte offset just past the earliest occurrence of any of `ids`, preferring
    /// occurrences outside stack frames.
    func firstEnd(among ids: PhraseSet) -> Int? {
        var best: Int?
        for entry in firstEnds where !entry.inFrame && ids.contains(Int(entry.id)) {
            best = min(best ?? Int.max, Int(entry.end))
        }
        if best != nil { return best }
        for entry in firstEnds where ids.contains(Int(entry.id)) {
            best = min(best ?? Int.max, Int(entry.end))
        }
        return best
    }

    /// Notes an occurrence of phrase `id` ending at `end`.
    fileprivate mutating func record(_ id: Int, endingAt end: Int, inFrame frame: Bool) {
        if !anywhere.contains(id) {
            anywhere.insert(id)
            firstEnds.append((UInt16(id), Int32(end), frame))
        }
        if !frame, !outsideFrames.contains(id) {
            outsideFrames.insert(id)
            if firstEnds.contains(where: { Int($0.id) == id && $0.inFrame }) {
                firstEnds.append((UInt16(id), Int32(end), false))
            }
        }
    }

    /// The line (without its newline) around a byte offset.
    func line(around offset: Int) -> ArraySlice<UInt8> {
        var start = min(max(offset, 0), bytes.count)
        while start > 0, bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        var end = min(max(offset, 0), bytes.count)
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        return bytes[start..<end]
    }
}

/// An Aho–Corasick automaton over ASCII-case-folded bytes: one pass over a text finds every
/// phrase of the lexicon, so rules cost bit tests instead of substring searches or regexes.
///
/// The transition table is laid out for the cache: states are numbered breadth first, so the
/// shallow states that most bytes lead to share a few kilobytes, and each entry carries in its
/// top bit whether the state it leads to ends a phrase, so a byte that completes nothing
/// touches the table once.
struct PhraseMatcher: Sendable {
    let phrases: [Phrase]
    private let byteClass: [UInt8]
    private let classCount: Int
    /// `transitions[state * classCount + class]`: the next state, with `endsPhrase` set when
    /// that state completes at least one phrase.
    private let transitions: [UInt16]
    private let outputStart: [Int32]
    private let outputIDs: [UInt16]
    /// Per phrase: its length in bytes and whether it asks for word boundaries.
    private let lengths: [Int32]
    /// The longest phrase, in bytes: how far before a point a scan must start to be exact there.
    private let longest: Int
    private let wordStarts: [Bool]
    private let wordEnds: [Bool]

    private static let endsPhrase: UInt16 = 0x8000

    init(phrases: [Phrase]) {
        precondition(phrases.count <= PhraseSet.capacity, "too many phrases for PhraseSet")
        self.phrases = phrases

        // Alphabet reduction: every byte that occurs in a phrase gets its own class,
        // upper-case letters share their lower-case class, all other bytes share class 0.
        var byteClass = [UInt8](repeating: 0, count: 256)
        var classCount = 1
        for phrase in phrases {
            for byte in phrase.bytes where byteClass[Int(byte)] == 0 {
                byteClass[Int(byte)] = UInt8(classCount)
                classCount += 1
            }
        }
        for upper in UInt8(ascii: "A")...UInt8(ascii: "Z") {
            byteClass[Int(upper)] = byteClass[Int(upper + 32)]
        }
        precondition(classCount < 256, "too many distinct bytes in phrases")

        // Trie.
        var children: [[Int32]] = [[Int32](repeating: -1, count: classCount)]
        var outputs: [[UInt16]] = [[]]
        for (id, phrase) in phrases.enumerated() {
            var state = 0
            for byte in phrase.bytes {
                let cls = Int(byteClass[Int(byte)])
                if children[state][cls] < 0 {
                    children[state][cls] = Int32(children.count)
                    children.append([Int32](repeating: -1, count: classCount))
                    outputs.append([])
                }
                state = Int(children[state][cls])
            }
            outputs[state].append(UInt16(id))
        }
        precondition(children.count < Int(Self.endsPhrase), "too many automaton states")

        // Breadth-first order: the states' new numbers.
        var order = [0]
        var head = 0
        while head < order.count {
            for child in children[order[head]] where child >= 0 { order.append(Int(child)) }
            head += 1
        }
        var number = [Int](repeating: 0, count: children.count)
        for (position, state) in order.enumerated() { number[state] = position }

        // Failure links, breadth first, completing the transition table as we go (in the new
        // numbering; the end-of-phrase bits are added once all outputs are known).
        var fail = [Int](repeating: 0, count: children.count)
        var table = [Int](repeating: 0, count: children.count * classCount)
        for state in order {
            let row = number[state] * classCount
            let failRow = number[fail[state]] * classCount
            if state != 0 { outputs[state] += outputs[fail[state]] }
            for cls in 0..<classCount {
                let child = children[state][cls]
                if child >= 0 {
                    if state != 0 { fail[Int(child)] = order[table[failRow + cls]] }
                    table[row + cls] = number[Int(child)]
                } else {
                    table[row + cls] = state == 0 ? 0 : table[failRow + cls]
                }
            }
        }

        var outputStart: [Int32] = [0]
        var outputIDs: [UInt16] = []
        for state in order {
            outputIDs += outputs[state]
            outputStart.append(Int32(outputIDs.count))
        }
        self.byteClass = byteClass
        self.classCount = classCount
        self.transitions = table.map { target in
            UInt16(target) | (outputStart[target] < outputStart[target + 1] ? Self.endsPhrase : 0)
        }
        self.outputStart = outputStart
        self.outputIDs = outputIDs
        lengths = phrases.map { Int32($0.bytes.count) }
        longest = phrases.map(\.bytes.count).max() ?? 0
        wordStarts = phrases.map(\.wordStart)
        wordEnds = phrases.map(\.wordEnd)
    }

    /// Texts at least this long are scanned as two interleaved halves.
    private static let splitLength = 160

    /// Finds every phrase in `bytes`, noting which lines are stack frames or quoted source.
    ///
    /// Each byte's step waits for the table entry the step before it chose, so one pass runs at
    /// the speed of memory, not of the processor. A long text is scanned as two halves stepped
    /// in the same loop, whose lookups overlap. The second half starts `longest` bytes early
    /// from the root state: from its first own byte on, its state is the one a single pass has
    /// there (no phrase is longer), so it finds the same phrases; they are noted after the
    /// first half's, in text order, as a single pass notes them.
    func scan(_ bytes: [UInt8]) -> PhraseScan {
        var result = PhraseScan(bytes: bytes)
        guard !bytes.isEmpty else { return result }
        bytes.withUnsafeBufferPointer { text in
            byteClass.withUnsafeBufferPointer { classes in
                transitions.withUnsafeBufferPointer { delta in
                    let count = text.count
                    let split = count >= Self.splitLength && count / 2 > longest
                    let middle = split ? count / 2 : count
                    var state = 0
                    var lineIsFrame = FrameLines.isFrame(text, lineStart: 0, previousWasFileLine: false)
                    var lineIsFileLine = lineIsFrame && FrameLines.isPythonFileLine(text, lineStart: 0)
                    // The second half: its state, its line's kind, and the phrases it found.
                    let secondStart = split ? middle - longest : count
                    var secondState = 0
                    var secondIsFrame = false
                    var secondIsFileLine = false
                    var secondFound: [(state: Int, end: Int, frame: Bool)] = []
                    if split {
                        var lineStart = secondStart
                        while lineStart > 0, text[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
                        var previousWasFileLine = false
                        if lineStart > 0 {
                            var previousStart = lineStart - 1
                            while previousStart > 0, text[previousStart - 1] != UInt8(ascii: "\n") { previousStart -= 1 }
                            previousWasFileLine = FrameLines.isPythonFileLine(text, lineStart: previousStart)
                        }
                        secondIsFrame = FrameLines.isFrame(
                            text, lineStart: lineStart, previousWasFileLine: previousWasFileLine)
                        secondIsFileLine = secondIsFrame && FrameLines.isPythonFileLine(text, lineStart: lineStart)
                    }
                    var second = secondStart
                    for index in 0..<middle {
                        let byte = text[index]
                        if byte == UInt8(ascii: "\n") {
                            lineIsFrame = FrameLines.isFrame(
                                text, lineStart: index &+ 1, previousWasFileLine: lineIsFileLine)
                            lineIsFileLine = lineIsFrame && FrameLines.isPythonFileLine(text, lineStart: index &+ 1)
                        }
                        let next = delta[state &* classCount &+ Int(classes[Int(byte)])]
                        state = Int(next & ~Self.endsPhrase)
                        if next & Self.endsPhrase != 0 {
                            recordPhrases(endingIn: state, at: index &+ 1, in: text, frame: lineIsFrame, into: &result)
                        }
                        if split {
                            let secondByte = text[second]
                            if secondByte == UInt8(ascii: "\n") {
                                secondIsFrame = FrameLines.isFrame(
                                    text, lineStart: second &+ 1, previousWasFileLine: secondIsFileLine)
                                secondIsFileLine =
                                    secondIsFrame && FrameLines.isPythonFileLine(text, lineStart: second &+ 1)
                            }
                            let secondNext = delta[secondState &* classCount &+ Int(classes[Int(secondByte)])]
                            secondState = Int(secondNext & ~Self.endsPhrase)
                            if secondNext & Self.endsPhrase != 0, second >= middle {
                                secondFound.append((secondState, second &+ 1, secondIsFrame))
                            }
                            second &+= 1
                        }
                    }
                    guard split else { return }
                    for (state, end, frame) in secondFound {
                        recordPhrases(endingIn: state, at: end, in: text, frame: frame, into: &result)
                    }
                    while second < count {
                        let secondByte = text[second]
                        if secondByte == UInt8(ascii: "\n") {
                            secondIsFrame = FrameLines.isFrame(
                                text, lineStart: second &+ 1, previousWasFileLine: secondIsFileLine)
                            secondIsFileLine = secondIsFrame && FrameLines.isPythonFileLine(text, lineStart: second &+ 1)
                        }
                        let secondNext = delta[secondState &* classCount &+ Int(classes[Int(secondByte)])]
                        secondState = Int(secondNext & ~Self.endsPhrase)
                        if secondNext & Self.endsPhrase != 0 {
                            recordPhrases(endingIn: secondState, at: second &+ 1, in: text, frame: secondIsFrame, into: &result)
                        }
                        second &+= 1
                    }
                }
            }
        }
        return result
    }

    private func recordPhrases(
        endingIn state: Int, at end: Int, in text: UnsafeBufferPointer<UInt8>, frame: Bool,
        into result: inout PhraseScan
    ) {
        for slot in Int(outputStart[state])..<Int(outputStart[state + 1]) {
            let id = Int(outputIDs[slot])
            if wordStarts[id] {
                let start = end - Int(lengths[id])
                if start > 0, ASCII.isAlphanumeric(text[start - 1]) { continue }
            }
            if wordEnds[id], end < text.count, ASCII.isAlphanumeric(text[end]) { continue }
            result.record(id, endingAt: end, inFrame: frame)
        }
    }
}

/// Recognises the lines of a failure text that are stack frames or quoted source code, whose
/// words (method names such as `TimeoutHandler`, code such as `timeout=5`) must not decide
/// the category.
enum FrameLines {
    static func isFrame(
        _ text: UnsafeBufferPointer<UInt8>, lineStart: Int, previousWasFileLine: Bool
    ) -> Bool {
        var index = lineStart
        var indented = false
        while index < text.count, text[index] == UInt8(ascii: " ") || text[index] == UInt8(ascii: "\t") {
            index += 1
            indented = true
        }
        if index < text.count, text[index] == UInt8(ascii: "\n") { return false }
        // The source line that Python prints under each `File "...", line N` frame.
        if previousWasFileLine && indented { return true }
        if hasPrefix(text, at: index, "at ") { return true }
        if hasPrefix(text, at: index, "File \"") { return true }
        // pytest marks the failing source line with `>` in its first column and keeps the code's
        // own indentation (`>       assert x`); a code frame (Jest, Babel) marks it `> 12 |`
        // at any indentation. Any other `>` is a log's or a quote's prefix (Gradle's
        // `   >     java.lang.AssertionError`, a quoted `>\tCaused by: ...`).
        if hasPrefix(text, at: index, ">") {
            if !indented, hasPrefix(text, at: index, ">   ") { return true }
            var next = index + 1
            while next < text.count, text[next] == UInt8(ascii: " ") { next += 1 }
            let numberStart = next
            while next < text.count, ASCII.isDigit(text[next]) { next += 1 }
            let hasNumber = next > numberStart
            while next < text.count, text[next] == UInt8(ascii: " ") { next += 1 }
            return hasNumber && next < text.count && text[next] == UInt8(ascii: "|")
        }
        if hasPrefix(text, at: index, "INTERNALERROR>") {
            var inner = index + 14
            while inner < text.count, text[inner] == UInt8(ascii: " ") { inner += 1 }
            return hasPrefix(text, at: inner, "File \"") || hasPrefix(text, at: inner, "at ")
        }
        return false
    }

    static func isPythonFileLine(_ text: UnsafeBufferPointer<UInt8>, lineStart: Int) -> Bool {
        var index = lineStart
        while index < text.count, text[index] == UInt8(ascii: " ") || text[index] == UInt8(ascii: "\t") {
            index += 1
        }
        return hasPrefix(text, at: index, "File \"")
    }

    private static func hasPrefix(_ text: UnsafeBufferPointer<UInt8>, at index: Int, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard index + count <= text.count else { return false }
        return prefix.withUTF8Buffer { expected in
            for offset in 0..<count where text[index + offset] != expected[offset] { return false }
            return true
        }
    }
}

/// Byte-level ASCII helpers shared by the scanner, the extractors and the masker.
enum ASCII {
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26
    }

    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || isLetter(byte)
    }

    @inline(__always) static func isWordByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_")
    }

    @inline(__always) static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20) &- UInt8(ascii: "a") < 6
    }

    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    static func isASCII(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            // Eight bytes at a time: no byte has its top bit set.
            while offset + 8 <= buffer.count {
                if buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
                    return false
                }
                offset += 8
            }
            return buffer[offset...].allSatisfy { $0 < 0x80 }
        }
    }

    // MARK: - Questions about lower-cased text

    // These answer what `String` answers about `string(bytes.map(lower))`: compared as bytes
    // when the bytes are ASCII (the usual case, and then the answers agree), and through
    // `String` otherwise, whose comparisons see characters (a combining mark belongs to the
    // letter before it). Patterns are lower case, made of ASCII and `µ`, characters that no
    // shorter sequence of bytes is equal to: a text with fewer bytes cannot match them.

    /// Whether the lower-cased bytes are `pattern`.
    static func lowered(_ bytes: ArraySlice<UInt8>, equals pattern: StaticString) -> Bool {
        guard bytes.count >= pattern.utf8CodeUnitCount else { return false }
        guard isASCII(bytes) else { return string(bytes.map(lower)) == pattern.description }
        return bytes.count == pattern.utf8CodeUnitCount && equalsLowered(bytes, pattern)
    }

    /// Whether the lower-cased bytes start with `pattern`.
    static func lowered(_ bytes: ArraySlice<UInt8>, hasPrefix pattern: StaticString) -> Bool {
        guard bytes.count >= pattern.utf8CodeUnitCount else { return false }
        guard isASCII(bytes) else { return string(bytes.map(lower)).hasPrefix(pattern.description) }
        return equalsLowered(bytes.prefix(pattern.utf8CodeUnitCount), pattern)
    }

    /// Whether the lower-cased bytes end with `pattern`.
    static func lowered(_ bytes: ArraySlice<UInt8>, hasSuffix pattern: StaticString) -> Bool {
        guard bytes.count >= pattern.utf8CodeUnitCount else { return false }
        guard isASCII(bytes) else { return string(bytes.map(lower)).hasSuffix(pattern.description) }
        return equalsLowered(bytes.suffix(pattern.utf8CodeUnitCount), pattern)
    }

    /// Whether the lower-cased bytes contain `pattern`.
    static func lowered(_ bytes: ArraySlice<UInt8>, contains pattern: StaticString) -> Bool {
        guard bytes.count >= pattern.utf8CodeUnitCount else { return false }
        guard isASCII(bytes) else { return string(bytes.map(lower)).contains(pattern.description) }
        return pattern.withUTF8Buffer { firstRange(of: $0, in: bytes, from: bytes.startIndex) } != nil
    }

    /// Whether `bytes`, lower-cased, are the bytes of `pattern` (of the same length).
    private static func equalsLowered(_ bytes: ArraySlice<UInt8>, _ pattern: StaticString) -> Bool {
        pattern.withUTF8Buffer { pattern in
            var offset = 0
            for byte in bytes {
                if lower(byte) != pattern[offset] { return false }
                offset += 1
            }
            return true
        }
    }

    /// The value of a run of ASCII digits; nil for anything else or a value too large for `Int`.
    static func integer(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard isDigit(byte) else { return nil }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(Int(byte &- UInt8(ascii: "0")))
            guard !overflow, !carry else { return nil }
            value = sum
        }
        return value
    }

    /// Whether `bytes` contains `needle` (already lower-case), ignoring ASCII case.
    static func contains<C: RandomAccessCollection>(_ bytes: C, _ needle: String) -> Bool
    where C.Element == UInt8, C.Index == Int {
        firstRange(of: needle, in: bytes) != nil
    }

    /// The range of the first case-insensitive occurrence of `needle` (lower-case) in `bytes`.
    static func firstRange<C: RandomAccessCollection>(
        of needle: String, in bytes: C, from: Int? = nil
    ) -> Range<Int>? where C.Element == UInt8, C.Index == Int {
        // Literal needles are stored contiguously: no copy.
        needle.utf8.withContiguousStorageIfAvailable { pattern in
            firstRange(of: pattern, in: bytes, from: from ?? bytes.startIndex)
        } ?? firstRange(of: Array(needle.utf8), in: bytes, from: from ?? bytes.startIndex)
    }

    private static func firstRange<C: RandomAccessCollection, P: RandomAccessCollection>(
        of pattern: P, in bytes: C, from start: Int
    ) -> Range<Int>? where C.Element == UInt8, C.Index == Int, P.Element == UInt8, P.Index == Int {
        guard let first = pattern.first else { return nil }
        let lastStart = bytes.endIndex - pattern.count
        guard start <= lastStart else { return nil }
        var index = start
        while index <= lastStart {
            if lower(bytes[index]) == first {
                var offset = 1
                while offset < pattern.count, lower(bytes[index + offset]) == pattern[pattern.startIndex + offset] {
                    offset += 1
                }
                if offset == pattern.count { return index..<(index + pattern.count) }
            }
            index += 1
        }
        return nil
    }

    static func string<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: bytes, as: UTF8.self)
    }
}
