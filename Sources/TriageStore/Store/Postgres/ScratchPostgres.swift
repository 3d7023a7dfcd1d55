import Foundation
import TriageModel

/// New, empty PostgreSQL databases on a test server, for the test suites and `triage-bench`
/// (`Tests/Scripts/with_postgres.sh` starts one and names it in the environment).
public enum ScratchPostgres {
    /// The server's user URL (`TRIAGE_TEST_POSTGRES`), when one is running.
    package static var userURL: String? { ProcessInfo.processInfo.environment["TRIAGE_TEST_POSTGRES"] }
    /// Its superuser URL (`TRIAGE_TEST_POSTGRES_ADMIN`), which may create databases.
    package static var adminURL: String? { ProcessInfo.processInfo.environment["TRIAGE_TEST_POSTGRES_ADMIN"] }

    /// Creates a new database owned by the user of `TRIAGE_TEST_POSTGRES`; returns that URL
    /// with the new database in it.
    public static func create(prefix: String = "t") throws -> String {
        guard let userURL, let adminURL, let admin = try PostgresLocation.parse(adminURL),
            let user = try PostgresLocation.parse(userURL)
        else {
            throw TriageError.invalidArgument(
                "no PostgreSQL test server: set TRIAGE_TEST_POSTGRES and TRIAGE_TEST_POSTGRES_ADMIN (Tests/Scripts/with_postgres.sh does)")
        }
        let name = "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20))"
        let client = try PostgresBackend.connect(admin)
        defer { client.close() }
        try client.session().execute(sql: "CREATE DATABASE \(name) OWNER \"\(user.user)\"")
        guard let slash = userURL.range(of: "/", options: .backwards), userURL[..<slash.lowerBound].contains("@")
        else { throw TriageError.invalidArgument("TRIAGE_TEST_POSTGRES has no database name") }
        var rest = String(userURL[slash.upperBound...])
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        rest = name
        return userURL[..<slash.upperBound] + rest + query
    }
}
