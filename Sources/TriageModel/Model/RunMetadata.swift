import Foundation

/// Where a run came from: commit, branch, CI provider and build, labels.
public struct RunMetadata: Codable, Sendable, Equatable {
    public var commit: String?
    public var branch: String?
    public var ciProvider: String?
    public var buildID: String?
    public var buildURL: String?
    public var pullRequest: String?
    public var labels: [String: String]
    /// The CI job that wrote the run (workflow and job name), so that a gate compares a job
    /// with earlier runs of the same job.
    public var job: String?

    public init(
        commit: String? = nil, branch: String? = nil, ciProvider: String? = nil, buildID: String? = nil,
        buildURL: String? = nil, pullRequest: String? = nil, labels: [String: String] = [:], job: String? = nil
    ) {
        self.job = job
        self.commit = commit
        self.branch = branch
        self.ciProvider = ciProvider
        self.buildID = buildID
        self.buildURL = buildURL
        self.pullRequest = pullRequest
        self.labels = labels
    }

    /// Values from `overrides` win over `self` wherever they are set.
    public func overridden(by overrides: RunMetadata) -> RunMetadata {
        RunMetadata(
            commit: overrides.commit ?? commit, branch: overrides.branch ?? branch,
            ciProvider: overrides.ciProvider ?? ciProvider, buildID: overrides.buildID ?? buildID,
            buildURL: overrides.buildURL ?? buildURL, pullRequest: overrides.pullRequest ?? pullRequest,
            labels: labels.merging(overrides.labels) { _, new in new }, job: overrides.job ?? job)
    }
}

/// Reads run metadata from the usual CI variables, or from git in the current folder.
public enum CIEnvironment {
    /// The metadata a CI provider's environment variables give, nil values where it gives none.
    /// The job is what names one CI job across builds: GitHub `GITHUB_WORKFLOW/GITHUB_JOB`, GitLab
    /// `CI_JOB_NAME`, Buildkite `BUILDKITE_STEP_KEY` (else `BUILDKITE_LABEL`), CircleCI `CIRCLE_JOB`,
    /// Jenkins `JOB_NAME`.
    public static func metadata(from env: [String: String]) -> RunMetadata {
        func first(_ names: String...) -> String? {
            for name in names {
                if let value = env[name], !value.isEmpty { return value }
            }
            return nil
        }
        if env["GITHUB_ACTIONS"] == "true" {
            let server = env["GITHUB_SERVER_URL"] ?? "https://github.com"
            var url: String?
            if let repo = env["GITHUB_REPOSITORY"], let id = env["GITHUB_RUN_ID"] {
                url = "\(server)/\(repo)/actions/runs/\(id)"
            }
            var pull: String?
            if let ref = env["GITHUB_REF"], ref.hasPrefix("refs/pull/") {
                pull = ref.split(separator: "/").dropFirst(2).first.map(String.init)
            }
            let attempt = env["GITHUB_RUN_ATTEMPT"].map { "-\($0)" } ?? ""
            return RunMetadata(
                commit: first("GITHUB_SHA"), branch: first("GITHUB_HEAD_REF", "GITHUB_REF_NAME"),
                ciProvider: "github", buildID: env["GITHUB_RUN_ID"].map { "\($0)\(attempt)" },
                buildURL: url, pullRequest: pull,
                job: [first("GITHUB_WORKFLOW"), first("GITHUB_JOB")].compactMap { $0 }.joined(separator: "/").nonEmpty)
        }
        if env["GITLAB_CI"] == "true" {
            return RunMetadata(
                commit: first("CI_COMMIT_SHA"),
                branch: first("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_BRANCH", "CI_COMMIT_REF_NAME"),
                ciProvider: "gitlab", buildID: first("CI_PIPELINE_ID"),
                buildURL: first("CI_PIPELINE_URL", "CI_JOB_URL"),
                pullRequest: first("CI_MERGE_REQUEST_IID"), job: first("CI_JOB_NAME"))
        }
        if env["BUILDKITE"] == "true" {
            let pull = first("BUILDKITE_PULL_REQUEST").flatMap { $0 == "false" ? nil : $0 }
            return RunMetadata(
                commit: first("BUILDKITE_COMMIT"), branch: first("BUILDKITE_BRANCH"), ciProvider: "buildkite",
                buildID: first("BUILDKITE_BUILD_NUMBER", "BUILDKITE_BUILD_ID"), buildURL: first("BUILDKITE_BUILD_URL"),
                pullRequest: pull, job: first("BUILDKITE_STEP_KEY", "BUILDKITE_LABEL"))
        }
        if env["CIRCLECI"] == "true" {
            return RunMetadata(
                commit: first("CIRCLE_SHA1"), branch: first("CIRCLE_BRANCH"), ciProvider: "circleci",
                buildID: first("CIRCLE_WORKFLOW_ID", "CIRCLE_BUILD_NUM"), buildURL: first("CIRCLE_BUILD_URL"),
                pullRequest: first("CIRCLE_PR_NUMBER"), job: first("CIRCLE_JOB"))
        }
        if env["TF_BUILD"] == "True" || env["TF_BUILD"] == "true" {
            var url: String?
            if let base = env["SYSTEM_COLLECTIONURI"], let project = env["SYSTEM_TEAMPROJECT"],
                let id = env["BUILD_BUILDID"]
            {
                url = "\(base)\(project)/_build/results?buildId=\(id)"
            }
            let branch = first("SYSTEM_PULLREQUEST_SOURCEBRANCH", "BUILD_SOURCEBRANCH").map {
                $0.hasPrefix("refs/heads/") ? String($0.dropFirst("refs/heads/".count)) : $0
            }
            return RunMetadata(
                commit: first("BUILD_SOURCEVERSION"), branch: branch, ciProvider: "azure",
                buildID: first("BUILD_BUILDID"), buildURL: url, pullRequest: first("SYSTEM_PULLREQUEST_PULLREQUESTID"))
        }
        if env["JENKINS_URL"] != nil || env["JENKINS_HOME"] != nil {
            return RunMetadata(
                commit: first("GIT_COMMIT"), branch: first("CHANGE_BRANCH", "BRANCH_NAME", "GIT_BRANCH"),
                ciProvider: "jenkins", buildID: first("BUILD_TAG", "BUILD_NUMBER"), buildURL: first("BUILD_URL"),
                pullRequest: first("CHANGE_ID"), job: first("JOB_NAME"))
        }
        if env["CI"] == "true" {
            return RunMetadata(ciProvider: "ci")
        }
        return RunMetadata()
    }

    /// Commit and branch from `git` in `folder`, for runs made outside CI. Nil where git says nothing.
    public static func gitMetadata(in folder: URL) -> RunMetadata {
        func git(_ arguments: [String]) -> String? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-C", folder.path] + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { return nil }
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty || text == "HEAD" ? nil : text
        }
        return RunMetadata(commit: git(["rev-parse", "HEAD"]), branch: git(["rev-parse", "--abbrev-ref", "HEAD"]))
    }
}

extension RunMetadata {
    /// The metadata of a run made now: CI variables, else git in the current folder, then `overrides`.
    public static func current(
        overrides: RunMetadata, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> RunMetadata {
        var found = CIEnvironment.metadata(from: environment)
        if found.commit == nil || found.branch == nil {
            let git = CIEnvironment.gitMetadata(in: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            found.commit = found.commit ?? git.commit
            found.branch = found.branch ?? git.branch
        }
        return found.overridden(by: overrides)
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
