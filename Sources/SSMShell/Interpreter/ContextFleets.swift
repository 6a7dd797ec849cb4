import AWSCore
import SSMCore

/// The clients of the shell's account and region pairs (language page, "Many accounts and
/// regions"): one per pair, built on first use and kept, the account id each pair's identity
/// belongs to, and the pairs the running command skipped.
struct PairFleets {
    /// The client of the one pair the options name (the shell without `use context`).
    var single: (any FleetAPI)?
    var byPair: [ContextPair: any FleetAPI] = [:]
    /// sts:GetCallerIdentity's Account, asked once per pair.
    var accounts: [ContextPair: String] = [:]
    /// Pairs the running command reported and went on without: it then ends with status 1.
    var skipped = 0
    /// The pair each command sent with a bare id went to (one pair in play then), so that it is
    /// still asked there once several pairs are.
    var sentIn: [String: ContextPair] = [:]
    /// Whether the running command's status 1 is only its skipped pairs (the script goes on).
    var statusIsSkips = false
    /// The pair `run` writes a command's text for, so `$profile` and `$region` are that pair's.
    var expanding: ContextPair?

    mutating func forgetSinglePair() { single = nil }
}

extension Shell {
    /// The context's pairs, in order: those of `use context` (or `use profile A,B`, `use region
    /// R1,R2`), else the one the options name.
    var contextPairs: [ContextPair] {
        context.pairs ?? [ContextPair(profile: currentProfile, region: currentRegion ?? "")]
    }

    /// The context's profiles and regions, each once, in order.
    var contextProfiles: [String] { contextPairs.map(\.profile).reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }
    var contextRegions: [String] { contextPairs.map(\.region).reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }

    /// The context in a few characters for the prompt: `PROFILE:REGION` with one pair,
    /// `dev,prod:us-east-1,eu-west-1` when the pairs are every profile with every region, else
    /// the first pair and how many more (`dev@us-east-1+2`).
    var contextLabel: String {
        guard let pairs = context.pairs, pairs.count > 1 else { return "\(currentProfile):\(currentRegion ?? "-")" }
        let (profiles, regions) = (contextProfiles, contextRegions)
        if profiles.count * regions.count == pairs.count {
            return "\(profiles.joined(separator: ",")):\(regions.joined(separator: ","))"
        }
        return "\(pairs[0])+\(pairs.count - 1)"
    }

    /// More than one pair in play: nodes and commands carry their pair, tables gain ACCOUNT
    /// and REGION columns, a pair that fails is skipped.
    var isMultiContext: Bool { (context.pairs?.count ?? 1) > 1 }

    /// The client of a pair (nil: the first of the context), built on first use. Each is made
    /// from the options with the pair's profile and region; credentials come from the profile
    /// as configured (role chaining, MFA, SSO: AWSCore's chain).
    func fleet(for pair: ContextPair?) throws -> any FleetAPI {
        // A pair given that is not the one the options name (a command sent in an earlier
        // context) gets its own client too.
        guard let pair = pair ?? context.pairs?.first, context.pairs != nil || pair != contextPairs[0] else {
            if let single = pairFleets.single { return single }
            let fleet = try fleetFactory(options)
            pairFleets.single = fleet
            return fleet
        }
        if let fleet = pairFleets.byPair[pair] { return fleet }
        var pairOptions = options
        pairOptions.profile = pair.profile
        pairOptions.region = pair.region
        let fleet = try fleetFactory(pairOptions)
        pairFleets.byPair[pair] = fleet
        return fleet
    }

    /// Runs `body` in every pair at once (one task per pair), answers in the pairs' order. With
    /// one pair the pair given is nil and an error is thrown as it always was; with several, a
    /// pair that fails (credentials, a refusal) is reported in one line naming it and skipped,
    /// the others go on, and the command ends with status 1.
    func eachPair<T: Sendable>(
        _ pairs: [ContextPair]? = nil, _ body: @escaping @Sendable (ContextPair?, any FleetAPI) async throws -> T
    ) async throws -> [(pair: ContextPair?, value: T)] {
        guard isMultiContext || (pairs.map { $0.count > 1 } ?? false) else {
            let pair = pairs?.first
            return [(pair, try await body(pair, try fleet(for: pair)))]
        }
        let pairs = pairs ?? contextPairs
        var fleets: [Int: any FleetAPI] = [:]
        var failures: [Int: any Error] = [:]
        for (index, pair) in pairs.enumerated() {
            do { fleets[index] = try fleet(for: pair) } catch { failures[index] = error }
        }
        var values: [Int: T] = [:]
        await withTaskGroup(of: (Int, Result<T, any Error>).self) { group in
            for (index, fleet) in fleets {
                let pair = pairs[index]
                group.addTask {
                    do { return (index, .success(try await body(pair, fleet))) } catch { return (index, .failure(error)) }
                }
            }
            for await (index, result) in group {
                switch result {
                case .success(let value): values[index] = value
                case .failure(let error): failures[index] = error
                }
            }
        }
        for index in failures.keys.sorted() { try skip(pairs[index], failures[index]!) }
        return pairs.indices.compactMap { i in values[i].map { (pairs[i], $0) } }
    }

