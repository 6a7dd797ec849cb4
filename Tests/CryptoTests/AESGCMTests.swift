import Crypto
import Testing

/// AES-256 test cases 13-16 of "The Galois/Counter Mode of Operation (GCM)", McGrew and Viega,
/// the vectors NIST's GCM validation (SP 800-38D) was built from.
@Suite struct AESGCMTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String, key: String, iv: String, plaintext: String, aad: String, ciphertext: String, tag: String
        var testDescription: String { name }
    }

    static let k15 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
    static let p15 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
    static let c15 = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"

    static let cases: [Case] = [
        Case(
            name: "13", key: String(repeating: "00", count: 32), iv: String(repeating: "00", count: 12),
            plaintext: "", aad: "", ciphertext: "", tag: "530f8afbc74536b9a963b4f1c4cb738b"),
        Case(
            name: "14", key: String(repeating: "00", count: 32), iv: String(repeating: "00", count: 12),
            plaintext: String(repeating: "00", count: 16), aad: "",
            ciphertext: "cea7403d4d606b6e074ec5d3baf39d18", tag: "d0d1c8a799996bf0265b98b5d48ab919"),
        Case(
            name: "15", key: k15, iv: "cafebabefacedbaddecaf888", plaintext: p15, aad: "",
            ciphertext: c15, tag: "b094dac5d93471bdec1a502270e3cc6c"),
        Case(
            name: "16", key: k15, iv: "cafebabefacedbaddecaf888", plaintext: String(p15.dropLast(8)),
            aad: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            ciphertext: String(c15.dropLast(8)), tag: "76fc6ece0f4e1768cddf8853bb2d551b"),
    ]

    @Test(arguments: cases)
    func sealAndOpen(_ c: Case) throws {
        let key = try #require(Hex.decode(c.key))
        let iv = try #require(Hex.decode(c.iv))
        let plaintext = try #require(Hex.decode(c.plaintext))
        let aad = try #require(Hex.decode(c.aad))
        let sealed = try AESGCM.seal(plaintext, key: key, nonce: iv, authenticating: aad)
        #expect(Hex.encode(sealed.ciphertext) == c.ciphertext)
        #expect(Hex.encode(sealed.tag) == c.tag)
        #expect(try AESGCM.open(sealed, key: key, nonce: iv, authenticating: aad) == plaintext)
    }

    @Test func tamperedDataIsRejected() throws {
        let key = try #require(Hex.decode(Self.k15))
        let iv = try #require(Hex.decode("cafebabefacedbaddecaf888"))
        var sealed = try AESGCM.seal(Array("secret".utf8), key: key, nonce: iv)
        sealed.ciphertext[0] ^= 1
        #expect(throws: AESGCM.Failure.self) { try AESGCM.open(sealed, key: key, nonce: iv) }
        #expect(throws: AESGCM.Failure.self) { try AESGCM.seal([1], key: [1, 2], nonce: iv) }
    }
}
