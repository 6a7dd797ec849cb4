import CCrypto

/// Cryptographically secure random bytes from OpenSSL's DRBG (seeded by the OS).
/// Used for WebSocket masks and keys, message ids and retry jitter seeds.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return output }
        if RAND_bytes(&output, Int32(count)) != 1 {
            // RAND_bytes fails only when the OS entropy source is unavailable; fall back to the
            // system generator, which reads the same source through getrandom(2).
            var generator = SystemRandomNumberGenerator()
            for index in output.indices { output[index] = generator.next() }
        }
        return output
    }
}

/// A RandomNumberGenerator over SecureRandom, for code that takes a generator.
public struct SecureRandomNumberGenerator: RandomNumberGenerator, Sendable {
    public init() {}
    public mutating func next() -> UInt64 {
        SecureRandom.bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// SecureRandom bytes drawn 4 KiB at a time: a session takes 16 bytes for every message id and 4
/// for every WebSocket mask, and one RAND_bytes call per message cost more than the message's
/// other work (docs/architecture.md, "Where a forward's time goes"). Not shared: one per session thread.
public struct SecureRandomPool {
    private var buffer: [UInt8] = []
    private var used = 0
    private let refill: Int

    public init(refill: Int = 4096) { self.refill = max(64, refill) }

    public mutating func bytes(_ count: Int) -> [UInt8] {
        guard count <= refill else { return SecureRandom.bytes(count) }
        if used + count > buffer.count {
            buffer = SecureRandom.bytes(refill)
            used = 0
        }
        defer { used += count }
        return Array(buffer[used..<used + count])
    }

    /// Four bytes as one word (a WebSocket mask key), with no array between.
    public mutating func word() -> UInt32 {
        if used + 4 > buffer.count {
            buffer = SecureRandom.bytes(refill)
            used = 0
        }
        defer { used += 4 }
        return buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: used, as: UInt32.self) }
    }
}
