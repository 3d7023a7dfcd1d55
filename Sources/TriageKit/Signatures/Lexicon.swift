import TriageModel
import TriageStore
/// The phrases the built-in rules look for, grouped by what they tell.
///
/// Phrases are lower-case; `~` at either end asks for a word boundary there. They are the
/// wordings runtimes and libraries use for a cause (exception classes, errno names and their
/// numbers on Linux, macOS and Windows, well-known messages), never the text of one report.
/// Changing any phrase changes what clusters mean: bump `SignatureEngine.builtinRulesVersion`.
///
/// A class, not a struct: a struct this large (some 30 KB of phrase sets) was copied whole onto
/// the stack by functions that read one of its groups.
final class Lexicon: Sendable {
    static let shared = Lexicon()

    let matcher: PhraseMatcher

    // MARK: - Out of memory
    let oomRedis: PhraseSet
    let oomCUDA: PhraseSet
    let oomJavaHeap: PhraseSet
    let oomJavaGC: PhraseSet
    let oomJavaMetaspace: PhraseSet
    let oomJavaThreads: PhraseSet
    let oomJavaDirect: PhraseSet
    let oomJava: PhraseSet
    let oomNode: PhraseSet
    let oomNumpy: PhraseSet
    let oomPython: PhraseSet
    let oomDotnet: PhraseSet
    let oomGo: PhraseSet
    let oomCpp: PhraseSet
    let oomKilled: PhraseSet
    let killedWord: PhraseSet
    let shellJobReport: PhraseSet
    let oomRustAlloc: PhraseSet
    let exitNine: PhraseSet
    let timeoutNavigation: PhraseSet
    let timeoutRuby: PhraseSet
    let rubyNetFrames: PhraseSet
    let oomTensor: PhraseSet
    let oomErrno: PhraseSet
    let oomRuby: PhraseSet
    let oomPHP: PhraseSet
    let oomJVMNative: PhraseSet
    let oomTorchCPU: PhraseSet
    let oomGeneric: PhraseSet

    // MARK: - TLS
    let sslLocalIssuer: PhraseSet
    let sslPKIX: PhraseSet
    let sslWrongVersion: PhraseSet
    let sslProtocol: PhraseSet
    let sslSelfSigned: PhraseSet
    let sslExpired: PhraseSet
    let sslHostname: PhraseSet
    let sslUnknownAuthority: PhraseSet
    let sslAny: PhraseSet

    // MARK: - Network
    let dockerName: PhraseSet
    let dockerUnreachable: PhraseSet
    let permissionWords: PhraseSet
    let refused: PhraseSet
    let mysqlCannotConnect: PhraseSet
    let mysqlConnectCodes: PhraseSet
    let libpqSocket: PhraseSet
    let refusedErrnoInParentheses: PhraseSet
    let addressInUse: PhraseSet
    let addressNotAvailable: PhraseSet
    let bindException: PhraseSet
    let networkUnreachable: PhraseSet
    let hostUnreachable: PhraseSet
    let reset: PhraseSet
    let brokenPipe: PhraseSet
    let dnsTemporary: PhraseSet
    let dnsAny: PhraseSet
    let localHostLookup: PhraseSet
    let resolverLookup: PhraseSet
    let resolverPort: PhraseSet
    let localhostWord: PhraseSet
    let connectTimeout: PhraseSet
    let cannotConnect: PhraseSet
    let poolTimeout: PhraseSet
    let poolTimeoutKinds: [(detail: String, cues: PhraseSet)]
    let taskCanceled: PhraseSet
    let taskCanceledTask: PhraseSet
    let clientException: PhraseSet
    let readTimeout: PhraseSet
    let readTimedOut: PhraseSet

    // MARK: - Services, protocols and places
    let services: [(detail: String, cues: PhraseSet)]
    /// Every service's cues: a failure that names none of them is told so by one check.
    let anyService: PhraseSet
    let httpContext: PhraseSet
    let loopback: PhraseSet

    // MARK: - Runtimes (for causes told apart by the runtime that raised them)
    let bindNetty: PhraseSet
    let bindJava: PhraseSet
    let bindDotnet: PhraseSet
    let bindKestrel: PhraseSet
    let bindHttpListener: PhraseSet
    let bindGo: PhraseSet
    let bindNode: PhraseSet
    let bindRuby: PhraseSet
    let bindDocker: PhraseSet
    let bindRust: PhraseSet
    let socketAddressUsage: PhraseSet
    let connectAttempt: PhraseSet
    let bindAttempt: PhraseSet
    let bindPython: PhraseSet

    // MARK: - Storage and files
    let databaseLocked: PhraseSet
    let isLocked: PhraseSet
    let sqliteContext: PhraseSet
    let databaseLockKinds: [(detail: String, cues: PhraseSet)]
    let fileNotFound: PhraseSet
    let processStart: PhraseSet
    let timeoutServiceStart: PhraseSet
    let permissionDenied: PhraseSet
    let readOnlyFileSystem: PhraseSet
    let execRefused: PhraseSet
    let npmWords: PhraseSet
    let pipWords: PhraseSet
    let dotnetPathAccess: PhraseSet

    // MARK: - Code errors
    let fixtureQuote: PhraseSet
    let notFound: PhraseSet
    let djangoFixture: PhraseSet
    let fixtureScope: PhraseSet
    let fixtureDatabase: PhraseSet
    let fixtureParameter: PhraseSet
    let fixtureSharedExamples: PhraseSet
    let phpFatal: PhraseSet
    let phpTypeQuote: PhraseSet
    let importAny: PhraseSet
    let importNotAPackage: PhraseSet
    let importNoModule: PhraseSet
    let importCircular: PhraseSet
    let importCannotImportName: PhraseSet
    let importFileMismatch: PhraseSet
    let importClassInit: PhraseSet
    let importNoClassDef: PhraseSet
    let importClassNotFound: PhraseSet
    let importNodeModule: PhraseSet
    let importSharedLibrary: PhraseSet
    let importGoPackage: PhraseSet
    let importRequireESM: PhraseSet
    let importRust: PhraseSet
    let importRuby: PhraseSet
    let importPHPClass: PhraseSet
    let importDotnetAssembly: PhraseSet
    let importVite: PhraseSet
    let attributeAny: PhraseSet
    let attributeInvalidAssertion: PhraseSet
    let attributeMockSpec: PhraseSet
    let attributeNotAMock: PhraseSet
    let attributeNone: PhraseSet
    let attributeModule: PhraseSet
    let attributeObject: PhraseSet
    let mockWord: PhraseSet
    let typeAny: PhraseSet
    let typeNoneCallable: PhraseSet
    let typeNoneSubscriptable: PhraseSet
    let typeNoneIterable: PhraseSet
    let typeUnexpectedKeyword: PhraseSet
    let keyAny: PhraseSet
    let environment: PhraseSet

