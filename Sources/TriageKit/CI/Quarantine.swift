import Foundation
import TriageModel
import TriageStore

/// What to quarantine, or what to change in an existing quarantine: fields left nil stay as they are.
public struct QuarantineRequest: Sendable {
    /// A test named as every command names one (full id, pytest node id or a unique part),
    /// or with `isPattern` a glob over full ids.
    public var name: String
    public var isPattern: Bool
    /// A cluster id or unique prefix: only failures of that cause are quarantined. With an
    /// empty `name`, the cause is quarantined across all tests.
    public var cluster: String?
    public var reason: String?
    public var owner: String?
    public var expiresAt: Date?
    public var now: Date

    public init(
        name: String, isPattern: Bool = false, cluster: String? = nil, reason: String? = nil, owner: String? = nil,
        expiresAt: Date? = nil, now: Date = Date()
    ) {
        self.name = name
        self.isPattern = isPattern
        self.cluster = cluster
        self.reason = reason
        self.owner = owner
        self.expiresAt = expiresAt
        self.now = now
    }
}

/// What `Quarantine.add` did: a new entry, or the fields it changed in an existing one.
public struct QuarantineChange: Sendable, Equatable {
    /// One changed field of an existing entry.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var before: String?
        public var after: String?

        /// "owner: alice → bob"; a missing value reads "none".
        public var description: String { "\(name): \(before ?? "none") → \(after ?? "none")" }
    }

    public var entry: QuarantineEntry
    public var isNew: Bool
    /// Empty for a new entry, and for a re-added one whose given fields were already so.
    public var fields: [Field]

    /// The line `triage quarantine add` prints.
    public var summary: String {
        let what = entry.scope
        if isNew {
            return "quarantined \(what)" + (entry.expiresAt.map { " until \($0)" } ?? " with no expiry")
        }
        if fields.isEmpty {
            return "\(what) is already quarantined; nothing changed (--reason, --owner or --expires change it)"
        }
        return "\(what): " + fields.map(\.description).joined(separator: "; ")
    }
}

/// Quarantine storage and exports.
public enum Quarantine {
    /// The longest quarantine `--expires` accepts: a quarantine is a promise to come back.
    static let longestExpiry: TimeInterval = 3650 * 86400

    /// When a quarantine given as `--expires` ends: a duration from now ("12h", "14d", "2w", at
    /// most 3650 days) or a date ("2025-07-01", 00:00 UTC) or ISO-8601 time in the next 3650 days.
    public static func expiry(_ text: String, now: Date) throws -> Date {
        let refusal = TriageError.invalidArgument(
            "--expires \(text): write a duration from 1h to 3650d such as 12h, 14d or 2w, or a date such as 2025-07-01")
        let units: [Character: Int] = ["h": 3600, "d": 86400, "w": 604_800]
        let date: Date
        if let unit = text.last, let factor = units[unit], isDigits(text.dropLast()),
            let count = Int(text.dropLast()), count > 0
        {
            guard count <= Int(longestExpiry) / factor else { throw refusal }
            date = now.addingTimeInterval(TimeInterval(count * factor))
        } else if let day = calendarDay(text) {
            date = day
        } else if text.contains("T"), let time = ISO8601.date(text) {
            date = time
        } else {
            throw refusal
        }
        guard date > now, date.timeIntervalSince(now) <= longestExpiry else { throw refusal }
        return date
    }

