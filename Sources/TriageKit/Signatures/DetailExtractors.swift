import TriageModel
import TriageStore
/// Pulls the detail that tells causes apart out of a failure: the service a connection was
/// for, a quoted name, a path's kind.
enum DetailExtractors {
    typealias Bytes = ArraySlice<UInt8>

    /// Well-known ports, named after the service usually behind them.
    static let wellKnownPorts: [Int: String] = [
        6379: "redis", 6380: "redis", 6381: "redis",
        5432: "postgres", 5433: "postgres",
        3306: "mysql",
        27017: "mongo", 27018: "mongo", 27019: "mongo",
        9200: "elasticsearch", 9300: "elasticsearch",
        5672: "rabbitmq", 15672: "rabbitmq",
        11211: "memcached",
        2181: "zookeeper",
        9092: "kafka",
        9042: "cassandra",
        1433: "sqlserver",
        2375: "docker_daemon", 2376: "docker_daemon",
        1883: "mqtt", 8883: "mqtt",
        50051: "grpc",
        6650: "pulsar",
        4222: "nats",
        26257: "cockroach",
        8086: "influxdb",
        7687: "neo4j", 7474: "neo4j",
        // Azurite, the Azure Storage emulator: blobs, queues, tables.
        10000: "azure_storage", 10001: "azure_storage", 10002: "azure_storage",
        2379: "etcd",
        8200: "vault",
        1521: "oracle",
        4444: "selenium",
        80: "http", 443: "http", 8080: "http", 8443: "http",
        // Development web servers (Rails/Express, Flask, Django, Angular, Vite, Jupyter).
        3000: "http", 4200: "http", 5000: "http", 5173: "http", 8000: "http", 8081: "http", 8888: "http",
    ]

    // MARK: - Services

    /// The service a connection failure was about: a service or client library named in the
    /// message, else in the failure text (a client named anywhere is more precise than a
    /// protocol); then a well-known port or an HTTP client in the message, then in the text;
    /// else whether the peer was another machine (`tcp_remote`) or, as test services usually
    /// are, this one (`tcp_local`).
    static func service(message: PhraseScan, text: PhraseScan) -> String {
        if let named = namedClient(in: message) ?? namedClient(in: text) { return named }
        if let named = portOrProtocol(in: message) ?? portOrProtocol(in: text) { return named }
        if let peer = peer(in: message) ?? peer(in: text) { return peer }
        // No address named: test services usually run on the same machine.
        return "tcp_local"
    }

    /// A service or client library named in the scan.
    private static func namedClient(in scan: PhraseScan) -> String? {
        scan.isEmpty ? nil : Lexicon.shared.service(namedIn: scan.anywhere)
    }

    /// A well-known port in the scan, or an HTTP client named in it.
    private static func portOrProtocol(in scan: PhraseScan) -> String? {
        guard !scan.isEmpty else { return nil }
        if let port = firstWellKnownPort(in: scan.bytes[...]) { return port }
        return scan.anywhere.intersects(Lexicon.shared.httpContext) ? "http" : nil
    }

    /// Whether the scan names this machine or another one.
    private static func peer(in scan: PhraseScan) -> String? {
        guard !scan.isEmpty else { return nil }
        if scan.anywhere.intersects(Lexicon.shared.loopback) { return "tcp_local" }
        return containsRemoteIPv4(scan.bytes[...]) ? "tcp_remote" : nil
    }

