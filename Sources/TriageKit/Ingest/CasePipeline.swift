import Foundation

/// Parses a file on a second thread while the caller writes its cases, so that ingest takes
/// about as long as the slower of the two instead of their sum. Cases travel in small batches
/// through a bounded queue: memory stays flat whatever the file's size.
enum CasePipeline {
    /// Reads `url` on a background thread and hands every case to `write` on this thread.
    /// An error on either side stops both; the first one is thrown.
    static func read(
        _ url: URL, displayPath: String, format: ReportFormat?, inspection: FileInspection? = nil,
        write: (TestCase) throws -> Void
    ) throws -> ParsedFileInfo {
        let queue = BatchQueue()
        let thread = Thread {
            do {
                var batch: [TestCase] = []
                batch.reserveCapacity(BatchQueue.batchSize)
                let info = try ReportReader.read(
                    url, displayPath: displayPath, format: format, inspection: inspection
                ) { testCase in
                    batch.append(testCase)
                    if batch.count == BatchQueue.batchSize {
                        try queue.push(.cases(batch))
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { try queue.push(.cases(batch)) }
                try? queue.push(.finished(info))
            } catch {
                try? queue.push(.failed(error))
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
        while true {
            switch queue.pop() {
            case .cases(let batch):
                do {
                    for testCase in batch { try write(testCase) }
                } catch {
                    queue.cancel()
                    queue.waitUntilProducerDone()
                    throw error
                }
            case .finished(let info):
                return info
            case .failed(let error):
                throw error
            }
        }
    }
}

/// A bounded single-producer, single-consumer queue of case batches.
///
/// `@unchecked Sendable` is safe here: every stored property is read and written only while
/// `condition` is locked, and the batches it carries are `Sendable` values.
private final class BatchQueue: @unchecked Sendable {
    enum Item: Sendable {
        case cases([TestCase])
        case finished(ParsedFileInfo)
        case failed(Error)
    }

    struct Cancelled: Error {}

    static let batchSize = 256
    private static let capacity = 8

    private let condition = NSCondition()
    private var items: [Item] = []
    private var isCancelled = false
    private var producerDone = false

    /// Adds an item, waiting while the queue is full; throws once the consumer has given up.
    func push(_ item: Item) throws {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= Self.capacity, !isCancelled { condition.wait() }
        if case .cases = item, isCancelled {
            throw Cancelled()
        }
        items.append(item)
        if case .cases = item {} else { producerDone = true }
        condition.broadcast()
    }

    func pop() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// Tells the producer to stop at its next push.
    func cancel() {
        condition.lock()
        isCancelled = true
        items.removeAll()
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
