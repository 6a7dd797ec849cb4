public import AWSCore

/// Proxies as curl reads them from the environment (curl(1) "ENVIRONMENT"): `http_proxy` (lower
/// case only, for http URLs), `HTTPS_PROXY`/`https_proxy`, `ALL_PROXY`/`all_proxy`, and
/// `NO_PROXY`/`no_proxy`. Resolved from an injected Environment so tests can set them.
public struct ProxySettings: Sendable, Equatable {
    public var httpProxy: String?
    public var httpsProxy: String?
    public var noProxy: String?

    public init(httpProxy: String? = nil, httpsProxy: String? = nil, noProxy: String? = nil) {
        self.httpProxy = httpProxy
        self.httpsProxy = httpsProxy
        self.noProxy = noProxy
    }

    public init(environment: Environment) {
        let all = environment.nonEmpty("ALL_PROXY") ?? environment.nonEmpty("all_proxy")
        // Upper-case HTTP_PROXY is ignored by curl for http (the "httpoxy" CGI issue).
        httpProxy = environment.nonEmpty("http_proxy") ?? all
        httpsProxy = environment.nonEmpty("HTTPS_PROXY") ?? environment.nonEmpty("https_proxy") ?? all
        noProxy = environment.nonEmpty("NO_PROXY") ?? environment.nonEmpty("no_proxy")
    }

    /// The proxy for a URL's scheme, or nil for a direct connection (NO_PROXY is left to curl).
    public func proxy(forScheme scheme: String) -> String? {
        scheme == "https" || scheme == "wss" ? httpsProxy : httpProxy
    }
}
