import CCrypto

/// HMAC-SHA256 (RFC 2104 over FIPS 180-4), the primitive behind SigV4's signing key and signature.
public enum HMAC {
    public static func sha256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        // A NULL pointer with length 0 is rejected by some OpenSSL builds: never pass an empty buffer.
        let key = Array(key)
        let message = Array(message)
        let keyBytes = key.isEmpty ? [UInt8(0)] : key
        let messageBytes = message.isEmpty ? [UInt8(0)] : message
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        keyBytes.withUnsafeBufferPointer { k in
            messageBytes.withUnsafeBufferPointer { m in
                _ = CCrypto.HMAC(EVP_sha256(), k.baseAddress, Int32(key.count), m.baseAddress, message.count, &output, &length)
            }
        }
        return output
    }

    public static func sha256(key: some Collection<UInt8>, message: String) -> [UInt8] {
        sha256(key: key, message: Array(message.utf8))
    }
}