    /// `eachPair` over the pairs things were found in (nodes, commands): nil is the one
    /// context there is.
    func eachPair<T: Sendable>(
        among pairs: [ContextPair?], _ body: @escaping @Sendable (ContextPair?, any FleetAPI) async throws -> T
    ) async throws -> [(pair: ContextPair?, value: T)] {
        var seen = Set<ContextPair>()
        let distinct = pairs.compactMap { $0 }.filter { seen.insert($0).inserted }
        if distinct.isEmpty { return try await eachPair(nil, body) }
        return try await eachPair(distinct, body)
    }

    /// One line for a pair that failed; Ctrl-C still stops the whole command.
    func skip(_ pair: ContextPair, _ error: any Error) throws {
        if error is CancellationError { throw error }
        if let shellError = error as? ShellError, shellError.status == 130 { throw error }
        pairFleets.skipped += 1
        console.err("\(pair): \(describe(error).0) (skipped; the other accounts and regions go on)\n")
    }

    /// The account id of each pair (sts:GetCallerIdentity, once per pair, asked at once).
    func accounts(_ pairs: [ContextPair]) async -> [ContextPair: String] {
        let missing = pairs.filter { pairFleets.accounts[$0] == nil }
        var fleets: [(ContextPair, any FleetAPI)] = []
        for pair in missing { if let fleet = try? fleet(for: pair) { fleets.append((pair, fleet)) } }
        let found = await withTaskGroup(of: (ContextPair, String?).self) { group in
            for (pair, fleet) in fleets { group.addTask { (pair, try? await fleet.callerIdentity().account) } }
            var found: [(ContextPair, String)] = []
            for await (pair, account) in group { if let account { found.append((pair, account)) } }
            return found
        }
        for (pair, account) in found { pairFleets.accounts[pair] = account }
        return pairFleets.accounts
    }

    /// A table with ACCOUNT and REGION in front when several pairs are in play: `pairs` gives
    /// each row's pair. With one pair, the table as it always was.
    func contextTable(columns: [String], rows: [[String]], pairs: [ContextPair?]) async -> Table {
        guard isMultiContext else { return Table(columns: columns, rows: rows) }
        let accounts = await accounts(Array(Set(pairs.compactMap { $0 })))
        let cells = pairs.map { pair in pair.map { [accounts[$0] ?? "?", $0.region] } ?? ["", ""] }
        return Table(columns: ["ACCOUNT", "REGION"] + columns, rows: zip(cells, rows).map { $0 + $1 })
    }

    /// A lookup's nodes in every pair at once, each node carrying its pair (when there are
    /// several), in the pairs' order.
    func resolveInEveryPair(_ lookup: TargetLookup) async throws -> [Node] {
        let names = nodeDirectory.known.compactMapValues(\.name)
        return try await eachPair { pair, fleet in
            try await NodeResolver(fleet).resolve(lookup.term, names: names, filters: lookup.filters).map { node in
                var node = node
                node.pair = pair
                return node
            }
        }.flatMap(\.value)
    }

    /// A lookup's nodes in one pair only (`PROFILE@REGION:TARGET`), each node carrying that pair
    /// unless it is the one pair in play. A pair that fails is the error, not a skip: it was named.
    func resolveInPair(_ lookup: TargetLookup, _ pair: ContextPair) async throws -> [Node] {
        let names = nodeDirectory.known.compactMapValues(\.name)
        let own = isMultiContext || pair != contextPairs[0] ? pair : nil
        return try await NodeResolver(try fleet(for: own)).resolve(lookup.term, names: names, filters: lookup.filters).map { node in
            var node = node
            node.pair = own
            return node
        }
    }

    // MARK: commands by pair

