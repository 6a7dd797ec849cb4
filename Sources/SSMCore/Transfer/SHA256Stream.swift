import Crypto

/// SHA-256 over bytes that arrive in pieces (a file sent or received chunk by chunk): a reference
/// around OpenSSL's context, so the values that carry it stay copyable.
public final class SHA256Stream {
    private var digest: Digest? = Digest(.sha256)

    public init() {}

    public func update(_ bytes: some Sequence<UInt8>) { digest?.update(bytes) }

    /// The digest in lowercase hex, as sha256sum prints it; the stream is spent after this.
    public func hex() -> String {
        guard let done = digest.take() else { return "" }
        return Hex.encode(done.finalize())
    }
}
