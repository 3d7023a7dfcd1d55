import TriageModel
import TriageStore
/// What the built-in rules concluded about one failure.
struct BuiltinVerdict: Sendable {
    var category: String
    var detail: String?
    /// The line that shows the cause, before cleaning and masking.
    var evidence: ArraySlice<UInt8>
    /// Whether the cause is only the same within one test (assertions, unclassified).
    var isPerTest: Bool
    /// Whether the detail names no runner, client or service, so that the wording of the
    /// evidence's first clause tells causes apart (`LeadingClause`).
    var isToldByWording = false

    var ruleName: String { "builtin." + category }
}

/// One failure being classified: its texts as bytes, scanned for phrases once each (the
/// text only when needed).
struct FailureEvidence {
    let messageBytes: [UInt8]
    let textBytes: [UInt8]
    let message: PhraseScan
    let test: String?
    let isWrapper: Bool
    private var scannedText: PhraseScan?

    init(_ input: FailureInput) {
        var bytes = Array((input.message ?? "").utf8)
        isWrapper = ErrorLines.isWrapper(bytes)
        if let type = input.failureType, !type.isEmpty {
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(contentsOf: type.utf8)
        }
        messageBytes = bytes
        textBytes = Array((input.text ?? "").utf8)
        message = Lexicon.shared.scan(bytes)
        test = input.test
    }

    /// The failure text's phrases, scanned on first use.
    mutating func text() -> PhraseScan {
        if let scannedText { return scannedText }
        let scan = textBytes.isEmpty ? PhraseScan.empty : Lexicon.shared.scan(textBytes)
        scannedText = scan
        return scan
    }

    /// Phrases found anywhere in the message or the text.
    mutating func anywhere() -> PhraseSet {
        message.anywhere.union(text().anywhere)
    }
}

/// The built-in rules: ordered, first match wins. Infrastructure causes (memory, TLS,
/// connections, name resolution) come before code errors, code errors before timeouts, and
/// assertions last, because an assertion message often quotes the infrastructure error
/// that made it fail.
enum BuiltinClassifier {
    /// The rules in the order they are tried, for `triage rules`.
    /// Code errors are tried twice: first when the primary line starts with their exception
    /// class, then (after the infrastructure rules) by their phrases anywhere.
    static let descriptions: [(category: String, summary: String)] = [
        (
            "import_error",
            "ImportError, ModuleNotFoundError, NoClassDefFoundError, Cannot find module; detail: kind or name"
        ),
        ("attribute_error", "AttributeError; detail: kind (module, NoneType, mock spec, not a mock, object)"),
        ("type_error", "TypeError; detail: NoneType kind, unexpected keyword, or the masked message"),
        ("key_error", "KeyError; detail: env:NAME when read from the environment, else key:NAME"),
        ("oom", "OutOfMemoryError, MemoryError, JS heap, CUDA, redis maxmemory, exit 137/SIGKILL; detail: kind"),
        ("ssl_error", "certificate verification, PKIX, TLS version and handshake errors; detail: kind"),
        ("connection_refused", "ECONNREFUSED, errno 111/61/10061 and their wordings, docker daemon; detail: service"),
        ("address_in_use", "EADDRINUSE, errno 98/48/10048; detail: runtime that bound"),
        ("address_not_available", "EADDRNOTAVAIL, errno 99/49/10049"),
        ("network_unreachable", "ENETUNREACH, EHOSTUNREACH; detail: which"),
        ("connection_reset", "ECONNRESET, errno 104/54/10054, broken pipe; detail: service"),
        (
            "dns_resolution",
            "getaddrinfo, UnknownHost, EAI errors; detail: temporary, local_hostname, localhost, nxdomain"
        ),
        (
            "connection_timeout",
            "ETIMEDOUT, errno 110/60/10060, socket read timeouts, pool timeouts; detail: service or pool"
        ),
        ("database_locked", "SQLite database is locked, lock wait and lock timeouts, deadlocks; detail: database"),
        (
            "missing_fixture",
            "pytest fixture 'x' not found or out of scope, JUnit 5 parameter with no resolver, RSpec shared "
                + "examples not found; detail: the fixture"
        ),
        (
            "permission_denied",
            "EACCES, EPERM, errno 13, access denied; detail: lock file, temp file or dir, a program not executable, "
                + "the tests' folders, a home folder, path"
        ),
        (
            "file_not_found",
            "ENOENT, errno 2, FileNotFound; detail: temporary, project file, test data, user home, relative or "
                + "absolute path"
        ),
        (
            "timeout",
            "runner and CI job timeouts (go test, pytest-timeout, mocha, jest, jasmine, karma, junit, ctest, "
                + "nextest), browser waits, timing assertions; detail: kind"
        ),
        (
            "assertion_failure",
            "pytest, unittest, JUnit, TestNG, xUnit, NUnit, Jest, testify, RSpec, ScalaTest, TAP assertions, and "
                + "failed checks no rule names; per test"
        ),
        ("unclassified", "anything else; per test"),
    ]

    static func classify(_ input: FailureInput) -> BuiltinVerdict {
        var verdict = rulesVerdict(input)
        // A detail that only says no rule named the runner, runtime or library: the words of
        // its line tell whose it was (mocha's timeout or a vitest hook's, Dart's allocator or
        // GHC's).
        if let detail = verdict.detail, isCatchAll(category: verdict.category, detail: detail) {
            verdict.isToldByWording = true
        }
        return verdict
    }

