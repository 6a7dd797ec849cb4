import AWSCore
import SSMCore

/// `use`: the profile, region and targets the next commands work with (target words resolve
/// in TargetResolution.swift).
struct UseCommand: ShellCommand {
    let name = "use"
    let usage = "use | use profile NAME | use region NAME | use TARGET..."
    let summary = "show or set the profile, region and targets"
    let iamActions = ["ssm:DescribeInstanceInformation", "ec2:DescribeInstances (Name globs)"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        guard let first = words.first, first != "profile", first != "region" else { return [] }
        state.hasTargets = true
        return PolicyBuilder.targetActions(words)
    }

    func completions(_ request: CompletionRequest) -> Completions {
        switch request.previous {
        case "profile": return .words(request.snapshot.profiles)
        case "region": return .words(Completion.regionsList)
        default: return request.words.count == 2 ? .words(["profile", "region"] + request.snapshot.targets) : .none
        }
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        guard let first = args.first else {
            let settings = try? shell.fleetSettings()
            var rows = [["profile", shell.currentProfile], ["region", shell.currentRegion ?? "(not set)"]]
            if let settings, let endpoint = try? settings.endpoint(service: "ssm", serviceId: "SSM") {
                rows.append(["endpoint", endpoint.url.redactedDescription])
            }
            rows.append(["targets", shell.targets.isEmpty ? "(none)" : shell.targets.map(\.label).joined(separator: ", ")])
            shell.print(Table(columns: ["SETTING", "VALUE"], rows: rows))
            return 0
        }
        switch first {
        case "profile":
            guard args.count == 2 else { throw ShellError.usage("use profile takes one profile name") }
            let settings = try ConfigLoader.load(environment: shell.environment, fileSystem: shell.services.fileSystem, profile: args[1])
            guard settings.profiles.profiles[args[1]] != nil else {
                let names = Array(settings.profiles.profiles.keys)
                let hint = Suggest.closest(args[1], in: names).map { "; did you mean \($0)?" } ?? ""
                throw ShellError.usage("profile \(args[1]) is not in \(settings.configFilePath) or \(settings.credentialsFilePath)\(hint)")
            }
            shell.options.profile = args[1]
            shell.resetFleet()
            shell.targets = []
            return 0
        case "region":
            guard args.count == 2 else { throw ShellError.usage("use region takes one region name") }
            guard EndpointResolver.isValidRegion(args[1]) else { throw ShellError.usage("'\(args[1])' is not a region name; use a name such as eu-west-1") }
            shell.options.region = args[1]
            shell.resetFleet()
            shell.targets = []
            return 0
        default:
            let resolved = try await shell.resolveTargets(args)
            shell.targets = resolved
            if !shell.options.quiet && shell.interactive {
                shell.console.err("targets: \(resolved.map(\.label).joined(separator: ", "))\n")
            }
            return 0
        }
    }
}
