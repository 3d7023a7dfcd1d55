// Placeholder with the engine's API until the signature rules land in this folder.
public struct FailureInput: Sendable, Codable, Equatable {
    public var message: String?
    public var text: String?
    public var failureType: String?
    public var test: String?
    public init(message: String?, text: String? = nil, failureType: String? = nil, test: String? = nil) {
        self.message = message
        self.text = text
        self.failureType = failureType
        self.test = test
    }
}

public struct Signature: Sendable, Codable, Equatable {
    public var category: String
    public var detail: String?
    public var template: String
    public var clusterID: String
    public var rule: String
}

public struct SignatureEngine: Sendable {
    public static let builtinRulesVersion = "sig-v0"
    public init() {}
    public var rulesVersion: String { Self.builtinRulesVersion }
    public func signature(for input: FailureInput) -> Signature {
        let line = (input.message ?? input.text ?? "").split(separator: "\n").first.map(String.init) ?? ""
        return Signature(category: "unclassified", detail: nil, template: line, clusterID: String(line.hashValue, radix: 16), rule: "none")
    }
}