    /// `YYYY-MM-DD` as 00:00 UTC of that day; nil for anything else, or a day that does not exist.
    private static func calendarDay(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3,
            zip(parts, [4, 2, 2]).allSatisfy({ part, length in part.count == length && isDigits(part) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components),
            calendar.dateComponents([.year, .month, .day], from: date) == components
        else { return nil }
        return date
    }

    private static func isDigits(_ text: Substring) -> Bool {
        !text.isEmpty && text.allSatisfy { ("0"..."9").contains($0) }
    }

    /// Quarantines a test, or changes the fields given of an existing quarantine.
    ///
    /// The name is resolved like every command resolves test names (`findTest`) and the test's
    /// full id is stored; a name that matches no stored test is refused unless `isPattern` says
    /// it is a glob on purpose.
    @discardableResult
    public static func add(_ request: QuarantineRequest, to database: TriageDatabase) throws -> QuarantineChange {
        let clusterID = try request.cluster.map { try database.cluster(prefix: $0).id }
        let causeWide = clusterID != nil && request.name.trimmingCharacters(in: .whitespaces).isEmpty
        guard causeWide || !request.name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw TriageError.invalidArgument(
                "name the test to quarantine: its id, a pytest node id or a unique part of its id (or --cluster ID alone for a cause across all tests)")
        }
        if let reason = request.reason, reason.trimmingCharacters(in: .whitespaces).isEmpty {
            throw TriageError.invalidArgument("say why the test is quarantined: --reason \"flaky: timing\"")
        }
        let isPattern = causeWide || request.isPattern
        let id = causeWide ? "*" : request.isPattern ? request.name : try resolve(request.name, in: database)
        let expiresAt = request.expiresAt.map(ISO8601.string)
        // An entry for this id, or one stored under the name itself before names were resolved
        // (it never matched a test): re-adding the name takes that one over.
        let formerName = isPattern || clusterID != nil ? nil : request.name
        return try database.changeQuarantine(test: id, clusterID: clusterID, formerName: formerName) { old in
            guard var entry = old else {
                guard let reason = request.reason else {
                    throw TriageError.invalidArgument(
                        "say why \(id) is quarantined: --reason \"flaky: timing\"")
                }
                let entry = QuarantineEntry(
                    test: id, isPattern: isPattern, clusterID: clusterID, reason: reason, owner: request.owner,
                    createdAt: ISO8601.string(request.now), expiresAt: expiresAt)
                return (entry, QuarantineChange(entry: entry, isNew: true, fields: []))
            }
            var fields: [QuarantineChange.Field] = []
            func change(_ name: String, _ path: WritableKeyPath<QuarantineEntry, String?>, to value: String?) {
                guard let value, entry[keyPath: path] != value else { return }
                fields.append(.init(name: name, before: entry[keyPath: path], after: value))
                entry[keyPath: path] = value
            }
            if entry.test != id {
                fields.append(.init(name: "test", before: entry.test, after: id))
                entry.test = id
            }
            if entry.isPattern != isPattern {
                fields.append(
                    .init(name: "pattern", before: entry.isPattern ? "yes" : "no", after: isPattern ? "yes" : "no"))
                entry.isPattern = isPattern
            }
            if let reason = request.reason, reason != entry.reason {
                fields.append(.init(name: "reason", before: entry.reason, after: reason))
                entry.reason = reason
            }
            change("owner", \.owner, to: request.owner)
            change("expires", \.expiresAt, to: expiresAt)
            return (entry, QuarantineChange(entry: entry, isNew: false, fields: fields))
        }
    }

    /// The full id of the one stored test `name` names; a name that names none says how to
    /// quarantine a glob instead.
    private static func resolve(_ name: String, in database: TriageDatabase) throws -> String {
        do {
            // A name that matches every variant of one test quarantines the test on all of them.
            let tests = try database.findTests(name, allVariants: true)
            return tests.count == 1 ? tests[0].displayID : tests[0].identity.withoutVariant.displayID
        } catch TriageError.notFound {
            throw TriageError.notFound(
                "no stored test matches \"\(name)\"; name a test by its id as `triage flaky` prints it or by a unique part of it, or add --pattern to quarantine a glob on purpose"
            )
        }
    }

