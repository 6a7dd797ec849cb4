import AWSCore
import SSMCore
import Testing
import TestSupport

/// SSMCore's S3 reads over the AWS client: ListObjectsV2 follows NextContinuationToken until the
/// last page, GetObject returns the bytes as sent, and a body-less HEAD error reads as the CLI's.
@Suite struct S3ClientTests {
    func client(_ steps: [ScriptedTransport.Step]) -> (S3Client, ScriptedTransport) {
        let transport = ScriptedTransport(steps)
        let settings = AWSSettings(environment: Environment(["AWS_REGION": "us-east-2", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:4566"]))
        let client = AWSClient(
            settings: settings, transport: transport, clock: ManualClock(now: 1_700_000_000),
            credentials: StaticCredentialProvider(Credentials(accessKeyId: "AKID", secretAccessKey: "s")), options: AWSClient.Options(userAgent: "t"))
        return (S3Client(client: client), transport)
    }

    static func page(_ keys: [String], next: String?) -> ScriptedTransport.Step {
        let contents = keys.map { "<Contents><Key>\($0)</Key><Size>1</Size></Contents>" }.joined()
        let tail = next.map { "<IsTruncated>true</IsTruncated><NextContinuationToken>\($0)</NextContinuationToken>" } ?? "<IsTruncated>false</IsTruncated>"
        return .respond(HTTPResponse(status: 200, body: Array("<ListBucketResult><EncodingType>url</EncodingType>\(contents)\(tail)</ListBucketResult>".utf8)))
    }

    @Test func listFollowsTheContinuationTokenToTheLastPage() async throws {
        let (s3, transport) = client([Self.page(["p/a", "p/b+c"], next: "tok/1+="), Self.page(["p/d"], next: nil)])
        let objects = try await s3.listObjects(bucket: "out-b", prefix: "p/", region: nil)
        #expect(objects.map(\.key) == ["p/a", "p/b c", "p/d"])
        #expect(transport.sent.count == 2)
        #expect(transport.sent[0].url.query.first { $0.name == "continuation-token" } == nil)
        #expect(transport.sent[1].url.query.first { $0.name == "continuation-token" }?.value == "tok/1+=")
        #expect(transport.sent[1].url.description.hasPrefix("http://127.0.0.1:4566/out-b?list-type=2&prefix=p%2F&continuation-token=tok%2F1%2B%3D"))
    }

    @Test func getObjectReturnsTheBytesAsSent() async throws {
        let bytes: [UInt8] = [0, 0xEF, 0xBF, 0xBD, 0xFF, 10]
        let (s3, transport) = client([.respond(HTTPResponse(status: 200, body: bytes))])
        #expect(try await s3.getObject(bucket: "out-b", key: "a b/stdout", region: "eu-west-1") == bytes)
        #expect(transport.sent[0].url.description == "http://127.0.0.1:4566/out-b/a%20b/stdout")
        #expect(transport.sent[0].headers["Authorization"]?.contains("/eu-west-1/s3/aws4_request") == true)
    }

    @Test func aWrongRegionIsResentOnceToTheBucketsRegion() async throws {
        let wrong =
            "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-2' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>"
        let (s3, transport) = client([
            .respond(HTTPResponse(status: 400, body: Array(wrong.utf8))), .respond(HTTPResponse(status: 200, body: Array("out".utf8))),
        ])
        #expect(try await s3.getObject(bucket: "out-b", key: "k", region: nil) == Array("out".utf8))
        #expect(transport.sent.map { $0.headers["Authorization"]!.contains("/eu-west-1/s3/") } == [false, true])
    }

    @Test func aSecondWrongRegionIsAnErrorNotALoop() async throws {
        let wrong = "<Error><Code>AuthorizationHeaderMalformed</Code><Message>wrong</Message><Region>eu-west-1</Region></Error>"
        let step = ScriptedTransport.Step.respond(HTTPResponse(status: 400, body: Array(wrong.utf8)))
        let (s3, transport) = client([step, step, step])
        await #expect(throws: AWSServiceError.self) { _ = try await s3.getObject(bucket: "out-b", key: "k", region: "us-west-1") }
        #expect(transport.sent.count == 2)
    }

    @Test func aHeadErrorHasNoBodyAndReadsAsTheCLIs() async throws {
        let (s3, _) = client([.respond(HTTPResponse(status: 403))])
        do {
            _ = try await s3.client.callS3("HeadObject", method: "HEAD", bucket: "out-b", key: "k")
            Issue.record("a 403 must throw")
        } catch let error as AWSServiceError {
            #expect(error.description == "An error occurred (403) when calling the HeadObject operation: Forbidden")
        }
    }
}
