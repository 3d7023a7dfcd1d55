import Foundation
import TriageModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which PostgreSQL server and database a history lives in, parsed from what the user typed
/// (`--db postgresql://…`). Anything that does not start with `postgresql://` or `postgres://`
/// is not a location (the caller treats it as a SQLite path).
///
/// The URL follows libpq's rules where they apply:
/// - `postgresql://[user[:password]@][host][:port][/database][?param=value&…]`, with user,
///   password, host and database percent-decoded, and an IPv6 host in brackets (`[::1]`).
/// - Missing parts: host from `PGHOST`, else `localhost` (libpq would use a unix-domain socket;
///   this client speaks TCP only, so a socket directory is refused with an error); port from
///   `PGPORT`, else 5432; user from `PGUSER`, else the OS user; database from `PGDATABASE`,
///   else the user name.
/// - Query parameters: `sslmode`, and libpq's `host`, `port`, `user`, `password`, `dbname`
///   (which override the parts above). Any other parameter is an error naming it.
/// - `sslmode`: `disable`, `prefer` (the default, as in libpq), `require`, `verify-full`; from
///   the URL, else `PGSSLMODE`. libpq's `allow` is taken as `prefer` (both settle for what the
///   server offers), and `verify-ca` as `verify-full`, which is stricter (it also checks the
///   host name), so a connection libpq would refuse is never accepted.
/// - Password, as libpq: the URL's, else `PGPASSWORD`, else the password file (see
///   `passwordFromFile`). An empty password in the URL counts as none.
package struct PostgresLocation: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package enum SSLMode: String, Sendable, Equatable {
        case disable
        case prefer
        case require
        case verifyFull = "verify-full"
    }

    package var host: String
    package var port: Int
    package var database: String
    package var user: String
    /// Never printed: `description` and `redacted` leave it out.
    package var password: String?
    package var sslMode: SSLMode

    package init(host: String, port: Int = 5432, database: String, user: String, password: String? = nil, sslMode: SSLMode = .prefer) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.password = password
        self.sslMode = sslMode
    }

    /// `postgresql://user@host:port/database`: the location without its password, for messages.
    package var redacted: String {
        let hostPart = host.contains(":") ? "[\(host)]" : Self.encode(host)
        return "postgresql://\(Self.encode(user))@\(hostPart):\(port)/\(Self.encode(database))"
    }

    package var description: String { redacted }
    package var debugDescription: String { redacted }
    /// `dump` and the debugger show no password either.
    package var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "port": port, "database": database, "user": user,
            "password": password == nil ? "none" : "(hidden)", "sslMode": sslMode.rawValue,
        ])
    }

    package static let schemes = ["postgresql://", "postgres://"]

    /// Whether `text` names a PostgreSQL location (rather than a SQLite path).
    package static func isLocation(_ text: String) -> Bool {
        schemes.contains { text.hasPrefix($0) }
    }

    /// The location `text` names, nil when it is not a `postgresql://` or `postgres://` URL.
    /// Throws `PostgresLocationError` (one line, without the password) when it is one but
    /// cannot be used.
    package static func parse(
        _ text: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String = NSHomeDirectory()
    ) throws -> PostgresLocation? {
        guard let scheme = schemes.first(where: { text.hasPrefix($0) }) else { return nil }
        let shown = errorURL(text, scheme: scheme)
        func fail(_ problem: String) -> PostgresLocationError {
            PostgresLocationError(url: shown, problem: problem)
        }

        let (main, query, cautious) = split(text.dropFirst(scheme.count))
        if main.contains("#") || (query?.contains("#") ?? false) {
            throw fail("a '#' must be percent-encoded (%23)")
        }

        var userInfo: Substring?
        var hostAndPath = main
        if let at = main.lastIndex(of: "@") {
            userInfo = main[..<at]
            hostAndPath = main[main.index(after: at)...]
        }

        var user: String?
        var password: String?
        if let userInfo {
            let rawUser: Substring
            var rawPassword: Substring?
            if let colon = userInfo.firstIndex(of: ":") {
                rawUser = userInfo[..<colon]
                rawPassword = userInfo[userInfo.index(after: colon)...]
            } else {
                rawUser = userInfo
            }
            guard let decodedUser = percentDecode(rawUser) else { throw fail("bad percent-encoding in the user name") }
            if !decodedUser.isEmpty { user = decodedUser }
            if let rawPassword {
                // Never echo any of it.
                guard let decoded = percentDecode(rawPassword) else { throw fail("bad percent-encoding in the password") }
                if !decoded.isEmpty { password = decoded }
            }
        }

        let rawHostPort: Substring
        var rawDatabase: Substring?
        if let slash = hostAndPath.firstIndex(of: "/") {
            rawHostPort = hostAndPath[..<slash]
            rawDatabase = hostAndPath[hostAndPath.index(after: slash)...]
        } else {
            rawHostPort = hostAndPath
        }
        if rawHostPort.contains(",") { throw fail("several hosts are not supported; give one") }

        var host: String?
        var portText: String?
        if rawHostPort.hasPrefix("[") {
            guard let close = rawHostPort.firstIndex(of: "]") else { throw fail("missing ']' after the IPv6 address") }
            host = String(rawHostPort[rawHostPort.index(after: rawHostPort.startIndex)..<close])
            let after = rawHostPort[rawHostPort.index(after: close)...]
            if after.hasPrefix(":") {
                portText = String(after.dropFirst())
            } else if !after.isEmpty {
                throw fail("unexpected text after the IPv6 address")
            }
        } else {
            let colons = rawHostPort.filter { $0 == ":" }.count
            if colons > 1 { throw fail("an IPv6 address must be in brackets, as in postgresql://[::1]:5432/db") }
            if let colon = rawHostPort.firstIndex(of: ":") {
                guard let decoded = percentDecode(rawHostPort[..<colon]) else { throw fail("bad percent-encoding in the host") }
                host = decoded
                portText = String(rawHostPort[rawHostPort.index(after: colon)...])
            } else {
                guard let decoded = percentDecode(rawHostPort) else { throw fail("bad percent-encoding in the host") }
                host = decoded
            }
        }
        if host?.isEmpty == true { host = nil }
        if portText?.isEmpty == true { portText = nil }

        var database: String?
        if let rawDatabase {
            guard let decoded = percentDecode(rawDatabase) else { throw fail("bad percent-encoding in the database name") }
            if !decoded.isEmpty { database = decoded }
        }

        var sslModeText: String?
        var sslModeSource = "sslmode"
        if let query, !query.isEmpty {
            for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
                guard let equals = pair.firstIndex(of: "=") else {
                    // Not named: a mistyped URL may have put part of a password here.
                    throw fail("a query parameter without '=' (write name=value)")
                }
                guard let key = percentDecode(pair[..<equals]), let value = percentDecode(pair[pair.index(after: equals)...]) else {
                    throw fail("bad percent-encoding in a query parameter")
                }
                switch key {
                case "sslmode": sslModeText = value
                case "host": host = value.isEmpty ? nil : value
                case "port": portText = value.isEmpty ? nil : value
                case "user": user = value.isEmpty ? nil : value
                case "password": password = value.isEmpty ? nil : value
                case "dbname": database = value.isEmpty ? nil : value
                default:
                    // When the query may hold part of a mistyped password, name nothing in it.
                    let name = cautious ? "" : "\"\(key.prefix(40))\" "
                    throw fail("unknown parameter \(name)(supported: sslmode, host, port, user, password, dbname)")
                }
            }
        }

        // Defaults from the environment, as libpq.
        if host == nil, let value = environment["PGHOST"], !value.isEmpty { host = value }
        let finalHost = host ?? "localhost"
        if finalHost.hasPrefix("/") || finalHost.hasPrefix("@") {
            throw fail("unix-domain sockets (host \(finalHost)) are not supported; give a host name or address")
        }
        if finalHost.contains(",") { throw fail("several hosts are not supported; give one") }

        var portSource = "port"
        if portText == nil, let value = environment["PGPORT"], !value.isEmpty {
            portText = value
            portSource = "PGPORT"
        }
        var port = 5432
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                // The URL in the message shows the port it holds; the environment's is named.
                let shownValue = portSource == "PGPORT" ? " \"\(portText.prefix(20))\"" : ""
                throw fail("bad \(portSource)\(shownValue) (a number from 1 to 65535)")
            }
            port = value
        }

        if user == nil, let value = environment["PGUSER"], !value.isEmpty { user = value }
        let finalUser = user ?? osUserName()
        if database == nil, let value = environment["PGDATABASE"], !value.isEmpty { database = value }
        let finalDatabase = database ?? finalUser

        if sslModeText == nil, let value = environment["PGSSLMODE"], !value.isEmpty {
            sslModeText = value
            sslModeSource = "PGSSLMODE"
        }
        var sslMode = SSLMode.prefer
        if let sslModeText {
            switch sslModeText {
            case "disable": sslMode = .disable
            case "allow", "prefer": sslMode = .prefer
            case "require": sslMode = .require
            case "verify-ca", "verify-full": sslMode = .verifyFull
            default:
                let shownValue = cautious ? "" : " \"\(sslModeText.prefix(20))\""
                throw fail("bad \(sslModeSource)\(shownValue) (disable, allow, prefer, require, verify-ca or verify-full)")
            }
        }

        var location = PostgresLocation(
            host: finalHost, port: port, database: finalDatabase, user: finalUser, password: password, sslMode: sslMode)
        if location.password == nil, let value = environment["PGPASSWORD"], !value.isEmpty {
            location.password = value
        }
        if location.password == nil {
            let file = environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 }
                ?? (homeDirectory as NSString).appendingPathComponent(".pgpass")
            location.password = passwordFromFile(file, for: location)
        }
        return location
    }

    // MARK: - The password file

    /// The password `file` gives for `location`, as libpq reads `~/.pgpass` (or `PGPASSFILE`):
    /// lines `hostname:port:database:username:password`, where a field `*` matches anything,
    /// `\:` and `\\` stand for `:` and `\`, lines starting with `#` are comments, and the first
    /// matching line wins. `localhost` in the file matches the host `localhost` only (we never
    /// connect over a unix-domain socket).
    ///
    /// Like libpq, the file is ignored (nil) unless it is a regular file that the group and
    /// others can neither read, write nor run (mode 0600 or stricter): a password file others
    /// can read is a mistake to be fixed, not a source of secrets. Also nil when it is missing
    /// or unreadable, or no line matches.
    package static func passwordFromFile(_ file: String, for location: PostgresLocation) -> String? {
        var info = stat()
        guard stat(file, &info) == 0 else { return nil }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        guard (info.st_mode & (S_IRWXG | S_IRWXO)) == 0 else { return nil }
        guard let data = FileManager.default.contents(atPath: file),
            let text = String(data: data, encoding: .utf8)
        else { return nil }
        return passwordFromFileText(text, for: location)
    }

    /// The password the lines of a password file give for `location` (see `passwordFromFile`).
    package static func passwordFromFileText(_ text: String, for location: PostgresLocation) -> String? {
        let wanted = [location.host, String(location.port), location.database, location.user]
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.hasPrefix("#") || line.isEmpty { continue }
            // Split into fields on unescaped colons; the fifth field runs to the end.
            var fields: [String] = []
            var current = ""
            var isWildcard: [Bool] = []
            var escapedSomething = false
            var iterator = line.makeIterator()
            while let character = iterator.next() {
                if character == "\\" {
                    if let next = iterator.next() {
                        current.append(next)
                        escapedSomething = true
                    } else {
                        current.append(character)
                    }
                } else if character == ":" && fields.count < 4 {
                    fields.append(current)
                    isWildcard.append(current == "*" && !escapedSomething)
                    current = ""
                    escapedSomething = false
                } else {
                    current.append(character)
                }
            }
            guard fields.count == 4 else { continue }  // not a complete line
            let password = current
            var matches = true
            for index in 0..<4 where !isWildcard[index] && fields[index] != wanted[index] {
                matches = false
                break
            }
            if matches {
                return password.isEmpty ? nil : password
            }
        }
        return nil
    }

    // MARK: - Helpers

    /// The OS user's name, as libpq takes it (from the password database, not `$USER`).
    package static func osUserName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            let value = String(cString: name)
            if !value.isEmpty { return value }
        }
        return ProcessInfo.processInfo.userName
    }

    /// `text` percent-decoded, nil when a `%` is not followed by two hex digits or the bytes are
    /// not UTF-8.
    package static func percentDecode(_ text: Substring) -> String? {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(bytes: bytes, encoding: .utf8)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static let unreserved: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        set.insert(charactersIn: "-._~")
        return set
    }()

    /// Percent-encodes what a URL part cannot hold as is.
    package static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// The typed URL for an error message: the scheme, the user name (up to the first `:`),
    /// and what follows the last `@`, without the query. Built from the raw text so that it
    /// can name what failed to parse, yet it never holds the password, wherever a mistyped
    /// URL put it.