    /// Whether a detail names nothing but its category.
    static func isCatchAll(category: String, detail: String) -> Bool {
        switch (category, detail) {
        case ("timeout", "timed_out"), ("oom", "out_of_memory"), ("ssl_error", "tls"): true
        default: false
        }
    }

    private static func rulesVerdict(_ input: FailureInput) -> BuiltinVerdict {
        var evidence = FailureEvidence(input)

        // 1. A code error named at the start of the primary line decides, whatever words its
        //    message quotes (`ImportError: cannot import name 'SSLError'` is not a TLS error).
        let primary = primaryLine(&evidence)
        let cleaned = ErrorLines.clean(primary)
        let className = ErrorLines.leadingExceptionClass(cleaned)
        if let className, let verdict = codeErrorVerdict(className: className, line: cleaned, evidence: &evidence) {
            return verdict
        }

        // 2. Phrases in the message, then in the failure text (outside stack frames).
        //    pytest reports a failed plain `assert` as the statement itself.
        if let verdict = phraseVerdict(in: evidence.message, evidence: &evidence) { return verdict }
        if let statement = ErrorLines.assertStatement(in: evidence.messageBytes) {
            return assertionVerdict(line: statement, evidence: &evidence)
        }
        let text = evidence.text()
        if !text.isEmpty, let verdict = phraseVerdict(in: text, evidence: &evidence) { return verdict }
        if evidence.isWrapper, let statement = ErrorLines.assertStatement(in: evidence.textBytes) {
            return assertionVerdict(line: statement, evidence: &evidence)
        }
        // 3. Nothing named a cause, but the message is worded as a check that failed (`FAIL`,
        //    `expected`, `mismatch`…), raises no other exception and speaks of nothing outside
        //    the test: the test's own assertion, in a runner's wording no rule knows.
        let raisesAnotherException = className.map { name in
            !["assert", "fail", "expect"].contains { name.lowercased().contains($0) }
        } ?? false
        let words = evidence.message.outsideFrames
        // An assertion library's frames in the trace show who raised it, whatever it quotes.
        if !raisesAnotherException, words.intersects(Lexicon.shared.checkWords),
            !words.intersects(Lexicon.shared.infrastructureWords)
                || evidence.text().anywhere.intersects(Lexicon.shared.assertionLibraryFrames)
        {
            return assertionVerdict(line: primary, evidence: &evidence)
        }
        return BuiltinVerdict(category: "unclassified", detail: nil, evidence: primary, isPerTest: true)
    }

    /// The message's primary line, or the text's when the message is only a wrapper.
    static func primaryLine(_ evidence: inout FailureEvidence) -> ArraySlice<UInt8> {
        if evidence.isWrapper, !evidence.textBytes.isEmpty {
            return ErrorLines.primaryLine(of: evidence.textBytes)
        }
        let fromMessage = ErrorLines.primaryLine(of: evidence.messageBytes)
        if fromMessage.isEmpty, !evidence.textBytes.isEmpty {
            return ErrorLines.primaryLine(of: evidence.textBytes)
        }
        return fromMessage
    }

    // MARK: - Code errors named by class

    private static func codeErrorVerdict(
        className: Substring, line: ArraySlice<UInt8>, evidence: inout FailureEvidence
    ) -> BuiltinVerdict? {
        switch className {
        case "ImportError", "ModuleNotFoundError", "NoClassDefFoundError", "ClassNotFoundException",
            "ConftestImportFailure":
            return verdict("import_error", importDetail(line: line, evidence: &evidence), line)
        case "AttributeError":
            let hits = Lexicon.shared.scan(Array(line)).anywhere
            // Python names a circular import in an AttributeError of its own: the import failed.
            if hits.intersects(Lexicon.shared.importCircular) {
                return verdict("import_error", "circular_import", line)
            }
            return verdict("attribute_error", attributeDetail(hits, evidence: &evidence), line)
        case "TypeError":
            // `TypeError: fetch failed` is how Node reports network errors; let phrases decide.
            if ASCII.contains(line, "fetch") { return nil }
            return verdict("type_error", typeDetail(line: line), line)
        case "KeyError":
            return verdict("key_error", keyDetail(line: line, evidence: &evidence), line)
        default:
            return nil
        }
    }

    private static func verdict(_ category: String, _ detail: String?, _ line: ArraySlice<UInt8>) -> BuiltinVerdict {
        BuiltinVerdict(category: category, detail: detail, evidence: line, isPerTest: false)
    }

