import Foundation
import TriageModel
import TriageStore

/// How one ingest should go.
public struct IngestOptions: Sendable {
    /// Names the run; shards that share it are one run. Without it, the run is named after
    /// the files' contents, so ingesting the same files again finds the same run.
    public var runKey: String?
    public var metadata: RunMetadata
    /// Forces a format instead of detecting it from the root element.
    public var format: ReportFormat?
    /// Ingest the good files and list the bad ones, instead of writing nothing.
    public var keepGoing: Bool
    public var now: Date
    /// Added to every test's variant (what the file states is kept; these pairs win).
    public var variant: Variant
    /// When the run happened, instead of the earliest time its files state.
    public var runTime: Date?
    /// How many files are checked and parsed at once (one writer stores them, in order).
    public var jobs: Int

    public init(
        runKey: String? = nil, metadata: RunMetadata = RunMetadata(), format: ReportFormat? = nil,
        keepGoing: Bool = false, now: Date = Date(), variant: Variant = .none, runTime: Date? = nil,
        jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.jobs = max(1, jobs)
        self.variant = variant
        self.runTime = runTime
        self.runKey = runKey
        self.metadata = metadata
        self.format = format
        self.keepGoing = keepGoing
        self.now = now
    }
}

/// What happened to one file of an ingest.
public struct IngestedFile: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case ingested
        /// Already stored (same SHA-256): nothing added.
        case duplicate
        /// Bad input; nothing of it was stored.
        case failed
    }

    public var path: String
    public var status: Status
    public var format: ReportFormat?
    public var cases: Int
    /// The error for a failed file; the run that holds a duplicate.
    public var note: String?
}

/// The result of `Ingestor.ingest`.
public struct IngestReport: Codable, Sendable {
    /// The run written to, nil when nothing was stored.
    public var runID: Int64?
    public var runKey: String
    public var isNewRun: Bool
    public var files: [IngestedFile]
    public var totals: RunTotals?

    public var failedFiles: [IngestedFile] { files.filter { $0.status == .failed } }
}

/// Progress of a long ingest, for a progress line.
public struct IngestProgress: Sendable {
    public var file: String
    public var fileIndex: Int
    public var fileCount: Int
    public var cases: Int
    /// Bytes of the files finished before this one.
    public var bytesDone: Int64
    /// Bytes of this file and of all files.
    public var fileBytes: Int64
    public var totalBytes: Int64
    public var elapsed: TimeInterval
}

/// Reads result files into the run history: one transaction per run, all of it or none.
public struct Ingestor: Sendable {
    public let database: TriageDatabase
    public let engine: SignatureEngine

    public init(database: TriageDatabase, engine: SignatureEngine = .builtin) {
        self.database = database
        self.engine = engine
    }

    /// Ingests every file in `paths` (folders are searched for result files) as one run.
    ///
    /// Without `keepGoing`, the first bad file throws and nothing is written. With it, bad
    /// files are listed in the report and the good ones are stored. Two files that hold the
    /// same test-variant are refused (see `RunWriter.write`): they are separate runs.
    public func ingest(
        _ paths: [String], options: IngestOptions = IngestOptions(),
        progress: (@Sendable (IngestProgress) -> Void)? = nil
    ) throws -> IngestReport {
        let files = try ResultFiles.expand(paths)
        let started = Date()
        return try database.ingestTransaction { store in
            try ingestRun(files, options: options, started: started, progress: progress, store: store)
        }
    }

    /// Ingests each result file (folders are searched) as a run of its own, all in one
    /// transaction: a bad file means nothing is written unless `keepGoing`. Each run's time is
    /// the earliest its file states, so history orders them however they are stored; files
    /// that state none are stored in natural order (`results-2` before `results-10`).
    public func ingestEach(
        _ paths: [String], options: IngestOptions = IngestOptions(),
        progress: (@Sendable (IngestProgress) -> Void)? = nil
    ) throws -> [IngestReport] {
        guard options.runKey == nil else {
            throw TriageError.invalidArgument("--each stores one run per file, so it takes no --run-id")
        }
        guard options.runTime == nil else {
            throw TriageError.invalidArgument(
                "--each takes each run's time from its file, so it takes no --date; store such a file on its own with --date"
            )
        }
        let files = try ResultFiles.expand(paths)
        let started = Date()
        return try database.ingestTransaction { store in
            try files.map { file in
                try ingestRun([file], options: options, started: started, progress: progress, store: store)
            }
        }
    }