package static func errorURL(_ text: String, scheme: String) -> String {
        let (main, _, cautious) = split(text.dropFirst(scheme.count))
        if let at = main.lastIndex(of: "@") {
            let userInfo = main[..<at]
            let user = userInfo.firstIndex(of: ":").map { userInfo[..<$0] } ?? userInfo
            return "\(scheme)\(user)@\(main[main.index(after: at)...])"
        }
        if cautious, let colon = main.firstIndex(of: ":") {
            // Maybe a password holding `?` and `=`: show no more than the user.
            return "\(scheme)\(main[..<colon])@…"
        }
        return "\(scheme)\(main)"
    }

    /// The URL after its scheme, split into the part before the query and the query. The
    /// query starts at the first `?`, unless an `@` follows with no `=` between them: then the
    /// `?` is part of an unencoded password (`user:pa?ss@host`). The user info ends at the last
    /// `@` of the first part. `cautious` is true when the query holds an `@`: it may hold part
    /// of a password, so messages name nothing from it.
    package static func split(_ rest: Substring) -> (main: Substring, query: Substring?, cautious: Bool) {
        guard var mark = rest.firstIndex(of: "?") else { return (rest, nil, false) }
        if let lastAt = rest.lastIndex(of: "@"), lastAt > mark, !rest[mark..<lastAt].contains("=") {
            guard let next = rest[lastAt...].firstIndex(of: "?") else { return (rest, nil, false) }
            mark = next
        }
        let query = rest[rest.index(after: mark)...]
        return (rest[..<mark], query, query.contains("@"))
    }
}

/// A `postgresql://` URL that cannot be used: one line naming the URL (without its password)
/// and what is wrong.
package struct PostgresLocationError: Error, CustomStringConvertible, Equatable {
    /// The URL as typed, without the password or the query.
    package var url: String
    package var problem: String

    package var description: String { "\(url): \(problem)" }

    package init(url: String, problem: String) {
        self.url = url
        self.problem = problem
    }
}
