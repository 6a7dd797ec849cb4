import AWSCore
import Testing
import TestSupport

/// S3's REST-XML reads: the ListObjectsV2 query and result (url-encoded keys), S3's XML errors
/// and body-less HEAD errors, and `AWSClient.callS3` addressing and signing a request.
@Suite struct S3ProtocolTests {
    static func response(_ status: Int, _ body: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders(headers), body: Array(body.utf8))
    }

    @Test func listQueryAsksForURLEncodedKeys() {
        let query = S3Protocol.listObjectsV2Query(prefix: "a b/", continuationToken: "t+/=")
        #expect(query.map(\.0) == ["list-type", "prefix", "continuation-token", "encoding-type"])
        #expect(query.last?.1 == "url")
    }

    @Test func parsesAPageWithEncodedKeysAndAToken() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p%2F</Prefix>
            <KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
            <Contents><Key>p/with+space/caf%C3%A9%2Bplus</Key><Size>12</Size></Contents>
            <Contents><Key>p/stdout</Key><Size>200000</Size></Contents>
            <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken></ListBucketResult>
            """
        let page = try S3Protocol.parseListObjectsV2(Self.response(200, xml))
        #expect(page.objects == [.init(key: "p/with space/café+plus", size: 12), .init(key: "p/stdout", size: 200_000)])
        #expect(page.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    }

    @Test func lastPageHasNoToken() throws {
        let xml = "<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>x</NextContinuationToken></ListBucketResult>"
        let page = try S3Protocol.parseListObjectsV2(Self.response(200, xml))
        #expect(page.objects.isEmpty)
        #expect(page.nextContinuationToken == nil)
    }

    @Test func aTruncatedPageWithoutATokenIsAnErrorNotTheEnd() {
        let xml = "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a</Key><Size>1</Size></Contents></ListBucketResult>"
        #expect(throws: AWSServiceError.self) { try S3Protocol.parseListObjectsV2(Self.response(200, xml)) }
    }

    @Test func aListingThatIsNotXMLIsAnErrorNotACrash() {
        #expect(throws: AWSServiceError.self) { try S3Protocol.parseListObjectsV2(Self.response(200, "<html")) }
        #expect(throws: AWSServiceError.self) { try S3Protocol.parseListObjectsV2(Self.response(200, "<Error/>")) }
    }

    @Test func readsS3XMLErrors() {
        let xml =
            "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>k</Key><RequestId>R1</RequestId></Error>"
        let error = S3Protocol.parseError(Self.response(404, xml), operation: "GetObject")
        #expect(error.code == "NoSuchKey")
        #expect(error.description == "An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist. (request id R1)")
    }

    @Test func aWrongRegionSaysWhereTheBucketIs() {
        let xml = "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is wrong</Message><Region>eu-west-1</Region></Error>"
        #expect(S3Protocol.parseError(Self.response(400, xml), operation: "GetObject").message.contains("the bucket is in eu-west-1"))
        let head = S3Protocol.parseError(Self.response(301, "", headers: [("x-amz-bucket-region", "ap-south-1")]), operation: "HeadObject")
        #expect(head.message == "Moved Permanently (the bucket is in ap-south-1)")
    }

    @Test func aHeadErrorHasOnlyItsStatus() {
        let error = S3Protocol.parseError(Self.response(404, "", headers: [("x-amz-request-id", "R2")]), operation: "HeadObject")
        #expect(error.code == "404")
        #expect(error.description == "An error occurred (404) when calling the HeadObject operation: Not Found (request id R2)")
    }

    func client(_ transport: ScriptedTransport, environment: [String: String]) -> AWSClient {
        AWSClient(
            settings: AWSSettings(environment: Environment(environment), profiles: ProfileSet()), transport: transport,
            clock: ManualClock(now: 1_700_000_000),
            credentials: StaticCredentialProvider(Credentials(accessKeyId: "AKID", secretAccessKey: "secret")),
            options: AWSClient.Options(userAgent: "ssm-shell/test"))
    }

    @Test func callS3GoesPathStyleToAnOverrideAndSignsS3Style() async throws {
        let transport = ScriptedTransport([.respond(Self.response(200, "out"))])
        let client = client(transport, environment: ["AWS_REGION": "us-west-2", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566"])
        let response = try await client.callS3("GetObject", bucket: "my.bucket", key: "p//c d/stdout")
        #expect(response.bodyText == "out")
        let sent = try #require(transport.sent.first)
        #expect(sent.url.description == "http://127.0.0.1:4566/my.bucket/p//c%20d/stdout")
        #expect(sent.headers["x-amz-content-sha256"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(sent.headers["Authorization"]?.contains("/us-west-2/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date,") == true)
    }

    @Test func anAnswerTooLargeToReadIsNotFetchedAgain() async throws {
        let tooLarge = TransportError(kind: .responseTooLarge, connected: true, detail: "the response is larger than 64 MiB", url: "http://127.0.0.1:4566/b/k")
        let transport = ScriptedTransport([.fail(tooLarge), .fail(tooLarge), .fail(tooLarge)])
        let client = client(transport, environment: ["AWS_REGION": "us-west-2", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566"])
        await #expect(throws: tooLarge) { _ = try await client.callS3("GetObject", bucket: "b", key: "k") }
        #expect(transport.sent.count == 1)
    }

    @Test func callS3GoesVirtualHostedToAWSInTheBucketsRegion() async throws {
        let transport = ScriptedTransport([.respond(Self.response(404, "<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>"))])
        let client = client(transport, environment: ["AWS_REGION": "us-west-2"])
        await #expect(throws: AWSServiceError.self) {
            _ = try await client.callS3(
                "ListObjectsV2", bucket: "logs", key: nil, query: S3Protocol.listObjectsV2Query(prefix: "x/", continuationToken: nil), region: "eu-west-1")
        }
        let sent = try #require(transport.sent.first)
        #expect(sent.url.host == "logs.s3.eu-west-1.amazonaws.com")
        #expect(sent.url.path == "/")
        #expect(transport.sent.count == 1, "a 404 is not retried")
    }
}
