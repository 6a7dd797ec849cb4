import AWSCore
import Testing
import TestSupport

/// Error parsing against botocore's protocol suites: the 12 awsJson1_1 error cases and the 3
/// awsQuery error cases. (Success-shape cases need model-driven codecs; the shell's typed
/// operations read their fields by name and are tested in SSMCoreTests.)
@Suite struct ProtocolSuiteTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let file: String, suite: Int, index: Int, id: String
        var testDescription: String { id }
    }

    static func errorCases(_ file: String) -> [Case] {
        guard let suites = (try? JSONValue(parsing: Fixtures.bytes(file)))?.array else { return [] }
        return suites.enumerated().flatMap { s, suite in
            suite["cases"]!.array!.enumerated().compactMap { i, c in
                c["errorCode"] == nil ? nil : Case(file: file, suite: s, index: i, id: c["id"]!.string!)
            }
        }
    }

    static let jsonCases = errorCases("protocols/botocore/output/json.json")
    static let queryCases = errorCases("protocols/botocore/output/query.json")

    static func response(_ c: Case) throws -> (HTTPResponse, JSONValue) {
        let test = try JSONValue(parsing: Fixtures.bytes(c.file))[c.suite]!["cases"]![c.index]!
        let r = test["response"]!
        var headers = HTTPHeaders()
        for (k, v) in r["headers"]?.object ?? [:] { headers.add(k, v.string!) }
        return (HTTPResponse(status: r["status_code"]!.int!, headers: headers, body: Array((r["body"]?.string ?? "").utf8)), test)
    }

    @Test(arguments: jsonCases)
    func jsonError(_ c: Case) throws {
        let (response, test) = try Self.response(c)
        let error = JSONProtocol.parseError(response, service: "ssm", operation: "GreetingWithErrors")
        #expect(error.code == test["errorCode"]!.string!)
        #expect(error.message == (test["errorMessage"]?.string ?? ""))
        #expect(error.status == response.status)
        for (key, value) in test["error"]!.object! where key != "Message" {
            #expect(error.fields[key] == value)
        }
    }

    @Test(arguments: queryCases)
    func queryError(_ c: Case) throws {
        let (response, test) = try Self.response(c)
        let error = QueryProtocol.parseError(response, service: "sts", operation: "GreetingWithErrors")
        #expect(error.code == test["errorCode"]!.string!)
        #expect(error.message == (test["errorMessage"]?.string ?? ""))
        #expect(error.requestId == "foo-id")
        for (key, value) in test["error"]!.object! where key != "Message" {
            #expect(error.fields[key] == value)
        }
    }

    @Test func counts() {
        #expect(Self.jsonCases.count == 12)
        #expect(Self.queryCases.count == 3)
    }

    @Test func nonJSONBodyBecomesTheMessage() {
        let response = HTTPResponse(status: 502, body: Array("<html>Bad Gateway</html>".utf8))
        let error = JSONProtocol.parseError(response, service: "ssm", operation: "SendCommand")
        #expect(error.code == "502")
        #expect(error.message == "<html>Bad Gateway</html>")
        #expect(error.description == "An error occurred (502) when calling the SendCommand operation: <html>Bad Gateway</html>")
    }

    @Test func realSSMErrorShapes() {
        var headers = HTTPHeaders()
        headers.add("x-amzn-RequestId", "req-1")
        let denied = JSONProtocol.parseError(
            HTTPResponse(
                status: 400, headers: headers,
                body: Array(
                    #"{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User: arn:aws:iam::1:user/u is not authorized to perform: ssm:SendCommand"}"#
                        .utf8)),
            service: "ssm", operation: "SendCommand")
        #expect(denied.code == "AccessDeniedException")
        #expect(denied.isAccessDenied)
        #expect(denied.requestId == "req-1")
        #expect(denied.description.hasSuffix("(request id req-1)"))
    }

    @Test func queryEncodingMatchesBotocore() {
        // botocore: Action=AssumeRole&Version=2011-06-15&RoleArn=...&RoleSessionName=...&PolicyArns.member.1.arn=...
        let body = QueryProtocol.encode(
            action: "AssumeRole", version: "2011-06-15",
            parameters: [
                "RoleArn": "arn:aws:iam::123456789012:role/R", "RoleSessionName": "s",
                "PolicyArns": [["arn": "arn:aws:iam::aws:policy/ReadOnly"]], "DurationSeconds": 3600,
            ])
        #expect(
            body
                == "Action=AssumeRole&Version=2011-06-15&DurationSeconds=3600&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnly&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FR&RoleSessionName=s"
        )
        let ec2 = QueryProtocol.encode(action: "DescribeInstances", version: "2016-11-15", parameters: ["InstanceId": ["i-1", "i-2"]], flavor: .ec2)
        #expect(ec2 == "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-1&InstanceId.2=i-2")
    }

    @Test func xmlParserHandlesEntitiesAndRejectsGarbage() throws {
        let root = try XMLElement(
            parsing: "<?xml version=\"1.0\"?><A xmlns=\"x\"><B>a &amp; b &lt;c&gt; &#65;&#x42;</B><C/><!-- c --><D><![CDATA[<raw>]]></D></A>")
        #expect(root.string("B") == "a & b <c> AB")
        #expect(root["C"]?.text == "")
        #expect(root.string("D") == "<raw>")
        for bad in ["", "<A>", "<A></B>", "<A>&bogus;</A>", "text", "<A><B></A>", String(repeating: "<a>", count: 500)] {
            #expect(throws: XMLElement.ParseError.self) { try XMLElement(parsing: bad) }
        }
    }
}