    // MARK: - Phrase rules

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    private static func phraseVerdict(in scan: PhraseScan, evidence: inout FailureEvidence) -> BuiltinVerdict? {
        let lexicon = Lexicon.shared
        let hits = scan.outsideFrames
        func found(_ category: String, _ detail: String?, _ cues: PhraseSet) -> BuiltinVerdict {
            let line = evidenceLine(scan, cues)
            return BuiltinVerdict(category: category, detail: detail, evidence: line, isPerTest: false)
        }

        // A test that wanted an error and got none fails on its assertion, whatever error it wanted.
        if hits.intersects(lexicon.expectedErrorMissing) {
            return assertionVerdict(line: evidenceLine(scan, lexicon.expectedErrorMissing), evidence: &evidence)
        }

        // Memory.
        if let (detail, cues) = oomDetail(hits) {
            let line = evidenceLine(scan, cues)
            // A GPU's memory, named only by its runtime's error (`cuda runtime error (2) : out of memory`).
            let kind = detail == "out_of_memory" && ASCII.contains(line, "cuda") ? "cuda" : detail
            return BuiltinVerdict(category: "oom", detail: kind, evidence: line, isPerTest: false)
        }

        // TLS, before connections: handshake failures often mention the connection.
        if hits.intersects(lexicon.sslAny) {
            return found("ssl_error", sslDetail(hits), lexicon.sslAny)
        }

        // Connections. A name server that refused or did not answer: the name was never resolved.
        if hits.intersects(lexicon.resolverLookup), hits.intersects(lexicon.resolverPort) {
            let detail =
                hits.intersects(lexicon.refused)
                ? "resolver_refused"
                : hits.intersects(lexicon.connectTimeout) ? "resolver_timeout" : dnsDetail(hits, &evidence)
            return found("dns_resolution", detail, lexicon.resolverPort)
        }
        if hits.intersects(lexicon.dockerName), hits.intersects(lexicon.dockerUnreachable),
            !hits.intersects(lexicon.permissionWords)
        {
            return found("connection_refused", "docker_daemon", lexicon.dockerName)
        }
        if hits.intersects(lexicon.refused)
            || (hits.intersects(lexicon.mysqlCannotConnect) && hits.intersects(lexicon.refusedErrnoInParentheses))
            // The MySQL client's codes say it could not connect, not why: a timeout or a name
            // that did not resolve, when named, is the cause.
            || (hits.intersects(lexicon.mysqlConnectCodes) && !hits.intersects(lexicon.timeoutGeneric)
                && !hits.intersects(lexicon.connectTimeout) && !hits.intersects(lexicon.dnsAny))
            // libpq's Unix socket that is not there: nobody listens.
            || (hits.intersects(lexicon.libpqSocket) && hits.intersects(lexicon.fileNotFound))
        {
            return found(
                "connection_refused", serviceDetail(&evidence),
                lexicon.refused.union(lexicon.mysqlCannotConnect).union(lexicon.mysqlConnectCodes)
                    .union(lexicon.libpqSocket))
        }
        if hits.intersects(lexicon.addressInUse)
            || (hits.intersects(lexicon.bindException) && !hits.intersects(lexicon.addressNotAvailable))
        {
            return found(
                "address_in_use", bindDetail(evidence.anywhere()), lexicon.addressInUse.union(lexicon.bindException))
        }
        if hits.intersects(lexicon.addressNotAvailable) {
            return found("address_not_available", "eaddrnotavail", lexicon.addressNotAvailable)
        }
        if hits.intersects(lexicon.networkUnreachable) {
            return found("network_unreachable", "enetunreach", lexicon.networkUnreachable)
        }
        if hits.intersects(lexicon.hostUnreachable) {
            return found("network_unreachable", "ehostunreach", lexicon.hostUnreachable)
        }
        if hits.intersects(lexicon.reset) {
            return found("connection_reset", serviceDetail(&evidence), lexicon.reset)
        }
        // A stream that ended mid-read, on the line that names the service's client
        // (`[mysql] packets.go:36: unexpected EOF`): that connection was dropped.
        if hits.intersects(lexicon.unexpectedEOF) {
            let line = evidenceLine(scan, lexicon.unexpectedEOF)
            if let service = serviceNamed(on: line) {
                return BuiltinVerdict(category: "connection_reset", detail: service, evidence: line, isPerTest: false)
            }
        }
        if hits.intersects(lexicon.brokenPipe) {
            return found("connection_reset", "broken_pipe", lexicon.brokenPipe)
        }
        if hits.intersects(lexicon.dnsAny) {
            return found("dns_resolution", dnsDetail(hits, &evidence), lexicon.dnsAny)
        }
        // A test runner's own time limit: the network words it quotes are what the test was doing.
        if hits.intersects(lexicon.runnerTimeouts) {
            return found("timeout", timeoutDetail(hits, &evidence), lexicon.runnerTimeouts)
        }
        if let pool = lexicon.poolTimeoutKinds.first(where: { hits.intersects($0.cues) }) {
            return found("connection_timeout", pool.detail, lexicon.poolTimeout)
        }
        if hits.intersects(lexicon.connectTimeout) {
            return found("connection_timeout", serviceDetail(&evidence), lexicon.connectTimeout)
        }
        if hits.intersects(lexicon.readTimeout) {
            var service = serviceDetail(&evidence)
            if service.hasPrefix("tcp") {
                service = hits.intersects(lexicon.readTimedOut) ? "http" : "socket_read"
            }
            return found("connection_timeout", service, lexicon.readTimeout)
        }
        // A network client's own timeout exception (`FooClientException$TimeoutException`).
        if hits.intersects(lexicon.clientException), hits.intersects(lexicon.timeoutJava) {
            return found("connection_timeout", serviceDetail(&evidence), lexicon.clientException)
        }
        // .NET's HttpClient reports its own timeout as a cancelled task, the usual way a test sees
        // one; an operation cancelled for another reason names no HTTP client.
        if hits.intersects(lexicon.taskCanceledTask)
            || (hits.intersects(lexicon.taskCanceled) && evidence.anywhere().intersects(lexicon.httpContext))
        {
            return found("connection_timeout", "http", lexicon.taskCanceled)
        }
        // Ruby's `Timeout::Error` raised inside its own HTTP client: that client's read or open
        // timeout.
        if hits.intersects(lexicon.timeoutRuby), evidence.anywhere().intersects(lexicon.rubyNetFrames) {
            return found("connection_timeout", "http", lexicon.timeoutRuby)
        }
        if hits.intersects(lexicon.cannotConnect) {
            let category = hits.intersects(lexicon.timeoutGeneric) || hits.intersects(lexicon.timeoutWord)
                ? "connection_timeout" : "connection_refused"
            return found(category, serviceDetail(&evidence), lexicon.cannotConnect)
        }

        // Storage.
        if hits.intersects(lexicon.databaseLocked) {
            return found("database_locked", "sqlite", lexicon.databaseLocked)
        }
        if hits.intersects(lexicon.isLocked), evidence.anywhere().intersects(lexicon.sqliteContext) {
            return found("database_locked", "sqlite", lexicon.isLocked)
        }
        if let lock = lexicon.databaseLockKinds.first(where: { hits.intersects($0.cues) }) {
            return found("database_locked", lock.detail, lock.cues)
        }

        // Code and test set-up errors.
        if hits.intersects(lexicon.fixtureQuote), hits.intersects(lexicon.notFound) {
            let line = evidenceLine(scan, lexicon.fixtureQuote)
            let name = DetailExtractors.quoted(after: "fixture ", in: line).map { ASCII.string($0) }
            return BuiltinVerdict(category: "missing_fixture", detail: name, evidence: line, isPerTest: false)
        }
        if hits.intersects(lexicon.fixtureScope) {
            let line = evidenceLine(scan, lexicon.fixtureScope)
            let name = DetailExtractors.quoted(after: "scoped fixture ", in: line).map { ASCII.string($0) }
                ?? DetailExtractors.name(after: "scoped fixture", in: line)
            return BuiltinVerdict(category: "missing_fixture", detail: name, evidence: line, isPerTest: false)
        }
        if hits.intersects(lexicon.fixtureDatabase) {
            return found("missing_fixture", "db", lexicon.fixtureDatabase)
        }
        if hits.intersects(lexicon.fixtureParameter) {
            let line = evidenceLine(scan, lexicon.fixtureParameter)
            return BuiltinVerdict(
                category: "missing_fixture", detail: DetailExtractors.parameterType(in: line), evidence: line,
                isPerTest: false)
        }
        if hits.intersects(lexicon.fixtureSharedExamples) {
            let line = evidenceLine(scan, lexicon.fixtureSharedExamples)
            let name = DetailExtractors.name(after: "could not find shared examples", in: line)
                ?? DetailExtractors.name(after: "could not find shared context", in: line)
            return BuiltinVerdict(category: "missing_fixture", detail: name, evidence: line, isPerTest: false)
        }
        if hits.intersects(lexicon.djangoFixture) {
            let line = evidenceLine(scan, lexicon.djangoFixture)
            let name = DetailExtractors.quoted(after: "named ", in: line).map { ASCII.string($0) }
            return BuiltinVerdict(category: "missing_fixture", detail: name, evidence: line, isPerTest: false)
        }
        if hits.intersects(lexicon.phpFatal), hits.intersects(lexicon.phpTypeQuote), hits.intersects(lexicon.notFound) {
            let line = evidenceLine(scan, lexicon.phpTypeQuote)
            return verdict("import_error", "php_class_not_found", line)
        }
        if hits.intersects(lexicon.importAny) {
            let line = evidenceLine(scan, lexicon.importAny)
            return verdict("import_error", importDetail(line: line, evidence: &evidence), line)
        }
        if hits.intersects(lexicon.attributeAny) {
            let line = evidenceLine(scan, lexicon.attributeAny)
            return verdict(
                "attribute_error", attributeDetail(Lexicon.shared.scan(Array(line)).anywhere, evidence: &evidence), line)
        }
        if hits.intersects(lexicon.typeAny) {
            let line = evidenceLine(scan, lexicon.typeAny)
            return verdict("type_error", typeDetail(line: line), line)
        }
        if hits.intersects(lexicon.keyAny) {
            let line = evidenceLine(scan, lexicon.keyAny)
            return verdict("key_error", keyDetail(line: line, evidence: &evidence), line)
        }
        if hits.intersects(lexicon.permissionDenied) || hits.intersects(lexicon.readOnlyFileSystem) {
            let cues = lexicon.permissionDenied.union(lexicon.readOnlyFileSystem)
            let line = evidenceLine(scan, cues)
            return verdict("permission_denied", permissionDetail(evidence.anywhere(), line: line), line)
        }
        if hits.intersects(lexicon.fileNotFound) {
            let line = evidenceLine(scan, lexicon.fileNotFound)
            // PHP's `require_once(x): Failed to open stream`: the code's own import failed.
            if Lexicon.shared.scan(Array(line)).anywhere.intersects(lexicon.phpInclude) {
                return verdict("import_error", "php_require", line)
            }
            let detail = evidence.anywhere().intersects(lexicon.processStart) ? "missing_executable" : fileDetail(line: line)
            return verdict("file_not_found", detail, line)
        }

        // Timeouts, then assertions. Playwright's web-first assertion retried until the timeout
        // it prints.
        if hits.intersects(lexicon.playwrightExpect), hits.intersects(lexicon.timeoutLine) {
            return found("timeout", "playwright_expect", lexicon.playwrightExpect)
        }
        if hits.intersects(lexicon.timeoutGeneric) {
            let detail = timeoutDetail(hits, &evidence)
            // A timeout in no runner's or helper's words, on a line that names the service it
            // waited for (`MongoError: connection 5 to db:27017 timed out`): that client's timeout.
            if ["timed_out", "timeout_error", "java_timeout", "dotnet_timeout"].contains(detail) {
                let line = evidenceLine(scan, lexicon.timeoutGeneric)
                if let service = serviceNamed(on: line) {
                    return BuiltinVerdict(category: "connection_timeout", detail: service, evidence: line, isPerTest: false)
                }
            }
            return found("timeout", detail, lexicon.timeoutGeneric)
        }
        if hits.intersects(lexicon.assertion) {
            if hits.intersects(lexicon.durationComparison), DetailExtractors.hasQuotedDuration(scan.bytes[...]) {
                return found("timeout", "timing_assertion", lexicon.durationComparison)
            }
            return assertionVerdict(line: evidenceLine(scan, lexicon.assertion), evidence: &evidence)
        }
        // A Go test's own error line, when no assertion library worded it.
        if hits.intersects(lexicon.goTestLine) {
            return assertionVerdict(line: evidenceLine(scan, lexicon.goTestLine), evidence: &evidence)
        }
        return nil
    }

