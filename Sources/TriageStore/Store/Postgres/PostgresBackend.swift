import Foundation
import TriageModel
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection to a PostgreSQL server for the whole process, with a synchronous API for
/// the store (the commands are synchronous: ArgumentParser's `run()` on an ordinary thread).
///
/// **How async becomes sync.** Every call sends its request with postgres-nio's
/// `EventLoopFuture` API on a connection that lives on `MultiThreadedEventLoopGroup.singleton`
/// and blocks the calling thread in `EventLoopFuture.wait()` until the answer arrives. That
/// needs no Swift-concurrency thread at all: the event-loop threads belong to NIO, so a call
/// cannot deadlock even when every cooperative thread is busy or blocked (2 cores give only 2
/// of them; Dispatch workers parsing files meanwhile do not matter either). The alternative, a
/// semaphore around a `Task`, needs a free cooperative thread to make progress and deadlocks
/// when called from one while the pool is saturated; it also costs a task hop per query.
/// The one rule: never call this class from an event-loop thread (it would wait for itself);
/// such a call throws instead of blocking.
///
/// **TLS** (`location.sslMode`): `disable`: none. `prefer`: postgres-nio's `.prefer` (TLS when
/// the server offers it, plaintext otherwise), certificate not verified, as libpq's `prefer`.
/// `require`: TLS or fail, certificate not verified (libpq's `require` without a root cert).
/// `verify-full`: TLS with the system's trust roots, and the certificate must name the host
/// (for a host given as an IP address, which cannot be a TLS server name, NIOSSL checks the
/// certificate's IP address entries against the address connected to instead).
///
/// Use it from one thread at a time (a command's thread). The lock guards the client's own
/// state (connection, transaction depth, translation cache); postgres-nio queues requests on
/// the connection, but interleaving two threads' transactions on one connection is the
/// caller's mistake, not something a lock could fix.
package final class PostgresBackend: @unchecked Sendable {
    package let location: PostgresLocation

    private let lock = NSLock()
    private var connection: PostgresConnection?
    private var translations: [String: PostgresSQL] = [:]
    private var transactionDepth = 0
    private var savepointCounter = 0
    private var namedStatements = true

    /// Whether prepared statements become named statements on the server (see
    /// `PostgresBoundStatement`); true by default. Turn it off behind a pooler in transaction
    /// mode (PgBouncer), which does not keep them between transactions.
    package var usesNamedStatements: Bool {
        get { lock.lock(); defer { lock.unlock() }; return namedStatements }
        set { lock.lock(); namedStatements = newValue; lock.unlock() }
    }

    /// postgres-nio logs nothing the user should see; errors reach the caller as `PostgresFailure`.
    package static let logger = Logger(label: "triage.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    private init(location: PostgresLocation, connection: PostgresConnection) {
        self.location = location
        self.connection = connection
    }

    deinit {
        close()
    }

    /// Connects and authenticates, or throws `PostgresFailure` within about `timeout` seconds
    /// (TCP connect, TLS and authentication together; a host name's DNS lookup comes first and
    /// is bounded by the system resolver).
    package static func connect(_ location: PostgresLocation, timeout: TimeInterval = 10) throws -> PostgresBackend {
        try ensureNotOnEventLoop()
        let tls: PostgresConnection.Configuration.TLS
        do {
            tls = try makeTLS(location)
        } catch {
            throw PostgresFailure("cannot set up TLS: \(error)")
        }
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = .milliseconds(Int64(max(0.001, timeout) * 1000))
        if location.sslMode == .verifyFull, !isIPAddress(location.host) {
            configuration.options.tlsServerName = location.host
        }
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration,
                id: nextConnectionID(), logger: logger
            ).wait()
        } catch {
            throw PostgresFailure(error, timeout: timeout)
        }
        return PostgresBackend(location: location, connection: connection)
    }

    /// Closes the connection (the server ends the session and releases its locks). Idempotent;
    /// every later call throws.
    package func close() {
        lock.lock()
        let connection = self.connection
        self.connection = nil
        lock.unlock()
        guard let connection else { return }
        let closed: EventLoopFuture<Void> = connection.close()
        if MultiThreadedEventLoopGroup.currentEventLoop == nil {
            try? closed.wait()
        }
    }

    package var isClosed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return connection == nil
    }

    /// A session on this connection: outside `transaction`, each statement commits by itself.
    package func session() -> PostgresSession {
        PostgresSession(client: self)
    }

    /// Runs `body` in a transaction: `BEGIN`, then `COMMIT` when it returns, `ROLLBACK` when it
    /// throws (and its error is rethrown). Inside another transaction it runs in a savepoint.
    /// A `COMMIT` the server turns into a rollback (a statement failed and `body` swallowed the
    /// error) throws.
    package func transaction<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let session = session()
        if inTransaction {
            var result: T?
            try session.savepoint { result = try body(session) }
            return result!
        }
        try run(sql: "BEGIN", binds: PostgresBindings())
        setTransactionDepth(+1)
        defer { setTransactionDepth(-1) }
        let value: T
        do {
            value = try body(session)
        } catch {
            _ = try? run(sql: "ROLLBACK", binds: PostgresBindings())
            throw error
        }
        let tag = try run(sql: "COMMIT", binds: PostgresBindings()).metadata.command
        if tag == "ROLLBACK" {
            throw PostgresFailure(
                "the transaction was rolled back because a statement in it failed", sqlState: "25P02")
        }
        return value
    }

    /// Runs `body` holding PostgreSQL's session-level advisory lock `key`
    /// (`pg_advisory_lock`/`pg_advisory_unlock`): another process asking for the same key waits
    /// until this one is done (migrations run once when 20 processes start together). The
    /// server releases the lock if the connection drops. Call it outside a transaction.
    package func withAdvisoryLock<T>(key: Int64, _ body: () throws -> T) throws -> T {
        var binds = PostgresBindings()
        binds.append(key)
        try run(sql: "SELECT pg_advisory_lock($1)", binds: binds)
        let value: T
        do {
            value = try body()
        } catch {
            _ = try? run(sql: "SELECT pg_advisory_unlock($1)", binds: binds)
            throw error
        }
        try run(sql: "SELECT pg_advisory_unlock($1)", binds: binds)
        return value
    }

    // MARK: - For the session

    package var inTransaction: Bool {
        lock.lock()
        defer { lock.unlock() }
        return transactionDepth > 0
    }

    package func setTransactionDepth(_ delta: Int) {
        lock.lock()
        transactionDepth += delta
        lock.unlock()
    }

    package func nextSavepointName() -> String {
        lock.lock()
        defer { lock.unlock() }
        savepointCounter += 1
        return "triage_sp_\(savepointCounter)"
    }

    /// `sql` with `$n` placeholders, split into statements; cached by SQL text.
    package func translation(of sql: String) -> PostgresSQL {
        lock.lock()
        if let cached = translations[sql] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let translated = PostgresSQL(sql)
        lock.lock()
        if translations.count >= 2000 { translations.removeAll(keepingCapacity: true) }
        translations[sql] = translated
        lock.unlock()
        return translated
    }

    /// Runs one statement (already with `$n` placeholders) and waits for all its rows.
    @discardableResult
    package func run(sql: String, binds: PostgresBindings) throws -> PostgresQueryResult {
        try Self.ensureNotOnEventLoop()
        lock.lock()
        let connection = self.connection
        lock.unlock()
        guard let connection else { throw PostgresFailure("the connection is closed") }
        do {
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: Self.logger).wait()
        } catch {
            throw PostgresFailure(error)
        }
    }

    /// Prepares `sql` (with `$n` placeholders) as a named statement on the server; with the
    /// parameter types the server inferred. Nil when it cannot (the server cannot infer a type,
    /// the transaction is aborted…): inside `transaction` this runs in a savepoint, so that a
    /// failure leaves the transaction as it was. (A transaction opened by executing `BEGIN`
    /// directly is not known here: use `transaction`.)
    package func prepareNamed(_ sql: String) -> (PreparedQuery, [UInt32])? {
        lock.lock()
        let connection = self.connection
        lock.unlock()
        guard let connection, usesNamedStatements, MultiThreadedEventLoopGroup.currentEventLoop == nil else { return nil }
        let savepoint = inTransaction ? nextSavepointName() : nil
        var prepared: PreparedQuery?
        do {
            if let savepoint { try run(sql: "SAVEPOINT \(savepoint)", binds: PostgresBindings()) }
            prepared = try connection.prepare(query: sql).wait()
            var binds = PostgresBindings()
            binds.append(sql)
            let result = try run(
                sql: "SELECT parameter_types::oid[]::text FROM pg_prepared_statements WHERE statement = $1 LIMIT 1",
                binds: binds)
            guard case .text(let text)? = PostgresSession.firstValue(result.rows) else {
                throw PostgresFailure("the prepared statement is missing")
            }
            let types = text.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").compactMap {
                UInt32($0)
            }
            if let savepoint { try run(sql: "RELEASE SAVEPOINT \(savepoint)", binds: PostgresBindings()) }
            return (prepared!, types)
        } catch {
            if let prepared { deallocate(prepared) }
            if let savepoint {
                _ = try? run(sql: "ROLLBACK TO SAVEPOINT \(savepoint)", binds: PostgresBindings())
                _ = try? run(sql: "RELEASE SAVEPOINT \(savepoint)", binds: PostgresBindings())
            }
            return nil
        }
    }

    /// Runs a named statement from `prepareNamed` and waits for all its rows.
    package func execute(_ prepared: PreparedQuery, binds: [PostgresData]) throws -> [PostgresRow] {
        try Self.ensureNotOnEventLoop()
        guard !isClosed else { throw PostgresFailure("the connection is closed") }
        do {
            return try prepared.execute(binds).wait()
        } catch {
            throw PostgresFailure(error)
        }
    }

    /// Closes a named statement on the server, without waiting (from a `deinit`).
    package func deallocate(_ prepared: PreparedQuery) {
        guard !isClosed else { return }
        _ = prepared.deallocate()
    }

    // MARK: - Helpers

    private static let connectionIDs = NSLock()
    nonisolated(unsafe) private static var lastConnectionID = 0

    private static func nextConnectionID() -> Int {
        connectionIDs.lock()
        defer { connectionIDs.unlock() }
        lastConnectionID += 1
        return lastConnectionID
    }

    private static func ensureNotOnEventLoop() throws {
        if MultiThreadedEventLoopGroup.currentEventLoop != nil {
            throw PostgresFailure("internal error: a blocking PostgreSQL call on an event-loop thread")
        }
    }

    package static func makeTLS(_ location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        switch location.sslMode {
        case .disable:
            return .disable
        case .prefer, .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            let context = try NIOSSLContext(configuration: configuration)
            return location.sslMode == .prefer ? .prefer(context) : .require(context)
        case .verifyFull:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .fullVerification
            configuration.trustRoots = .default
            return .require(try NIOSSLContext(configuration: configuration))
        }
    }

    package static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return host.withCString { inet_pton(AF_INET, $0, &v4) == 1 || inet_pton(AF_INET6, $0, &v6) == 1 }
    }
}

