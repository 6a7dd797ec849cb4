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