    /// Takes an entry out of quarantine: named as it is listed, or as `add` resolved it.
    /// Returns the entry's stored id or glob.
    @discardableResult
    public static func remove(_ name: String, cluster: String? = nil, from database: TriageDatabase) throws -> String {
        let clusterID = try cluster.map { try database.cluster(prefix: $0).id }
        let given = clusterID != nil && name.isEmpty ? "*" : name
        func delete(_ test: String) throws -> Bool { try database.deleteQuarantine(test: test, clusterID: clusterID) }
        func named(_ test: String) -> String {
            QuarantineEntry(test: test, isPattern: test == "*", clusterID: clusterID, reason: "", createdAt: "").scope
        }
        if try delete(given) { return named(given) }
        if let id = try? database.findTest(given).displayID, id != given, try delete(id) { return named(id) }
        throw TriageError.notFound(
            "\"\(named(given))\" is not quarantined; `triage quarantine list` shows what is")
    }

    public static func list(_ database: TriageDatabase) throws -> [QuarantineEntry] {
        try database.quarantineEntries()
    }

    /// For each cause the entries name, the Python patterns of its failure text (its template).
    public static func causePatterns(_ entries: [QuarantineEntry], in database: TriageDatabase) throws -> [String:
        [String]]
    {
        let clusters = try database.clusters(ids: Set(entries.compactMap(\.clusterID)))
        return clusters.mapValues { [TemplatePattern.python($0.template)].filter { !$0.isEmpty } }
    }

