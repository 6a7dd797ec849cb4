/// S3's REST-XML protocol for the three reads the shell makes (GetObject, HeadObject,
/// ListObjectsV2): the query each sends, the XML each returns, and S3's errors
/// (Amazon S3 API Reference, "Error responses"). Pure: requests and responses in and out.
public enum S3Protocol {
    /// One object of a listing.
    public struct Object: Sendable, Equatable {
        public var key: String
        public var size: Int
        public init(key: String, size: Int) {
            self.key = key
            self.size = size
        }
    }

    /// One page of ListObjectsV2.
    public struct ListPage: Sendable, Equatable {
        public var objects: [Object]
        public var nextContinuationToken: String?
        public init(objects: [Object], nextContinuationToken: String?) {
            self.objects = objects
            self.nextContinuationToken = nextContinuationToken
        }
    }

    /// The query of a ListObjectsV2 page. `encoding-type=url` as botocore always sends it, so keys
    /// holding characters XML 1.0 cannot carry come back intact.
    public static func listObjectsV2Query(prefix: String, continuationToken: String?, maxKeys: Int? = nil) -> [(String, String)] {
        var query: [(String, String)] = [("list-type", "2"), ("prefix", prefix)]
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        query.append(("encoding-type", "url"))
        return query
    }

    /// Reads a `ListBucketResult`. With `encoding-type=url`, keys are form-encoded (`+` is a
    /// space), as botocore's `decode_list_object_v2` reads them.
    public static func parseListObjectsV2(_ response: HTTPResponse) throws -> ListPage {
        let root: XMLElement
        do { root = try XMLElement(parsing: response.body) } catch {
            throw AWSServiceError(
                code: "MalformedResponse", message: "S3 sent a listing that is not XML (\(error.description))", status: response.status,
                operation: "ListObjectsV2")
        }
        guard root.localName == "ListBucketResult" else {
            throw AWSServiceError(
                code: "MalformedResponse", message: "S3 sent <\(root.localName)> where a ListBucketResult was expected", status: response.status,
                operation: "ListObjectsV2")
        }
        let urlEncoded = root.string("EncodingType") == "url"
        let objects = root.all("Contents").compactMap { contents -> Object? in
            guard let raw = contents["Key"]?.text else { return nil }
            let size = contents.string("Size").flatMap { Int($0) }.map { max(0, $0) } ?? 0
            return Object(key: urlEncoded ? formDecode(raw) : raw, size: size)
        }
        let truncated = root.string("IsTruncated") == "true"
        let token = root.string("NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 }
        // A page that says more follow but gives no token would end the listing early, silently.
        if truncated && token == nil {
            throw AWSServiceError(
                code: "MalformedResponse", message: "S3 said the listing goes on but sent no NextContinuationToken", status: response.status,
                operation: "ListObjectsV2")
        }
        return ListPage(objects: objects, nextContinuationToken: truncated ? token : nil)
    }

    /// An S3 error: `<Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId></Error>`,
    /// or, for a HEAD (no body) or a body that is not S3's XML, the status code as the code and
    /// its reason as the message (what botocore and the AWS CLI report: "(404) … Not Found").
    public static func parseError(_ response: HTTPResponse, operation: String) -> AWSServiceError {
        let requestId = response.headers["x-amz-request-id"]
        if let root = try? XMLElement(parsing: response.body), root.localName == "Error", let code = root.string("Code"), !code.isEmpty {
            var message = root.string("Message") ?? ""
            // A wrong region is answered with the bucket's region; say it, so the user can act.
            if let region = root.string("Region") ?? response.headers["x-amz-bucket-region"], !region.isEmpty {
                message += message.isEmpty ? "the bucket is in \(region)" : " (the bucket is in \(region))"
            }
            return AWSServiceError(
                code: code, message: message, status: response.status, requestId: root.string("RequestId") ?? requestId, service: "s3", operation: operation,
                fields: regionField(root.string("Region") ?? response.headers["x-amz-bucket-region"]))
        }
        var message = reason(response.status)
        if let region = response.headers["x-amz-bucket-region"], !region.isEmpty { message += " (the bucket is in \(region))" }
        return AWSServiceError(
            code: String(response.status), message: message, status: response.status, requestId: requestId, service: "s3", operation: operation,
            fields: regionField(response.headers["x-amz-bucket-region"]))
    }

    /// The bucket's region an error names, for a caller that resends there (`bucketRegion`).
    static func regionField(_ region: String?) -> JSONValue {
        guard let region, !region.isEmpty else { return .object([:]) }
        return .object(["BucketRegion": .string(region)])
    }

    /// The region S3 says the bucket is in, when an answer refused the request's region:
    /// 301 PermanentRedirect, 400 AuthorizationHeaderMalformed (`<Region>`), or a HEAD's
    /// `x-amz-bucket-region` (Amazon S3 API Reference, "Error responses"; botocore's
    /// S3RegionRedirectorv2 resends there once).
    public static func bucketRegion(_ error: AWSServiceError) -> String? {
        guard error.service == "s3", [301, 400, 403].contains(error.status) else { return nil }
        guard let region = error.fields["BucketRegion"]?.string, EndpointResolver.isValidRegion(region) else { return nil }
        return region
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 301: return "Moved Permanently"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 409: return "Conflict"
        case 412: return "Precondition Failed"
        case 416: return "Requested Range Not Satisfiable"
        case 500: return "Internal Server Error"
        case 503: return "Slow Down"
        default: return "HTTP status \(status)"
        }
    }

    /// `application/x-www-form-urlencoded` decoding: `+` is a space, then `%XX` escapes.
    public static func formDecode(_ text: String) -> String {
        PercentEncoding.decode(text.replacing("+", with: " "))
    }
}
