import SSMCore

/// `doctor` with several accounts and regions: the checks of each pair in turn, under a header
/// naming it, as if the shell worked in that pair alone (its client kept for later commands).
extension Shell {
    func doctorEveryPair(_ args: [String]) async throws -> Int32 {
        let pairs = contextPairs
        var worst: Int32 = 0
        for pair in pairs {
            console.out("== \(pair)\n")
            let saved = (options, context.pairs, pairFleets.single)
            options.profile = pair.profile
            options.region = pair.region
            context.pairs = nil
            pairFleets.single = pairFleets.byPair[pair]
            defer {
                if let fleet = pairFleets.single { pairFleets.byPair[pair] = fleet }
                (options, context.pairs, pairFleets.single) = saved
            }
            do {
                worst = max(worst, try await doctor(args))
            } catch {
                try skip(pair, error)
            }
        }
        return worst
    }
}
