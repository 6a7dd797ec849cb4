/// The one pagination loop: every list call of the services takes a token (NextToken, or IAM's
/// Marker) and answers a page and the next token, none (or an empty one, as EC2 gives) on the
/// last page.
public enum Pagination {
    /// Every page's items, in order; stops early once `limit` items are in (the caller cuts to
    /// the limit where a page may overshoot it).
    public static func collect<Item>(
        limit: Int? = nil,
        _ page: (_ token: String?) async throws -> (items: [Item], next: String?)
    ) async throws -> [Item] {
        var items: [Item] = []
        var token: String?
        // A token given before would page the same pages again, forever (a faulty service or
        // proxy): the listing stops with an error instead.
        var seen: Set<String> = []
        repeat {
            let (found, next) = try await page(token)
            items += found
            token = next.flatMap { $0.isEmpty ? nil : $0 }
            if let token, !seen.insert(token).inserted { throw RepeatedToken(pages: seen.count + 1) }
        } while token != nil && items.count < (limit ?? .max)
        return items
    }

    /// The service answered a page token it had already given.
    public struct RepeatedToken: Error, Equatable, CustomStringConvertible {
        public let pages: Int
        public var description: String {
            "the service gave the same page token again after \(pages) pages, so the listing would never end; it was stopped. Try again later, or list fewer items"
        }
    }
}

extension CommandsAPI {
    /// ListCommandInvocations, every page (50 a page, so ceil(N/50) calls).
    public func allInvocations(commandId: String) async throws -> [CommandInvocation] {
        try await Pagination.collect { token in
            let page = try await listInvocations(commandId: commandId, nextToken: token)
            return (page.invocations, page.nextToken)
        }
    }
}
