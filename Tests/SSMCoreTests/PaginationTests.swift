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
            return ([pages, pages], "more\(pages)")
        }
        #expect(items == [1, 1, 2, 2])
        #expect(pages == 2)
    }

    /// A service (or proxy) that answers the same token forever, or cycles through a few, would
    /// keep the loop going and the items growing without end: it stops with an error.
    @Test(arguments: [["t1"], ["t1", "t2", "t3"]])
    func aRepeatedTokenEndsTheListing(cycle: [String]) async throws {
        var pages = 0
        let error = await #expect(throws: Pagination.RepeatedToken.self) {
            _ = try await Pagination.collect { _ in
                pages += 1
                guard pages < 1000 else { return ([], nil) }  // the old loop's way out, to fail rather than hang
                return ([pages], cycle[(pages - 1) % cycle.count])
            }
        }
        #expect(pages == cycle.count + 1)
        #expect(error?.description.contains("same page token") == true)
    }
}
