public import AWSCore

/// The EC2 VPC queries `doctor` makes: what decides whether an instance can reach Systems
/// Manager (the guide's requirements: VPC DNS settings, interface endpoints, or a NAT/internet
/// route).
extension EC2Client {
    /// DescribeVpcAttribute for `enableDnsSupport` or `enableDnsHostnames`.
    public func vpcAttribute(vpcId: String, attribute: String) async throws -> Bool {
        let root = try await client.callQuery(.ec2, "DescribeVpcAttribute", ["VpcId": .string(vpcId), "Attribute": .string(attribute)])
        return root.string(attribute, "value") == "true"
    }

    /// The service names of the VPC's interface endpoints (`com.amazonaws.REGION.ssm`, ...) that are available.
    public func vpcEndpointServices(vpcId: String) async throws -> [String] {
        let root = try await client.callQuery(
            .ec2, "DescribeVpcEndpoints",
            [
                "Filter": [["Name": "vpc-id", "Value": [.string(vpcId)]]]
            ])
        return (root["vpcEndpointSet"]?.all("item") ?? [])
            .filter { ($0.string("state") ?? "available").lowercased() == "available" }
            .compactMap { $0.string("serviceName") }
    }

    /// A route of one of the VPC's route tables: its destination and what it goes through.
    public struct Route: Sendable, Equatable {
        public var destination: String
        public var target: String
        public init(destination: String, target: String) {
            self.destination = destination
            self.target = target
        }
    }

    /// The active routes of every route table in the VPC.
    public func routes(vpcId: String) async throws -> [Route] {
        let root = try await client.callQuery(
            .ec2, "DescribeRouteTables",
            [
                "Filter": [["Name": "vpc-id", "Value": [.string(vpcId)]]]
            ])
        var routes: [Route] = []
        for table in root["routeTableSet"]?.all("item") ?? [] {
            for route in table["routeSet"]?.all("item") ?? [] where (route.string("state") ?? "active") == "active" {
                let destination = route.string("destinationCidrBlock") ?? route.string("destinationIpv6CidrBlock") ?? ""
                let target =
                    route.string("natGatewayId") ?? route.string("gatewayId") ?? route.string("transitGatewayId")
                    ?? route.string("networkInterfaceId") ?? route.string("vpcPeeringConnectionId") ?? ""
                routes.append(Route(destination: destination, target: target))
            }
        }
        return routes
    }
}

/// IAM (Query, global endpoint): the instance profile's role and the role's managed policies.
public struct IAMClient: Sendable {
    public let client: AWSClient
    public init(client: AWSClient) { self.client = client }

    /// The role names of an instance profile (at most one in practice).
    public func instanceProfileRoles(name: String) async throws -> [String] {
        let result = try await client.callQuery(.iam, "GetInstanceProfile", ["InstanceProfileName": .string(name)])
        return (result.find(["InstanceProfile", "Roles"])?.all("member") ?? []).compactMap { $0.string("RoleName") }
    }

    /// The names of the managed policies attached to a role, every page.
    public func attachedPolicies(roleName: String) async throws -> [String] {
        // IAM pages with Marker, given only while IsTruncated is true.
        try await Pagination.collect { marker in
            var parameters: [String: JSONValue] = ["RoleName": .string(roleName)]
            if let marker { parameters["Marker"] = .string(marker) }
            let result = try await client.callQuery(.iam, "ListAttachedRolePolicies", .object(parameters))
            return (
                (result["AttachedPolicies"]?.all("member") ?? []).compactMap { $0.string("PolicyName") },
                result.string("IsTruncated") == "true" ? result.string("Marker") : nil
            )
        }
    }
}
