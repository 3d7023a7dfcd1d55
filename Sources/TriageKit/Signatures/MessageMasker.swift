import TriageModel
import TriageStore
/// Turns an error line into a cluster title: what varies from run to run is masked
/// (numbers, hex, UUIDs, IPs, ephemeral ports, temporary and absolute paths, object
/// addresses, durations, timestamps), what identifies the cause is kept (exception types,
/// quoted names, errno and exit codes, well-known ports).
public enum MessageMasker {
    /// The longest template, in bytes of UTF-8 (cut at a character boundary).
    public static let maximumLength = 200

    /// Masks one line; line breaks and runs of white space become one space.
    public static func mask(_ line: String) -> String {
        mask(Array(line.utf8)[...])
    }

    /// Masks one line given as UTF-8.
    static func mask(_ line: ArraySlice<UInt8>) -> String {
        var masker = Masker(input: Array(line))
        masker.run()
        return masker.result()
    }
}

private struct Masker {
    let input: [UInt8]
    var output: [UInt8] = []
    var index = 0

    init(input: [UInt8]) {
        self.input = input
        output.reserveCapacity(min(input.count, MessageMasker.maximumLength + 16))
    }

    mutating func run() {
        while index < input.count, output.count < MessageMasker.maximumLength + 16 {
            let byte = input[index]
            if byte == 0x1B {
                skipEscapeSequence()
                continue
            }
            if ASCII.isSpace(byte) {
                if let last = output.last, last != UInt8(ascii: " ") { output.append(UInt8(ascii: " ")) }
                index += 1
                continue
            }
            let atBoundary = index == 0 || !ASCII.isWordByte(input[index - 1])
            if atBoundary, maskToken() { continue }
            if ASCII.isWordByte(byte) {
                copyWord()
            } else {
                output.append(byte)
                index += 1
            }
        }
    }

