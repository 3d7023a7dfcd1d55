import Foundation
import TriageModel
import TriageStore

/// `triage retry-advice`: which causes retries fix, from the retries in the history.
public struct RetryAdvice: Codable, Sendable, Equatable {
    public enum Verdict: String, Codable, Sendable {
        /// Passed on retry at least `minimumShare` of the times it was retried: worth retrying.
        case retry
        /// Retried at least `minimumRetries` times and never passed: a retry only costs time.
        case never
        /// Passed on retry sometimes, but less often than `minimumShare`.
        case seldom
        /// Retried fewer than `minimumRetries` times: not enough evidence.
        case unknown
    }

    public struct Cause: Codable, Sendable, Equatable {
        public var evidence: RetryEvidence
        public var verdict: Verdict
        /// The Python regular expression for `--only-rerun` (empty when the template has no literal text).
        public var pattern: String
    }

    public var minimumRetries: Int
    public var minimumShare: Double
    public var lastRuns: Int?
    /// Worth retrying, most often rescued first.
    public var retry: [Cause]
    public var never: [Cause]
    public var seldom: [Cause]
    public var unknown: [Cause]

    public static let defaultMinimumRetries = 3
    public static let defaultMinimumShare = 0.5

    public static func build(
        _ database: TriageDatabase, minimumRetries: Int = defaultMinimumRetries,
        minimumShare: Double = defaultMinimumShare, lastRuns: Int? = nil
    ) throws -> RetryAdvice {
        guard minimumRetries >= 1 else { throw TriageError.invalidArgument("--min-retries must be at least 1") }
        guard (0...1).contains(minimumShare), minimumShare > 0 else {
            throw TriageError.invalidArgument("--min-share is a share above 0 and at most 1, e.g. 0.5")
        }
        var advice = RetryAdvice(
            minimumRetries: minimumRetries, minimumShare: minimumShare, lastRuns: lastRuns, retry: [], never: [],
            seldom: [], unknown: [])
        for evidence in try database.retryEvidence(lastRuns: lastRuns) {
            let cause = Cause(
                evidence: evidence, verdict: verdict(evidence, minimumRetries: minimumRetries, minimumShare: minimumShare),
                pattern: TemplatePattern.python(evidence.cluster.template))
            switch cause.verdict {
            case .retry: advice.retry.append(cause)
            case .never: advice.never.append(cause)
            case .seldom: advice.seldom.append(cause)
            case .unknown: advice.unknown.append(cause)
            }
        }
        func order(_ causes: inout [Cause]) {
            causes.sort {
                ($0.evidence.passShare ?? 0, $0.evidence.retried, $1.evidence.cluster.id)
                    > ($1.evidence.passShare ?? 0, $1.evidence.retried, $0.evidence.cluster.id)
            }
        }
        order(&advice.retry)
        order(&advice.seldom)
        advice.never.sort { ($0.evidence.retried, $1.evidence.cluster.id) > ($1.evidence.retried, $0.evidence.cluster.id) }
        advice.unknown.sort { ($0.evidence.failures, $1.evidence.cluster.id) > ($1.evidence.failures, $0.evidence.cluster.id) }
        return advice
    }

    /// The rule (the README states it).
    static func verdict(_ evidence: RetryEvidence, minimumRetries: Int, minimumShare: Double) -> Verdict {
        guard evidence.retried >= minimumRetries, let share = evidence.passShare else { return .unknown }
        if evidence.passedOnRetry == 0 { return .never }
        return share >= minimumShare ? .retry : .seldom
    }

    /// The arguments for pytest-rerunfailures, shell-quoted: one `--only-rerun` per cause worth
    /// retrying. With none, a pattern that matches nothing, so that `--reruns` retries nothing
    /// rather than everything.
    public var pytestArguments: String {
        let patterns = retry.map(\.pattern).filter { !$0.isEmpty }
        return (patterns.isEmpty ? ["(?!)"] : patterns).map { "--only-rerun " + Self.shellQuoted($0) }.joined(
            separator: " ")
    }

    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public var text: String {
        var lines: [String] = []
        func section(_ title: String, _ causes: [Cause]) {
            guard !causes.isEmpty else { return }
            lines.append(title)
            for cause in causes {
                let e = cause.evidence
                lines.append(
                    "  " + IngestText.pad("\(e.passedOnRetry)/\(e.retried)", 9, right: true) + " passed on retry  "
                        + IngestText.pad(e.cluster.id, 10) + " "
                        + SafeText.line(e.cluster.category + (e.cluster.detail.map { "(\($0))" } ?? ""), limit: 40)
                        + "  " + SafeText.line(e.cluster.template, limit: 70))
            }
        }
        section("retry: these pass on retry (at least \(minimumShare.percent) of \(minimumRetries)+ retries)", retry)
        section("do not retry: retried \(minimumRetries)+ times, never passed", never)
        section("seldom: pass on retry less often than \(minimumShare.percent)", seldom)
        if lines.isEmpty {
            return unknown.isEmpty
                ? "no failures with retries in the history; run pytest with --reruns 2 for a while to gather evidence"
                : "not enough retries in the history: no cause was retried \(minimumRetries) times; run pytest with --reruns 2 for a while to gather evidence"
        }
        if !unknown.isEmpty {
            lines.append("\(unknown.count) other cause(s) were retried fewer than \(minimumRetries) times")
        }
        lines.append("pytest: \(pytestArguments)")
        return lines.joined(separator: "\n")
    }
}