    private func ingestRun(
        _ files: [String], options: IngestOptions, started: Date, progress: (@Sendable (IngestProgress) -> Void)?,
        store: IngestTransaction
    ) throws -> IngestReport {
        var reports: [IngestedFile] = []
        var inspected: [(path: String, inspection: FileInspection)] = []
        // One pass over each file checks it and fingerprints it, `jobs` files at a time;
        // parsing reads the file it opened once more.
        let inspections = parallelMap(files, jobs: options.jobs) { path in
            Result { try ReportReader.inspect(URL(fileURLWithPath: path), displayPath: path) }
        }
        for (path, outcome) in zip(files, inspections) {
            do {
                var inspection = try outcome.get()
                if !options.variant.isEmpty {
                    // The same file under another variant (a matrix job) is another file.
                    inspection.sha256 = ResultFiles.sha256(inspection.sha256 + "\n" + options.variant.canonical)
                }
                inspected.append((path, inspection))
            } catch let error as TriageError where options.keepGoing {
                reports.append(
                    IngestedFile(path: path, status: .failed, format: nil, cases: 0, note: error.description))
            }
        }
        let runKey =
            options.runKey ?? "files-" + String(ResultFiles.sha256(inspected.map(\.inspection.sha256).sorted().joined()).prefix(16))
        let fileCount = files.count
        let totalBytes = inspected.reduce(0) { $0 + $1.inspection.size }
        let (runID, isNew) = try store.run(
            key: runKey, metadata: options.metadata, createdAt: options.now, runAt: options.runTime ?? options.now)
        let writer = try store.writer(runID: runID, rulesVersion: engine.rulesVersion)
        let variant = options.variant
        var earliest: Date?
        var bytesBefore: Int64 = 0
        // Up to `jobs` files parse ahead on threads of their own; this thread writes them in
        // order, so the stored run is the same whatever `jobs` is.
        var pipelines: [Int: CasePipeline] = [:]
        var nextToStart = 0
        defer { for pipeline in pipelines.values { pipeline.cancel() } }
        func startParsing(through last: Int) throws {
            while nextToStart <= min(last, inspected.count - 1) {
                let file = inspected[nextToStart]
                // A file already stored before this ingest is not parsed (see the check below).
                if try store.runHoldingFile(
                    sha256: file.inspection.sha256, runID: runID, scopedToRun: options.runKey != nil) == nil
                {
                    pipelines[nextToStart] = CasePipeline(
                        URL(fileURLWithPath: file.path), displayPath: file.path, format: options.format,
                        inspection: file.inspection, engine: engine)
                }
                nextToStart += 1
            }
        }
        for (index, file) in inspected.enumerated() {
            defer { bytesBefore += file.inspection.size }
            try startParsing(through: index + options.jobs - 1)
            let pipeline = pipelines.removeValue(forKey: index)
            if let holder = try store.runHoldingFile(
                sha256: file.inspection.sha256, runID: runID, scopedToRun: options.runKey != nil)
            {
                pipeline?.cancel()
                reports.append(
                    IngestedFile(
                        path: file.path, status: .duplicate, format: nil, cases: 0,
                        note: "already stored in run \(holder)"))
                continue
            }
            do {
                var ingested: IngestedFile?
                try store.savepoint {
                    let fileID = try store.addFile(
                        path: file.path, format: options.format, size: file.inspection.size,
                        sha256: file.inspection.sha256, runID: runID, at: options.now)
                    writer.beginFile(id: fileID, path: file.path)
                    let before = writer.casesWritten
                    let parse =
                        pipeline
                        ?? CasePipeline(
                            URL(fileURLWithPath: file.path), displayPath: file.path, format: options.format,
                            inspection: file.inspection, engine: engine)
                    let info = try parse.drain { testCase, signatures in
                        if variant.isEmpty {
                            try writer.write(testCase, signatures: signatures, fileID: fileID)
                        } else {
                            var varied = testCase
                            varied.variant = testCase.variant.merging(variant)
                            try writer.write(varied, signatures: signatures, fileID: fileID)
                        }
                        let done = writer.casesWritten
                        if let progress, done % 5000 == 0 {
                            progress(
                                IngestProgress(
                                    file: file.path, fileIndex: index, fileCount: fileCount, cases: done,
                                    bytesDone: bytesBefore, fileBytes: file.inspection.size, totalBytes: totalBytes,
                                    elapsed: Date().timeIntervalSince(started)))
                        }
                    }
                    try writer.flush()
                    let cases = writer.casesWritten - before
                    try store.finishFile(id: fileID, format: info.format, cases: cases)
                    writer.endFile()
                    if let stated = info.stats.startedAt, earliest.map({ stated < $0 }) ?? true { earliest = stated }
                    ingested = IngestedFile(
                        path: file.path, status: .ingested, format: info.format, cases: cases, note: nil)
                }
                if let ingested { reports.append(ingested) }
            } catch let error as TriageError where options.keepGoing && error.isBadInput {
                reports.append(
                    IngestedFile(path: file.path, status: .failed, format: nil, cases: 0, note: error.description))
            }
        }
        let stored = reports.contains { $0.status == .ingested }
        if isNew, !stored {
            try store.dropEmptyRun(id: runID)
            return IngestReport(runID: nil, runKey: runKey, isNewRun: false, files: reports, totals: nil)
        }
        if options.runTime == nil, let earliest {
            // The run happened when its earliest file says; a later shard can only move it earlier.
            try store.setRunTime(runID: runID, to: earliest, always: isNew)
        }
        let totals = try store.updateTotals(runID: runID)
        reports.sort { files.firstIndex(of: $0.path) ?? 0 < files.firstIndex(of: $1.path) ?? 0 }
        return IngestReport(runID: runID, runKey: runKey, isNewRun: isNew, files: reports, totals: totals)
    }
}

/// `transform` applied to every element, `jobs` elements at a time on threads of their own,
/// the results in the elements' order.
func parallelMap<Element, Mapped>(
    _ elements: [Element], jobs: Int, _ transform: @escaping @Sendable (Element) -> Mapped
) -> [Mapped] where Element: Sendable, Mapped: Sendable {
    guard jobs > 1, elements.count > 1 else { return elements.map(transform) }
    let results = ParallelResults<Mapped>(count: elements.count)
    DispatchQueue.concurrentPerform(iterations: min(jobs, elements.count)) { _ in
        while true {
            results.lock.lock()
            let index = results.next
            results.next += 1
            results.lock.unlock()
            guard index < elements.count else { return }
            let mapped = transform(elements[index])
            results.lock.lock()
            results.slots[index] = mapped
            results.lock.unlock()
        }
    }
    return results.slots.compactMap { $0 }
}

/// The results of `parallelMap`, one slot per element.
///
/// `@unchecked Sendable` is safe: `next` and `slots` are read and written only while `lock` is
/// held, and the slots are read by the caller after every thread has finished.
private final class ParallelResults<Mapped>: @unchecked Sendable {
    let lock = NSLock()
    var next = 0
    var slots: [Mapped?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
}
