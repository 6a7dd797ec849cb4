import AWSCore
import SSMCore

/// `use profile A,B`, `use region R1,R2`, `use context P@R ...`: the context as pairs of a
/// profile and a region (language page, "Many accounts and regions").
extension UseCommand {
    /// `a,b,c` split, empty names refused, duplicates dropped, order kept.
    static func names(_ word: String, of kind: String) throws -> [String] {
        let parts = word.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !parts.contains(where: \.isEmpty) else { throw ShellError.usage("use \(kind): '\(word)' has an empty name; join names with single commas") }
        var seen = Set<String>()
        return parts.filter { seen.insert($0).inserted }
    }

    /// A profile must be in the config or credentials file (as `--profile` requires).
    static func checkProfile(_ name: String, in shell: Shell) throws {
        let settings = try ConfigLoader.load(environment: shell.environment, fileSystem: shell.services.fileSystem, profile: name)
        guard settings.profiles.profiles[name] == nil else { return }
        let names = Array(settings.profiles.profiles.keys)
        let hint = Suggest.closest(name, in: names).map { "; did you mean \($0)?" } ?? ""
        throw ShellError.usage("profile \(name) is not in \(settings.configFilePath) or \(settings.credentialsFilePath)\(hint)")
    }

    /// The context's profiles, in order.
    static func profiles(of shell: Shell) -> [String] {
        var seen = Set<String>()
        return shell.contextPairs.map(\.profile).filter { seen.insert($0).inserted }
    }

    /// The regions the new profiles work in: the context's, or when none is set, each
    /// profile's own (its `region` line), so `use profile dev,prod` works in each one's region.
    static func regions(of shell: Shell, profiles: [String]) throws -> [String: [String]] {
        if shell.isMultiContext || shell.options.region != nil {
            var seen = Set<String>()
            let regions = shell.contextPairs.map(\.region).filter { !$0.isEmpty && seen.insert($0).inserted }
            if !regions.isEmpty { return Dictionary(uniqueKeysWithValues: profiles.map { ($0, regions) }) }
        }
        var result: [String: [String]] = [:]
        for profile in profiles {
            let settings = try ConfigLoader.load(environment: shell.environment, fileSystem: shell.services.fileSystem, profile: profile)
            guard let region = settings.region else {
                throw ShellError.usage("profile \(profile) names no region; say which first, as in: use region eu-west-1")
            }
            result[profile] = [region]
        }
        return result
    }

    /// Every profile with every region, profile by profile.
    static func pairs(profiles: [String], regions: [String: [String]]) -> [ContextPair] {
        profiles.flatMap { profile in regions[profile, default: []].map { ContextPair(profile: profile, region: $0) } }
    }

    static func pairs(profiles: [String], regions: [String]) -> [ContextPair] {
        pairs(profiles: profiles, regions: Dictionary(uniqueKeysWithValues: profiles.map { ($0, regions) }))
    }

    /// `use` with several pairs: each pair with its account, and the targets.
    func showContext(_ shell: Shell) async throws -> Int32 {
        let pairs = shell.contextPairs
        let accounts = await shell.accounts(pairs)
        var rows = pairs.map { ["context", "\($0)", accounts[$0] ?? "?"] }
        rows.append(["targets", shell.targets.isEmpty ? "(none)" : shell.targets.map(\.label).joined(separator: ", "), ""])
        shell.print(Table(columns: ["SETTING", "VALUE", "ACCOUNT"], rows: rows))
        return 0
    }
}

extension Shell {
    /// Sets the context's pairs; one pair is the shell as it always was (the options name it).
    func useContext(_ pairs: [ContextPair]) throws {
        guard !pairs.isEmpty else { throw ShellError.usage("use: the context needs at least one PROFILE@REGION pair") }
        if pairs.count == 1 {
            options.profile = pairs[0].profile
            options.region = pairs[0].region
            context.pairs = nil
        } else {
            context.pairs = pairs
        }
        resetFleet()
        targets = []
        targetWords = []
    }
}
