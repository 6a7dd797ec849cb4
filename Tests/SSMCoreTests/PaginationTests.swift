import SSMCore
import Testing

/// The one pagination loop: pages until no token, an empty token (EC2's last page), or the limit.
@Suite struct PaginationTests {
    @Test(arguments: [nil, ""] as [String?])
    func everyPageUntilTheLastOne(lastToken: String?) async throws {
        var asked: [String?] = []
        let items = try await Pagination.collect { token in
            asked.append(token)
            switch token {
            case nil: return ([1, 2], "t1")
            case "t1": return ([], "t2")
            default: return ([3], lastToken)
            }
        }
        #expect(items == [1, 2, 3])
        #expect(asked == [nil, "t1", "t2"])
    }

    @Test func stopsOnceTheLimitIsIn() async throws {
        var pages = 0
        let items = try await Pagination.collect(limit: 3) { _ in
            pages += 1
            return ([pages, pages], "more")
        }
        #expect(items == [1, 1, 2, 2])
        #expect(pages == 2)
    }
}
