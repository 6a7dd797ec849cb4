/// The AWS Query protocol (STS, IAM) and its EC2 variant: form-encoded `Action=...&Version=...`
/// bodies and XML responses (aws-client spec section 1, "STS uses the Query protocol").
public enum QueryProtocol {
    public static let contentType = "application/x-www-form-urlencoded; charset=utf-8"

    public enum Flavor: Sendable {
        /// Lists as `Name.member.N`, maps as `Name.entry.N.key/value` (STS, IAM).
        case query
        /// Lists as `Name.N`, no `member` (EC2).
        case ec2
    }

    /// Flattens parameters to form fields. Objects nest with `.`, lists number from 1.
    public static func encode(action: String, version: String, parameters: JSONValue, flavor: Flavor = .query) -> String {
        var fields: [(String, String)] = [("Action", action), ("Version", version)]
        func walk(_ value: JSONValue, prefix: String) {
            switch value {
            case .null: return
            case .bool(let b): fields.append((prefix, b ? "true" : "false"))
            case .number: fields.append((prefix, JSONValue.array([value]).serialized.dropFirst().dropLast().description))
            case .string(let s): fields.append((prefix, s))
            case .array(let items):
                if items.isEmpty && flavor == .query { fields.append((prefix, "")) }
                for (i, item) in items.enumerated() {
                    walk(item, prefix: flavor == .query ? "\(prefix).member.\(i + 1)" : "\(prefix).\(i + 1)")
                }
            case .object(let members):
                for key in members.keys.sorted() {
                    walk(members[key]!, prefix: prefix.isEmpty ? key : "\(prefix).\(key)")
                }
            }
        }
        walk(parameters, prefix: "")
        return fields.map { PercentEncoding.formEncode($0.0) + "=" + PercentEncoding.formEncode($0.1) }.joined(separator: "&")
    }

    public static func request(endpoint: EndpointURL, action: String, version: String, parameters: JSONValue, flavor: Flavor = .query) -> HTTPRequest {
        var headers = HTTPHeaders()
        headers.add("Content-Type", contentType)
        return HTTPRequest(
            method: "POST", url: endpoint, headers: headers,
            body: Array(encode(action: action, version: version, parameters: parameters, flavor: flavor).utf8))
    }

    /// The `<ActionResult>` element of a 2xx response (EC2 responses have no Result wrapper:
    /// the root is returned).
    public static func parseOutput(_ response: HTTPResponse, action: String, service: String) throws(AWSServiceError) -> XMLElement {
        let root: XMLElement
        do {
            root = try XMLElement(parsing: response.body)
        } catch {
            throw AWSServiceError(
                code: "InvalidResponse", message: "The service answered with XML that could not be read (\(error.description)).",
                status: response.status, requestId: JSONProtocol.requestId(response), service: service, operation: action)
        }
        return root["\(action)Result"] ?? root
    }

    /// `<ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>`, or EC2's
    /// `<Response><Errors><Error>...</Error></Errors><RequestID/></Response>`.
    public static func parseError(_ response: HTTPResponse, service: String, operation: String) -> AWSServiceError {
        guard let root = try? XMLElement(parsing: response.body) else {
            let text = response.bodyText.trimmingWhitespace()
            return AWSServiceError(
                code: String(response.status), message: String(text.prefix(500)), status: response.status,
                requestId: JSONProtocol.requestId(response), service: service, operation: operation)
        }
        let error = root["Error"] ?? root["Errors"]?["Error"] ?? root
        let code = AWSServiceError.cleanCode(error.string("Code") ?? "")
        var fields: [String: JSONValue] = [:]
        for child in error.children where !["Code", "Message", "Type"].contains(child.localName) {
            fields[child.localName] = Self.json(child)
        }
        return AWSServiceError(
            code: code.isEmpty ? String(response.status) : code, message: error.string("Message") ?? "",
            status: response.status,
            requestId: root.string("RequestId") ?? root.string("RequestID") ?? JSONProtocol.requestId(response),
            service: service, operation: operation, fields: .object(fields))
    }

    /// An element as JSON: text for leaves, an object of children otherwise.
    public static func json(_ element: XMLElement) -> JSONValue {
        if element.children.isEmpty { return .string(element.text) }
        var object: [String: JSONValue] = [:]
        for child in element.children { object[child.localName] = json(child) }
        return .object(object)
    }
}