    /// The line holding the first cue of `cues` found in the scan (outside frames if possible).
    private static func evidenceLine(_ scan: PhraseScan, _ cues: PhraseSet) -> ArraySlice<UInt8> {
        guard let end = scan.firstEnd(among: cues) else { return ErrorLines.firstLine(of: scan.bytes) }
        return scan.line(around: end - 1)
    }

    private static func assertionVerdict(line: ArraySlice<UInt8>, evidence: inout FailureEvidence) -> BuiltinVerdict {
        if isTimingComparison(ErrorLines.clean(line), evidence: &evidence) {
            return BuiltinVerdict(category: "timeout", detail: "timing_assertion", evidence: line, isPerTest: false)
        }
        // An assertion raised inside a wait-until or eventually helper: a condition that never held in time.
        if evidence.anywhere().intersects(Lexicon.shared.waitHelperFrames) {
            return BuiltinVerdict(category: "timeout", detail: "eventually_condition", evidence: line, isPerTest: false)
        }
        return BuiltinVerdict(category: "assertion_failure", detail: nil, evidence: line, isPerTest: true)
    }

    /// `assert 1.487 < (1.0 + 0.3)` in a test about time: a timing check that failed because
    /// the machine was slow, not an assertion about behaviour.
    private static func isTimingComparison(_ line: ArraySlice<UInt8>, evidence: inout FailureEvidence) -> Bool {
        var rest = line
        if ErrorLines.startsWith(rest, "AssertionError: ") { rest = rest.dropFirst(16) }
        guard ErrorLines.startsWith(rest, "assert ") else { return false }
        rest = rest.dropFirst(7)
        var sawDigit = false
        var sawDot = false
        while let byte = rest.first, ASCII.isDigit(byte) || byte == UInt8(ascii: ".") {
            if byte == UInt8(ascii: ".") { sawDot = true } else { sawDigit = true }
            rest = rest.dropFirst()
        }
        guard sawDigit, sawDot else { return false }
        rest = ErrorLines.trim(rest)
        guard let comparison = rest.first, comparison == UInt8(ascii: "<") || comparison == UInt8(ascii: ">") else {
            return false
        }
        // The words are looked for in the test id and the failure text.
        let test = Array((evidence.test ?? "").utf8)
        let words = ["time", "elapsed", "duration", "latency", "took", "sleep", "deadline"]
        return words.contains { ASCII.contains(test, $0) || ASCII.contains(evidence.textBytes, $0) }
    }