    /// A pytest plugin (load with `-p` or paste into conftest.py) that marks quarantined tests
    /// as non-strict xfail, so they still run and report but do not fail the session.
    ///
    /// It agrees with `triage ci` by construction: it turns each node id into the id triage
    /// stores for it (pytest's own junitxml mapping, `tests/test_x.py::test_vat[7]` →
    /// `tests.test_x::test_vat[7]`), looks exact entries up in a set, and matches globs with the
    /// same matcher as `TestIDPattern`, written out in Python (not `fnmatch`, which reads
    /// brackets as character classes).
    /// Entries with a cause mark nothing when collected: a failure of such a test is turned
    /// into an xfail after it happens, and only when its text matches one of `causePatterns`
    /// for the entry's cluster (see `TemplatePattern`); any other failure stays a failure.
    public static func pytestPlugin(_ entries: [QuarantineEntry], now: Date, causePatterns: [String: [String]] = [:])
        -> String
    {
        let active = entries.filter { !$0.isExpired(at: now) }
        func reason(_ entry: QuarantineEntry) -> String {
            let about = [entry.owner.map { "owner \($0)" }, entry.expiresAt.map { "until \($0)" }].compactMap { $0 }
            return pythonString(
                "quarantined by triage: \(entry.reason)"
                    + (about.isEmpty ? "" : " (\(about.joined(separator: ", ")))"))
        }
        var exact: [String] = []
        var patterns: [String] = []
        var causes: [String] = []
        for entry in active {
            for form in entry.matchedForms {
                if let clusterID = entry.clusterID {
                    let regexes = (causePatterns[clusterID] ?? []).map(pythonString).joined(separator: ", ")
                    causes.append(
                        "    (\(pythonString(form)), \(entry.isPattern ? "True" : "False"), [\(regexes)], \(reason(entry))),")
                } else if entry.isPattern {
                    patterns.append("    (\(pythonString(form)), \(reason(entry))),")
                } else {
                    exact.append("    \(pythonString(form)): \(reason(entry)),")
                }
            }
        }
        return """
            # Generated by `triage quarantine export --format pytest`. Use: pytest -p triage_quarantine
            # (save as triage_quarantine.py on the Python path), or paste into conftest.py.
            import re

            import pytest

            # Quarantined tests by the id triage stores (classname::name), matched literally.
            EXACT = {
            \(exact.joined(separator: "\n"))
            }

            # Globs over the same ids: * any run of characters, ? exactly one, all else literal ([ too).
            PATTERNS = [
            \(patterns.joined(separator: "\n"))
            ]

            # Quarantined causes: (id or glob, is glob, patterns of the cause's failure text, reason).
            # A failure of a matching test is an xfail only when its text matches a pattern.
            CAUSES = [
            \(causes.joined(separator: "\n"))
            ]


            def _triage_id(nodeid, prefix=None):
                # What pytest's junitxml writes for a node id, as classname::name.
                path, bracket, params = nodeid.partition("[")
                names = path.split("::")
                names[0] = names[0].replace("/", ".")
                if names[0].endswith(".py"):
                    names[0] = names[0][:-3]
                names[-1] += bracket + params
                if prefix:
                    names.insert(0, prefix)
                classname = ".".join(names[:-1])
                return classname + "::" + names[-1] if classname else names[-1]


            def _part_at(text, at, part):
                for offset, char in enumerate(part):
                    if char != "?" and text[at + offset] != char:
                        return False
                return True


            def _glob_matches(pattern, text):
                parts = pattern.split("*")
                if len(parts) == 1:
                    return len(text) == len(pattern) and _part_at(text, 0, pattern)
                first, last = parts[0], parts[-1]
                end = len(text) - len(last)
                if end < len(first) or not _part_at(text, 0, first) or not _part_at(text, end, last):
                    return False
                at = len(first)
                for part in parts[1:-1]:
                    while True:
                        if at + len(part) > end:
                            return False
                        if _part_at(text, at, part):
                            break
                        at += 1
                    at += len(part)
                return True


            def pytest_collection_modifyitems(config, items):
                prefix = getattr(config.option, "junitprefix", None)
                for item in items:
                    test = _triage_id(item.nodeid, prefix)
                    reason = EXACT.get(test)
                    if reason is None:
                        reason = next((why for pattern, why in PATTERNS if _glob_matches(pattern, test)), None)
                    if reason is not None:
                        item.add_marker(pytest.mark.xfail(reason=reason, strict=False))
                    causes = [
                        (regexes, why)
                        for name, is_glob, regexes, why in CAUSES
                        if (_glob_matches(name, test) if is_glob else name == test)
                    ]
                    if causes:
                        item._triage_causes = causes


            @pytest.hookimpl(hookwrapper=True)
            def pytest_runtest_makereport(item, call):
                outcome = yield
                report = outcome.get_result()
                causes = getattr(item, "_triage_causes", None)
                if not causes or not report.failed or hasattr(report, "wasxfail"):
                    return
                text = report.longreprtext
                for regexes, why in causes:
                    if any(re.search(regex, text) for regex in regexes):
                        report.outcome = "skipped"
                        report.wasxfail = why
                        return

            """
    }

    /// JUnit XML listing each quarantined test as skipped, for tools that read skip lists.
    /// Entries with a cause are left out: a skip list cannot skip one cause of a test's failures.
    public static func junitSkip(_ entries: [QuarantineEntry], now: Date) -> String {
        let active = entries.filter { !$0.isExpired(at: now) && $0.clusterID == nil }
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<testsuite name=\"triage-quarantine\" tests=\"\(active.count)\" skipped=\"\(active.count)\" failures=\"0\" errors=\"0\">",
        ]
        for entry in active {
            let parts = TestIdentity.normalizedQuery(entry.test).components(separatedBy: "::")
            let classname = parts.count > 1 ? parts.dropLast().joined(separator: "::") : ""
            lines.append(
                "  <testcase classname=\"\(xmlEscape(classname))\" name=\"\(xmlEscape(parts.last ?? entry.test))\"><skipped message=\"\(xmlEscape("quarantined: \(entry.reason)"))\"/></testcase>"
            )
        }
        lines.append("</testsuite>")
        return lines.joined(separator: "\n")
    }

    private static func pythonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func xmlEscape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                if scalar.value < 0x20, scalar != "\t" { out += " " } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}

