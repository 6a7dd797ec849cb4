/// The AWS JSON 1.1 protocol (SSM, KMS): `POST /` with `X-Amz-Target: <prefix>.<Operation>`
/// and a JSON body; errors carry a code in a header or the body (aws-client spec section 5).
public enum JSONProtocol {
    public static let contentType = "application/x-amz-json-1.1"

    public static func request(endpoint: EndpointURL, targetPrefix: String, operation: String, input: JSONValue) -> HTTPRequest {
        var url = endpoint
        if url.path.isEmpty { url.path = "/" }
        var headers = HTTPHeaders()
        headers.add("Content-Type", contentType)
        headers.add("X-Amz-Target", "\(targetPrefix).\(operation)")
        // An operation with no input still sends `{}`.
        let body = input == .null ? Array("{}".utf8) : input.bytes
        return HTTPRequest(method: "POST", url: url, headers: headers, body: body)
    }

    /// The body of a 2xx response; an empty body is `{}`.
    public static func parseOutput(_ response: HTTPResponse, service: String, operation: String) throws(AWSServiceError) -> JSONValue {
        if response.body.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { return .object([:]) }
        do {
            return try JSONValue(parsing: response.body)
        } catch {
            throw AWSServiceError(
                code: "InvalidResponse", message: "The service answered with a body that is not JSON (\(error.description)).",
                status: response.status, requestId: requestId(response), service: service, operation: operation)
        }
    }

    /// The error of a non-2xx response. Code from `X-Amzn-ErrorType`, then body `code`, then
    /// `__type`; message from `message` or `Message`; a non-JSON body becomes the message.
    public static func parseError(_ response: HTTPResponse, service: String, operation: String) -> AWSServiceError {
        let body = try? JSONValue(parsing: response.body)
        var code = response.headers["X-Amzn-ErrorType"] ?? body?["code"]?.string ?? body?["__type"]?.string ?? ""
        code = AWSServiceError.cleanCode(code)
        if code.isEmpty { code = String(response.status) }
        var message = body?["message"]?.string ?? body?["Message"]?.string ?? ""
        if body == nil, !response.body.isEmpty { message = String(response.bodyText.prefix(500)).trimmingWhitespace() }
        var fields = body?.object ?? [:]
        for key in ["__type", "code"] { fields[key] = nil }
        return AWSServiceError(
            code: code, message: message, status: response.status, requestId: requestId(response),
            service: service, operation: operation, fields: .object(fields))
    }

    static func requestId(_ response: HTTPResponse) -> String? {
        response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"]
    }
}