    // MARK: - Timeouts and assertions
    let timeoutGoTest: PhraseSet
    let timeoutPytest: PhraseSet
    let timeoutMocha: PhraseSet
    let hookWord: PhraseSet
    let timeoutJest: PhraseSet
    let timeoutJUnit: PhraseSet
    let timeoutAwait: PhraseSet
    let timeoutDotnet: PhraseSet
    let timingAssertion: PhraseSet
    let timeoutPython: PhraseSet
    let timeoutJava: PhraseSet
    let timeoutDeadline: PhraseSet
    let timeoutGeneric: PhraseSet
    let timeoutTestNG: PhraseSet
    let timeoutPlaywrightTest: PhraseSet
    let playwrightExpect: PhraseSet
    let timeoutLine: PhraseSet
    let selenideWait: PhraseSet
    let seleniumExpectedCondition: PhraseSet
    let capybaraFind: PhraseSet
    let timeoutPlaywrightAction: PhraseSet
    let cypressFind: PhraseSet
    let cypressContent: PhraseSet
    let puppeteerWait: PhraseSet
    let jestHook: PhraseSet
    let seleniumLocate: PhraseSet
    let timeoutKotlin: PhraseSet
    let timeoutDotnetClass: PhraseSet
    let timeoutEventually: PhraseSet
    let waitHelperFrames: PhraseSet
    let runnerTimeouts: PhraseSet
    let timeoutKarmaCapture: PhraseSet
    let timeoutKarmaNoMessage: PhraseSet
    let timeoutJasmine: PhraseSet
    let jestWord: PhraseSet
    let timeoutSubprocess: PhraseSet
    let timeoutRustHang: PhraseSet
    let timeoutXCTestWait: PhraseSet
    let timeoutCTest: PhraseSet
    let timeoutNextest: PhraseSet
    let timeoutCIJob: PhraseSet
    let timeoutSurefireFork: PhraseSet
    let timeoutTimetrap: PhraseSet
    let timeoutTornado: PhraseSet
    let timeoutFaulthandler: PhraseSet
    let timeoutGenServer: PhraseSet
    let timeoutOwnership: PhraseSet
    let timeoutExpectMessage: PhraseSet
    let phpInclude: PhraseSet
    let unexpectedEOF: PhraseSet
    let oomErlang: PhraseSet
    let expectedErrorMissing: PhraseSet
    let durationComparison: PhraseSet
    let timeoutWord: PhraseSet
    let timeoutOf: PhraseSet
    let assertion: PhraseSet
    let goTestLine: PhraseSet
    let checkWords: PhraseSet
    let assertionLibraryFrames: PhraseSet
    let infrastructureWords: PhraseSet

    /// Finds the phrases in a text.
    func scan(_ bytes: [UInt8]) -> PhraseScan { matcher.scan(bytes) }

