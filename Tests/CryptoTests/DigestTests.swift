import Crypto
import Testing

/// FIPS 180-4 example vectors (NIST CSRC "Examples with Intermediate Values") for SHA-256 and SHA-1.
@Suite struct DigestTests {
    static let twoBlock = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (twoBlock, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256(input: String, expected: String) {
        #expect(Hex.encode(Digest.sha256(input)) == expected)
    }

    /// The data channel's digests (written in place, and checked without an array) give the same
    /// bytes as the one-shot, and a check fails on any other digest.
    @Test(arguments: ["", "abc", twoBlock, String(repeating: "x", count: 1016)])
    func sha256InPlaceAndMatching(input: String) {
        let bytes = Array(input.utf8)
        var written = [UInt8](repeating: 0xff, count: 40)
        bytes.withUnsafeBytes { source in
            written.withUnsafeMutableBytes { Digest.sha256(source, into: UnsafeMutableRawBufferPointer(rebasing: $0[4..<36])) }
        }
        let digest = Digest.sha256(bytes)
        #expect(Array(written[4..<36]) == digest)
        #expect(written[0..<4].allSatisfy { $0 == 0xff } && written[36...].allSatisfy { $0 == 0xff }, "only the 32 bytes given are written")
        #expect(Digest.sha256(bytes, matches: digest))
        var wrong = digest
        wrong[31] ^= 1
        #expect(!Digest.sha256(bytes, matches: wrong))
        #expect(!Digest.sha256(bytes, matches: Array(digest.prefix(31))))
    }

    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (twoBlock, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
    ])
    func sha1(input: String, expected: String) {
        #expect(Hex.encode(Digest.sha1(input)) == expected)
    }

    @Test func millionAsIncrementally() {
        var sha256 = Digest(.sha256)
        var sha1 = Digest(.sha1)
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 {
            sha256.update(chunk)
            sha1.update(chunk)
        }
        #expect(Hex.encode(sha256.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(Hex.encode(sha1.finalize()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func hexRoundTripAndRejects() {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xfe, 0xff]
        #expect(Hex.encode(bytes) == "00017f80feff")
        #expect(Hex.decode("00017F80FEFF") == bytes)
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    @Test func randomBytesDiffer() {
        let a = SecureRandom.bytes(32)
        let b = SecureRandom.bytes(32)
        #expect(a.count == 32)
        #expect(a != b)
        #expect(SecureRandom.bytes(0).isEmpty)
    }
}
