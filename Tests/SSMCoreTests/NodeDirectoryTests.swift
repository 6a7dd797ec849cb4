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

    /// Nodes are shown by a name everywhere a person reads them (issue 14).
    @Test(
        arguments: [
            ("web-1", "other.ec2.internal", "web-1"),
            (nil, "web-1.ec2.internal", "web-1"),
            (nil, "WIN-1", "WIN-1"),
            (nil, ".local", "i-01234567"),
            (nil, "evil\u{1B}[2J.host", "i-01234567"),
            (nil, nil, "i-01234567"),
        ] as [(String?, String?, String)])
    func theDisplayNameIsTheNameTagElseTheComputerNamesFirstLabelElseTheId(name: String?, computer: String?, shown: String) {
        let node = Node(id: "i-01234567", name: name, platform: "Linux", pingStatus: "Online", computerName: computer)
        #expect(node.displayName == shown)
        #expect(node.label == (shown == "i-01234567" ? "i-01234567" : "\(shown) (i-01234567)"))
    }

    @Test func aSightingWithoutANameKeepsTheOneKnown() {
        var directory = NodeDirectory()
        directory.learn([web1])
        directory.learn([Node(id: "i-01234567", name: nil, platform: "Linux", pingStatus: "ConnectionLost", computerName: "host-9")])
        #expect(directory.shortLabel("i-01234567") == "web-1")
        #expect(directory.known["i-01234567"]?.pingStatus == "ConnectionLost")
    }
}