    // swiftlint:disable:next function_body_length
    private init() {
        var book = PhraseBook()

        oomRedis = book.group("oom command not allowed")
        oomCUDA = book.group("cuda out of memory", "cuda error: out of memory", "cudaerrormemoryallocation")
        oomJavaHeap = book.group("java heap space")
        oomJavaGC = book.group("gc overhead limit exceeded")
        oomJavaMetaspace = book.group(
            "outofmemoryerror: metaspace", "compressed class space", "out of jvm metaspace")
        oomJavaThreads = book.group("unable to create new native thread", "unable to create native thread")
        oomJavaDirect = book.group("direct buffer memory")
        oomJava = book.group("outofmemoryerror")
        oomNode = book.group(
            "javascript heap out of memory", "heap limit allocation failed", "reached heap limit",
            "ineffective mark-compacts",
            // V8's own fatal wording, whatever allocated; an ArrayBuffer it could not allocate.
            "allocation failed - process out of memory", "array buffer allocation failed",
            // The short form V8 gives a worker thread that reached its heap limit.
            "js heap out of memory", "err_worker_out_of_memory", "node::oomerrorhandler")
        oomNumpy = book.group("arraymemoryerror", "for an array with shape")
        oomPython = book.group("~memoryerror~")
        oomDotnet = book.group("outofmemoryexception", "insufficient memory to continue")
        oomGo = book.group("runtime: out of memory", "runtime: cannot allocate memory")
        oomCpp = book.group("std::bad_alloc")
        oomKilled = book.group(
            "code 137~", "signal: killed",
            "sigkill", "oomkilled", "oom-kill", "oom killer", "oom_kill", "out of memory: kill", "killed: 9",
            "killed process", "exit code -9~", "exit status -9~", "~signal 9~", "killed by the kernel",
            // Gradle's test executor and other runners' own "exit value" or "status".
            "exit value 137~", "~status 137~",
            // The GCC or Clang driver reporting its compiler killed.
            "killed signal terminated program", "killed: signal terminated program", "internal compiler error: killed")
        killedWord = book.group("~killed~")
        // bash reports a job it lost to SIGKILL as `script: line N: PID Killed  command`.
        shellJobReport = book.group(": line ")
        // Rust's default allocation error handler.
        oomRustAlloc = book.group("memory allocation of", "handle_alloc_error")
        exitNine = book.group("~exit 9~", "~exit code 9~", "~exit status 9~")
        // Each runtime's own out-of-memory wording, by the runtime that reports it: TensorFlow's
        // allocator (a `ResourceExhaustedError`), errno 12 from any system call (its name and
        // its C library text), Ruby's `NoMemoryError`, PHP's memory limit, the JVM's native
        // memory, PyTorch's CPU allocator.
        oomTensor = book.group("oom when allocating", "resourceexhaustederror")
        oomErrno = book.group("cannot allocate memory", "~enomem~", "[errno 12]", "os error 12)")
        oomRuby = book.group("nomemoryerror", "failed to allocate memory")
        oomPHP = book.group("allowed memory size of")
        oomJVMNative = book.group(
            "insufficient memory for the java runtime",
            // A JVM that could not even reserve the heap it was asked for.
            "could not reserve enough space for")
        oomTorchCPU = book.group("defaultcpuallocator: can't allocate memory")
        oomGeneric = book.group(
            "out of memory", "memory allocation failed", "~error 137~", "~failed to allocate ",
            // Runtimes that report their own heap running out (GHC's RTS, the Dart VM), an
            // allocator's refusal (WebAssembly's `Memory()`).
            "heap exhausted", "exhausted heap space", "could not allocate memory",
            // Lua's allocator, Windows' `Not enough memory resources`.
            "~not enough memory")
        // The BEAM's allocators: `eheap_alloc: Cannot allocate N bytes of memory (of type "heap")`.
        oomErlang = book.group("eheap_alloc:", "bytes of memory (of type")

        sslLocalIssuer = book.group("unable to get local issuer certificate", "unable_to_get_issuer_cert_locally")
        sslPKIX = book.group("pkix path building failed", "unable to find valid certification path")
        sslWrongVersion = book.group("wrong version number", "wrong_version_number")
        sslProtocol = book.group(
            "protocol version", "no protocols available", "unsupported protocol", "inappropriate fallback",
            "protocol_version")
        sslSelfSigned = book.group(
            "self signed certificate", "self-signed certificate", "self_signed_cert", "depth_zero_self_signed")
        sslExpired = book.group(
            "certificate has expired", "cert_has_expired", "certificate expired", "certificateexpired", "certexpired",
            "err_cert_date_invalid", "invalid peer certificate: expired")
        sslHostname = book.group(
            "hostname mismatch", "certificate is not valid for", "altname_invalid", "no subject alternative",
            "certificate is valid for",
            "doesn't match any of the subject alternative", "remotecertificatenamemismatch",
            "err_cert_common_name_invalid", "certificate: notvalidforname")
        sslUnknownAuthority = book.group(
            "certificate signed by unknown authority", "unable to verify the first certificate",
            "unable_to_verify_leaf_signature", "untrusted root", "remotecertificatechainerrors",
            "self signed certificate in certificate chain", "err_cert_authority_invalid",
            // Go's crypto/x509 error type, as a test prints the value it got.
            "x509.unknownauthorityerror",
            // rustls names the kind after `invalid peer certificate: `.
            "certificate: unknownissuer")
        sslAny = book.group(
            "certificate verify failed", "certificate_verify_failed", "sslerror", "ssl_error", "sslhandshakeexception",
            "~err_cert_",
            "sslexception", "ssl routines", "[ssl", "ssl handshake", "tls handshake", "handshake_failure",
            "tlsv1 alert", "sslv3 alert", "x509:", "the ssl connection could not be established",
            "remote certificate is invalid", "sslprotocolexception", "certificateexception", "err_ssl",
            "invalid peer certificate",
            "ssl: ", "ssl.ssl"
        )
        .union(sslLocalIssuer).union(sslPKIX).union(sslWrongVersion).union(sslSelfSigned)
        .union(sslExpired).union(sslHostname).union(sslUnknownAuthority)

        dockerName = book.group(
            "docker.sock", "docker daemon", "docker_host", "docker api", "docker engine", "~dockerd~",
            "docker environment", "docker.dotnet",
            // docker-py's exceptions, and its first request to a daemon it cannot reach;
            // Testcontainers for .NET's check for a daemon.
            "~docker.errors.", "fetching server api version", "docker is either not running",
            // Testcontainers for Node finding no Docker (or other container runtime) to talk to.
            "working container runtime strategy")
        dockerUnreachable = book.group(
            "is not listening", "failed to connect", "cannot connect", "could not connect", "connection failed",
            "no such file or directory", "cannot assign requested address", "is the docker daemon running",
            "connection refused", "could not find a valid docker environment", "error during connect",
            "working container runtime strategy", "~not running~")
        permissionWords = book.group("permission denied", "access is denied", "~eacces~")
        refused = book.group(
            "connection refused", "econnrefused", "connectionrefusederror", "actively refused",
            "refused the network connection", "connection was refused",
            "[errno 61]", "[errno 10061]", "winerror 10061", "~errno 111~", "~error 111 connecting", "~error 61 connecting",
            "~error 10061 connecting", "refused. check that the hostname", "refused to connect",
            "no connection could be made",
            // Chromium's net error names, Rust's io::ErrorKind and raw OS codes, .NET's
            // SocketException with its native code, PgJDBC's `Connection to host:port refused.`.
            "err_connection_refused", "kind: connectionrefused", "os { code: 111,", "os { code: 61,",
            "socketexception (10061)", "~refused.", "tns:no listener",
            // Connecting to a Unix socket that nobody listens on: the `connect` call itself
            // failing with ENOENT (Go's `dial unix …: connect: no such file or directory`,
            // Node's `connect ENOENT /path.sock`).
            "connect: no such file or directory", "~connect enoent",
            // libpq's hint after a failed connect to its Unix socket.
            "is the server running locally and accepting",
            // A PostgreSQL server that does not take connections yet or any more: "the database
            // system is starting up", "… shutting down", "… in recovery mode".
            "the database system is")
        libpqSocket = book.group("connection to server on socket")
        // The MySQL client's `Can't connect to MySQL server on 'host' (111)`.
        mysqlCannotConnect = book.group("can't connect to mysql server")
        // The MySQL client's own codes for a server it could not reach (2002: its socket or
        // host, 2003: its TCP port), as PHP's PDO quotes them.
        mysqlConnectCodes = book.group(
            "sqlstate[hy000] [2002]", "sqlstate[hy000] [2003]", "(hy000/2002)", "(hy000/2003)")
        refusedErrnoInParentheses = book.group("(111)", "(61)", "(10061)")
        addressInUse = book.group(
            "address already in use", "eaddrinuse", "[errno 98]", "[errno 48]",
            "winerror 10048", "only one usage of each socket address", "address in use", "failed to bind to",
            "addressinuseexception", "~errno 98~", "~errno 48~", "os { code: 98,", "os { code: 48,",
            "port is already allocated",
            "kind: addrinuse",
            // Spring Boot's embedded web server finding its port taken.
            "portinuseexception")
        // java.net.BindException, whose message the JVM words in the system's language.
        bindException = book.group("java.net.bindexception")
        addressNotAvailable = book.group(
            "cannot assign requested address", "can't assign requested address", "eaddrnotavail", "[errno 99]",
            "[errno 49]", "requested address is not valid in its context", "winerror 10049")
        networkUnreachable = book.group(
            "network is unreachable", "enetunreach", "[errno 101]", "[errno 51]",
            "winerror 10051", "network unreachable")
        hostUnreachable = book.group(
            "no route to host", "ehostunreach", "[errno 113]", "[errno 65]", "host is unreachable",
            "winerror 10065")
        reset = book.group(
            "connection reset", "econnreset", "[errno 104]", "[errno 54]", "winerror 10054",
            "forcibly closed by the remote host", "socket hang up", "remotedisconnected",
            "remote end closed connection", "connection aborted", "connection closed by peer",
            "err_connection_reset", "err_connection_closed", "err_connection_aborted", "err_empty_response",
            "kind: connectionreset", "kind: connectionaborted", "os { code: 104,", "os { code: 54,",
            "socketexception (10054)", "the underlying connection was closed",
            // libpq, WinHTTP (12030) and StackExchange.Redis wordings of a dropped connection.
            "server closed the connection unexpectedly", "connection with the server was terminated abnormally",
            "socketclosed on", "connection closed unexpectedly",
            // .NET's HttpClient, Go's net/http, undici, aiohttp, OkHttp, PostgreSQL, MySQL and redis-py.
            "response ended prematurely", "server closed idle connection", "other side closed",
            "serverdisconnectederror", "server disconnected", "unexpected end of stream on",
            "terminating connection due to administrator command", "lost connection to mysql server",
            "server has gone away", "connection closed by server",
            // hyper (Rust): the peer closed the connection before the whole response.
            "~incompletemessage~", "connection closed before message completed", "kind: incomplete,",
            // ChromeDriver's session whose browser went away; node-postgres's dropped connection.
            "browser has closed the connection", "connection terminated unexpectedly",
            // asyncpg's connection lost in the middle of an operation; smtplib's and other
            // clients' words for a peer that hung up; a WebSocket closed without its closing
            // handshake; Dart's HTTP client; an Erlang socket's `closed` reason.
            "connectiondoesnotexisterror", "unexpectedly closed", "no close frame received", "read error on connection",
            "connection closed before full header", "recv: closed", "{:error, :closed}",
            // libcurl's CURLE_GOT_NOTHING: the server closed the connection without a reply.
            "empty reply from server")
        brokenPipe = book.group("broken pipe", "~epipe~", "[errno 32]", "brokenpipeerror")
        dnsTemporary = book.group(
            "temporary failure in name resolution", "eai_again", "[errno -3]", "server misbehaving",
            "name resolution failure")
        dnsAny = book.group(
            "name or service not known", "nodename nor servname", "~enotfound", "unknownhostexception",
            "no such host", "could not resolve host", "name resolution error", "no address associated with hostname",
            "nameresolutionerror", "failed to resolve", "getaddrinfo failed", "[errno -2]", "[errno -5]",
            "[errno 11001]", "~gaierror~", "unable to resolve host", "dns lookup failed", "host not found",
            "err_name_not_resolved", "unknown host", "could not resolve address", "name does not resolve",
            "~error -2 connecting", "~error -3 connecting", "[errno 11004]", "~eai_noname", "~eai_nodata",
            "nosuchhostexception", "name resolution failed",
            "unresolvedaddressexception", "dns error",
            // The BEAM's resolver (`{:error, :nxdomain}`), Apple's URL loading (-1003: host not found);
            // Windows' WinHTTP and .NET's `WebExceptionStatus` on Mono.
            "~nxdomain~", "nsurlerrordomain code=-1003", "server name or address could not be resolved",
            "~nameresolutionfailure~")
        .union(dnsTemporary)
        localHostLookup = book.group("getlocalhost")
        // Go's resolver quoting the DNS server it asked: `lookup host on 10.0.0.2:53: <why>`.
        resolverLookup = book.group("~lookup ")
        resolverPort = book.group(":53: ")
        localhostWord = book.group("~localhost~")
        connectTimeout = book.group(
            "connection timed out", "connect timed out", "connecttimeout", "operation timed out", "etimedout",
            "[errno 110]", "[errno 60]", "winerror 10060",
            "did not properly respond after a period of time", "i/o timeout", "timeout connecting to server",
            "timed out connecting", "connection timeout", "timeout while connecting", "serverselectiontimeouterror",
            "connect timeout", "timeout waiting for connection", "connection attempt timed out",
            // MongoDB's drivers finding no server to talk to in time; Ruby's Net::HTTP and
            // Net::SMTP opening their connection.
            "server selection timed out", "net::opentimeout",
            "err_connection_timed_out", "err_timed_out", "kind: timedout", "source: timedout", "os { code: 110,",
            "os { code: 60,",
            "socketexception (10060)", "connectiontimeouterror",
            // got (Node's HTTP client) naming the request phase it waited for.
            "timeout awaiting '",
            // Kafka's clients waiting for a broker to answer.
            "while fetching topic metadata", "not present in metadata after", "kafka.common.errors.timeoutexception",
            // Elixir's HTTP clients (Mint, HTTPoison, hackney) return the transport's timeout as
            // an error struct's reason.
            "reason: :timeout", "reason: :connect_timeout")
        // A client that could not connect and does not say why (no errno): refused, unless a
        // timeout is named with it.
        cannotConnect = book.group(
            "it was not possible to connect", "failed to connect to", "unable to connect to", "could not connect to",
            "communications link failure", "communicationsexception", "socketfailure on", "cannot connect to",
            "can't connect to", "failed to establish a new connection", "unable to establish connection",
            // Client libraries that found no server to talk to: SQL Server's client, PgJDBC,
            // Oracle's thin driver, Elasticsearch's and Cassandra's drivers, kafka-python, pika.
            "error occurred while establishing a connection to sql server", "the connection attempt failed",
            "the network adapter could not establish the connection", "nonodeavailableexception",
            "none of the configured nodes are available", "failed to ping the specified node",
            "could not reach any contact point", "nohostavailableexception", "~nobrokersavailable",
            "amqpconnectionerror", "can't reach database server", "~could not be established",
            // NATS clients with no server that answered; gocql's and others' failed dial.
            "no servers available", "unable to dial",
            // grpc-java's status for a channel that could not connect; gRPC C#'s; Sarama and
            // aiokafka finding no Kafka broker.
            "statusruntimeexception: unavailable", "statuscode=unavailable", "run out of available brokers",
            "unable to bootstrap from",
            "couldn't connect to",
            // Apache HttpClient's failed connect, whatever its wording (`Connection to … refused`).
            "httphostconnectexception",
            // Apple's URL loading system: -1004, could not connect to the server.
            "nsurlerrordomain code=-1004")
        // Connection pools that ran out of time waiting for a free connection.
        // Told apart by the pool's library: the pool, not the server, ran out of connections.
        poolTimeoutKinds = [
            // HikariCP, Apache Commons Pool (DBCP).
            (
                "jdbc_pool",
                book.group("connection is not available, request timed out", "timeout waiting for idle object")
            ),
            // Apache HttpClient.
            ("http_pool", book.group("connectionpooltimeoutexception", "timeout waiting for connection from pool")),
            ("sqlalchemy_pool", book.group("queuepool limit of size")),
            // Rust's sqlx and ADO.NET's connection pool.
            ("sqlx_pool", book.group("~pooltimedout~", "pool timed out while waiting for an open connection")),
            ("ado_pool", book.group("prior to obtaining a connection from the pool")),
            // Knex (Node) and r2d2 (Rust), whose only error is this timeout.
            ("knex_pool", book.group("timeout acquiring a connection")),
            ("r2d2_pool", book.group("~r2d2")),
            ("redis_pool", book.group("redis: connection pool timeout")),
            // Elixir's DBConnection (Ecto).
            ("dbconnection_pool", book.group("request was dropped from queue after")),
            // psycopg 3's pool.
            ("psycopg_pool", book.group("couldn't get a connection after")),
        ]
        poolTimeout = poolTimeoutKinds.reduce(PhraseSet()) { $0.union($1.cues) }
        // .NET's HttpClient reports its timeout as a cancelled task.
        taskCanceledTask = book.group("taskcanceledexception", "a task was canceled")
        taskCanceled = book.group("operationcanceledexception").union(taskCanceledTask)
        clientException = book.group("clientexception")
        // `Read timed out` is how java.net and urllib3 word a read timeout: HTTP clients, mostly.
        readTimedOut = book.group("read timed out")
        readTimeout = book.group(
            "timeout reading from socket", "read timed out", "esockettimedout", "sockettimeoutexception",
            "timeout reading from", "socket timeout", "socket.timeout", "httpclient.timeout", "~read timeout",
            "~write timeout", "~readtimeout",
            // aiohttp, java.net.http, Go's net/http client, requests' base class, axios.
            "servertimeouterror", "httptimeoutexception", "client.timeout exceeded",
            "timeout awaiting response headers", "requests.exceptions.timeout", "~econnaborted",
            // Npgsql's read that ran out of time; a client's command that got no answer in time
            // (Lettuce's `RedisCommandTimeoutException`, and its kin).
            "timeout during reading attempt", "commandtimeoutexception",
            // Apple's URL loading system: -1001, the request timed out.
            "nsurlerrordomain code=-1001",
            // libcurl's CURLE_OPERATION_TIMEDOUT, as PHP's bindings and Guzzle quote it.
            "curl error 28")

        // Ordered: the first service named wins. Client library names count as the service.
        let services: [(detail: String, cues: PhraseSet)] = [
            ("docker_daemon", book.group("docker.sock", "docker daemon", "docker_host", "docker api", "docker engine")),
            ("testcontainers_ryuk", book.group("ryuk")),
            // redis-py words its socket timeouts this way.
            ("redis", book.group("redis", "timeout reading from socket", "error while reading from socket")),
            (
                "postgres",
                book.group(
                    "postgres", "psycopg", "asyncpg", ".s.pgsql.", "pg8000", "libpq", "npgsql", "psqlexception", "postgrex",
                    "postmaster", "pg::connectionbad", "the database system is",
                    // node-postgres's words for a connection it lost or never got.
                    "connection terminated unexpectedly", "connection terminated due to connection timeout",
                    "pgconnection", "this probably means the server terminated abnormally",
                    // libpq's wording of a connection the server dropped.
                    "server closed the connection unexpectedly", "terminating connection due to administrator command")
            ),
            (
                "mysql",
                // go-sql-driver logs from its packets.go.
                book.group("mysql", "mariadb", "the last packet sent successfully to the server", "~packets.go:")
                    .union(mysqlConnectCodes)
            ),
            (
                "oracle",
                book.group(
                    "~ora-", "~tns:", "oracle.jdbc", "oracle.net",
                    "the network adapter could not establish the connection")
            ),
            ("mongo", book.group("mongo")),
            ("elasticsearch", book.group("elasticsearch", "opensearch", "nonodeavailableexception")),
            ("rabbitmq", book.group("rabbitmq", "amqp", "~pika", "kombu")),
            ("memcached", book.group("memcache")),
            ("zookeeper", book.group("zookeeper")),
            ("kafka", book.group("kafka", "~nobrokersavailable")),
            ("cassandra", book.group("cassandra", "datastax", "nohostavailableexception")),
            ("sqlserver", book.group("sqlserver", "sql server", "mssql")),
            ("selenium", book.group("selenium", "webdriver", "chromedriver", "geckodriver", "invalid session id")),
            (
                "grpc",
                book.group(
                    "grpc", "_inactiverpcerror", "statuscode.unavailable", "~14 unavailable", "error while dialing",
                    "failed to connect to all addresses", "subchannel",
                    // The status errors of grpc-go and of tonic (Rust).
                    "rpc error: code =", "status { code:")
            ),
            ("mqtt", book.group("mqtt", "paho", "mosquitto")),
            ("pulsar", book.group("pulsarclientexception")),
            ("nats", book.group("~nats")),
            (
                "unix_socket",
                book.group(
                    "unix socket", "dial unix", "unix domain socket", "~af_unix", "~unixgram", "~unixpacket",
                    "read unix ", "write unix ", "~.sock'", "~.sock\"", "~.sock:",
                    // Only a socket with a path fails to connect with ENOENT.
                    "connect: no such file or directory", "~connect enoent")
            ),
            ("websocket", book.group("websocket", "~ws://", "~wss://")),
            ("remoting", book.group("system.runtime.remoting")),
            // Java RMI's own exceptions (`java.rmi.ConnectException`).
            ("rmi", book.group("java.rmi.")),
            ("ldap", book.group("~ldap")),
            ("smtp", book.group("~smtp")),
        ]
        self.services = services
        anyService = services.reduce(into: PhraseSet()) { $0.formUnion($1.cues) }
        httpContext = book.group(
            "http://", "https://", "httpconnectionpool", "httpsconnectionpool", "httprequestexception", "httpclient",
            "http.", "httpx", "aiohttp", "urllib", "requests.exceptions", "~get \"", "~post \"", "request failed",
            "fetch failed", "axios", "okhttp", "httpconnector", "urlopen", "httpurlconnection", "restclient",
            "webclient", "http request", "http error", "/http/", "requests/adapters", "net::err_", "kestrel", "page.goto",
            "socket hang up", "~http~", "~https~", "curl: (", "httpwebrequest", "webexception", "~reqwest",
            "hyper::", "~undici", "~got(", "superagent", "~fetch(", "~net/http", "httphostconnectexception",
            "resourceaccessexception", "response ended prematurely", "server closed idle connection", "faraday",
            "~hyper(", "~incompletemessage~", "connection closed before message completed",
            // Elixir's HTTP clients; urllib3's wording of a connection lost under requests; Dart's
            // HTTP client; PHP's cURL bindings; Ruby's Net::HTTP's own timeouts; got's.
            "mint.transporterror", "httpoison", "('connection aborted.'", "~httpexception", "curl error",
            "nsurlerrordomain", "~net::opentimeout", "~net::readtimeout", "~net::writetimeout", "timeout awaiting '",
            // reqwest's wording of a request that failed (Rust).
            "error sending request for url")
        loopback = book.group("127.0.0.1", "~localhost~", "[::1]", "(::1)", "0:0:0:0:0:0:0:1", "~127.0.")

        bindNetty = book.group("bind(..) failed", "io.netty")
        bindJava = book.group("bindexception", "~java.", "failed to bind", "javax.", "portinuseexception")
        bindKestrel = book.group("failed to bind to address", "aspnetcore", "kestrel")
        bindHttpListener = book.group("httplistenerexception")
        bindDotnet = book.group("socketexception", "system.net", "kestrel", "aspnetcore", "system.io.ioexception")
        bindGo = book.group("listen tcp", "listen udp", "bind: address already in use")
        // std::io::Error's display and debug forms.
        bindRust = book.group("(os error 98)", "(os error 48)", "(os error 10048)", "kind: addrinuse")
        // Windows words a connect that found no free local port as it words a bind that found
        // its port taken.
        socketAddressUsage = book.group("only one usage of each socket address")
        connectAttempt = book.group("~connectex", "can't connect to", "cannot connect to", "failed to connect")
        bindAttempt = book.group("~bind:", "to bind", "~listen tcp", "~listen udp")
        bindNode = book.group("eaddrinuse")
        // Ruby's `Errno::EADDRINUSE`, worded `<reason> - bind(2)` as its system call errors are.
        bindRuby = book.group("errno::eaddrinuse", "in use - bind(")
        // Docker publishing a container's port that another process holds.
        bindDocker = book.group("port is already allocated", "driver failed programming external connectivity")
        bindPython = book.group(
            "[errno 98]", "[errno 48]", "oserror", "socket.error", "error while attempting to bind", "winerror 10048",
            "[errno 10048]")

        databaseLocked = book.group(
            "database is locked", "database table is locked", "sqlite_busy", "sqlite_locked", "database is busy")
        isLocked = book.group("is locked")
        sqliteContext = book.group("sqlite", "operationale")
        // A server database's lock that ran out of time, or the transaction it gave up, told apart
        // by the database (in order: Oracle's deadlock wording contains PostgreSQL's).
        databaseLockKinds = [
            ("mysql_lock_wait", book.group("lock wait timeout exceeded")),
            // PostgreSQL's SQLSTATE 40001: a concurrent transaction won.
            ("postgres_serialization", book.group("could not serialize access due to")),
            ("h2_lock_timeout", book.group("timeout trying to lock table", "is locked by tx")),
            // PostgreSQL's SQLSTATE 55P03: a `NOWAIT` lock or a `lock_timeout` that ran out.
            (
                "postgres_lock_timeout",
                book.group(
                    "locknotavailable", "could not obtain lock on", "canceling statement due to lock timeout",
                    "~55p03~")
            ),
            ("oracle_deadlock", book.group("ora-00060")),
            ("mysql_deadlock", book.group("deadlock found when trying to get lock", "er_lock_deadlock")),
            ("postgres_deadlock", book.group("deadlock detected", "deadlockdetected", "~40p01~")),
            ("sqlserver_deadlock", book.group("was deadlocked on lock", "chosen as the deadlock victim")),
        ]
        fileNotFound = book.group(
            "kind: notfound", "because there is no such file", "nsfilereadnosuchfileerror",
            "filenotfounderror", "no such file or directory", "~enoent~", "filenotfoundexception",
            "could not find file", "directorynotfoundexception", "could not find a part of the path", "[errno 2]",
            "nosuchfileexception", "the system cannot find the file", "the system cannot find the path",
            "file or directory not found", "~file not found",
            // PowerShell's `Cannot find path 'C:\x' because it does not exist.`
            "because it does not exist",
            // The JVM's failed exec, whatever language the system's text is in (`error=2, …`);
            // Go's `exec: "x": executable file not found in $PATH`.
            "~error=2, ", "executable file not found", "unable to find file",
            // Foundation's file errors by their documented codes (NSFileReadNoSuchFileError 260,
            // NSFileNoSuchFileError 4), as NSError and its description print them.
            "nscocoaerrordomain code=260~", "nscocoaerrordomain code=4~", "(nscocoaerrordomain error 260.)",
            "(nscocoaerrordomain error 4.)")
        // Starting a program: a file missing there is the program itself (Python's subprocess,
        // the JVM's ProcessBuilder, Node's child_process, Go's os/exec).
        processStart = book.group(
            "child_exception_type", "_execute_child", "cannot run program", "forkandexec", "processbuilder.start",
            "~spawn ", "executable file not found")
        permissionDenied = book.group(
            "permission denied", "permissionerror", "~eacces~", "[errno 13]", "access is denied",
            "accessdeniedexception", "operation not permitted", "~eperm~", "unauthorizedaccessexception",
            "access to the path",
            // Foundation's NSFileReadNoPermissionError (257) and NSFileWriteNoPermissionError (513).
            "nsfilereadnopermissionerror", "nsfilewritenopermissionerror", "nscocoaerrordomain code=257~",
            "nscocoaerrordomain code=513~", "(nscocoaerrordomain error 257.)", "(nscocoaerrordomain error 513.)")
        // A program run and refused: Go's `fork/exec`, a shell running `./script`.
        execRefused = book.group("fork/exec ", ": ./", "cannot execute")
        npmWords = book.group("~npm err", "~npm warn", "/.npm/", "_cacache")
        pipWords = book.group("~pip install", "site-packages", "pip._internal", "~could not install packages")
        dotnetPathAccess = book.group("access to the path")
        readOnlyFileSystem = book.group("read-only file system", "~erofs~")

        fixtureQuote = book.group("fixture '", "fixture \"")
        notFound = book.group("not found")
        // Django's `loaddata`: `No fixture named 'users' found.`
        djangoFixture = book.group("no fixture named")
        // pytest's `ScopeMismatch`: a fixture asked for from a wider scope than its own, so it is
        // not there for that request; pytest-django's database that no `db` fixture enabled.
        fixtureScope = book.group("scopemismatch", "scoped request object")
        fixtureDatabase = book.group("database access not allowed")
        // JUnit 5's injection of a test's parameters, its fixtures: no resolver, or several, for
        // `parameter [Type name]`.
        fixtureParameter = book.group(
            "parameterresolutionexception", "no parameterresolver registered for parameter",
            "competing parameterresolvers for parameter")
        // RSpec's shared example groups and contexts, included by a name none defines.
        fixtureSharedExamples = book.group("could not find shared examples", "could not find shared context")
        // PHP's older wording of a class or trait its autoloader did not find:
        // `PHP Fatal error:  Class 'App\Foo' not found in …`.
        phpFatal = book.group("php fatal error")
        phpTypeQuote = book.group("class '", "trait '")
        importNotAPackage = book.group("is not a package")
        importNoModule = book.group("no module named", "modulenotfounderror")
        importCircular = book.group("partially initialized module", "circular import")
        importCannotImportName = book.group("cannot import name")
        importFileMismatch = book.group(
            "import file mismatch", "importpathmismatcherror", "is not the same as the test file")
        importClassInit = book.group("could not initialize class")
        importNoClassDef = book.group("noclassdeffounderror")
        importClassNotFound = book.group("classnotfoundexception")
        // Jest's moduleNameMapper pointing at nothing says `Could not locate module`.
        // TypeScript's TS2688 is a missing `@types/` package, a module's types not found.
        importNodeModule = book.group(
            "cannot find module", "err_module_not_found", "could not locate module", "cannot find type definition file")
        // Node's `require()` of an ES module.
        importRequireESM = book.group("err_require_esm")
        importSharedLibrary = book.group(
            "dll load failed", "cannot open shared object file", "error while loading shared libraries")
        importGoPackage = book.group(
            "cannot find package", "no required module provides package", "is not in std", "is not in goroot",
            "does not contain package")
        // Rust's unresolved `use`, Ruby's `require` and PHP's autoloader.
        importRust = book.group("unresolved import")
        importRuby = book.group("cannot load such file")
        importPHPClass = book.group("uncaught error: class ")
        // .NET's loader, which reports an assembly it could not load as a missing file.
        importDotnetAssembly = book.group("could not load file or assembly")
        // Vite (and Vitest) could not load or fetch a module the test imports.
        importVite = book.group(
            "failed to fetch dynamically imported module", "failed to load url", "error when evaluating ssr module",
            "failed to resolve import")
        importAny = book.group("importerror", "conftestimportfailure", "unable to import module")
            .union(importNotAPackage).union(importNoModule).union(importCircular).union(importCannotImportName)
            .union(importFileMismatch).union(importClassInit).union(importNoClassDef).union(importClassNotFound)
            .union(importNodeModule).union(importSharedLibrary).union(importGoPackage).union(importVite)
            .union(importRust).union(importRuby).union(importPHPClass).union(importDotnetAssembly)
            .union(importRequireESM)

        attributeInvalidAssertion = book.group("is not a valid assertion")
        attributeMockSpec = book.group("mock object has no attribute", "mock' object has no attribute")
        attributeNotAMock = book.group("object has no attribute 'assert_")
        attributeNone = book.group("'nonetype' object has no attribute")
        attributeModule = book.group("~module '")
        attributeObject = book.group("has no attribute")
        attributeAny = book.group("attributeerror").union(attributeObject).union(attributeInvalidAssertion)
        mockWord = book.group("mock")
        typeNoneCallable = book.group("'nonetype' object is not callable")
        typeNoneSubscriptable = book.group("'nonetype' object is not subscriptable")
        typeNoneIterable = book.group("'nonetype' object is not iterable", "cannot unpack non-iterable nonetype")
        typeUnexpectedKeyword = book.group("got an unexpected keyword argument")
        typeAny = book.group("typeerror", "required positional argument")
            .union(typeUnexpectedKeyword)
        keyAny = book.group("~keyerror~", "keynotfoundexception")
        environment = book.group("environ", "getenv")

        timeoutGoTest = book.group("panic: test timed out after")
        timeoutPytest = book.group("failed: timeout >", "failed: timeout (>", "pytest-timeout", "+ timeout +")
        timeoutMocha = book.group(
            "ms exceeded. for async tests", "ensure the done() callback", "ensure \"done()\" is called")
        hookWord = book.group("\" hook")
        timeoutJest = book.group("exceeded timeout of", "async callback was not invoked within")
        timeoutJUnit = book.group(
            "testtimedoutexception", "test timed out after", "execution timed out after", "() timed out after")
        timeoutTestNG = book.group("threadtimeoutexception", "didn't finish within the time-out")
        timeoutPlaywrightTest = book.group("test timeout of")
        timeoutPlaywrightAction = book.group("ms exceeded.", "ms exceeded ")
        // Playwright's web-first assertions retry until their own timeout, which they print.
        playwrightExpect = book.group("expect(locator).", "element(s) not found")
        timeoutLine = book.group("timeout: ")
        cypressFind = book.group("expected to find element:")
        cypressContent = book.group("expected to find content:")
        // Puppeteer and expect-puppeteer waits.
        puppeteerWait = book.group("waiting for function failed", "waiting for selector", "waiting failed:")
        jestHook = book.group("ms for a hook")
        seleniumLocate = book.group("waiting for element to be located", "waiting for element to be visible")
        // Selenium's WebDriverWait in its own words, whatever it waited for.
        seleniumExpectedCondition = book.group(
            "expected condition failed: waiting for", "selenium.common.exceptions.timeoutexception",
            "org.openqa.selenium.timeoutexception")
        // Selenide's conditions wait too (`Element not found {#id}` after its timeout).
        selenideWait = book.group("element not found {", "element should be ", "com.codeborne.selenide")
        // Capybara's finders retry until their wait runs out, then raise ElementNotFound.
        capybaraFind = book.group(
            "capybara::elementnotfound", "unable to find css", "unable to find xpath", "unable to find field",
            "unable to find button", "unable to find link")
        timeoutKotlin = book.group("timeoutcancellationexception")
        // A page load that ran out of time (Puppeteer's and Playwright's wording).
        timeoutNavigation = book.group("navigation timeout")
        // Ruby's `Timeout.timeout` block: `Timeout::Error`, "execution expired".
        timeoutRuby = book.group("timeout::error", "~execution expired~")
        // Frames of Ruby's own HTTP client.
        rubyNetFrames = book.group("/net/protocol.rb", "/net/http.rb")
        timeoutDotnetClass = book.group("system.timeoutexception")
        // Eventually-style assertions and retry helpers: a condition that never held in time.
        timeoutEventually = book.group(
            "condition never satisfied", "not fulfilled within", "retry.try", "retry.waitfor",
            "satisfies predicate after", "conditiontimeoutexception", "condition with alias",
            "never became true", "was not met within", "wasn't met within",
            // WebdriverIO's and other wait helpers' `waitUntil`; Nimble's `toEventually`.
            "condition timed out", "expected to eventually")
        waitHelperFrames = book.group(
            ".waituntil(", "awaitility", ".eventually(", "retryuntil", ".waittillcondition(", ".waitforcondition(")
        // A Go test that wanted an error and got none: an assertion, whatever error it wanted.
        // A test that expected one exception or error and saw another or none.
        expectedErrorMissing = book.group(
            "= <nil>, want", "got <nil>, want", "got nil, want", "assert.throws() failure",
            "assert.throwsasync() failure", "assert.throwsany() failure", "~expected exception of type",
            "~expected exception:",
            // testify's EqualError and gocheck's ErrorMatches: the error's text is what is compared,
            // whatever it quotes.
            "error message not equal", ", errormatches,",
            // FluentAssertions on the type of what was thrown (or of any value): which type it
            // found is what the test checks.
            "~expected type to be")
        timeoutWord = book.group("~timeout~")
        // `Timeout of 2000ms exceeded` is a runner's limit (mocha, Playwright's test); an action's
        // own limit reads `Timeout 2000ms exceeded`.
        timeoutOf = book.group("~timeout of")
        durationComparison = book.group(
            "is not less than", "is not greater than")
        timeoutAwait = book.group("conditiontimeoutexception", "condition with alias")
        timeoutDotnet = book.group(
            "test exceeded timeout", "exceeded timeout value", "exceeded execution timeout period")
        timingAssertion = book.group(
            "took longer", "should have timed out", "took too long", "expected to complete within",
            "should time out", "did not time out")
        timeoutPython = book.group("timeouterror")
        timeoutJava = book.group("timeoutexception")
        timeoutDeadline = book.group("deadline exceeded", "deadlineexceeded")
        // Karma's launcher gave up on a browser that never connected, or on one that went silent.
        timeoutKarmaCapture = book.group("have not captured in")
        timeoutKarmaNoMessage = book.group("because no message in")
        timeoutJasmine = book.group("async function did not complete within", "jasmine.default_timeout_interval")
        jestWord = book.group("~jest")
        // Python's subprocess and cargo test's warning about a test that does not end.
        timeoutSubprocess = book.group("subprocess.timeoutexpired")
        timeoutRustHang = book.group("has been running for over")
        timeoutXCTestWait = book.group("asynchronous wait failed")
        // CTest's and cargo-nextest's status lines for a test they stopped.
        timeoutCTest = book.group("***timeout ")
        timeoutNextest = book.group("~timeout [")
        // The CI service stopped the whole job: GitLab, Jenkins, GitHub Actions.
        // Maven Surefire's forked test JVM that ran past `forkedProcessTimeoutInSeconds`.
        timeoutSurefireFork = book.group("timeout in the fork", "timeout or other error in the fork")
        // Erlang's Common Test and its kin stop a test case whose timetrap ran out.
        timeoutTimetrap = book.group("timetrap_timeout")
        // Tornado's AsyncTestCase waiting for its IOLoop; Python's faulthandler dumping the
        // threads of a test that ran past its limit (`Timeout (0:01:00)!`).
        timeoutTornado = book.group("async operation timed out")
        timeoutFaulthandler = book.group("~timeout (0:")
        // An Erlang or Elixir process that called another and got no reply in time.
        timeoutGenServer = book.group("(exit) time out", "{:timeout, {genserver")
        // A test process that held a pooled connection past the pool's limit (DBConnection's
        // ownership timeout): the test's own time, not the database's.
        timeoutOwnership = book.group("owned the connection for longer than")
        // An actor test kit (Akka, Akka.NET) waiting for a message that never came.
        timeoutExpectMessage = book.group("during expectmsg", "while waiting for a message")
        // PHP's `require` of a file that is not there: a failed import (an `include` is as often
        // a template or a fixture the code reads).
        phpInclude = book.group("require_once(", "~require(")
        // A read that found the stream ended: a dropped connection when a service is named.
        unexpectedEOF = book.group("unexpected eof")
        // A service a test started that did not come up in time.
        timeoutServiceStart = book.group("did not start in", "did not start within")
        timeoutCIJob = book.group(
            "job failed: execution took longer than", "build timed out (after",
            "has exceeded the maximum execution time",
            // Travis CI's and CircleCI's limit on a step that prints nothing.
            "no output has been received in the last", "too long with no output")
        runnerTimeouts = timeoutGoTest.union(timeoutPytest).union(timeoutMocha).union(timeoutJest)
            .union(timeoutJUnit).union(timeoutTestNG).union(timeoutDotnet).union(timeoutPlaywrightTest)
            .union(timeoutKarmaCapture).union(timeoutKarmaNoMessage).union(timeoutJasmine).union(timeoutXCTestWait)
            .union(timeoutCTest).union(timeoutNextest).union(timeoutCIJob).union(timeoutSurefireFork)
            .union(timeoutTimetrap).union(timeoutTornado).union(timeoutFaulthandler).union(timeoutExpectMessage)
        timeoutGeneric = book.group(
            "timed out", "timeout exceeded", "timed-out", "~timeout of", "~timeout after", "didn't finish within",
            "did not finish within", "did not complete within", "didn't complete within", "not completed within",
            "within given timeout", "in an expected time", "in the expected time", "~wait timeout~",
            // Python's subprocess, Ruby's Timeout, tokio's Elapsed, Rust's test harness, others' limits.
            "timeoutexpired", "timeout expired", "timeoutexceeded", "timeout::error", "execution expired",
            "exceeded its time limit", "maximum execution time of",
            "deadline has elapsed",
            "has been running for over", "time limit exceeded", "timeout elapsed", "timeout reached",
            "timeout occurred", "~timeout waiting", "exceeded the timeout", "exceeded timeout", "timeout exceeded",
            "waited too long", "~timeouterror~",
            // An error value that is a timeout (Rust's `Err(Timeout)`, `Propose(Timeout)`); TAP's.
            "(timeout)", "~timeout!")
            .union(timeoutGenServer).union(timeoutOwnership)
            .union(timeoutServiceStart)
            .union(runnerTimeouts).union(timeoutPlaywrightAction).union(cypressFind).union(seleniumLocate)
            .union(seleniumExpectedCondition).union(capybaraFind).union(selenideWait)
            .union(cypressContent).union(puppeteerWait)
            .union(timeoutKotlin).union(timeoutDotnetClass).union(timeoutEventually)
            .union(timeoutGoTest).union(timeoutPytest).union(timeoutMocha).union(timeoutJest).union(timeoutJUnit)
            .union(timeoutAwait).union(timeoutDotnet).union(timingAssertion).union(timeoutPython)
            .union(timeoutJava).union(timeoutDeadline)
        assertion = book.group(
            "assertionerror", "assertion failed", "assertionfailederror", "assertionfailedexception", "hunitfailure",
            "assertionexception", "assertfailedexception", "~expected:<",
            "~expected [", "but was:", "but was <", "but found [", "not equal:", "failtest",
            "expect(", ").tobe(", ").toequal(", "~tobe:", "did not raise", "error trace:", "should be true",
            "should be false", "failed asserting",
            "assert.areequal failed", "assert.istrue failed", "assert.isfalse failed",
            "expecting actual", "xunit.sdk.", "org.opentest4j", "~- expected",
            "values differ", "multipleassertionserror", ", want ", "; want ", "~expected: ", "xctassert",
            "expectation failed", "~assert_", ", got ", "but got ",
            // Catch2 and doctest (C++).
            "with expansion:", "~require(", "~check_eq(", "~check_ne(", "~check_lt(", "~check_le(", "~check_gt(",
            "~check_ge(", "~require_eq(", "~require_ne(",
            // expect.js / chai (`expected 1 to equal 2`), gomega (`Expected <int>: 1 to equal`),
            // xUnit (`Assert.InRange() Failure`), MUnit.
            "~to equal~", "~to sort of equal", "~to deeply equal", "~to be above",
            "~to be below", "~to have property", "~to have length", "~to be >=", "~to be <=", "() failure",
            "comparisonfail", "<int>: ", "<string>: ", "<bool>: ",
            // unittest's assert methods.
            "~is not true", "~is not false", "not found in ", "unexpectedly found in", "~not raised",
            "lists differ", "tuples differ", "sequences differ", "first differing element",
            "items in the first set but not the second", "element counts were not equal",
            "~places (", "to be called once", "expected call not found", "calls not found",
            "~to have been called", "~to have been awaited",
            // JUnit 5, AssertJ, Hamcrest, Kotlin, Spock, ScalaTest, Truth.
            "multiplefailureserror", "multiple failures", "to be thrown, but nothing was thrown",
            "unexpected exception type thrown", "~expecting:", "~expecting value to be", "~expecting empty",
            "~to be equal to:",
            "but could not find", "but some elements were not found", "but: was ",
            "~but: ", ", actual <", "~expected <", "condition not satisfied:", "~did not equal~",
            "was not equal to", "*** failed ***", "expected value to be", "value of: ", "~but was~",
            // Jest, Vitest, Jasmine, Chai, Node's assert, Cypress.
            "~received: ", "err_assertion", "object.is equality", "expected number of calls", "~to be truthy",
            "~to be falsy", "tomatchsnapshot", "snapshot name:", "~to be true~", "~to be false~", "~to include~",
            "~to be ok~", "~to exist~", "~to not exist", "~to match~", "~to contain~", "~to throw~",
            "~to be empty", "~to be null", "~to be undefined", "~to have status", "~to have keys", "~to have members",
            "~to deep equal", "~to deep include", "~to be a~", "~to be an~", "~to be at least", "~to be at most",
            "~to have been called", "~to strictly equal", "~to be visible", "~to have text", "~to be checked",
            // Go testing, testify and gotest.tools; xUnit.net, NUnit, MSTest, FluentAssertions, Shouldly.
            "received unexpected error", "expected nil, but got", "expected value not to be nil",
            "should not be: ", "should be empty", "should not be empty",
            "does not contain", "should contain", "error message not equal", "expected and actual",
            "~expected string length", "assert.that(",
            "assert.fail failed", "assert.isnotnull failed", "assert.isnull failed", "assert.arenotequal failed",
            "assert.aresame failed", "collectionassert", "stringassert", "~but found ", "~should be ",
            "~should have ", "~should not ", "~should equal",
            // Rust, Elixir, RSpec, Minitest, Dart, GoogleTest, Boost.Test, Hypothesis.
            "assertion with ", "(compared using ", "failure/error:", "values are not the same", "~test failed at ",
            // ScalaTest, TAP (Test::More, libtap), R's testthat, Lua's busted.
            "testfailedexception", "~failed test '", "── failure (", "~failure ('test-", "expected objects to be",
            "~failed assertion", "expected equality of these values",
            // A check macro of Nim's unittest, of glog and Abseil in C++: `Check failed: a == b`;
            // MUnit's `FailException` and `ComparisonFailException`.
            "~check failed:", "failexception",
            "~which is: ", "has failed [", "falsifying example", "assertion `", "assert_eq!", "assert_ne!",
            "assert!(", "debug_assert")

        // How a test's own check words its failure in a runner no rule knows: what makes an
        // otherwise unnamed failure an assertion rather than unclassified.
        checkWords = book.group(
            "~fail", "~expected", "~expect ", "~assert", "mismatch", "~differ", "not equal", "~should ", "~incorrect",
            "~unexpected", "~wrong ")
        // Words of a failure outside the test's code: with them, an unnamed failure stays
        // unclassified rather than an assertion (a cut-off "connection … failed").
        infrastructureWords = book.group(
            "connect", "request", "http", "socket", "~host", "~port", "server", "network", "database", "~dns",
            "memory", "timeout", "timed out", "~killed", "~signal", "docker", "container")
        // Assertion libraries whose own frames top the trace of a failed check: .NET's
        // FluentAssertions, Shouldly, NUnit and xUnit.net, Java's AssertJ, JUnit and Hamcrest.
        assertionLibraryFrames = book.group(
            "fluentassertions.", "shouldly.", "nunit.framework.assert", "xunit.assert.", "org.assertj.",
            "org.junit.assert.", "org.hamcrest.")
        // `name_test.go:41: message`: what Go's testing package prints for t.Error and t.Fatal.
        goTestLine = book.group("_test.go:")

        matcher = PhraseMatcher(phrases: book.phrases)
    }
}

/// Collects the lexicon's phrases and gives each an id; a phrase used by several groups
/// gets one id.
private struct PhraseBook {
    var phrases: [Phrase] = []
    var ids: [String: Int] = [:]

    mutating func group(_ notations: String...) -> PhraseSet {
        var set = PhraseSet()
        for notation in notations {
            if let id = ids[notation] {
                set.insert(id)
            } else {
                ids[notation] = phrases.count
                set.insert(phrases.count)
                phrases.append(Phrase(notation: notation))
            }
        }
        return set
    }
}

extension PhraseSet {
    func union(_ other: PhraseSet) -> PhraseSet {
        var copy = self
        copy.formUnion(other)
        return copy
    }
}

extension Lexicon {
    /// The first service (or client library) `phrases` name, in the order of `services`.
    func service(namedIn phrases: PhraseSet) -> String? {
        guard phrases.intersects(anyService) else { return nil }
        return services.first { phrases.intersects($0.cues) }?.detail
    }
}