/// A glob over test ids, as `triage quarantine add --pattern` takes it: `*` stands for any run of
/// characters (`.`, `::` and `/` included), `?` for exactly one; every other character stands for
/// itself, brackets included, so parametrized ids such as `test_vat[7]` need no escaping.
///
/// Compiled once: the parts between stars, each matched at a fixed place (the first at the start,
/// the last at the end) or at its leftmost place after the previous one. No part is ever tried
/// again, so a match costs at most the id's length times the pattern's, whatever the pattern.
public struct TestIDPattern: Sendable, Hashable {
    /// The pattern split at `*`; in each part `nil` stands for `?`.
    private let parts: [[Unicode.Scalar?]]

    public init(_ pattern: String) {
        parts = pattern.unicodeScalars.split(separator: "*", omittingEmptySubsequences: false).map { part in
            part.map { $0 == "?" ? nil : $0 }
        }
    }

    public func matches(_ testID: String) -> Bool {
        matches(Array(testID.unicodeScalars))
    }

    /// The literal text every match starts with: the pattern up to its first `*` or `?`.
    var literalPrefix: [Unicode.Scalar] {
        (parts.first ?? []).prefix { $0 != nil }.compactMap { $0 }
    }

    /// Matches an id already split into scalars, so one id can be tried against many patterns.
    func matches(_ text: [Unicode.Scalar]) -> Bool {
        guard let first = parts.first, let last = parts.last else { return false }
        if parts.count == 1 { return text.count == first.count && Self.part(first, matches: text, at: 0) }
        let end = text.count - last.count
        guard end >= first.count, Self.part(first, matches: text, at: 0), Self.part(last, matches: text, at: end)
        else { return false }
        var at = first.count
        for part in parts.dropFirst().dropLast() {
            while true {
                guard at + part.count <= end else { return false }
                if Self.part(part, matches: text, at: at) { break }
                at += 1
            }
            at += part.count
        }
        return true
    }

    private static func part(_ part: [Unicode.Scalar?], matches text: [Unicode.Scalar], at start: Int) -> Bool {
        guard start + part.count <= text.count else { return false }
        for (offset, scalar) in part.enumerated() where scalar != nil && scalar != text[start + offset] {
            return false
        }
        return true
    }
}

/// The quarantine as `triage ci` checks it, compiled once per run: exact ids in a dictionary,
/// globs compiled to `TestIDPattern`s and filed by their literal start, so an id is tried only
/// against the globs that can match it.
public struct QuarantineMatcher: Sendable {
    private struct CompiledPattern: Sendable {
        var pattern: TestIDPattern
        var entry: Int
    }

    /// Values filed under keys; finds those of every key a text starts with in one walk.
    private struct PrefixTrie: Sendable {
        private var children: [[Unicode.Scalar: Int]] = [[:]]
        private var values: [[Int]] = [[]]

        mutating func insert(_ key: [Unicode.Scalar], value: Int) {
            var node = 0
            for scalar in key {
                if let next = children[node][scalar] {
                    node = next
                } else {
                    children.append([:])
                    values.append([])
                    children[node][scalar] = children.count - 1
                    node = children.count - 1
                }
            }
            values[node].append(value)
        }

        func values(prefixing text: [Unicode.Scalar]) -> [Int] {
            var found = values[0]
            var node = 0
            for scalar in text {
                guard let next = children[node][scalar] else { break }
                node = next
                found += values[node]
            }
            return found
        }
    }

    public let entries: [QuarantineEntry]
    /// Exact ids by their UTF-8 bytes (SQLite and Python compare ids byte by byte; Swift's `==`
    /// would also equate canonically equivalent spellings) → the entries naming them.
    private let exact: [[UInt8]: [Int]]
    private let patterns: [CompiledPattern]
    private let patternsByPrefix: PrefixTrie

