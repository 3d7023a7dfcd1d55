import Foundation
import TriageModel
import TriageStore

/// Parses a file on a thread of its own while the caller writes cases, so that ingest takes
/// about as long as the slower of the two instead of their sum, and several files can parse
/// on several cores while one writer stores them in order. The parsing thread also gives each
/// failed attempt its signature, so the writer only stores. Cases travel in batches through a
/// queue bounded in bytes: memory stays flat whatever the file's size.
final class CasePipeline {
    private let queue = BatchQueue()

    /// Starts reading `url` on a background thread; `drain` hands its cases over.
    init(
        _ url: URL, displayPath: String, format: ReportFormat?, inspection: FileInspection? = nil,
        engine: SignatureEngine
    ) {
        let queue = self.queue
        let thread = Thread {
            do {
                var batch: [ClassifiedCase] = []
                var batchBytes = 0
                batch.reserveCapacity(BatchQueue.batchSize)
                let info = try ReportReader.read(
                    url, displayPath: displayPath, format: format, inspection: inspection
                ) { testCase in
                    batch.append(ClassifiedCase(testCase: testCase, signatures: engine.signatures(of: testCase)))
                    batchBytes += testCase.approximateBytes
                    if batch.count == BatchQueue.batchSize {
                        try queue.push(.cases(batch), bytes: batchBytes)
                        batch.removeAll(keepingCapacity: true)
                        batchBytes = 0
                    }
                }
                if !batch.isEmpty { try queue.push(.cases(batch), bytes: batchBytes) }
                try? queue.push(.finished(info))
            } catch {
                try? queue.push(.failed(error))
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Hands every case to `write` on this thread as the parser finishes it. An error on either
    /// side stops both; the first one is thrown.
    func drain(write: (TestCase, [Signature?]) throws -> Void) throws -> ParsedFileInfo {
        while true {
            switch queue.pop() {
            case .cases(let batch):
                do {
                    for item in batch { try write(item.testCase, item.signatures) }
                } catch {
                    cancel()
                    throw error
                }
            case .finished(let info):
                return info
            case .failed(let error):
                throw error
            }
        }
    }

    /// Stops the parser at its next hand-over and waits for its thread to end.
    func cancel() {
        queue.cancel()
        queue.waitUntilProducerDone()
    }
}

/// A parsed case with the signature of each attempt (see `SignatureEngine.signatures(of:)`).
struct ClassifiedCase: Sendable {
    var testCase: TestCase
    var signatures: [Signature?]
}

extension SignatureEngine {
    /// The signature of each failed attempt the producer reported, nil for the others; empty
    /// when none failed (most cases), so that passing cases cost no array.
    package func signatures(of testCase: TestCase) -> [Signature?] {
        guard testCase.attempts.contains(where: { $0.outcome.isFailure && !$0.isInferred }) else { return [] }
        let test = testCase.identity.baseID
        return testCase.attempts.map { attempt in
            guard attempt.outcome.isFailure, !attempt.isInferred else { return nil }
            return signature(
                for: FailureInput(
                    message: attempt.message, text: attempt.failureText, failureType: attempt.failureType, test: test))
        }
    }
}

extension TestCase {
    /// Roughly what the case holds in memory, to bound the cases waiting to be written.
    var approximateBytes: Int {
        var bytes = 256 + suite.utf8.count + suitePath.utf8.count + classname.utf8.count + name.utf8.count
        for attempt in attempts {
            bytes += 96 + (attempt.message?.utf8.count ?? 0) + (attempt.failureText?.utf8.count ?? 0)
                + (attempt.stdout?.utf8.count ?? 0) + (attempt.stderr?.utf8.count ?? 0)
        }
        return bytes
    }
}

/// A single-producer, single-consumer queue of case batches, bounded by the bytes it holds.
///
/// `@unchecked Sendable` is safe here: every stored property is read and written only while
/// `condition` is locked, and the batches it carries are `Sendable` values.
private final class BatchQueue: @unchecked Sendable {
    enum Item: Sendable {
        case cases([ClassifiedCase])
        case finished(ParsedFileInfo)
        case failed(Error)
    }

    struct Cancelled: Error {}

    static let batchSize = 256
    /// A parser runs at most this far ahead of the writer (a batch is always let through).
    private static let capacityBytes = 1 << 20

    private let condition = NSCondition()
    private var items: [(item: Item, bytes: Int)] = []
    private var heldBytes = 0
    private var isCancelled = false
    private var producerDone = false

    /// Adds an item, waiting while the queue is full; throws once the consumer has given up.
    func push(_ item: Item, bytes: Int = 0) throws {
        condition.lock()
        defer { condition.unlock() }
        while heldBytes > 0, heldBytes + bytes > Self.capacityBytes, !isCancelled { condition.wait() }
        if case .cases = item, isCancelled {
            throw Cancelled()
        }
        items.append((item, bytes))
        heldBytes += bytes
        if case .cases = item {} else { producerDone = true }
        condition.broadcast()
    }

    func pop() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        // A few dozen batches at most: removing the first moves little.
        let (item, bytes) = items.removeFirst()
        heldBytes -= bytes
        condition.broadcast()
        return item
    }

    /// Tells the producer to stop at its next push.
    func cancel() {
        condition.lock()
        isCancelled = true
        items.removeAll()
        heldBytes = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the producer's last push (its finished or failed item), so no thread outlives the ingest.
    func waitUntilProducerDone() {
        condition.lock()
        defer { condition.unlock() }
        while !producerDone { condition.wait() }
    }
}
