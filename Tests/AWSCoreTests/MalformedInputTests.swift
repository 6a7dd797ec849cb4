import AWSCore
import TestSupport
import Testing

/// Bad input of any kind gets an error, never a crash: random and mutated input to every parser
/// of this module (config files, XML, JSON, URLs, timestamps, error bodies). Seeded, so a failure
/// reproduces.
@Suite struct MalformedInputTests {

    static let seeds: [String] = [
        "[profile a]\nregion = us-east-1\ns3 =\n  x = y\n[sso-session s]\nsso_region = x\n",
        "<ErrorResponse><Error><Code>A</Code><Message>m &amp; n</Message></Error><RequestId>r</RequestId></ErrorResponse>",
        #"{"__type":"com.amazon#X:http://a","message":"m","Nested":{"a":[1,2,{"b":null}]}}"#,
        "https://user@[::1]:8443/a/b?c=d&e=%41",
        "2021-08-05T19:58:02.123+01:00",
    ]

    static func mutate(_ text: String, using rng: inout SplitMix64) -> [UInt8] {
        var bytes = Array(text.utf8)
        let alphabet = Array("[]=<>/&;#\"'{}\\:% \n\t\r-.0Z".utf8) + [0, 0xff, 0xc3, 0x28]
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            let kind = Int.random(in: 0..<4, using: &rng)
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch kind {
            case 0 where !bytes.isEmpty: bytes.remove(at: position)
            case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: position)
            case 2 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &rng)
            default: bytes = Array(bytes.prefix(position))
            }
        }
        return bytes
    }

    @Test func parsersNeverCrash() throws {
        var rng = SplitMix64(seed: 20261129)
        var failures = 0
        for round in 0..<20_000 {
            let seed = Self.seeds[round % Self.seeds.count]
            let bytes = Self.mutate(seed, using: &rng)
            let text = String(decoding: bytes, as: UTF8.self)
            if (try? ProfileSet.parse(config: ("c", text), credentials: ("k", text))) == nil { failures += 1 }
            _ = try? XMLElement(parsing: bytes)
            _ = try? JSONValue(parsing: bytes)
            _ = try? EndpointURL(parsing: text)
            _ = CivilTime.parseISO8601(text)
            _ = JSONProtocol.parseError(HTTPResponse(status: 400, body: bytes), service: "ssm", operation: "X")
            _ = QueryProtocol.parseError(HTTPResponse(status: 400, body: bytes), service: "sts", operation: "X")
            _ = Redactor.body(bytes, contentType: nil)
            _ = try? ShellWords.split(text)
        }
        #expect(failures > 0, "the mutations must produce some invalid files")
    }

    @Test func deepNestingIsRefusedNotOverflowed() {
        let deep = String(repeating: "<a>", count: 100_000)
        #expect(throws: XMLElement.ParseError.self) { try XMLElement(parsing: deep) }
    }
}

extension MalformedInputTests {
    @Test func deeplyNestedJSONIsAnError() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: deep) }
    }
}
