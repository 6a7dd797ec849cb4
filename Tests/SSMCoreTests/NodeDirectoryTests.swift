import SSMCore
import Testing

/// What the shell remembers about nodes: resolutions for 30 s of `now`, names for labels.
@Suite struct NodeDirectoryTests {
    let web1 = Node(id: "i-01234567", name: "web-1", platform: "Linux", pingStatus: "Online")
    let bare = Node(id: "i-89abcdef", name: nil, platform: "Windows", pingStatus: "Online")

    @Test func aResolutionIsKeptThirtySeconds() {
        var directory = NodeDirectory()
        directory.record(.name("web-1"), [web1], now: 1000)
        #expect(directory.cached(.name("web-1"), now: 1000) == [web1])
        #expect(directory.cached(.name("web-1"), now: 1029.9) == [web1])
        #expect(directory.cached(.name("web-1"), now: 1030) == nil)
        #expect(directory.cached(.name("web-2"), now: 1000) == nil)
    }

    /// A node that matched nothing may register any moment: the next use asks again.
    @Test func anEmptyResolutionIsNotKept() {
        var directory = NodeDirectory()
        directory.record(.nameGlob("db-*"), [], now: 5)
        #expect(directory.cached(.nameGlob("db-*"), now: 5) == nil)
    }

    @Test func forgettingResolutionsKeepsTheNames() {
        var directory = NodeDirectory()
        directory.record(.all, [web1, bare], now: 0)
        directory.forgetResolutions()
        #expect(directory.cached(.all, now: 0) == nil)
        #expect(directory.label("i-01234567") == "web-1 (i-01234567)")
        #expect(directory.shortLabel("i-89abcdef") == "i-89abcdef")
        #expect(directory.label("i-99999999") == "i-99999999")
        #expect(directory.name(of: "i-01234567") == "web-1")
    }

    @Test func aLaterSightingReplacesAnEarlierOne() {
        var directory = NodeDirectory()
        directory.learn([web1])
        var renamed = web1
        renamed.name = "web-one"
        directory.learn([renamed])
        #expect(directory.known["i-01234567"]?.name == "web-one")
    }
}
