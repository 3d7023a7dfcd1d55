import Foundation
import TriageModel

/// The answers given for the failures seen lately (each signature with the output line
/// `triage classify` writes for it), so that a failure that comes back byte for byte
/// (the same refused connection in every test of a run, the same missing fixture in every run)
/// is classified once.
///
/// `SignatureEngine.signature(for:)` depends on nothing but the engine and its input, so the
/// answer kept here for an input is the answer the engine gives for it. Memory is bounded: two
/// generations of at most `capacity` entries (split over shards with a lock each); when the
/// newer one is full it becomes the older one and the oldest entries are dropped, and an entry
/// found in the older one is copied into the newer one.
public final class SignatureMemo: Sendable {
    /// Everything a signature depends on, as bytes: the four fields, each absent or its bytes
    /// with their length, after a byte that says how they are written (decoded, or as JSON
    /// wrote them), so that two inputs share a key only when their fields are the same bytes
    /// (the engine reads bytes: two texts equal as Unicode but not as bytes may get different
    /// answers). Its hash is computed once, before any lock is taken.
    private struct Key: Hashable {
        static let decoded: UInt8 = 0x44
        static let asWritten: UInt8 = 0x57

        let bytes: [UInt8]
        let hash: Int

        /// The key of `fields`, built in `scratch` (whose buffer a later key reuses once this
        /// one is gone, so that looking up a remembered failure allocates nothing).
        init(form: UInt8, fields: Fields, scratch: inout [UInt8]) {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(form)
            func append(_ field: ArraySlice<UInt8>?) {
                guard let field else {
                    scratch.append(0)
                    return
                }
                scratch.append(1)
                withUnsafeBytes(of: UInt32(truncatingIfNeeded: field.count).littleEndian) {
                    scratch.append(contentsOf: $0)
                }
                scratch.append(contentsOf: field)
            }
            append(fields.message)
            append(fields.text)
            append(fields.failureType)
            append(fields.test)
            var hasher = Hasher()
            scratch.withUnsafeBytes { hasher.combine(bytes: $0) }
            self.init(bytes: scratch, hash: hasher.finalize())
        }

        private init(bytes: [UInt8], hash: Int) {
            self.bytes = bytes
            self.hash = hash
        }

        /// The same key in a buffer of its own, no larger than it, to be kept (not `scratch`'s,
        /// which may be larger and is written again by the next key).
        func compacted() -> Key {
            let copy = [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
                count = bytes.withUnsafeBufferPointer { buffer.initialize(from: $0).1 }
            }
            return Key(bytes: copy, hash: hash)
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }

        static func == (left: Key, right: Key) -> Bool {
            left.hash == right.hash && left.bytes.count == right.bytes.count
                && left.bytes.withUnsafeBytes { left in
                    right.bytes.withUnsafeBytes { right in
                        memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0
                    }
                }
        }
    }

    /// A part of the memo with a lock of its own, so threads rarely wait for each other.
    /// `@unchecked Sendable` is safe here: the two dictionaries are read and written only
    /// while `lock` is held.
    private final class Shard: @unchecked Sendable {
        let capacity: Int
        private let lock = NSLock()
        private var newer: [Key: ClassifyLine.Answer] = [:]
        private var older: [Key: ClassifyLine.Answer] = [:]

        init(capacity: Int) {
            self.capacity = capacity
            newer.reserveCapacity(capacity)
        }

        var count: Int { lock.withLock { newer.count + older.count } }

        func lookUp(_ key: Key) -> ClassifyLine.Answer? {
            lock.withLock {
                if let answer = newer[key] { return answer }
                // Copied up, not moved: the older generation goes as a whole.
                guard let answer = older[key] else { return nil }
                rememberLocked(answer, for: key.compacted())
                return answer
            }
        }

        func remember(_ answer: ClassifyLine.Answer, for key: Key) {
            let kept = key.compacted()
            lock.withLock { rememberLocked(answer, for: kept) }
        }

        private func rememberLocked(_ answer: ClassifyLine.Answer, for key: Key) {
            if newer.count >= capacity {
                older = newer
                newer = Dictionary(minimumCapacity: capacity)
            }
            newer[key] = answer
        }
    }

    /// A failure's four fields, each absent or its bytes.
    struct Fields {
        var message: ArraySlice<UInt8>?
        var text: ArraySlice<UInt8>?
        var failureType: ArraySlice<UInt8>?
        var test: ArraySlice<UInt8>?
    }

    public let engine: SignatureEngine
    /// The most entries one generation holds, over all shards.
    public let capacity: Int
    private let shards: [Shard]

    public init(engine: SignatureEngine, capacity: Int = 16_384) {
        precondition(capacity > 0, "a memo needs room for one entry")
        self.engine = engine
        self.capacity = capacity
        let count = min(16, capacity)
        shards = (0..<count).map { index in Shard(capacity: capacity / count + (index < capacity % count ? 1 : 0)) }
    }

    /// The entries held now: at most twice `capacity` (an input found in the older generation
    /// is held in both until that one goes).
    public var count: Int { shards.reduce(0) { $0 + $1.count } }

    /// The engine's signature for `input`: remembered, or computed (outside any lock, so
    /// threads classify at once) and remembered.
    public func signature(for input: FailureInput) -> Signature {
        var scratch: [UInt8] = []
        return answer(for: input, scratch: &scratch).signature
    }

    /// The answer for `input`, its key built in `scratch`.
    func answer(for input: FailureInput, scratch: inout [UInt8]) -> ClassifyLine.Answer {
        let fields = Fields(
            message: input.message.map { Array($0.utf8)[...] }, text: input.text.map { Array($0.utf8)[...] },
            failureType: input.failureType.map { Array($0.utf8)[...] }, test: input.test.map { Array($0.utf8)[...] })
        return answer(key: Key(form: Key.decoded, fields: fields, scratch: &scratch)) { input }!
    }

    /// The answer for the input whose fields are written `asWritten` (JSON string literals,
    /// quotes included, or nil), without reading them when it is remembered; `input` reads
    /// them when it is not. Nil when `input` gives nil. The key is built in `scratch`.
    func answer(
        asWritten fields: Fields, scratch: inout [UInt8], input: () -> FailureInput?
    ) -> ClassifyLine.Answer? {
        answer(key: Key(form: Key.asWritten, fields: fields, scratch: &scratch), input: input)
    }

    private func answer(key: Key, input: () -> FailureInput?) -> ClassifyLine.Answer? {
        let shard = shards[Int(UInt(bitPattern: key.hash) % UInt(shards.count))]
        if let known = shard.lookUp(key) { return known }
        guard let input = input() else { return nil }
        let answer = ClassifyLine.Answer(engine.signature(for: input))
        shard.remember(answer, for: key)
        return answer
    }
}