    // MARK: - Details

    private static let oomKinds: [(String, PhraseSet)] = {
        let lexicon = Lexicon.shared
        return [
            ("redis_maxmemory", lexicon.oomRedis),
            ("cuda", lexicon.oomCUDA),
            ("java_heap", lexicon.oomJavaHeap),
            ("java_gc_overhead", lexicon.oomJavaGC),
            ("java_metaspace", lexicon.oomJavaMetaspace),
            ("java_native_threads", lexicon.oomJavaThreads),
            ("java_direct_buffer", lexicon.oomJavaDirect),
            ("java_oom", lexicon.oomJava),
            ("node_heap", lexicon.oomNode),
            ("numpy_array_memory", lexicon.oomNumpy),
            ("killed_137", lexicon.oomKilled),
            ("rust_alloc_failed", lexicon.oomRustAlloc),
            ("erlang_alloc", lexicon.oomErlang),
        ]
    }()

    private static let laterOOMKinds: [(String, PhraseSet)] = {
        let lexicon = Lexicon.shared
        return [
            ("python_memoryerror", lexicon.oomPython),
            ("dotnet_oom", lexicon.oomDotnet),
            ("go_runtime", lexicon.oomGo),
            ("cpp_bad_alloc", lexicon.oomCpp),
            ("tensor_alloc", lexicon.oomTensor),
            ("ruby_nomemory", lexicon.oomRuby),
            ("php_memory_limit", lexicon.oomPHP),
            ("jvm_native_memory", lexicon.oomJVMNative),
            ("torch_cpu_alloc", lexicon.oomTorchCPU),
            ("enomem", lexicon.oomErrno),
            ("out_of_memory", lexicon.oomGeneric),
        ]
    }()

    private static let anyOOM: PhraseSet = (oomKinds + laterOOMKinds).reduce(
        Lexicon.shared.killedWord, { $0.union($1.1) })

    private static func oomDetail(_ hits: PhraseSet) -> (String, PhraseSet)? {
        guard hits.intersects(anyOOM) else { return nil }
        let lexicon = Lexicon.shared
        for (detail, cues) in oomKinds where hits.intersects(cues) { return (detail, cues) }
        if hits.intersects(lexicon.killedWord),
            hits.intersects(lexicon.exitNine) || hits.intersects(lexicon.shellJobReport)
        {
            return ("killed_137", lexicon.killedWord)
        }
        for (detail, cues) in laterOOMKinds where hits.intersects(cues) { return (detail, cues) }
        return nil
    }

