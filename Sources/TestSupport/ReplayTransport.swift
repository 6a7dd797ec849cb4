public import AWSCore
import Synchronization

/// Replays a smithy-rs "dvr" recording (http-traffic.json): each request must match the next
/// recorded one by method and URI (query order ignored); headers are not compared (the
/// recordings hold Rust user agents and record-time signatures). Mismatches are kept for the test.
public final class ReplayTransport: HTTPTransport {
    public struct Exchange: Sendable {
        public var method: String
        public var uri: String
        public var requestBody: String
        public var response: HTTPResponse
    }

    private let state: Mutex<(exchanges: [Exchange], mismatches: [String], sent: [HTTPRequest])>

    public init(recording: JSONValue) {
        var byConnection: [Int: Exchange] = [:]
        var order: [Int] = []
        for event in recording["events"]?.array ?? [] {
            let id = event["connection_id"]?.int ?? 0
            guard let action = event["action"] else { continue }
            if let request = action["Request"]?["request"] {
                byConnection[id] = Exchange(
                    method: request["method"]?.string ?? "GET", uri: request["uri"]?.string ?? "",
                    requestBody: "", response: HTTPResponse(status: 599))
                order.append(id)
            } else if let response = action["Response"]?["response"]?["Ok"] {
                var headers = HTTPHeaders()
                for (name, values) in response["headers"]?.object ?? [:] {
                    for value in values.array ?? [] { headers.add(name, value.string ?? "") }
                }
                byConnection[id]?.response.status = response["status"]?.int ?? 599
                byConnection[id]?.response.headers = headers
            } else if let data = action["Data"], let text = data["data"]?["Utf8"]?.string {
                if data["direction"]?.string == "Request" { byConnection[id]?.requestBody += text } else { byConnection[id]?.response.body += Array(text.utf8) }
            }
        }
        state = Mutex((exchanges: order.compactMap { byConnection[$0] }, mismatches: [], sent: []))
    }

    public var mismatches: [String] { state.withLock { $0.mismatches } }
    public var remaining: Int { state.withLock { $0.exchanges.count } }
    public var sent: [HTTPRequest] { state.withLock { $0.sent } }

    public func send(_ request: HTTPRequest, timeouts: HTTPTimeouts) async throws -> HTTPResponse {
        let next: Exchange? = state.withLock { s in
            s.sent.append(request)
            guard !s.exchanges.isEmpty else {
                s.mismatches.append("unexpected \(request.method) \(request.url)")
                return nil
            }
            let exchange = s.exchanges.removeFirst()
            if exchange.method != request.method || !Self.sameURI(exchange.uri, request.url) {
                s.mismatches.append("expected \(exchange.method) \(exchange.uri), got \(request.method) \(request.url)")
                return nil
            }
            return exchange
        }
        guard let next else {
            throw TransportError(kind: .couldNotConnect, connected: false, detail: "not in the recording", url: request.url.redactedDescription)
        }
        return next.response
    }

    static func sameURI(_ recorded: String, _ url: EndpointURL) -> Bool {
        guard let expected = try? EndpointURL(parsing: recorded) else { return false }
        let sort: ([(name: String, value: String)]) -> [String] = { $0.map { "\($0.name)=\($0.value)" }.sorted() }
        return expected.scheme == url.scheme && expected.host == url.host && expected.effectivePort == url.effectivePort
            && expected.path == url.path && sort(expected.query) == sort(url.query)
    }
}
