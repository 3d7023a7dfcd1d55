import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

/// A home directory without a `.pgpass`, so that the machine's own file plays no part.
private let emptyHome: String = {
    let path = NSTemporaryDirectory() + "pgdev-empty-home-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

private func parse(_ text: String, _ environment: [String: String] = [:], home: String = emptyHome) throws -> PostgresLocation? {
    try PostgresLocation.parse(text, environment: environment, homeDirectory: home)
}

private func parseError(_ text: String, _ environment: [String: String] = [:]) -> PostgresLocationError? {
    do {
        _ = try parse(text, environment)
        return nil
    } catch let error as PostgresLocationError {
        return error
    } catch {
        return nil
    }
}

/// A temporary folder with a `.pgpass` of `mode`.
private func homeWithPassFile(_ text: String, mode: mode_t = 0o600) throws -> String {
    let home = NSTemporaryDirectory() + "pgdev-home-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    let file = home + "/.pgpass"
    try Data(text.utf8).write(to: URL(fileURLWithPath: file))
    chmod(file, mode)
    return home
}

@Suite("PostgresLocation")
struct PostgresLocationTests {
    @Test func fullURL() throws {
        let location = try #require(try parse("postgresql://alice:s3cret@db.example.com:5433/history?sslmode=require"))
        #expect(location == PostgresLocation(
            host: "db.example.com", port: 5433, database: "history", user: "alice", password: "s3cret", sslMode: .require))
    }

    @Test func shortScheme() throws {
        let location = try #require(try parse("postgres://bob@localhost/db"))
        #expect(location.user == "bob")
        #expect(location.host == "localhost")
        #expect(location.port == 5432)
        #expect(location.database == "db")
    }

    @Test(arguments: ["history.sqlite", "/tmp/x.db", "postgresql:/x", "postgresql:", "mysql://u@h/db", "", "./postgresql://x"])
    func notALocation(_ text: String) throws {
        #expect(try parse(text) == nil)
        #expect(!PostgresLocation.isLocation(text))
    }

    @Test func defaults() throws {
        let location = try #require(try parse("postgresql://"))
        let osUser = PostgresLocation.osUserName()
        #expect(location == PostgresLocation(host: "localhost", port: 5432, database: osUser, user: osUser, password: nil, sslMode: .prefer))
        let noDatabase = try #require(try parse("postgresql://carol@h"))
        #expect(noDatabase.database == "carol")
        let slashOnly = try #require(try parse("postgresql://carol@h:6000/"))
        #expect(slashOnly.database == "carol")
        #expect(slashOnly.port == 6000)
    }

    @Test func environmentDefaults() throws {
        let environment = [
            "PGUSER": "envuser", "PGHOST": "envhost", "PGPORT": "6432", "PGDATABASE": "envdb", "PGSSLMODE": "disable",
        ]
        let location = try #require(try parse("postgresql://", environment))
        #expect(location == PostgresLocation(host: "envhost", port: 6432, database: "envdb", user: "envuser", sslMode: .disable))
        // The URL wins over the environment.
        let explicit = try #require(try parse("postgresql://u@h:1234/d?sslmode=require", environment))
        #expect(explicit == PostgresLocation(host: "h", port: 1234, database: "d", user: "u", sslMode: .require))
        // Without PGDATABASE the database is the user's name, PGUSER's when it is set.
        let userOnly = try #require(try parse("postgresql://h", ["PGUSER": "dora"]))
        #expect(userOnly.user == "dora")
        #expect(userOnly.database == "dora")
    }

    @Test func percentEncoding() throws {
        let location = try #require(try parse("postgresql://us%40er:p%40ss%3Aw%2Fd@h/my%20db"))
        #expect(location.user == "us@er")
        #expect(location.password == "p@ss:w/d")
        #expect(location.database == "my db")
        #expect(location.redacted == "postgresql://us%40er@h:5432/my%20db")
    }

    @Test func unencodedQuestionMarkInPassword() throws {
        let location = try #require(try parse("postgresql://u:pa?ss@h/db?sslmode=disable"))
        #expect(location.password == "pa?ss")
        #expect(location.host == "h")
        #expect(location.sslMode == .disable)
        // An `@` in a query value is still a query value.
        let user = try #require(try parse("postgresql://h/db?user=me@corp"))
        #expect(user.user == "me@corp")
        #expect(user.host == "h")
    }

    @Test func unencodedAtInPassword() throws {
        let location = try #require(try parse("postgresql://u:p@ss@h/db"))
        #expect(location.password == "p@ss")
        #expect(location.host == "h")
    }

    @Test func ipv6() throws {
        let location = try #require(try parse("postgresql://u@[::1]:6543/db"))
        #expect(location.host == "::1")
        #expect(location.port == 6543)
        #expect(location.redacted == "postgresql://u@[::1]:6543/db")
        let noPort = try #require(try parse("postgresql://[fe80::1]/db"))
        #expect(noPort.host == "fe80::1")
        #expect(noPort.port == 5432)
        #expect(parseError("postgresql://u@::1/db")?.problem.contains("brackets") == true)
        #expect(parseError("postgresql://u@[::1/db") != nil)
    }

    @Test func queryParameters() throws {
        let location = try #require(try parse("postgresql:///?host=h2&port=7000&user=u2&password=pw2&dbname=d2&sslmode=verify-full"))
        #expect(location == PostgresLocation(host: "h2", port: 7000, database: "d2", user: "u2", password: "pw2", sslMode: .verifyFull))
    }

    @Test func sslModes() throws {
        let cases: [(String, PostgresLocation.SSLMode)] = [
            ("disable", .disable), ("allow", .prefer), ("prefer", .prefer), ("require", .require),
            ("verify-ca", .verifyFull), ("verify-full", .verifyFull),
        ]
        for (text, mode) in cases {
            #expect(try parse("postgresql://u@h/d?sslmode=\(text)")?.sslMode == mode)
            #expect(try parse("postgresql://u@h/d", ["PGSSLMODE": text])?.sslMode == mode)
        }
        #expect(try parse("postgresql://u@h/d")?.sslMode == .prefer)
        let bad = try #require(parseError("postgresql://u:hunter2@h/d?sslmode=strict"))
        #expect(bad.description == #"postgresql://u@h/d: bad sslmode "strict" (disable, allow, prefer, require, verify-ca or verify-full)"#)
        let badEnvironment = try #require(parseError("postgresql://u@h/d", ["PGSSLMODE": "on"]))
        #expect(badEnvironment.description.contains("PGSSLMODE"))
    }

    @Test func unknownParameter() throws {
        let error = try #require(parseError("postgresql://u:hunter2@h:5432/d?sslmode=require&application_name=x"))
        #expect(error.description.contains("\"application_name\""))
        #expect(error.description.hasPrefix("postgresql://u@h:5432/d: unknown parameter"))
        #expect(!error.description.contains("hunter2"))
        #expect(!error.description.contains("\n"))
    }

    @Test(arguments: ["99999", "0", "abc", "-1", "5432x"])
    func badPort(_ port: String) throws {
        let error = try #require(parseError("postgresql://u:hunter2@h:\(port)/d"))
        #expect(error.description == "postgresql://u@h:\(port)/d: bad port (a number from 1 to 65535)")
        let fromEnvironment = try #require(parseError("postgresql://u@h/d", ["PGPORT": port]))
        #expect(fromEnvironment.description.contains("bad PGPORT"))
    }

    @Test func otherErrors() throws {
        #expect(parseError("postgresql://u@h1,h2/d")?.problem.contains("several hosts") == true)
        #expect(parseError("postgresql://u@%2Fvar%2Frun%2Fpostgresql/d")?.problem.contains("unix-domain") == true)
        #expect(parseError("postgresql:///d", ["PGHOST": "/var/run/postgresql"])?.problem.contains("unix-domain") == true)
        #expect(parseError("postgresql://u:%zz@h/d")?.problem == "bad percent-encoding in the password")
        #expect(parseError("postgresql://u@h/d?sslmode") != nil)
    }

    /// Whatever a mistyped URL does with its password, an error never shows it.
    @Test(arguments: [
        "postgresql://u:qx/qx@h:bad/d",
        "postgresql://u:qx?qx@h:bad/d",
        "postgresql://u:qx:qx@h:bad/d",
        "postgresql://u:qxqx@h:bad/d?password=qxqx",
        "postgresql://u@h:bad/d?password=qxqx",
        "postgresql://u:qxqx@h/d?foo=1",
        "postgresql://u:qxqx@h/d?qxqx",
        "postgresql://u:qx?q=x@h/d",
        "postgresql://u:qx?qx@h/d?sslmode=disable&foo=1",
        "postgresql://u:qx#qx@h/d",
        "postgresql://u:qx%zz@h/d",
    ])
    func errorsNeverShowThePassword(_ text: String) throws {
        let error = try #require(parseError(text))
        #expect(!error.description.contains("qx"), "\(error)")
        #expect(!error.description.contains("x@"), "\(error)")
        #expect(error.description.hasPrefix("postgresql://u@"), "\(error)")
    }

    @Test func redaction() throws {
        let location = try #require(try parse("postgresql://alice:topsecret@db:5433/hist"))
        #expect(location.redacted == "postgresql://alice@db:5433/hist")
        #expect(location.description == location.redacted)
        #expect("\(location)" == location.redacted)
        #expect(String(reflecting: location) == location.redacted)
        var dumped = ""
        dump(location, to: &dumped)
        #expect(!dumped.contains("topsecret"))
        // The password from the environment is just as hidden.
        let fromEnvironment = try #require(try parse("postgresql://alice@db/hist", ["PGPASSWORD": "envsecret"]))
        #expect(fromEnvironment.password == "envsecret")
        #expect(!fromEnvironment.description.contains("envsecret"))
    }

    // MARK: - Password precedence and the password file

    @Test func passwordPrecedence() throws {
        let home = try homeWithPassFile("*:*:*:*:filepw\n")
        #expect(try parse("postgresql://u:urlpw@h/d", ["PGPASSWORD": "envpw"], home: home)?.password == "urlpw")
        #expect(try parse("postgresql://u@h/d", ["PGPASSWORD": "envpw"], home: home)?.password == "envpw")
        #expect(try parse("postgresql://u@h/d", [:], home: home)?.password == "filepw")
        // An empty password in the URL counts as none.
        #expect(try parse("postgresql://u:@h/d", [:], home: home)?.password == "filepw")
        #expect(try parse("postgresql://u@h/d", [:])?.password == nil)
    }

    @Test func passFileMatching() throws {
        let text = """
            # comment: h:5432:d:u:commented
            other:5432:d:u:wronghost
            h:5433:d:u:wrongport
            h:5432:d:u:first
            h:5432:d:u:second
            *:*:wild*:u:never
            h:*:d2:*:wildcards
            we\\:ird:5432:d\\\\b:u:escaped\\:pw\\\\x
            *:*:*:*:fallback
            """
        func password(host: String = "h", port: Int = 5432, database: String = "d", user: String = "u") -> String? {
            PostgresLocation.passwordFromFileText(
                text, for: PostgresLocation(host: host, port: port, database: database, user: user))
        }
        #expect(password() == "first")
        #expect(password(port: 5433) == "wrongport")
        #expect(password(database: "d2", user: "anyone") == "wildcards")
        #expect(password(host: "we:ird", database: "d\\b") == "escaped:pw\\x")
        #expect(password(host: "elsewhere") == "fallback")
        // `*` is a wildcard only as a whole field.
        #expect(PostgresLocation.passwordFromFileText("h:5432:wild*:u:x\n", for: PostgresLocation(host: "h", database: "wildcard", user: "u")) == nil)
        // Incomplete lines are skipped; CRLF line ends are fine.
        #expect(PostgresLocation.passwordFromFileText("h:5432:d\r\nh:5432:d:u:crlf\r\n", for: PostgresLocation(host: "h", database: "d", user: "u")) == "crlf")
    }

    @Test func passFilePermissions() throws {
        let strict = try homeWithPassFile("*:*:*:*:ok\n", mode: 0o600)
        #expect(try parse("postgresql://u@h/d", [:], home: strict)?.password == "ok")
        let readOnly = try homeWithPassFile("*:*:*:*:ok\n", mode: 0o400)
        #expect(try parse("postgresql://u@h/d", [:], home: readOnly)?.password == "ok")
        let groupReadable = try homeWithPassFile("*:*:*:*:loose\n", mode: 0o640)
        #expect(try parse("postgresql://u@h/d", [:], home: groupReadable)?.password == nil)
        let worldReadable = try homeWithPassFile("*:*:*:*:loose\n", mode: 0o604)
        #expect(try parse("postgresql://u@h/d", [:], home: worldReadable)?.password == nil)
    }

    @Test func passFileFromEnvironment() throws {
        let home = try homeWithPassFile("*:*:*:*:fromhome\n")
        let other = try homeWithPassFile("*:*:*:*:fromPGPASSFILE\n")
        let environment = ["PGPASSFILE": other + "/.pgpass"]
        #expect(try parse("postgresql://u@h/d", environment, home: home)?.password == "fromPGPASSFILE")
        #expect(try parse("postgresql://u@h/d", ["PGPASSFILE": "/nonexistent/pgpass"], home: home)?.password == nil)
    }
}
