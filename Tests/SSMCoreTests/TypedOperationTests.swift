import AWSCore
import SSMCore
import Testing
import TestSupport

/// Each typed operation against the botocore model subsets: the target and action names, only
/// modeled members (required ones present), and replies read by field name.
@Suite struct TypedOperationTests {
    static let ssmModel = try! JSONValue(parsing: Fixtures.bytes("models/ssm-subset.json"))

    func client(_ steps: [ScriptedTransport.Step]) -> (AWSClient, ScriptedTransport) {
        let transport = ScriptedTransport(steps)
        var options = AWSClient.Options(userAgent: "t")
        options.jitter = { 0 }
        let settings = AWSSettings(environment: Environment(["AWS_REGION": "us-east-2"]))
        return (
            AWSClient(
                settings: settings, transport: transport, clock: ManualClock(now: 1_700_000_000),
                credentials: StaticCredentialProvider(Credentials(accessKeyId: "AKID", secretAccessKey: "s")), options: options), transport
        )
    }

    static func ok(_ body: String) -> ScriptedTransport.Step { .respond(HTTPResponse(status: 200, body: Array(body.utf8))) }

    /// The body's members are in the model's input shape, with every required member.
    func checkAgainstModel(_ request: HTTPRequest, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let target = try #require(request.headers["X-Amz-Target"])
        #expect(target.hasPrefix("AmazonSSM."), sourceLocation: sourceLocation)
        let operation = String(target.dropFirst("AmazonSSM.".count))
        let model = try #require(Self.ssmModel["operations"]?[operation], "\(operation) is not in the model", sourceLocation: sourceLocation)
        let shape = Self.ssmModel["shapes"]![model["input"]!["shape"]!.string!]!
        let members = Set(shape["members"]!.object!.keys)
        let body = try JSONValue(parsing: request.body).object!
        for key in body.keys { #expect(members.contains(key), "\(operation) does not model \(key)", sourceLocation: sourceLocation) }
        for required in shape["required"]?.array ?? [] {
            #expect(body[required.string!] != nil, "\(operation) needs \(required.string!)", sourceLocation: sourceLocation)
        }
        #expect(request.headers["Content-Type"] == "application/x-amz-json-1.1", sourceLocation: sourceLocation)
        #expect(request.url.host == "ssm.us-east-2.amazonaws.com", sourceLocation: sourceLocation)
    }

    @Test func sessionOperations() async throws {
        let (aws, transport) = client([
            Self.ok(
                #"{"SessionId":"u-1","TokenValue":"secret-token","StreamUrl":"wss://ssmmessages.us-east-2.amazonaws.com/v1/data-channel/u-1?role=publish_subscribe"}"#
            ),
            Self.ok(#"{"SessionId":"u-1","TokenValue":"token-2","StreamUrl":"wss://x/v1/data-channel/u-1"}"#),
            Self.ok(#"{"SessionId":"u-1"}"#),
            Self.ok(#"{"Target":"i-1","Status":"connected"}"#),
            Self.ok(
                #"{"Sessions":[{"SessionId":"u-1","Target":"i-1","Status":"Connected","StartDate":1700000000.5,"Owner":"arn:aws:iam::1:user/me"}],"NextToken":"n"}"#
            ),
            Self.ok(#"{"Sessions":[{"SessionId":"u-2","Target":"i-2","Status":"Connected"}]}"#),
        ])
        let ssm = SSMClient(client: aws)
        let stream = try await ssm.startSession(
            target: "i-1", documentName: "AWS-StartPortForwardingSession", reason: "debug",
            parameters: ["portNumber": ["80"], "localPortNumber": ["8080"]])
        #expect(stream.sessionId == "u-1")
        #expect(stream.tokenValue == "secret-token")
        #expect(!stream.description.contains("secret-token"))
        #expect(!stream.description.contains("role=publish_subscribe"))
        #expect(try await ssm.resumeSession(sessionId: "u-1").tokenValue == "token-2")
        #expect(try await ssm.terminateSession(sessionId: "u-1") == "u-1")
        #expect(try await ssm.connectionStatus(target: "i-1") == "connected")
        let sessions = try await ssm.describeSessions(state: "Active", filters: [(key: "Target", value: "i-1")])
        #expect(sessions.map(\.sessionId) == ["u-1", "u-2"])
        #expect(sessions[0].startDate == 1_700_000_000.5)
        for request in transport.sent { try checkAgainstModel(request) }
        #expect(String(decoding: transport.sent[5].body, as: UTF8.self).contains(#""NextToken":"n""#))
    }

    @Test func instancesPageThroughEveryPage() async throws {
        let (aws, transport) = client([
            Self.ok(
                #"{"InstanceInformationList":[{"InstanceId":"i-1","PingStatus":"Online","PlatformType":"Linux","AgentVersion":"3.3.40.0","LastPingDateTime":1.7E9,"IsLatestVersion":false,"Unknown":"kept out"}],"NextToken":"p2"}"#
            ),
            Self.ok(#"{"InstanceInformationList":[{"InstanceId":"mi-2","PingStatus":"ConnectionLost","PlatformType":"NewPlatform"}]}"#),
        ])
        let nodes = try await SSMClient(client: aws).describeInstanceInformation(filters: [(key: "tag:Name", values: ["web-*"])])
        #expect(nodes.map(\.instanceId) == ["i-1", "mi-2"])
        #expect(nodes[0].agentVersion == "3.3.40.0")
        #expect(nodes[0].lastPing == 1.7e9)
        #expect(nodes[1].platformType == "NewPlatform", "unknown enum strings are kept")
        for request in transport.sent { try checkAgainstModel(request) }
        let first = try JSONValue(parsing: transport.sent[0].body)
        #expect(first["Filters"] == [["Key": "tag:Name", "Values": ["web-*"]]])
        #expect(first["MaxResults"] == 50)
    }

    @Test func runCommandOperations() async throws {
        let (aws, transport) = client([
            Self.ok(
                #"{"Command":{"CommandId":"c-1","DocumentName":"AWS-RunShellScript","Status":"Pending","InstanceIds":["i-1","i-2"],"TargetCount":2,"Parameters":{"commands":["uptime"]}}}"#
            ),
            Self.ok(
                #"{"CommandInvocations":[{"CommandId":"c-1","InstanceId":"i-1","Status":"Success","CommandPlugins":[{"ResponseCode":0,"Output":"up"}]}],"NextToken":"t"}"#
            ),
            Self.ok(
                #"{"CommandId":"c-1","InstanceId":"i-1","Status":"Failed","ResponseCode":3,"StandardOutputContent":"out","StandardErrorContent":"err","ExecutionElapsedTime":"PT1.2S","StandardOutputUrl":""}"#
            ),
            Self.ok(#"{"Commands":[{"CommandId":"c-1","Status":"Success","RequestedDateTime":1700000000}]}"#),
            Self.ok("{}"),
        ])
        let ssm = SSMClient(client: aws)
        var input = SendCommandInput(documentName: "AWS-RunShellScript", instanceIds: ["i-1", "i-2"], parameters: ["commands": ["uptime"]])
        input.comment = "check"
        input.timeoutSeconds = 60
        input.maxConcurrency = "50%"
        input.maxErrors = "1"
        let command = try await ssm.sendCommand(input)
        #expect(command.commandId == "c-1")
        #expect(command.targetCount == 2)
        let page = try await ssm.listCommandInvocations(commandId: "c-1", details: true)
        #expect(page.nextToken == "t")
        #expect(page.invocations.first?.responseCode == 0)
        let result = try await ssm.getCommandInvocation(commandId: "c-1", instanceId: "i-1")
        #expect(result.responseCode == 3)
        #expect(result.standardError == "err")
        #expect(result.executionElapsed == "PT1.2S")
        #expect(result.standardOutputURL == nil)
        #expect(try await ssm.listCommands(commandId: "c-1").first?.requestedAt == 1_700_000_000)
        try await ssm.cancelCommand(commandId: "c-1", instanceIds: ["i-2"])
        for request in transport.sent { try checkAgainstModel(request) }
    }

    @Test func sendCommandRefusesMoreThanFiftyIds() async throws {
        let (aws, transport) = client([])
        await #expect(throws: AWSServiceError.self) {
            _ = try await SSMClient(client: aws).sendCommand(SendCommandInput(documentName: "AWS-RunShellScript", instanceIds: (1...51).map { "i-\($0)" }))
        }
        #expect(transport.sent.isEmpty)
    }

    @Test func stsAndEC2() async throws {
        let (aws, transport) = client([
            Self.ok(
                "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDA1</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
            ),
            Self.ok(
                """
                <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationSet><item><instancesSet>
                <item><instanceId>i-1</instanceId><instanceState><name>running</name></instanceState><privateIpAddress>10.0.0.5</privateIpAddress>
                <vpcId>vpc-1</vpcId><tagSet><item><key>Name</key><value>web-1</value></item><item><key>Env</key><value>prod</value></item></tagSet></item>
                </instancesSet></item></reservationSet><nextToken/></DescribeInstancesResponse>
                """),
        ])
        let identity = try await STSClient(client: aws).getCallerIdentity()
        #expect(identity.account == "123456789012")
        #expect(identity.arn.hasSuffix("user/alice"))
        let instances = try await EC2Client(client: aws).describeInstances(filters: [(name: "tag:Name", values: ["web-*"])])
        #expect(instances.count == 1)
        #expect(instances[0].name == "web-1")
        #expect(instances[0].state == "running")
        #expect(instances[0].tags["Env"] == "prod")
        #expect(String(decoding: transport.sent[0].body, as: UTF8.self) == "Action=GetCallerIdentity&Version=2011-06-15")
        #expect(transport.sent[0].url.host == "sts.us-east-2.amazonaws.com")
        #expect(
            String(decoding: transport.sent[1].body, as: UTF8.self)
                == "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=web-%2A&MaxResults=1000")
        #expect(transport.sent[1].url.host == "ec2.us-east-2.amazonaws.com")
        #expect(transport.sent[1].headers["Authorization"]?.contains("/us-east-2/ec2/aws4_request") == true)
    }
}