    private static func sslDetail(_ hits: PhraseSet) -> String {
        let lexicon = Lexicon.shared
        let kinds: [(String, PhraseSet)] = [
            ("cert_verify_local_issuer", lexicon.sslLocalIssuer),
            ("pkix_path", lexicon.sslPKIX),
            ("wrong_version_number", lexicon.sslWrongVersion),
            ("protocol_version", lexicon.sslProtocol),
            ("self_signed", lexicon.sslSelfSigned),
            ("cert_expired", lexicon.sslExpired),
            ("hostname_mismatch", lexicon.sslHostname),
            ("unknown_authority", lexicon.sslUnknownAuthority),
        ]
        return kinds.first { hits.intersects($0.1) }?.0 ?? "tls"
    }

    /// The service or client library that one line names (no port, no address: only a name).
    private static func serviceNamed(on line: ArraySlice<UInt8>) -> String? {
        let named = Lexicon.shared.scan(Array(line)).anywhere
        return Lexicon.shared.service(namedIn: named)
    }

    private static func serviceDetail(_ evidence: inout FailureEvidence) -> String {
        DetailExtractors.service(message: evidence.message, text: evidence.text())
    }

    /// Address-in-use failures are told apart by the runtime that tried to bind.
    private static func bindDetail(_ hits: PhraseSet) -> String {
        let lexicon = Lexicon.shared
        if hits.intersects(lexicon.socketAddressUsage), hits.intersects(lexicon.connectAttempt),
            !hits.intersects(lexicon.bindAttempt)
        {
            return "windows_port_exhaustion"
        }
        let runtimes: [(String, PhraseSet)] = [
            ("docker_port", lexicon.bindDocker),
            ("netty_bind", lexicon.bindNetty),
            ("kestrel_bind", lexicon.bindKestrel),
            ("httplistener_bind", lexicon.bindHttpListener),
            ("dotnet_bind", lexicon.bindDotnet),
            ("java_bind", lexicon.bindJava),
            ("rust_bind", lexicon.bindRust),
            ("ruby_bind", lexicon.bindRuby),
            ("python_bind", lexicon.bindPython),
            ("go_listen", lexicon.bindGo),
            ("node_listen", lexicon.bindNode),
        ]
        return runtimes.first { hits.intersects($0.1) }?.0 ?? "bind"
    }

    private static func dnsDetail(_ hits: PhraseSet, _ evidence: inout FailureEvidence) -> String {
        let lexicon = Lexicon.shared
        if hits.intersects(lexicon.dnsTemporary) { return "temporary_failure" }
        if evidence.anywhere().intersects(lexicon.localHostLookup) { return "local_hostname" }
        if hits.intersects(lexicon.localhostWord) { return "localhost" }
        return "nxdomain"
    }

    private static func importDetail(line: ArraySlice<UInt8>, evidence: inout FailureEvidence) -> String {
        let lexicon = Lexicon.shared
        let hits = Lexicon.shared.scan(Array(line)).anywhere
        if hits.intersects(lexicon.importNotAPackage) { return "not_a_package" }
        if hits.intersects(lexicon.importNoModule) { return "module_not_found" }
        if hits.intersects(lexicon.importCircular) { return "circular_import" }
        if hits.intersects(lexicon.importCannotImportName) {
            guard let name = DetailExtractors.name(after: "cannot import name", in: line) else {
                return "cannot_import_name"
            }
            if let module = DetailExtractors.name(after: "' from ", in: line)
                ?? DetailExtractors.name(after: "\" from ", in: line)
            {
                return module + "." + name
            }
            return name
        }
        if hits.intersects(lexicon.importFileMismatch) { return "import_file_mismatch" }
        if hits.intersects(lexicon.importClassInit) { return "class_initialization" }
        if hits.intersects(lexicon.importNoClassDef) || hits.intersects(lexicon.importClassNotFound) {
            return "class_not_found"
        }
        if hits.intersects(lexicon.importNodeModule) { return "node_module_not_found" }
        if hits.intersects(lexicon.importRequireESM) { return "require_esm" }
        if hits.intersects(lexicon.importVite) {
            return ASCII.contains(line, "dynamically imported") ? "dynamic_import_fetch" : "vite_load_url"
        }
        if hits.intersects(lexicon.importSharedLibrary) { return "shared_library" }
        if hits.intersects(lexicon.importGoPackage) { return "go_package_not_found" }
        if hits.intersects(lexicon.importRust) { return "rust_unresolved_import" }
        if hits.intersects(lexicon.importRuby) { return "ruby_load_error" }
        if hits.intersects(lexicon.importPHPClass) { return "php_class_not_found" }
        if hits.intersects(lexicon.importDotnetAssembly) { return "dotnet_assembly_load" }
        // The class alone (a bare ImportError): look for the kind in the whole message.
        let all = evidence.anywhere()
        if all.intersects(lexicon.importNoModule) { return "module_not_found" }
        return "import_error"
    }

    /// Attribute errors are told apart by what kind of object lacked the attribute: the
    /// concrete attribute varies with the code touched, the kind names the cause
    /// (API change in a module, a None that leaked, a mock's spec, a non-mock used as one).
    /// The kind of AttributeError, from the phrases its line holds (`hits`).
    private static func attributeDetail(_ hits: PhraseSet, evidence: inout FailureEvidence) -> String {
        let lexicon = Lexicon.shared
        if hits.intersects(lexicon.attributeInvalidAssertion) { return "mock_invalid_assertion" }
        if hits.intersects(lexicon.attributeMockSpec) { return "mock_spec" }
        if hits.intersects(lexicon.attributeNotAMock) { return "not_a_mock" }
        if hits.intersects(lexicon.attributeNone) { return "none_attribute" }
        if hits.intersects(lexicon.attributeModule), hits.intersects(lexicon.attributeObject) {
            return "module_attribute"
        }
        if hits.intersects(lexicon.attributeObject) { return "object_attribute" }
        if evidence.anywhere().intersects(lexicon.mockWord) { return "mock_spec" }
        return "attribute"
    }