    func result() -> String {
        var bytes = output[...]
        while bytes.last == UInt8(ascii: " ") { bytes = bytes.dropLast() }
        if bytes.count > MessageMasker.maximumLength {
            var cut = MessageMasker.maximumLength
            // Do not cut inside a UTF-8 sequence.
            while cut > 0, bytes[bytes.startIndex + cut] & 0xC0 == 0x80 { cut -= 1 }
            bytes = bytes.prefix(cut)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Tokens

    /// Tries each mask at a token start; returns whether one applied.
    mutating func maskToken() -> Bool {
        let byte = input[index]
        if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "~") {
            return maskPath()
        }
        if ASCII.isLetter(byte), index + 2 < input.count, input[index + 1] == UInt8(ascii: ":"),
            input[index + 2] == UInt8(ascii: "\\") || input[index + 2] == UInt8(ascii: "/"),
            index == 0 || !ASCII.isWordByte(input[index - 1])
        {
            return maskPath()
        }
        if byte == UInt8(ascii: "0"), index + 1 < input.count, input[index + 1] | 0x20 == UInt8(ascii: "x") {
            return maskHexLiteral()
        }
        guard ASCII.isAlphanumeric(byte) else {
            if byte == UInt8(ascii: "-"), index + 1 < input.count, ASCII.isDigit(input[index + 1]),
                index == 0 || !ASCII.isWordByte(input[index - 1])
            {
                return maskNumber(negative: true)
            }
            return false
        }
        let wordEnd = endOfWord(from: index)
        if maskUUID() { return true }
        if maskTimestamp() { return true }
        if maskIPv4() { return true }
        if maskHexRun(until: wordEnd) { return true }
        if maskRandomToken(until: wordEnd) { return true }
        if ASCII.isDigit(byte) { return maskNumber(negative: false) }
        return false
    }

    /// Copies the rest of a word unchanged (digits inside identifiers stay: `psycopg2`).
    mutating func copyWord() {
        let end = endOfWord(from: index)
        output.append(contentsOf: input[index..<end])
        index = end
    }

    func endOfWord(from start: Int) -> Int {
        var end = start
        while end < input.count, ASCII.isWordByte(input[end]) { end += 1 }
        return end
    }

    mutating func emit(_ token: StaticString) {
        token.withUTF8Buffer { output.append(contentsOf: $0) }
    }

    mutating func skipEscapeSequence() {
        index += 1
        guard index < input.count, input[index] == UInt8(ascii: "[") else { return }
        index += 1
        while index < input.count, !ASCII.isLetter(input[index]) { index += 1 }
        if index < input.count { index += 1 }
    }

    // MARK: - Paths

    /// Absolute and temporary paths: `/tmp/...` becomes `<tmp>`, other absolute paths keep
    /// only their last component (`<path>/conftest.py`), which reads the same on every machine.
    mutating func maskPath() -> Bool {
        let start = index
        // A path starts after white space, a quote, a bracket or `=`, not inside a URL.
        if start > 0 {
            let previous = input[start - 1]
            guard Self.pathOpeners.contains(previous) else { return false }
        }
        // `//` starts a comment or a URL's authority, not a path.
        if input[start] != UInt8(ascii: "~"), start + 1 < input.count,
            input[start + 1] == UInt8(ascii: "/") || input[start + 1] == UInt8(ascii: "\\")
                || ASCII.isSpace(input[start + 1])
        {
            return false
        }
        var end = start
        var separators = 0
        var isDrive = false
        if ASCII.isLetter(input[start]) {
            isDrive = true
            end = start + 2
        }
        while end < input.count {
            let byte = input[end]
            if ASCII.isSpace(byte) || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"")
                || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: ",")
                || byte == UInt8(ascii: ";") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "<")
                || byte == UInt8(ascii: "(") || byte == UInt8(ascii: "`")
                || (byte == UInt8(ascii: ":") && !(isDrive && end == start + 1))
            {
                break
            }
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") { separators += 1 }
            end += 1
        }
        let path = input[start..<end]
        // `/info` or `\n`-like fragments are not worth masking; a path has at least two parts.
        guard separators >= 2 || (isDrive && separators >= 1) else { return false }
        if Self.temporaryRoots.contains(where: { ASCII.lowered(path, hasPrefix: $0) })
            || ASCII.lowered(path, contains: "\\temp\\") || ASCII.lowered(path, contains: "\\tmp\\")
            || ASCII.lowered(path, contains: "/pytest-of-")
        {
            emit("<tmp>")
            index = end
            return true
        }
        var last = end
        while last > start, input[last - 1] != UInt8(ascii: "/"), input[last - 1] != UInt8(ascii: "\\") { last -= 1 }
        emit("<path>")
        if last > start, last < end {
            output.append(input[last - 1])
            // The file name keeps its words but not its numbers.
            var inner = Masker(input: Array(input[last..<end]))
            inner.run()
            output.append(contentsOf: inner.output)
        } else if last == end, end > start {
            output.append(input[end - 1])
        }
        index = end
        return true
    }

    private static let pathOpeners: [UInt8] = Array(" \t'\"([{<=,".utf8)
    private static let temporaryRoots: [StaticString] = [
        "/tmp/", "/var/tmp/", "/private/tmp/", "/var/folders/", "/private/var/folders/", "/dev/shm/",
    ]

    // MARK: - Numbers and identifiers

    /// `0x7f3a9c2e1d00` object addresses and other hex literals.
    mutating func maskHexLiteral() -> Bool {
        var end = index + 2
        while end < input.count, ASCII.isHexDigit(input[end]) { end += 1 }
        guard end - index >= 4, end == input.count || !ASCII.isWordByte(input[end]) else { return false }
        emit("<addr>")
        index = end
        return true
    }

    private static let uuidGroups = [8, 4, 4, 4, 12]

    mutating func maskUUID() -> Bool {
        guard index + 36 <= input.count, input[index + 8] == UInt8(ascii: "-") else { return false }
        let groups = Self.uuidGroups
        var position = index
        for (number, length) in groups.enumerated() {
            for _ in 0..<length {
                guard position < input.count, ASCII.isHexDigit(input[position]) else { return false }
                position += 1
            }
            if number < groups.count - 1 {
                guard position < input.count, input[position] == UInt8(ascii: "-") else { return false }
                position += 1
            }
        }
        guard position == input.count || !ASCII.isWordByte(input[position]) else { return false }
        emit("<uuid>")
        index = position
        return true
    }

    /// ISO dates with an optional time, and clock times `12:47:43.495`.
    mutating func maskTimestamp() -> Bool {
        // Cheap rejection: a timestamp has a `-` or `:` within its first five bytes.
        var probe = index
        while probe < input.count, probe - index < 5, ASCII.isDigit(input[probe]) { probe += 1 }
        guard probe < input.count, probe > index, input[probe] == UInt8(ascii: "-") || input[probe] == UInt8(ascii: ":")
        else { return false }
        var position = index
        if Self.digits(input, &position, 4), Self.literal(input, &position, UInt8(ascii: "-")),
            Self.digits(input, &position, 2), Self.literal(input, &position, UInt8(ascii: "-")),
            Self.digits(input, &position, 2)
        {
            let dateEnd = position
            if position < input.count, input[position] == UInt8(ascii: "T") || input[position] == UInt8(ascii: " ") {
                position += 1
                if !(Self.digits(input, &position, 2) && Self.literal(input, &position, UInt8(ascii: ":"))
                    && Self.digits(input, &position, 2))
                {
                    position = dateEnd
                }
            }
        } else {
            position = index
            var hourDigits = 0
            while position < input.count, ASCII.isDigit(input[position]), hourDigits < 2 {
                position += 1
                hourDigits += 1
            }
            guard hourDigits > 0, Self.literal(input, &position, UInt8(ascii: ":")), Self.digits(input, &position, 2),
                Self.literal(input, &position, UInt8(ascii: ":")), Self.digits(input, &position, 2)
            else { return false }
        }
        // Seconds, fractions and a zone, when present.
        if position < input.count, input[position] == UInt8(ascii: ":") {
            let save = position
            position += 1
            if !Self.digits(input, &position, 2) { position = save }
        }
        if position + 1 < input.count, input[position] == UInt8(ascii: ".") || input[position] == UInt8(ascii: ","),
            ASCII.isDigit(input[position + 1])
        {
            position += 1
            while position < input.count, ASCII.isDigit(input[position]) { position += 1 }
        }
        if position < input.count, input[position] == UInt8(ascii: "Z") { position += 1 }
        guard position == input.count || !ASCII.isWordByte(input[position]) else { return false }
        emit("<ts>")
        index = position
        return true
    }

    private static func digits(_ input: [UInt8], _ position: inout Int, _ count: Int) -> Bool {
        for _ in 0..<count {
            guard position < input.count, ASCII.isDigit(input[position]) else { return false }
            position += 1
        }
        return true
    }

    private static func literal(_ input: [UInt8], _ position: inout Int, _ byte: UInt8) -> Bool {
        guard position < input.count, input[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func maskIPv4() -> Bool {
        var position = index
        for part in 0..<4 {
            let start = position
            while position < input.count, ASCII.isDigit(input[position]), position - start < 3 { position += 1 }
            guard position > start else { return false }
            if part < 3 {
                guard position < input.count, input[position] == UInt8(ascii: ".") else { return false }
                position += 1
            }
        }
        if position < input.count {
            let next = input[position]
            if ASCII.isWordByte(next) { return false }
            // A fifth dotted number makes it a version, not an address.
            if next == UInt8(ascii: "."), position + 1 < input.count, ASCII.isDigit(input[position + 1]) {
                return false
            }
        }
        emit("<ip>")
        index = position
        maskPortAfterHost()
        return true
    }

    /// After a host: `:PORT`, kept when well known (it names the service), else masked.
    mutating func maskPortAfterHost() {
        guard index + 1 < input.count, input[index] == UInt8(ascii: ":"), ASCII.isDigit(input[index + 1]) else {
            return
        }
        var end = index + 1
        var value = 0
        while end < input.count, ASCII.isDigit(input[end]), end - index <= 6 {
            value = value * 10 + Int(input[end] - UInt8(ascii: "0"))
            end += 1
        }
        guard end == input.count || !ASCII.isWordByte(input[end]) else { return }
        output.append(UInt8(ascii: ":"))
        if DetailExtractors.wellKnownPorts[value] != nil || value == 0 {
            output.append(contentsOf: input[(index + 1)..<end])
        } else {
            emit("<port>")
        }
        index = end
    }

    /// Hex runs of 8 or more with both digits and letters: commit ids, hashes, object ids.
    mutating func maskHexRun(until end: Int) -> Bool {
        guard end - index >= 8 else { return false }
        var digits = false
        var letters = false
        for position in index..<end {
            let byte = input[position]
            guard ASCII.isHexDigit(byte) else { return false }
            if ASCII.isDigit(byte) { digits = true } else { letters = true }
        }
        guard digits && letters else { return false }
        emit("<hex>")
        index = end
        return true
    }

    /// Long random-looking tokens mixing letters and digits: request ids, peer ids, tokens.
    mutating func maskRandomToken(until end: Int) -> Bool {
        guard end - index >= 16 else { return false }
        var digits = 0
        var letters = 0
        for position in index..<end {
            let byte = input[position]
            if byte == UInt8(ascii: "_") { return false }
            if ASCII.isDigit(byte) { digits += 1 } else { letters += 1 }
        }
        guard digits >= 2, letters >= 2 else { return false }
        emit("<id>")
        index = end
        return true
    }

    private static let durationUnits: [StaticString] = [
        "ms", "s", "m", "h", "us", "µs", "ns", "sec", "secs", "second", "seconds", "min", "mins", "minute",
        "minutes", "millis", "milliseconds", "hours",
    ]

    /// A number, with the contexts that keep it: errno and exit codes, signal numbers, and
    /// well-known ports after a host; durations become `<dur>`.
    mutating func maskNumber(negative: Bool) -> Bool {
        var position = negative ? index + 1 : index
        while position < input.count, ASCII.isDigit(input[position]) { position += 1 }
        if position + 1 < input.count, input[position] == UInt8(ascii: "."), ASCII.isDigit(input[position + 1]) {
            position += 1
            while position < input.count, ASCII.isDigit(input[position]) { position += 1 }
        }
        // Durations: `10000ms`, `5s`, `1.0s`, Go's `10m0s`, `1h2m3.5s`.
        if let durationEnd = durationEnd(from: position) {
            emit("<dur>")
            index = durationEnd
            return true
        }
        // Digits running into letters are part of an identifier (`3rd`, `2xx`, `64bit`).
        if position < input.count, ASCII.isWordByte(input[position]) { return false }
        if keepsNumber() {
            output.append(contentsOf: input[index..<position])
            index = position
            return true
        }
        if !negative, isPortPosition() {
            let value = ASCII.integer(input[index..<position]) ?? -1
            if DetailExtractors.wellKnownPorts[value] != nil {
                output.append(contentsOf: input[index..<position])
            } else {
                emit("<port>")
            }
            index = position
            return true
        }
        if negative { output.append(UInt8(ascii: "-")) }
        emit("<num>")
        index = position
        return true
    }

    func durationEnd(from numberEnd: Int) -> Int? {
        var position = numberEnd
        var sawUnit = false
        while position < input.count {
            var unitEnd = position
            while unitEnd < input.count,
                ASCII.isLetter(input[unitEnd]) || input[unitEnd] == 0xC2 || input[unitEnd] == 0xB5
            {
                unitEnd += 1
            }
            guard unitEnd > position else { break }
            let unit = input[position..<unitEnd]
            guard Self.durationUnits.contains(where: { ASCII.lowered(unit, equals: $0) }) else { return nil }
            sawUnit = true
            position = unitEnd
            // Go's composite durations continue with digits: `10m0s`.
            var next = position
            while next < input.count, ASCII.isDigit(input[next]) || input[next] == UInt8(ascii: ".") { next += 1 }
            if next > position, next < input.count, ASCII.isLetter(input[next]) {
                position = next
                continue
            }
            break
        }
        guard sawUnit, position == input.count || !ASCII.isWordByte(input[position]) else { return nil }
        return position
    }

    /// errno, exit codes, signals and status codes identify the cause.
    func keepsNumber() -> Bool {
        var end = index
        while end > 0, input[end - 1] == UInt8(ascii: " ") || input[end - 1] == UInt8(ascii: "-") { end -= 1 }
        var start = end
        while start > 0, ASCII.isLetter(input[start - 1]) { start -= 1 }
        guard start < end else { return false }
        let word = input[start..<end]
        return Self.keepingWords.contains { ASCII.lowered(word, equals: $0) }
    }

    private static let keepingWords: [StaticString] = [
        "errno", "error", "winerror", "code", "exit", "status", "signal", "sig", "http", "returncode", "exitcode",
    ]

    /// `localhost:8712`, `redis:6379`, `port 5432`, `port=5000`.
    func isPortPosition() -> Bool {
        guard index > 0 else { return false }
        let previous = input[index - 1]
        if previous == UInt8(ascii: ":") {
            var start = index - 1
            var hasLetter = false
            while start > 0,
                ASCII.isWordByte(input[start - 1]) || input[start - 1] == UInt8(ascii: ".")
                    || input[start - 1] == UInt8(ascii: "-")
            {
                if ASCII.isLetter(input[start - 1]) { hasLetter = true }
                start -= 1
            }
            guard hasLetter else { return false }
            // Host names are lower case; `Test.method:310` is a line number.
            if input[start..<(index - 1)].contains(where: { $0 &- UInt8(ascii: "A") < 26 }) { return false }
            return !DetailExtractors.isSourceFileName(input[start..<(index - 1)])
        }
        return DetailExtractors.followsPortWord(input[...], numberStart: index)
    }
}
