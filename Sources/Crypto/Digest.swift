import CCrypto
import Glibc

/// One-shot and incremental message digests over OpenSSL's EVP interface.
/// SHA-256 signs every AWS request (SigV4); SHA-1 names cache files and checks WebSocket accepts.
public struct Digest: ~Copyable {
    public enum Algorithm: Sendable {
        case sha256, sha1

        public var outputSize: Int { self == .sha256 ? 32 : 20 }

        fileprivate var evp: OpaquePointer? { self == .sha256 ? EVP_sha256() : EVP_sha1() }
    }

    private let context: OpaquePointer
    public let algorithm: Algorithm

    public init(_ algorithm: Algorithm) {
        // EVP_MD_CTX_new fails only when memory is exhausted, which nothing here can recover from.
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context") }
        EVP_DigestInit_ex(context, algorithm.evp, nil)
        self.context = context
        self.algorithm = algorithm
    }

    deinit { EVP_MD_CTX_free(context) }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            _ = EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
        }
        if done == nil {
            let array = Array(bytes)
            array.withUnsafeBufferPointer { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        }
    }

    public mutating func update(_ string: String) {
        var string = string
        string.withUTF8 { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
    }

    public consuming func finalize() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        return Array(output.prefix(Int(length)))
    }

    /// One-shot through `ccrypto_sha256` (the context on the stack): EVP_Digest allocated and
    /// freed two contexts per call, and a session digests every message (docs/benchmarks.md).
    public static func sha256(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        func oneShot(_ buffer: UnsafeBufferPointer<UInt8>) -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: 32) { output, count in
                sha256(UnsafeRawBufferPointer(buffer), into: UnsafeMutableRawBufferPointer(output))
                count = 32
            }
        }
        if let digest = bytes.withContiguousStorageIfAvailable(oneShot) { return digest }
        return Array(bytes).withUnsafeBufferPointer(oneShot)
    }

    public static func sha256(_ string: String) -> [UInt8] { sha256(Array(string.utf8)) }

    /// SHA-256 of `bytes` written into `output` (32 bytes): no array, no EVP context allocated
    /// (the data channel digests every message and every ack).
    public static func sha256(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= 32, "a SHA-256 digest needs 32 bytes")
        // SHA256_Update cannot fail on a valid context; a failed init (never seen) leaves zeros,
        // which no digest check accepts.
        if ccrypto_sha256(bytes.baseAddress, bytes.count, output.baseAddress!.assumingMemoryBound(to: UInt8.self)) != 1 {
            output.initializeMemory(as: UInt8.self, repeating: 0)
        }
    }

    /// Whether `bytes` digest to `expected` (32 bytes), with the digest computed on the stack.
    public static func sha256(_ bytes: [UInt8], matches expected: [UInt8]) -> Bool {
        guard expected.count == 32 else { return false }
        return withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { digest in
            bytes.withUnsafeBytes { sha256($0, into: digest) }
            return expected.withUnsafeBytes { memcmp($0.baseAddress!, digest.baseAddress!, 32) == 0 }
        }
    }

    public static func sha1(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var digest = Digest(.sha1)
        digest.update(bytes)
        return digest.finalize()
    }

    public static func sha1(_ string: String) -> [UInt8] { sha1(Array(string.utf8)) }
}
