import SSMCore
import Testing

/// The target grammar (language page, section 4, "TARGET forms") that `use`, `instances`,
/// `policy` and `doctor` share.
@Suite struct TargetExpressionTests {
    @Test(arguments: [
        ("i-0123456789abcdef0", TargetTerm.instanceId("i-0123456789abcdef0")),
        ("i-01234567", .instanceId("i-01234567")),
        ("mi-0123456789abcdef0", .instanceId("mi-0123456789abcdef0")),
        ("i-ABCDEF01", .instanceId("i-ABCDEF01")),
        // Not ids: too short, too long, not hex, another prefix: names.
        ("i-1234567", .name("i-1234567")),
        ("i-0123456789abcdef01", .name("i-0123456789abcdef01")),
        ("i-0123456z", .name("i-0123456z")),
        ("x-01234567", .name("x-01234567")),
        ("all", .all),
        ("All", .name("All")),
        ("tag:Role=web", .tag(key: "Role", value: "web")),
        ("tag:Env=a=b", .tag(key: "Env", value: "a=b")),
        ("tag:Role=", .tag(key: "Role", value: "")),
        // A tag is exact even with wildcard characters in it (Systems Manager's filter).
        ("tag:Name=web-*", .tag(key: "Name", value: "web-*")),
        ("web-*", .nameGlob("web-*")),
        ("db-?", .nameGlob("db-?")),
        ("web-[12]", .nameGlob("web-[12]")),
        ("web-1", .name("web-1")),
        ("tag:Env", .tagKey("Env")),
    ])
    func oneWord(word: String, term: TargetTerm) throws {
        #expect(try TargetTerm(word) == term)
        #expect(term.word == word)
    }

    @Test(arguments: ["tag:=web", "tag:"])
    func aMalformedTagSaysHowToWriteOne(word: String) {
        #expect(throws: TargetError.malformedTag(word)) { try TargetTerm(word) }
    }

    @Test func tagWithoutAValueIsHasTheKey() throws {
        #expect(try TargetTerm("tag:Env") == .tagKey("Env"))
        #expect(TargetTerm.tagKey("Env").word == "tag:Env")
    }

    @Test func commasJoinWordsWithinAWord() throws {
        let expression = try TargetExpression.parse(["web-1,web-2", "tag:Role=db", "a,,b", ",", "online,!web-3"])
        #expect(expression.terms == [.name("web-1"), .name("web-2"), .tag(key: "Role", value: "db"), .name("a"), .name("b")])
        #expect(expression.filters == [.online])
        #expect(expression.removals == [.term(.name("web-3"))])
    }

    @Test func aBadWordAnywhereFailsTheWhole() {
        #expect(throws: TargetError.malformedTag("tag:")) { try TargetExpression.parse(["web-1", "web-2,tag:"]) }
        #expect(throws: TargetError.unknownPlatform("platform:bsd")) { try TargetExpression.parse(["platform:bsd"]) }
        #expect(throws: TargetError.malformedAgentVersion("agent<x")) { try TargetExpression.parse(["agent<x"]) }
        #expect(throws: TargetError.malformedAgentVersion("agent<")) { try TargetExpression.parse(["agent<"]) }
        #expect(throws: TargetError.malformedAgentVersion("agent<3..0")) { try TargetExpression.parse(["agent<3..0"]) }
        #expect(throws: TargetError.bareRemoval("!")) { try TargetExpression.parse(["!"]) }
        #expect(throws: TargetError.bareRemoval("!!web-1")) { try TargetExpression.parse(["!!web-1"]) }
    }

    @Test func filtersInAnyCase() throws {
        let expression = try TargetExpression.parse(["Online", "offline", "platform:Linux", "platform:WINDOWS", "platform:macos", "agent<3.0", "web-*"])
        #expect(expression.filters == [.online, .offline, .platform("Linux"), .platform("Windows"), .platform("MacOS"), .agentOlderThan("3.0")])
        #expect(expression.terms == [.nameGlob("web-*")])
    }

    @Test func filtersAreDescribeInstanceInformationFiltersButAgentVersion() {
        #expect(NodeFilter.online.describeFilter! == (key: "PingStatus", values: ["Online"]))
        #expect(NodeFilter.offline.describeFilter! == (key: "PingStatus", values: ["ConnectionLost", "Inactive"]))
        #expect(NodeFilter.platform("MacOS").describeFilter! == (key: "PlatformTypes", values: ["MacOS"]))
        #expect(NodeFilter.agentOlderThan("3.0").describeFilter == nil, "AgentVersion takes exact values, not older-than")
    }

    /// What goes to the service: a kind's words as one filter's values, every lookup carrying them.
    @Test func theServiceGetsThePingAndPlatformWords() throws {
        let expression = try TargetExpression.parse(["tag:Role=web", "platform:linux", "online", "offline", "agent<3.0", "!web-3"])
        #expect(expression.serviceFilters.map(\.key) == ["PingStatus", "PlatformTypes"])
        #expect(expression.serviceFilters.map(\.values) == [["Online", "ConnectionLost", "Inactive"], ["Linux"]])
        #expect(
            expression.lookups.map(\.key) == [
                "tag:Role=web PingStatus=Online,ConnectionLost,Inactive PlatformTypes=Linux",
                "web-3 PingStatus=Online,ConnectionLost,Inactive PlatformTypes=Linux",
            ])
        var listing = try TargetExpression.parse(["platform:windows"])
        #expect(listing.lookups.map(\.key) == ["* PingStatus=Online PlatformTypes=Windows"], "no target: the Online nodes, filtered")
        listing.startsFromOnline = false
        #expect(listing.lookups.map(\.key) == ["* PlatformTypes=Windows"], "instances: the whole fleet, filtered")
        #expect(try TargetExpression.parse(["web-1", "web-1"]).lookups.count == 1)
    }

    @Test(arguments: [
        ("3.2.582.0", "3.0", false), ("2.3.722.0", "3.0", true), ("3.0", "3.0.0.0", false), ("3.0.0.0", "3.0.0.1", true),
        ("3.10.0.0", "3.9", false), ("3.9.1", "3.10", true),
    ])
    func agentVersionsCompareNumberByNumber(version: String, than: String, older: Bool) {
        let node = Node(id: "i-1", name: nil, platform: "Linux", pingStatus: "Online", agentVersion: version)
        #expect(NodeFilter.agentOlderThan(than).matches(node) == older)
        #expect(!NodeFilter.agentOlderThan("9").matches(Node(id: "i-2", name: nil, platform: "Linux", pingStatus: "Online")), "unknown is not older")
    }

    /// `policy` reads actions off words it cannot expand (`$`) or that are not valid yet.
    @Test func iamActionsReadLeniently() {
        #expect(TargetExpression.iamActions(of: ["web-1"]) == ["ssm:DescribeInstanceInformation"])
        #expect(TargetExpression.iamActions(of: ["web-*"]) == ["ssm:DescribeInstanceInformation", "ec2:DescribeInstances"])
        #expect(TargetExpression.iamActions(of: ["$", "tag:"]) == ["ssm:DescribeInstanceInformation", "ssm:DescribeInstanceInformation"])
        #expect(
            TargetExpression.iamActions(of: ["!web-*", "online"]) == [
                "ssm:DescribeInstanceInformation", "ec2:DescribeInstances", "ssm:DescribeInstanceInformation",
            ])
        #expect(TargetExpression.iamActions(of: []) == [])
    }
}