    private static func typeDetail(line: ArraySlice<UInt8>) -> String {
        let lexicon = Lexicon.shared
        let hits = Lexicon.shared.scan(Array(line)).anywhere
        if hits.intersects(lexicon.typeNoneCallable) { return "none_not_callable" }
        if hits.intersects(lexicon.typeNoneSubscriptable) { return "none_not_subscriptable" }
        if hits.intersects(lexicon.typeNoneIterable) { return "none_not_iterable" }
        if hits.intersects(lexicon.typeUnexpectedKeyword),
            let keywordRange = ASCII.firstRange(of: "got an unexpected keyword argument", in: line)
        {
            let keyword = DetailExtractors.name(after: "argument", in: line[keywordRange.lowerBound...]) ?? "?"
            return "unexpected_keyword:" + callee(before: keywordRange.lowerBound, in: line) + ":" + keyword
        }
        // Otherwise the message itself, masked, says what was wrong with which callable.
        var rest = ErrorLines.clean(line)
        if let colon = ASCII.firstRange(of: "typeerror:", in: rest) { rest = rest[colon.upperBound...] }
        return String(MessageMasker.mask(ASCII.string(ErrorLines.trim(rest))).prefix(120))
    }

    /// The callable named just before `index`: `attrib()` → `attrib`.
    private static func callee(before index: Int, in line: ArraySlice<UInt8>) -> String {
        var end = index
        while end > line.startIndex, line[end - 1] == UInt8(ascii: " ") { end -= 1 }
        if end - 2 >= line.startIndex, line[end - 1] == UInt8(ascii: ")"), line[end - 2] == UInt8(ascii: "(") {
            end -= 2
        }
        var start = end
        while start > line.startIndex, ASCII.isWordByte(line[start - 1]) || line[start - 1] == UInt8(ascii: ".") {
            start -= 1
        }
        return start < end ? ASCII.string(line[start..<end]) : "?"
    }

    private static func keyDetail(line: ArraySlice<UInt8>, evidence: inout FailureEvidence) -> String {
        let key: String
        if let range = ASCII.firstRange(of: "keyerror:", in: line) {
            let rest = ErrorLines.trim(line[range.upperBound...])
            if let quoted = DetailExtractors.quoted(after: nil, in: rest),
                rest.first == UInt8(ascii: "'")
                    || rest.first == UInt8(ascii: "\"")
            {
                key = ASCII.string(quoted)
            } else {
                key = MessageMasker.mask(ASCII.string(rest))
            }
        } else {
            key = MessageMasker.mask(ASCII.string(ErrorLines.clean(line)))
        }
        if evidence.anywhere().intersects(Lexicon.shared.environment) { return "env:" + key }
        return "key:" + String(key.prefix(80))
    }

    private static func permissionDetail(_ hits: PhraseSet, line: ArraySlice<UInt8>) -> String {
        let lexicon = Lexicon.shared
        if hits.intersects(lexicon.readOnlyFileSystem) { return "read_only_fs" }
        if hits.intersects(lexicon.dockerName) { return "docker_socket" }
        let path =
            DetailExtractors.quoted(after: "permission denied:", in: line)
            ?? DetailExtractors.quoted(after: "access to the path", in: line)
            ?? DetailExtractors.quoted(after: nil, in: line)
            ?? DetailExtractors.unquotedPath(in: line)
        let kind = path.flatMap { $0.isEmpty ? nil : DetailExtractors.pathKind($0) }
        switch kind {
        case .lockFile: return "lock_file"
        case .tempFile: return "tmp_file"
        case .tempDirectory: return "tmp_dir"
        default: break
        }
        // A program that could not be started: its file lacks the execute bit.
        if hits.intersects(lexicon.processStart) || hits.intersects(lexicon.execRefused) { return "not_executable" }
        // A package manager's own cache or install directory, whatever the path.
        if hits.intersects(lexicon.npmWords) {
            return path.map { ASCII.contains($0, "/.npm/") || ASCII.contains($0, "_cacache") } == true
                ? "npm_cache" : "npm"
        }
        if hits.intersects(lexicon.pipWords) { return "pip" }
        // .NET's UnauthorizedAccessException words a refused file-system path its own way.
        if hits.intersects(lexicon.dotnetPathAccess) { return "dotnet_path_access" }
        guard kind != nil, let path else { return "operation" }
        // Where the path is says whose it is: the tests' own folders, a developer's home.
        switch DetailExtractors.folderKind(path) {
        case .testData: return "test_dir"
        case .userHome: return "home_dir"
        case .temporary: return "tmp_dir"
        default: return "path"
        }
    }

    private static func fileDetail(line: ArraySlice<UInt8>) -> String {
        let path =
            DetailExtractors.quoted(after: "no such file or directory", in: line)
            ?? DetailExtractors.quoted(after: "could not find file", in: line)
            ?? DetailExtractors.quoted(after: nil, in: line)
            ?? DetailExtractors.unquotedPath(in: line)
        guard let path, !path.isEmpty else { return "unknown_path" }
        let kind = DetailExtractors.pathKind(path)
        if kind == .tempFile || kind == .tempDirectory { return "tmp_path" }
        // Where the file was expected says why it is missing: a temporary folder that was
        // cleaned, a project that was not built, data the tests ship, or a folder on one
        // developer's machine.
        switch DetailExtractors.folderKind(path) {
        case .temporary: return "tmp_path"
        case .projectFile: return "project_file"
        case .testData: return "test_data"
        case .userHome: return "user_home_path"
        case nil: return kind == .relative ? "relative_path" : "absolute_path"
        }
    }

