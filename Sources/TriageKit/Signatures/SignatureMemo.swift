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
/// found in the older one moves up.
public final class SignatureMemo: Sendable {
    /// Everything a signature depends on, compared byte for byte (the engine reads bytes, so
    /// two texts that are equal as Unicode but not as bytes may get different answers). Its
    /// hash is computed once, before the lock is taken.
    private struct Key: Hashable {
        var message: String?
        var text: String?
        var failureType: String?
        var test: String?
        let hash: Int

        init(_ input: FailureInput) {
            message = input.message
            text = input.text
            failureType = input.failureType
            test = input.test
            var hasher = Hasher()
            for field in [message, text, failureType, test] {
                guard var field else {
                    hasher.combine(0 as UInt8)
                    continue
                }
                hasher.combine(1 as UInt8)
                field.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
                hasher.combine(field.utf8.count)
            }
            hash = hasher.finalize()
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }

        static func == (left: Key, right: Key) -> Bool {
            func same(_ left: String?, _ right: String?) -> Bool {
                switch (left, right) {
                case (nil, nil): true
                case (var left?, var right?):
                    left.utf8.count == right.utf8.count
                        && left.withUTF8 { left in
                            right.withUTF8 { right in
                                left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0
                            }
                        }
                default: false
                }
            }
            return left.hash == right.hash && same(left.message, right.message) && same(left.text, right.text)
                && same(left.failureType, right.failureType) && same(left.test, right.test)
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

        init(capacity: Int) { self.capacity = capacity }

        var count: Int { lock.withLock { newer.count + older.count } }

        func lookUp(_ key: Key) -> Signature? {
            lock.withLock {
                if let signature = newer[key] { return signature }
                guard let signature = older.removeValue(forKey: key) else { return nil }
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
                newer = [:]
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

    /// The number of inputs remembered now (at most twice `capacity`).
    public var count: Int { shards.reduce(0) { $0 + $1.count } }

    /// The engine's signature for `input`: remembered, or computed (outside any lock, so
    /// threads classify at once) and remembered.
    public func signature(for input: FailureInput) -> Signature {
        let key = Key(input)
        let shard = shards[Int(UInt(bitPattern: key.hash) % UInt(shards.count))]
        if let known = shard.lookUp(key) { return known }
        let signature = engine.signature(for: input)
        shard.remember(signature, for: key)
        return signature
    }
}
