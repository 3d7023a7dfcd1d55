import TriageModel
import TriageStore
import ArgumentParser
import TriageKit

/// `--clean-runs N`: how many clean runs of every test a fixed cause hit verify the fix.
struct CleanRunsOptions: ParsableArguments {
    @Option(
        name: .customLong("clean-runs"),
        help: "Clean runs of every test a fixed cause hit that verify the fix (default 10).")
    var cleanRuns = RootCauseWatch.defaultCleanRuns

    func validate() throws {
        if cleanRuns < 1 { throw ValidationError("--clean-runs must be at least 1") }
    }
}
