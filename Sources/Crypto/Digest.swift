import CCrypto

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

    /// SHA-256 fetched once: `EVP_sha256()` makes every init look the algorithm up again under a
    /// lock, and a download digests every message twice (its own and its ack's).
    private nonisolated(unsafe) static let fetchedSHA256 = EVP_MD_fetch(nil, "SHA256", nil)

    public static func sha256(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        guard let md = fetchedSHA256 else {
            var digest = Digest(.sha256)
            digest.update(bytes)
            return digest.finalize()
        }
        func oneShot(_ buffer: UnsafeBufferPointer<UInt8>) -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: 32) { output, count in
                var length: UInt32 = 0
                count = EVP_Digest(buffer.baseAddress, buffer.count, output.baseAddress, &length, md, nil) == 1 ? Int(length) : 0
            }
        }
        if let digest = bytes.withContiguousStorageIfAvailable(oneShot) { return digest }
        return Array(bytes).withUnsafeBufferPointer(oneShot)
    }

    public static func sha256(_ string: String) -> [UInt8] { sha256(Array(string.utf8)) }

    public static func sha1(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var digest = Digest(.sha1)
        digest.update(bytes)
        return digest.finalize()
    }

    public static func sha1(_ string: String) -> [UInt8] { sha1(Array(string.utf8)) }
}
