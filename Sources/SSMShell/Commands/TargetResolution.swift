import AWSCore
import SSMCore

/// Target words to nodes (language page, section 4, "TARGET forms"): the grammar is SSMCore's
/// TargetExpression, the lookups its NodeResolver, the memory its NodeDirectory.
extension Shell {
    /// Nodes seen so far, by id (labels, completion).
    var knownNodes: [String: Node] { nodeDirectory.known }

    /// Resolves target words to nodes, in order, without duplicates.
    func resolveTargets(_ words: [String]) async throws -> [Node] {
        let expression = try targetExpression(words)
        var nodes: [Node] = []
        var seen = Set<String>()
        for term in expression.terms {
            let found = try await cachedTarget(term)
            guard !found.isEmpty else { throw await noMatch(term.word) }
            for node in found where seen.insert(node.id).inserted { nodes.append(node) }
        }
        return nodes
    }

    /// Target words parsed, a word that cannot be a target being a usage error.
    func targetExpression(_ words: [String], filters: Bool = false) throws -> TargetExpression {
        do { return try TargetExpression.parse(words, filters: filters) } catch { throw shellError(error) }
    }

    /// One term's nodes, from the directory when it resolved them lately.
    func cachedTarget(_ term: TargetTerm) async throws -> [Node] {
        // The cache's age is an interval: the monotonic clock.
        if let hit = nodeDirectory.cached(term, now: services.monotonicClock.seconds()) { return hit }
        let nodes: [Node]
        do {
            nodes = try await resolveInEveryPair(term)
        } catch let error as TargetError {
            throw shellError(error)
        }
        nodeDirectory.record(term, nodes, now: services.monotonicClock.seconds())
        return nodes
    }

    func shellError(_ error: TargetError) -> ShellError {
        switch error {
        case .malformedTag: return .usage(error.description)
        case .globNeedsEC2(let pattern):
            return ShellError(
                "the Name glob \(pattern) needs ec2:DescribeInstances, which this identity may not call. Use exact names or tag:KEY=VALUE, or add this statement:\n\(IAMActions.statement(for: "ec2:DescribeInstances"))"
            )
        }
    }

    /// "matches nothing" with the closest names, when they can be had.
    func noMatch(_ word: String) async -> ShellError {
        let names = (try? fleet()).map { NodeResolver($0) }
        let all = await names?.allNames() ?? []
        let close = Suggest.near(word, in: all)
        let hint = close.isEmpty ? "" : "; the closest names are \(close.prefix(3).joined(separator: ", "))"
        return ShellError("no managed node matches '\(word)'\(hint)")
    }
}
