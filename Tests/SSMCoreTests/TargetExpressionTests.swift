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
        ("platform:linux", .name("platform:linux")),
    ])
    func oneWord(word: String, term: TargetTerm) throws {
        #expect(try TargetTerm(word) == term)
        #expect(term.word == word)
    }

    @Test(arguments: ["tag:Role", "tag:=web", "tag:"])
    func aMalformedTagSaysHowToWriteOne(word: String) {
        #expect(throws: TargetError.malformedTag(word)) { try TargetTerm(word) }
        #expect(TargetError.malformedTag(word).description == "a tag target is written tag:KEY=VALUE, as in tag:Role=web")
    }

    @Test func commasJoinTargetsWithinAWord() throws {
        let expression = try TargetExpression.parse(["web-1,web-2", "tag:Role=db", "a,,b", ","])
        #expect(expression.words == [[.name("web-1"), .name("web-2")], [.tag(key: "Role", value: "db")], [.name("a"), .name("b")], []])
        #expect(expression.terms == [.name("web-1"), .name("web-2"), .tag(key: "Role", value: "db"), .name("a"), .name("b")])
        #expect(expression.filters.isEmpty)
    }

    @Test func aBadWordAnywhereFailsTheWhole() {
        #expect(throws: TargetError.malformedTag("tag:x")) { try TargetExpression.parse(["web-1", "web-2,tag:x"]) }
    }

    @Test func filtersOnlyWhereTakenAndInAnyCase() throws {
        let expression = try TargetExpression.parse(
            ["Online", "offline", "platform:Linux", "platform:WINDOWS", "platform:macos", "platform:bsd", "web-*"],
            filters: true)
        #expect(expression.filters == [.online, .offline, .platform("Linux"), .platform("Windows"), .platform("MacOS")])
        #expect(expression.terms == [.name("platform:bsd"), .nameGlob("web-*")])
        #expect(try TargetExpression.parse(["online"]).terms == [.name("online")])
    }

    @Test func filtersAreDescribeInstanceInformationFilters() {
        #expect(NodeFilter.online.describeFilter == (key: "PingStatus", values: ["Online"]))
        #expect(NodeFilter.offline.describeFilter == (key: "PingStatus", values: ["ConnectionLost", "Inactive"]))
        #expect(NodeFilter.platform("MacOS").describeFilter == (key: "PlatformTypes", values: ["MacOS"]))
    }

    /// `policy` reads actions off words it cannot expand (`$`) or that are not valid yet.
    @Test func iamActionsReadLeniently() {
        #expect(TargetExpression.iamActions(of: ["web-1"]) == ["ssm:DescribeInstanceInformation"])
        #expect(TargetExpression.iamActions(of: ["web-*"]) == ["ssm:DescribeInstanceInformation", "ec2:DescribeInstances"])
        #expect(TargetExpression.iamActions(of: ["$", "tag:bad"]) == ["ssm:DescribeInstanceInformation", "ssm:DescribeInstanceInformation"])
        #expect(TargetExpression.iamActions(of: []) == [])
    }
}