/// A PostgreSQL error, as one line for the user, with the server's SQLSTATE when there is one
/// (`23505` unique violation, `28P01` wrong password, `40001` serialization failure, `40P01`
/// deadlock, …). The caller prefixes the location (`PostgresLocation.redacted`); the text
/// never holds the password: it is built only from the server's message or from our own words,
/// never from the connection settings.
package struct PostgresFailure: Error, CustomStringConvertible {
    package var description: String
    package var sqlState: String?

    package init(_ description: String, sqlState: String? = nil) {
        self.description = description
        self.sqlState = sqlState
    }

    /// Whether retrying the whole transaction may succeed (serialization failure, deadlock).
    package var isTransient: Bool { sqlState == "40001" || sqlState == "40P01" }

    package init(_ error: any Error, timeout: TimeInterval? = nil) {
        if let failure = error as? PostgresFailure {
            self = failure
            return
        }
        if let error = error as? PostgresError {
            // What postgres-nio's older API (named statements) throws.
            switch error {
            case .server(let info):
                var text = Self.oneLine(info.fields[.message] ?? "the server reported an error")
                if let detail = info.fields[.detail].map(Self.oneLine), !detail.isEmpty, detail.count <= 160 {
                    text += " (\(detail))"
                }
                self.init(text, sqlState: info.fields[.sqlState])
            case .connectionClosed:
                self.init("the server closed the connection")
            case .protocol(let message):
                self.init("protocol error (\(Self.oneLine(message)))")
            }
            return
        }
        guard let error = error as? PSQLError else {
            self.init(Self.describe(other: error, timeout: timeout))
            return
        }
        switch error.code {
        case .server:
            let info = error.serverInfo
            var text = Self.oneLine(info?[.message] ?? "the server reported an error")
            if let detail = info?[.detail].map(Self.oneLine), !detail.isEmpty, detail.count <= 160 {
                text += " (\(detail))"
            }
            self.init(text, sqlState: info?[.sqlState])
        case .connectionError:
            self.init(Self.describe(other: error.underlying, timeout: timeout))
        case .sslUnsupported:
            self.init("the server does not support TLS (sslmode=require or verify-full)")
        case .failedToAddSSLHandler:
            self.init("cannot start TLS: \(error.underlying.map { Self.oneLine("\($0)") } ?? "unknown error")")
        case .authMechanismRequiresPassword:
            self.init("the server asks for a password and none was given (in the URL, PGPASSWORD or ~/.pgpass)")
        case .unsupportedAuthMechanism:
            self.init("the server asks for an authentication method this client does not support (use scram-sha-256, md5 or password)")
        case .saslError:
            self.init("authentication failed (SCRAM exchange)")
        case .serverClosedConnection, .uncleanShutdown:
            self.init("the server closed the connection")
        case .clientClosedConnection:
            self.init("the connection is closed")
        case .queryCancelled:
            self.init("the query was cancelled", sqlState: "57014")
        case .tooManyParameters:
            self.init("too many parameters in one statement (at most 65535)")
        default:
            self.init("protocol error (\(error.code))")
        }
    }

    private static func describe(other error: (any Error)?, timeout: TimeInterval?) -> String {
        guard let error else { return "cannot connect" }
        if let error = error as? PSQLError { return PostgresFailure(error, timeout: timeout).description }
        if let error = error as? NIOConnectionError {
            if let failure = error.connectionErrors.last {
                return describe(other: failure.error, timeout: timeout)
            }
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return "cannot resolve the host name \"\(error.host)\""
            }
            return "cannot connect"
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout(let amount):
                let seconds = timeout ?? Double(amount.nanoseconds) / 1e9
                return "cannot connect (timed out after \(formatSeconds(seconds)))"
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed:
                return "the server closed the connection"
            default:
                return "cannot connect (\(oneLine(String(describing: error))))"
            }
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return "cannot connect (connection refused)"
            case ETIMEDOUT: return "cannot connect (timed out)"
            case EHOSTUNREACH: return "cannot connect (no route to host)"
            case ENETUNREACH: return "cannot connect (network unreachable)"
            case ECONNRESET: return "the connection was reset"
            default: return "cannot connect (\(String(cString: strerror(error.errnoCode))))"
            }
        }
        if let error = error as? SocketAddressError {
            if case .unknown(let host, _) = error {
                return "cannot resolve the host name \"\(host)\""
            }
            return "cannot resolve the host name (\(oneLine(String(describing: error))))"
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            let text = String(describing: error)
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return "TLS failed: the server's certificate is not trusted (sslmode=verify-full checks it against the system's trust roots)"
            }
            if text.contains("failedToValidateHostname") {
                return "TLS failed: the server's certificate does not name this host (sslmode=verify-full)"
            }
            return "TLS failed: \(oneLine(text))"
        }
        return oneLine(String(describing: error))
    }

    private static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }

    package static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