    /// The service of the first well-known port written where a port goes: `host:PORT`,
    /// `port PORT`, `port=PORT`, or Python's `('host', PORT)`.
    static func firstWellKnownPort(in bytes: Bytes) -> String? {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard ASCII.isDigit(bytes[index]), index == bytes.startIndex || !ASCII.isWordByte(bytes[index - 1]) else {
                index += 1
                continue
            }
            var end = index
            var value = 0
            while end < bytes.endIndex, ASCII.isDigit(bytes[end]), end - index < 6 {
                value = value * 10 + Int(bytes[end] - UInt8(ascii: "0"))
                end += 1
            }
            // `6379.` ends a sentence; `1.2` or `6379x` is something else.
            let followedByWord =
                end < bytes.endIndex
                && (ASCII.isWordByte(bytes[end])
                    || (bytes[end] == UInt8(ascii: ".") && end + 1 < bytes.endIndex && ASCII.isDigit(bytes[end + 1])))
            if !followedByWord, let service = wellKnownPorts[value], isPortContext(bytes, numberStart: index) {
                return service
            }
            index = end
        }
        return nil
    }

    /// Whether the number starting at `numberStart` stands where a port number goes.
    static func isPortContext(_ bytes: Bytes, numberStart: Int) -> Bool {
        guard numberStart > bytes.startIndex else { return false }
        let previous = bytes[numberStart - 1]
        if previous == UInt8(ascii: ":") {
            // host:port, but not file.py:80 (a line number) nor 12:47 (a time).
            var start = numberStart - 1
            var hasLetter = false
            while start > bytes.startIndex {
                let byte = bytes[start - 1]
                guard
                    ASCII.isWordByte(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
                        || byte == UInt8(ascii: "]")
                else { break }
                if ASCII.isLetter(byte) { hasLetter = true }
                start -= 1
            }
            let host = bytes[start..<(numberStart - 1)]
            guard !host.isEmpty else { return false }
            // IPv6 without brackets, as Node prints it: `::1:5432`.
            if start > bytes.startIndex, bytes[start - 1] == UInt8(ascii: ":"), host.allSatisfy(ASCII.isHexDigit) {
                return true
            }
            if isSourceFileName(host) { return false }
            return hasLetter || host.last == UInt8(ascii: "]") || isIPv4(host)
        }
        if previous == UInt8(ascii: " ") || previous == UInt8(ascii: "=") {
            if followsPortWord(bytes, numberStart: numberStart) { return true }
            // Python's address tuples: ('127.0.0.1', 5432)
            if previous == UInt8(ascii: " "), numberStart - 3 >= bytes.startIndex,
                bytes[numberStart - 2] == UInt8(ascii: ","),
                bytes[numberStart - 3] == UInt8(ascii: "'") || bytes[numberStart - 3] == UInt8(ascii: "\"")
            {
                return true
            }
        }
        return false
    }

    /// Whether the number at `numberStart` follows `port `, `port=` or `port: `.
    static func followsPortWord(_ bytes: Bytes, numberStart: Int) -> Bool {
        let before = bytes[max(bytes.startIndex, numberStart - 6)..<numberStart]
        return ASCII.lowered(before, hasSuffix: "port ") || ASCII.lowered(before, hasSuffix: "port=")
            || ASCII.lowered(before, hasSuffix: "port: ")
    }

    private static let sourceExtensions: [StaticString] = [
        "py", "java", "go", "js", "mjs", "cjs", "ts", "tsx", "jsx", "cs", "rb", "kt", "scala", "c", "cc", "cpp", "h",
        "rs", "php", "swift", "groovy", "pl", "ex", "exs",
    ]

    /// Whether a `host` before `:NUMBER` is a source file name (`conftest.py:80` is a line number).
    static func isSourceFileName(_ token: Bytes) -> Bool {
        guard let dot = token.lastIndex(of: UInt8(ascii: ".")) else { return false }
        let ext = token[(dot + 1)...]
        return sourceExtensions.contains { ASCII.lowered(ext, equals: $0) }
    }

    static func isIPv4(_ token: Bytes) -> Bool {
        var parts = 0
        var digits = 0
        for byte in token {
            if ASCII.isDigit(byte) {
                digits += 1
                if digits > 3 { return false }
            } else if byte == UInt8(ascii: ".") {
                if digits == 0 { return false }
                parts += 1
                digits = 0
            } else {
                return false
            }
        }
        return parts == 3 && digits > 0
    }

    /// Whether the text names an IPv4 address outside the loopback and unspecified ranges.
    static func containsRemoteIPv4(_ bytes: Bytes) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard ASCII.isDigit(bytes[index]),
                index == bytes.startIndex
                    || !ASCII.isWordByte(bytes[index - 1]) && bytes[index - 1] != UInt8(ascii: ".")
            else {
                index += 1
                continue
            }
            var end = index
            while end < bytes.endIndex, ASCII.isDigit(bytes[end]) || bytes[end] == UInt8(ascii: ".") { end += 1 }
            var token = bytes[index..<end]
            while token.last == UInt8(ascii: ".") { token = token.dropLast() }
            if isIPv4(token), !startsWith(token, "127."), !startsWith(token, "0.") { return true }
            index = end
        }
        return false
    }

    // MARK: - Quoted names and paths

    /// The first quoted value ('...' or "...") after the first occurrence of `marker`
    /// (lower-case), or after the start when `marker` is nil.
    static func quoted(after marker: String?, in bytes: Bytes) -> Bytes? {
        var index = bytes.startIndex
        if let marker {
            guard let range = ASCII.firstRange(of: marker, in: bytes) else { return nil }
            index = range.upperBound
        }
        // The quote must come soon after the marker, on the same line.
        let limit = min(bytes.endIndex, index + 200)
        while index < limit {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") { return nil }
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "`") {
                let open = byte
                var end = index + 1
                while end < bytes.endIndex, bytes[end] != open, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                guard end < bytes.endIndex, bytes[end] == open else { return nil }
                return bytes[(index + 1)..<end]
            }
            index += 1
        }
        return nil
    }

    /// The first unquoted token that looks like a path (holds a `/` or `\\`).
    static func unquotedPath(in bytes: Bytes) -> Bytes? {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            while index < bytes.endIndex, ASCII.isSpace(bytes[index]) { index += 1 }
            var end = index
            var hasSeparator = false
            while end < bytes.endIndex, !ASCII.isSpace(bytes[end]) {
                if bytes[end] == UInt8(ascii: "/") || bytes[end] == UInt8(ascii: "\\") { hasSeparator = true }
                end += 1
            }
            if hasSeparator {
                var token = bytes[index..<end]
                while let last = token.last,
                    last == UInt8(ascii: ",") || last == UInt8(ascii: ":")
                        || last == UInt8(ascii: ";") || last == UInt8(ascii: ")")
                {
                    token = token.dropLast()
                }
                if token.count > 1 { return token }
            }
            index = end
        }
        return nil
    }

    /// The Python-style name after `marker`: quoted if quoted, else the identifier that follows
    /// (a Ruby symbol's colon left out).
    static func name(after marker: String, in bytes: Bytes) -> String? {
        guard let range = ASCII.firstRange(of: marker, in: bytes) else { return nil }
        var index = range.upperBound
        while index < bytes.endIndex, bytes[index] == UInt8(ascii: " ") { index += 1 }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ":") { index += 1 }
        guard index < bytes.endIndex else { return nil }
        let open = bytes[index]
        if open == UInt8(ascii: "'") || open == UInt8(ascii: "\"") {
            var end = index + 1
            while end < bytes.endIndex, bytes[end] != open, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            guard end > index + 1 else { return nil }
            return ASCII.string(bytes[(index + 1)..<end])
        }
        var end = index
        while end < bytes.endIndex, ASCII.isWordByte(bytes[end]) || bytes[end] == UInt8(ascii: ".") { end += 1 }
        return end > index ? ASCII.string(bytes[index..<end]) : nil
    }

    /// The simple name of the type in JUnit's `parameter [com.example.Client client]`: what a
    /// test asked to be given (`Client`).
    static func parameterType(in bytes: Bytes) -> String? {
        guard let range = ASCII.firstRange(of: "parameter [", in: bytes) else { return nil }
        var end = range.upperBound
        while end < bytes.endIndex, !ASCII.isSpace(bytes[end]), bytes[end] != UInt8(ascii: "]"),
            bytes[end] != UInt8(ascii: "<")
        {
            end += 1
        }
        let type = bytes[range.upperBound..<end]
        let simple = type.lastIndex(of: UInt8(ascii: ".")).map { type[($0 + 1)...] } ?? type
        return simple.isEmpty ? nil : ASCII.string(simple)
    }

    enum PathKind: String {
        case lockFile = "lock_file"
        case tempFile = "tmp_file"
        case tempDirectory = "tmp_dir"
        case relative = "relative_path"
        case absolute = "absolute_path"
    }

    /// What kind of path a failure is about: lock files, temporary files (directly in the
    /// temporary directory) and files in temporary sub-directories, relative paths (which
    /// depend on the working directory) and other absolute paths.
    static func pathKind(_ path: Bytes) -> PathKind {
        let lowered = ASCII.string(path.map(ASCII.lower))
        if lowered.hasSuffix(".lock") || lowered.hasSuffix(".lck") { return .lockFile }
        // The temporary directory itself.
        if temporaryRoots.contains(lowered + "/") { return .tempDirectory }
        for root in temporaryRoots where lowered.hasPrefix(root) {
            let rest = lowered.dropFirst(root.count)
            let depth = rest.split(whereSeparator: { $0 == "/" || $0 == "\\" }).count
            return depth <= 1 ? .tempFile : .tempDirectory
        }
        if lowered.contains("\\temp\\") || lowered.contains("\\tmp\\") { return .tempDirectory }
        if lowered.hasPrefix("/") || lowered.hasPrefix("~") { return .absolute }
        if path.count >= 3, ASCII.isLetter(path[path.startIndex]), path[path.startIndex + 1] == UInt8(ascii: ":") {
            return .absolute
        }
        return .relative
    }

    enum FolderKind {
        case temporary, projectFile, testData, userHome
    }

    /// What the folders of a path say about it: a temporary folder anywhere in it (`.tmp/x`,
    /// `build\temp\x`), a test's data (`src/test/resources`, `testdata`, `fixtures`, a file
    /// named `test…`), or a folder under a user's home (`~/…`, `/home/ann/…`,
    /// `C:\Users\ann\…`); nil for anything else.
    static func folderKind(_ path: Bytes) -> FolderKind? {
        let components = path.split { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") }
            .map { ASCII.string($0.map(ASCII.lower)) }
        if components.contains(where: { ["tmp", "temp", ".tmp", ".temp"].contains($0) }) { return .temporary }
        if let file = components.last, isProjectFile(file) { return .projectFile }
        if components.contains(where: isTestFolder) { return .testData }
        if path.first == UInt8(ascii: "~") { return .userHome }
        // `home/NAME/…` or `users/NAME/…`, after a drive letter if any, unless NAME is the
        // account a CI service runs its jobs under.
        let folders = components.drop { $0.hasSuffix(":") }
        if let top = folders.first, ["home", "users"].contains(top), folders.count > 2,
            !ciAccounts.contains(folders[folders.startIndex + 1])
        {
            return .userHome
        }
        return nil
    }

    /// A build's project or manifest file: what a runner reads before any test runs.
    private static func isProjectFile(_ name: String) -> Bool {
        let extensions = [".csproj", ".fsproj", ".vbproj", ".vcxproj", ".sln", ".xcodeproj", ".pbxproj"]
        let manifests = ["package.json", "pom.xml", "build.gradle", "build.gradle.kts", "cargo.toml", "go.mod",
                         "pyproject.toml", "setup.py", "tsconfig.json"]
        return extensions.contains { name.hasSuffix($0) } || manifests.contains(name)
    }

    /// The accounts GitHub Actions, Travis CI, CircleCI, Azure Pipelines, GitLab and Jenkins
    /// agents run jobs under: a home folder of theirs is a CI workspace, not a developer's.
    private static let ciAccounts: Set<String> = [
        "runner", "runneradmin", "travis", "circleci", "vsts", "vssadministrator", "cloudtest", "gitlab-runner",
        "jenkins", "builder", "buildkite-agent", "ubuntu", "root",
    ]

    private static func isTestFolder(_ name: String) -> Bool {
        name.hasPrefix("test") || name.hasPrefix("fixture") || name.hasPrefix("__fixture")
            || ["spec", "specs", "__tests__", "__snapshots__"].contains(name) || name.hasSuffix("_test")
            || name.hasSuffix("tests") || name.hasSuffix("-test")
    }

    private static let temporaryRoots = [
        "/tmp/", "/var/tmp/", "/private/tmp/", "/private/var/folders/", "/var/folders/", "/dev/shm/",
    ]

    // MARK: - Browser selectors and durations

    /// The element selector a browser wait names after `marker`: quoted or bare, up to the end
    /// of the line or the `, but …` that follows it; at most 80 bytes.
    static func selector(after marker: String, in bytes: Bytes) -> String? {
        guard let range = ASCII.firstRange(of: marker, in: bytes) else { return nil }
        var start = range.upperBound
        var end = start
        while end < bytes.endIndex, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        var rest = bytes[start..<end]
        if let but = ASCII.firstRange(of: ", but", in: rest) { rest = rest[..<but.lowerBound] }
        start = rest.startIndex
        var stop = rest.endIndex
        let trimmed: (UInt8) -> Bool = { byte in
            ASCII.isSpace(byte) || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"")
                || byte == UInt8(ascii: "`")
        }
        while start < stop, trimmed(bytes[start]) { start += 1 }
        while stop > start, trimmed(bytes[stop - 1]) || bytes[stop - 1] == UInt8(ascii: ".") { stop -= 1 }
        guard start < stop else { return nil }
        return String(ASCII.string(bytes[start..<min(stop, start + 80)]))
    }

    /// Whether the text quotes a duration (`"124.9ms"`, `"2s"`): a number with a time unit
    /// between double quotes, as testify prints compared durations.
    static func hasQuotedDuration(_ bytes: Bytes) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            defer { index += 1 }
            guard bytes[index] == UInt8(ascii: "\""), index + 1 < bytes.endIndex, ASCII.isDigit(bytes[index + 1])
            else { continue }
            var end = index + 1
            while end < bytes.endIndex, ASCII.isDigit(bytes[end]) || bytes[end] == UInt8(ascii: ".") { end += 1 }
            var unit = end
            while unit < bytes.endIndex, ASCII.isLetter(bytes[unit]) || bytes[unit] >= 0x80 { unit += 1 }
            guard unit < bytes.endIndex, bytes[unit] == UInt8(ascii: "\""), unit > end, unit - end <= 3 else {
                continue
            }
            let name = ASCII.string(bytes[end..<unit]).lowercased()
            if ["ns", "us", "µs", "ms", "s", "m", "h"].contains(name) { return true }
        }
        return false
    }

    static func startsWith(_ bytes: Bytes, _ prefix: String) -> Bool {
        let pattern = Array(prefix.utf8)
        guard bytes.count >= pattern.count else { return false }
        return zip(bytes, pattern).allSatisfy { $0 == $1 }
    }
}
