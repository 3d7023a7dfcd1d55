import Foundation

extension TestIdentity {
    /// `tests/test_redis.py::TestX::test_y` → `tests.test_redis.TestX::test_y`.
    package static func normalizedQuery(_ query: String) -> String {
        let parts = query.components(separatedBy: "::")
        guard parts.count >= 2, parts[0].hasSuffix(".py") || parts[0].contains("/") else { return query }
        var module = parts[0]
        if module.hasSuffix(".py") { module.removeLast(3) }
        module = module.replacingOccurrences(of: "/", with: ".")
        let classes = parts.dropFirst().dropLast()
        return ([module] + classes).joined(separator: ".") + "::" + (parts.last ?? "")
    }
}