    private static func timeoutDetail(_ hits: PhraseSet, _ evidence: inout FailureEvidence) -> String {
        let lexicon = Lexicon.shared
        if hits.intersects(lexicon.timeoutGoTest) { return "go_test_deadline" }
        if hits.intersects(lexicon.timeoutPytest) { return "pytest_timeout" }
        // Jest's runner on Jasmine quotes Jasmine's setting: Jasmine's own unless Jest is named.
        if hits.intersects(lexicon.timeoutJasmine), !evidence.anywhere().intersects(lexicon.jestWord) {
            return "jasmine_timeout"
        }
        let runnerKinds: [(String, PhraseSet)] = [
            ("karma_capture_timeout", lexicon.timeoutKarmaCapture),
            ("karma_no_message", lexicon.timeoutKarmaNoMessage),
            ("xctest_wait_timeout", lexicon.timeoutXCTestWait),
            ("ctest_timeout", lexicon.timeoutCTest),
            ("nextest_timeout", lexicon.timeoutNextest),
            ("ci_job_timeout", lexicon.timeoutCIJob),
            ("surefire_fork_timeout", lexicon.timeoutSurefireFork),
            ("timetrap_timeout", lexicon.timeoutTimetrap),
            ("tornado_async_timeout", lexicon.timeoutTornado),
            ("faulthandler_timeout", lexicon.timeoutFaulthandler),
            ("genserver_call_timeout", lexicon.timeoutGenServer),
            ("connection_ownership_timeout", lexicon.timeoutOwnership),
            ("expect_message_timeout", lexicon.timeoutExpectMessage),
            ("subprocess_timeout", lexicon.timeoutSubprocess),
            ("test_hang", lexicon.timeoutRustHang),
        ]
        if let kind = runnerKinds.first(where: { hits.intersects($0.1) }) { return kind.0 }
        // A wait-until helper's own time limit: a condition that never held.
        if evidence.anywhere().intersects(lexicon.waitHelperFrames) { return "eventually_condition" }
        if hits.intersects(lexicon.timeoutMocha) {
            return evidence.anywhere().intersects(lexicon.hookWord) ? "mocha_hook_timeout" : "mocha_test_timeout"
        }
        // Browser waits are told apart by the element waited for.
        if hits.intersects(lexicon.cypressFind),
            let selector = DetailExtractors.selector(after: "expected to find element:", in: evidence.messageBytes[...])
        {
            return "cypress_get:" + selector
        }
        if hits.intersects(lexicon.cypressContent),
            let content = DetailExtractors.quoted(after: "expected to find content:", in: evidence.messageBytes[...])
        {
            return "cypress_contains:" + String(ASCII.string(content).prefix(80))
        }
        if hits.intersects(lexicon.jestHook) { return "jest_hook_timeout" }
        if hits.intersects(lexicon.timeoutNavigation) { return "page_navigation" }
        if hits.intersects(lexicon.puppeteerWait) { return "puppeteer_wait" }
        if hits.intersects(lexicon.seleniumLocate) || hits.intersects(lexicon.seleniumExpectedCondition) {
            let selector =
                DetailExtractors.selector(after: "to be located by", in: evidence.messageBytes[...])
                ?? DetailExtractors.selector(after: "to be visible", in: evidence.messageBytes[...])
                ?? DetailExtractors.selector(after: "located by", in: evidence.messageBytes[...])
            return selector.map { "selenium_wait:" + $0 } ?? "selenium_wait"
        }
        if hits.intersects(lexicon.selenideWait) { return "selenide_wait" }
        if hits.intersects(lexicon.capybaraFind) {
            let selector =
                DetailExtractors.quoted(after: "unable to find css", in: evidence.messageBytes[...])
                ?? DetailExtractors.quoted(after: "unable to find xpath", in: evidence.messageBytes[...])
            return selector.map { "capybara_find:" + String(ASCII.string($0).prefix(80)) } ?? "capybara_find"
        }
        if hits.intersects(lexicon.timeoutPlaywrightAction), !hits.intersects(lexicon.timeoutOf),
            !hits.intersects(lexicon.runnerTimeouts)
        {
            return "playwright_action_timeout"
        }
        let kinds: [(String, PhraseSet)] = [
            ("jest_timeout", lexicon.timeoutJest),
            ("playwright_test_timeout", lexicon.timeoutPlaywrightTest),
            ("test_timeout", lexicon.timeoutJUnit),
            ("testng_method_timeout", lexicon.timeoutTestNG),
            ("eventually_condition", lexicon.timeoutEventually),
            ("dotnet_test_timeout", lexicon.timeoutDotnet),
            ("timing_assertion", lexicon.timingAssertion),
            ("test_wait", lexicon.timeoutServiceStart),
            ("kotlin_coroutine_timeout", lexicon.timeoutKotlin),
            ("ruby_timeout", lexicon.timeoutRuby),
            ("dotnet_timeout", lexicon.timeoutDotnetClass),
            ("timeout_error", lexicon.timeoutPython),
            ("java_timeout", lexicon.timeoutJava),
            ("context_deadline", lexicon.timeoutDeadline),
        ]
        return kinds.first { hits.intersects($0.1) }?.0 ?? "timed_out"
    }
}
