import CCrypto

/// Process-wide settings of OpenSSL's libcrypto (which libcurl's TLS shares).
public enum CryptoLibrary {
    /// Keeps OpenSSL's global state alive until the process is gone. By default OpenSSL 3
    /// registers an atexit handler (OPENSSL_cleanup) that frees its providers and tables while
    /// other threads may still be hashing a session's messages or signing a request, which
    /// crashes the process on its way out (seen as signal 11 after "Exiting session"). With
    /// OPENSSL_INIT_NO_ATEXIT the kernel reclaims the memory instead (OPENSSL_init_crypto(3)).
    /// Only the first initialisation decides, so this must run before anything else uses
    /// OpenSSL, libcurl included.
    public static func keepStateUntilExit() {
        _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil)
    }
}
