import AWSCore
import SSMCore

/// `use`: the profiles, regions and targets the next commands work with (target words resolve
/// in TargetResolution.swift; several profiles or regions make a context of pairs, UseContext.swift).
struct UseCommand: ShellCommand {
    let name = "use"
    let usage = "use | use profile NAME[,NAME...] | use region NAME[,NAME...] | use context PROFILE@REGION... | use TARGET..."
    let summary =
        "show or set the profiles, regions and targets; target words compose: names, ids, globs, all, tag:K=V, tag:K add up, online, offline, platform:NAME, agent<VERSION narrow, !WORD takes out"
    let iamActions = [
        "ssm:DescribeInstanceInformation", "ec2:DescribeInstances (Name globs)",
        "sts:GetCallerIdentity (several profiles or regions: the ACCOUNT column)",
        "sts:AssumeRole (a profile with role_arn, in its source profile's policy)",
    ]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        guard let first = words.first, !["profile", "region", "context"].contains(first) else {
            // Several pairs: each one's account id for the ACCOUNT column.
            let several =
                words.first == "context" ? words.count > 2 || words.dropFirst().contains { $0.contains(",") } : words.dropFirst().contains { $0.contains(",") }
            state.severalPairs = state.severalPairs || several || words.contains("$")
            return several ? ["sts:GetCallerIdentity"] : []
        }
        state.hasTargets = true
        state.targetWords = words
        return PolicyBuilder.targetActions(words)
    }

    func completions(_ request: CompletionRequest) -> Completions {
        switch request.previous {
        case "profile": return .words(request.snapshot.profiles)
        case "region": return .words(Completion.regionsList)
        case "context": return .words(request.snapshot.profiles.map { $0 + "@" })
        default:
            // Target words compose, so every word after the first takes one too.
            let targets = request.snapshot.targets + NodeFilter.words
            return .words(request.words.count == 2 ? ["profile", "region", "context"] + targets : targets)
        }
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        guard let first = args.first else {
            if shell.isMultiContext { return try await showContext(shell) }
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
            guard args.count == 2 else { throw ShellError.usage("use profile takes profile names joined by commas, as in: use profile dev,prod") }
            let profiles = try Self.names(args[1], of: "profile")
            for profile in profiles { try Self.checkProfile(profile, in: shell) }
            if profiles.count == 1 && !shell.isMultiContext {
                shell.options.profile = profiles[0]
                shell.resetFleet()
                shell.targets = []
                shell.targetWords = []
                return 0
            }
            try shell.useContext(Self.pairs(profiles: profiles, regions: try Self.regions(of: shell, profiles: profiles)))
            return 0
        case "region":
            guard args.count == 2 else { throw ShellError.usage("use region takes region names joined by commas, as in: use region eu-west-1,us-east-1") }
            let regions = try Self.names(args[1], of: "region")
            for region in regions where !EndpointResolver.isValidRegion(region) {
                throw ShellError.usage("'\(region)' is not a region name; use a name such as eu-west-1")
            }
            if regions.count == 1 && !shell.isMultiContext {
                shell.options.region = regions[0]
                shell.resetFleet()
                shell.targets = []
                shell.targetWords = []
                return 0
            }
            try shell.useContext(Self.pairs(profiles: Self.profiles(of: shell), regions: regions))
            return 0
        case "context":
            guard args.count > 1 else { throw ShellError.usage("use context takes PROFILE@REGION pairs, as in: use context dev@eu-west-1 prod@us-east-1") }
            var pairs: [ContextPair] = []
            for word in args.dropFirst() {
                for text in try Self.names(word, of: "context") {
                    guard let pair = ContextPair(parsing: text) else {
                        throw ShellError.usage("'\(text)' is not PROFILE@REGION; write a pair as in dev@eu-west-1")
                    }
                    guard EndpointResolver.isValidRegion(pair.region) else {
                        throw ShellError.usage("'\(pair.region)' in \(text) is not a region name; use a name such as eu-west-1")
                    }
                    try Self.checkProfile(pair.profile, in: shell)
                    if !pairs.contains(pair) { pairs.append(pair) }
                }
            }
            try shell.useContext(pairs)
            return 0
        default:
            let resolved = try await shell.resolveTargets(args)
            shell.targets = resolved
            shell.targetWords = args
            if !shell.options.quiet && shell.interactive {
                shell.console.err("targets: \(resolved.map(\.label).joined(separator: ", "))\n")
            }
            return 0
        }
    }
}
