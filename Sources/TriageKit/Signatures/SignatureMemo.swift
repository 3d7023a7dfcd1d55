import Foundation
import TriageModel

/// The signatures of the failures seen lately, so that a failure that comes back byte for byte
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

        init(form: UInt8, fields: [ArraySlice<UInt8>?]) {
            var bytes: [UInt8] = [form]
            bytes.reserveCapacity(fields.reduce(1) { $0 + 5 + ($1?.count ?? 0) })
            for field in fields {
                guard let field else {
                    bytes.append(0)
                    continue
                }
                bytes.append(1)
                withUnsafeBytes(of: UInt32(truncatingIfNeeded: field.count).littleEndian) {
                    bytes.append(contentsOf: $0)
                }
                bytes.append(contentsOf: field)
            }
            self.bytes = bytes
            var hasher = Hasher()
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
            hash = hasher.finalize()
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
        private var newer: [Key: Signature] = [:]
        private var older: [Key: Signature] = [:]

        init(capacity: Int) {
            self.capacity = capacity
            newer.reserveCapacity(capacity)
        }

        var count: Int { lock.withLock { newer.count + older.count } }

        func lookUp(_ key: Key) -> Signature? {
            lock.withLock {
                if let signature = newer[key] { return signature }
                // Copied up, not moved: the older generation goes as a whole.
                guard let signature = older[key] else { return nil }
                rememberLocked(signature, for: key)
                return signature
            }
        }

        func remember(_ signature: Signature, for key: Key) {
            lock.withLock { rememberLocked(signature, for: key) }
        }

        private func rememberLocked(_ signature: Signature, for key: Key) {
            if newer.count >= capacity {
                older = newer
                newer = Dictionary(minimumCapacity: capacity)
            }
            newer[key] = signature
        }
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
        let fields = [input.message, input.text, input.failureType, input.test].map { $0.map { Array($0.utf8)[...] } }
        return signature(key: Key(form: Key.decoded, fields: fields)) { input }!
    }

    /// The signature for the input whose message, text, failure type and test are written
    /// `asWritten` (JSON string literals, quotes included, or nil), without reading them when
    /// it is remembered; `input` reads them when it is not. Nil when `input` gives nil.
    func signature(asWritten fields: [ArraySlice<UInt8>?], input: () -> FailureInput?) -> Signature? {
        signature(key: Key(form: Key.asWritten, fields: fields), input: input)
    }

    private func signature(key: Key, input: () -> FailureInput?) -> Signature? {
        let shard = shards[Int(UInt(bitPattern: key.hash) % UInt(shards.count))]
        if let known = shard.lookUp(key) { return known }
        guard let input = input() else { return nil }
        let signature = engine.signature(for: input)
        shard.remember(signature, for: key)
        return signature
    }
}