    public init(_ entries: [QuarantineEntry]) {
        self.entries = entries
        var exact: [[UInt8]: [Int]] = [:]
        var patterns: [CompiledPattern] = []
        for (index, entry) in entries.enumerated() {
            for form in entry.matchedForms {
                if entry.isPattern {
                    patterns.append(CompiledPattern(pattern: TestIDPattern(form), entry: index))
                } else if exact[Array(form.utf8), default: []].last != index {
                    exact[Array(form.utf8), default: []].append(index)
                }
            }
        }
        var trie = PrefixTrie()
        for (index, compiled) in patterns.enumerated() {
            trie.insert(compiled.pattern.literalPrefix, value: index)
        }
        self.exact = exact
        self.patterns = patterns
        self.patternsByPrefix = trie
    }

    /// The patterns that can match an id: those whose literal start it begins with.
    private func candidates(for id: [Unicode.Scalar]) -> [CompiledPattern] {
        patternsByPrefix.values(prefixing: id).map { patterns[$0] }
    }

    /// Whether any entry covers a failure of the test with this full id (`classname::name`) in
    /// `cluster`: an entry without a cause covers every failure of its tests, one with a cause
    /// only failures in that cluster.
    public func matches(_ testID: String) -> Bool { matches(testID, cluster: nil) }

    /// Whether an entry covers a failure of this test in `cluster` (nil: a failure without one).
    public func matches(_ testID: String, cluster: String?) -> Bool {
        func covers(_ index: Int) -> Bool { entries[index].clusterID.map { $0 == cluster } ?? true }
        if exact[Array(testID.utf8)]?.contains(where: covers) == true { return true }
        let scalars = Array(testID.unicodeScalars)
        return candidates(for: scalars).contains { covers($0.entry) && $0.pattern.matches(scalars) }
    }

    /// The entries that cover at least one of these tests, in the order they were given.
    public func entries(coveringAnyOf testIDs: [String]) -> [QuarantineEntry] {
        var covering = Set<Int>()
        for testID in testIDs {
            covering.formUnion(exact[Array(testID.utf8)] ?? [])
            let scalars = Array(testID.unicodeScalars)
            for compiled in candidates(for: scalars)
            where !covering.contains(compiled.entry) && compiled.pattern.matches(scalars) {
                covering.insert(compiled.entry)
            }
        }
        return covering.sorted().map { entries[$0] }
    }
}

/// Shell-style globs: `*` any run of characters but `/`, `**` any run including `/`, `?` one character.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: regexSource(pattern)) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    static func regexSource(_ pattern: String) -> String {
        var source = "^"
        var characters = Array(pattern)[...]
        while let character = characters.popFirst() {
            switch character {
            case "*" where characters.first == "*":
                characters.removeFirst()
                if characters.first == "/" {
                    characters.removeFirst()
                    source += "(?:.*/)?"
                } else {
                    source += ".*"
                }
            case "*": source += "[^/]*"
            case "?": source += "[^/]"
            default: source += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        return source + "$"
    }

    /// Result files (`.xml`, `.trx`, as a folder is read) under the current folder (or absolute)
    /// matching `pattern`; other files and folders a wildcard matches are skipped. A pattern
    /// without wildcards is returned as it is (a file or a folder).
    public static func files(_ pattern: String) -> [String] {
        guard pattern.contains(where: { $0 == "*" || $0 == "?" }) else { return [pattern] }
        var components = pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var base: [String] = []
        while let first = components.first, !first.contains(where: { $0 == "*" || $0 == "?" }) {
            base.append(first)
            components.removeFirst()
        }
        let root = base.isEmpty ? "." : (base == [""] ? "/" : base.joined(separator: "/"))
        let rest = components.joined(separator: "/")
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if ResultFiles.extensions.contains((relative as NSString).pathExtension.lowercased()),
                matches(rest, relative)
            {
                found.append(root == "." ? relative : (root as NSString).appendingPathComponent(relative))
            }
        }
        return found.sorted()
    }
}
