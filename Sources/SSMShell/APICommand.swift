import AWSCore

/// `ssm-shell api SERVICE OPERATION [JSON]`: one AWS call, its reply as JSON on stdout. The
/// plumbing under every command, exposed for scripts and for checking a setup.
enum APICommand {
    static let services: [String: ServiceDescriptor] = ["ssm": .ssm, "sts": .sts, "ec2": .ec2]

    struct UsageError: Error, CustomStringConvertible { let description: String }

    static func run(_ arguments: [String], context: AWSContext) async throws -> JSONValue {
        guard arguments.count >= 2 else {
            throw UsageError(description: "api needs a service and an operation, for example: ssm-shell api sts GetCallerIdentity")
        }
        guard let service = services[arguments[0].lowercased()] else {
            throw UsageError(description: "api knows the services \(services.keys.sorted().joined(separator: ", ")), not \(arguments[0]).")
        }
        let operation = arguments[1]
        let input: JSONValue
        if arguments.count > 2 {
            do { input = try JSONValue(parsing: arguments[2]) } catch {
                throw UsageError(description: "The input of \(operation) is not JSON (\(error.description)); write it as '{\"Key\": \"value\"}'.")
            }
            guard input.object != nil else { throw UsageError(description: "The input of \(operation) must be a JSON object.") }
        } else {
            input = .object([:])
        }
        switch service.wireProtocol {
        case .json:
            return try await context.client.callJSON(service, operation, input)
        case .query, .ec2:
            return QueryProtocol.json(try await context.client.callQuery(service, operation, input))
        }
    }
}