    /// A command as the ledger keys it: an id given bare while several pairs are in play is the
    /// pair-qualified one the ledger knows by that id (as `$cmd` writes it).
    func canonicalCommand(_ text: String) -> String {
        let ref = CommandRef(text)
        guard ref.pair == nil, isMultiContext, ledger.targets[text] == nil else { return text }
        return ledger.targets.keys.first { CommandRef($0).id == ref.id } ?? text
    }

    /// Where to ask about a command: the pair written, else the one it was sent in; nil for the
    /// one pair in play. A bare id this shell did not send cannot say which of several pairs.
    func located(_ text: String) throws -> CommandRef {
        var ref = CommandRef(text)
        if ref.pair == nil { ref.pair = pairFleets.sentIn[text] }
        if let pair = ref.pair, !isMultiContext, pair == contextPairs[0] { ref.pair = nil }
        if ref.pair == nil && isMultiContext {
            throw ShellError.usage(
                "command \(ref.id) was not sent from this shell, so its account and region are not known: write it as PROFILE@REGION:\(ref.id)")
        }
        return ref
    }

    /// Every page of each command's invocations, the commands of a pair in turn and the pairs
    /// at once; a pair that fails is reported and has no answer. Invocations of nodes a
    /// command was not meant for (`CommandLedger.own`) are left out.
    /// With `throttledRoundsWait` (wait's polling), a pair still throttled after the client's
    /// retries answers nothing this round, as if not asked (`throttled` names its commands): the
    /// next round asks again, paced by the client's rate limit, instead of skipping the pair.
    func invocationsInEveryPair(
        _ ids: [String], details: Bool = false, throttledRoundsWait: Bool = false
    ) async throws -> [String: [CommandInvocation]] {
        guard !ids.isEmpty else { return [:] }
        let refs = try ids.map(located)
        let clock = self.clock
        let answers = try await eachPair(among: refs.map(\.pair)) { pair, fleet in
            var out: [(String, [CommandInvocation]?)] = []
            for (text, ref) in zip(ids, refs) where ref.pair == pair {
                do {
                    out.append((text, try await details ? Self.allDetails(fleet, ref.id, clock: clock) : fleet.allInvocations(commandId: ref.id)))
                } catch let error as AWSServiceError where throttledRoundsWait && error.isThrottling {
                    return out + zip(ids, refs).filter { $0.1.pair == pair && !out.map(\.0).contains($0.0) }.map { ($0.0, nil) }
                }
            }
            return out
        }
        let ledger = self.ledger
        return Dictionary(
            answers.flatMap(\.value).map { id, listed in (id, listed.map { ledger.own(id, $0) } ?? [Self.throttledMark]) },
            uniquingKeysWith: { _, last in last })
    }

    /// Stands for "throttled this round" in `invocationsInEveryPair`'s answer (an invocation no
    /// service lists: no instance id).
    static let throttledMark = CommandInvocation(["Status": "Throttled"])
    static func isThrottledMark(_ invocations: [CommandInvocation]) -> Bool {
        invocations.count == 1 && invocations[0].instanceId.isEmpty && invocations[0].status == "Throttled"
    }

    /// ListCommandInvocations with details, every page; a page still throttled after the
    /// client's retries is asked again (up to 5 times, a second apart and more), so that one
    /// listing in a throttled fleet does not lose the pair's output.
    static func allDetails(_ fleet: any FleetAPI, _ commandId: String, clock: any WallClock) async throws -> [CommandInvocation] {
        try await Pagination.collect { token in
            var tries = 0
            while true {
                do {
                    let page = try await fleet.listInvocationDetails(commandId: commandId, nextToken: token)
                    return (page.invocations, page.nextToken)
                } catch let error as AWSServiceError where error.isThrottling && tries < 5 {
                    tries += 1
                    try await clock.sleep(seconds: Double(tries))
                }
            }
        }
    }

    /// `invocationsInEveryPair` with details: each invocation's plugins and their Output.
    func invocationDetailsInEveryPair(_ ids: [String]) async throws -> [String: [CommandInvocation]] {
        try await invocationsInEveryPair(ids, details: true)
    }

    /// The pair each node was found in, nodes kept in their order.
    func byPair(_ nodes: [Node]) -> [(pair: ContextPair?, nodes: [Node])] {
        var order: [ContextPair?] = []
        var groups: [ContextPair?: [Node]] = [:]
        for node in nodes {
            if groups[node.pair] == nil { order.append(node.pair) }
            groups[node.pair, default: []].append(node)
        }
        return order.map { ($0, groups[$0] ?? []) }
    }
}
