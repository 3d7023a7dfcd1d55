import Foundation

/// A glob over test ids that says which tests a remediation cycle is about. `*` matches any
/// run of characters (across `.`, `/` and `::`), `?` one character. A test matches when the
/// glob matches its display id (`tests.integration.test_x.TestC::test_y`) or one of the
/// pytest-style paths it could have (`tests/integration/test_x.py::TestC::test_y`).
public struct TestScope: Codable, Sendable, Equatable {
    public var pattern: String

    public init(_ pattern: String) {
        self.pattern = pattern.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func matches(_ test: StoredTest) -> Bool {
        let pattern = Array(pattern)
        return Self.candidates(classname: test.classname, name: test.name, file: test.file).contains {
            Self.glob(pattern, Array($0))
        }
    }

    /// The names a test can be given by: its display id, and pytest paths for each way its
    /// dotted classname can split into a module path and classes.
    package static func candidates(classname: String, name: String, file: String?) -> [String] {
        guard !classname.isEmpty else { return [name] + (file.map { ["\($0)::\(name)"] } ?? []) }
        var names = ["\(classname)::\(name)"]
        let parts = classname.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        names.append(parts.joined(separator: "/") + "::" + name)
        for split in 1...parts.count {
            let module = parts[..<split].joined(separator: "/") + ".py"
            names.append(([module] + parts[split...]).joined(separator: "::") + "::" + name)
        }
        if let file, !file.isEmpty { names.append("\(file)::\(name)") }
        return names
    }

    /// Glob matching with backtracking to the last `*`: linear for patterns with one star.
    package static func glob(_ pattern: [Character], _ text: [Character]) -> Bool {
        var p = 0, t = 0
        var star: Int?, resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
