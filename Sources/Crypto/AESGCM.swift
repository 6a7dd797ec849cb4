import CCrypto

/// AES-256-GCM (NIST SP 800-38D), used by KMS-encrypted Session Manager sessions.
public enum AESGCM {
    public struct Sealed: Equatable, Sendable {
        public var ciphertext: [UInt8]
        public var tag: [UInt8]
        public init(ciphertext: [UInt8], tag: [UInt8]) {
            self.ciphertext = ciphertext
            self.tag = tag
        }
    }

    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Encrypts with a 32-byte key; any non-empty nonce length is allowed (12 bytes is the norm).
    public static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8] = []) throws(Failure) -> Sealed {
        try checkParameters(key: key, nonce: nonce)
        guard let context = EVP_CIPHER_CTX_new() else { throw Failure(description: "OpenSSL could not allocate a cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var tag = [UInt8](repeating: 0, count: 16)
        var length: Int32 = 0
        var total = 0
        var ok = EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1
        ok = ok && ccrypto_gcm_set_ivlen(context, Int32(nonce.count)) == 1
        ok = ok && EVP_EncryptInit_ex(context, nil, nil, key, nonce) == 1
        if ok && !aad.isEmpty { ok = EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1 }
        if ok && !plaintext.isEmpty {
            ok = EVP_EncryptUpdate(context, &ciphertext, &length, plaintext, Int32(plaintext.count)) == 1
            total = Int(length)
        }
        if ok {
            ok = ciphertext.withUnsafeMutableBufferPointer { buffer in
                EVP_EncryptFinal_ex(context, buffer.baseAddress! + total, &length) == 1
            }
            total += Int(length)
        }
        ok = ok && ccrypto_gcm_get_tag(context, 16, &tag) == 1
        guard ok else { throw Failure(description: "AES-256-GCM encryption failed in OpenSSL") }
        return Sealed(ciphertext: Array(ciphertext.prefix(total)), tag: tag)
    }

    /// Decrypts and verifies; a wrong key, nonce, AAD or tag is an authentication failure.
    public static func open(_ sealed: Sealed, key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8] = []) throws(Failure) -> [UInt8] {
        try checkParameters(key: key, nonce: nonce)
        guard sealed.tag.count == 16 else { throw Failure(description: "the AES-GCM tag must be 16 bytes, not \(sealed.tag.count)") }
        guard let context = EVP_CIPHER_CTX_new() else { throw Failure(description: "OpenSSL could not allocate a cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var plaintext = [UInt8](repeating: 0, count: sealed.ciphertext.count + 16)
        var tag = sealed.tag
        var length: Int32 = 0
        var total = 0
        var ok = EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1
        ok = ok && ccrypto_gcm_set_ivlen(context, Int32(nonce.count)) == 1
        ok = ok && EVP_DecryptInit_ex(context, nil, nil, key, nonce) == 1
        if ok && !aad.isEmpty { ok = EVP_DecryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1 }
        if ok && !sealed.ciphertext.isEmpty {
            ok = EVP_DecryptUpdate(context, &plaintext, &length, sealed.ciphertext, Int32(sealed.ciphertext.count)) == 1
            total = Int(length)
        }
        ok = ok && ccrypto_gcm_set_tag(context, 16, &tag) == 1
        guard ok else { throw Failure(description: "AES-256-GCM decryption failed in OpenSSL") }
        let verified = plaintext.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(context, buffer.baseAddress! + total, &length) == 1
        }
        guard verified else { throw Failure(description: "the AES-GCM tag does not match: the data or key is wrong") }
        total += Int(length)
        return Array(plaintext.prefix(total))
    }

    private static func checkParameters(key: [UInt8], nonce: [UInt8]) throws(Failure) {
        guard key.count == 32 else { throw Failure(description: "an AES-256 key must be 32 bytes, not \(key.count)") }
        guard !nonce.isEmpty else { throw Failure(description: "an AES-GCM nonce must not be empty") }
    }
}
