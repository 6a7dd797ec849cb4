import AWSCore
import SSMCore

/// Target words to nodes (docs/language.md, "Targets"): the grammar and how words compose are
/// SSMCore's TargetExpression, the lookups its NodeResolver, the memory its NodeDirectory.
extension Shell {
    /// Nodes seen so far, by id (labels, completion).
    var knownNodes: [String: Node] { nodeDirectory.known }

    /// Resolves target words to nodes, in order, without duplicates; matching nothing is an error.
    func resolveTargets(_ words: [String]) async throws -> [Node] {
        try await resolve(try targetExpression(words), written: words, emptyIsError: true)
    }

    /// Target words parsed, a word that cannot be a target being a usage error.
    func targetExpression(_ words: [String]) throws -> TargetExpression {
        do { return try TargetExpression.parse(words) } catch { throw shellError(error) }
    }

    /// An expression's nodes: its lookups (each from the directory when it was made lately),
    /// then what the service could not do. A target that matches no node at all is an error
    /// naming the closest names; a `!` word that takes nothing out is a warning.
    func resolve(_ expression: TargetExpression, written: [String], emptyIsError: Bool) async throws -> [Node] {
        var found: [String: [Node]] = [:]
        for lookup in expression.lookups { found[lookup.key] = try await cachedLookup(lookup) }
        let result = expression.evaluate(found)
        // With the service's filters a name may match nothing for want of them: then the whole
        // expression is what matched nothing.
        if expression.serviceFilters.isEmpty, let term = result.unmatched.first { throw await noMatch(term.word) }
        for word in result.idleRemovals where !options.quiet {
            console.err("warning: \(word) takes out nothing: no node of the rest matches \(word.dropFirst())\n")
        }
        guard result.nodes.isEmpty, emptyIsError else { return result.nodes }
        let text = written.joined(separator: " ")
        if result.beforeRemovals > 0 {
            throw ShellError(
                "the ! words of '\(text)' take out all \(result.beforeRemovals) node\(result.beforeRemovals == 1 ? "" : "s") it matches: nothing is left")
        }
        let named = expression.terms.first { $0.kind == .nodes && $0 != .all }
        throw await noMatch(text, near: named?.word)
    }

    /// One term's nodes, from the directory when it resolved them lately.
    func cachedTarget(_ term: TargetTerm) async throws -> [Node] { try await cachedLookup(TargetLookup(term: term, filters: [])) }

    /// One lookup's nodes, from the directory when it was made lately.
    func cachedLookup(_ lookup: TargetLookup) async throws -> [Node] {
        // The cache's age is an interval: the monotonic clock.
        if let hit = nodeDirectory.cached(key: lookup.key, now: services.monotonicClock.seconds()) { return hit }
        let nodes: [Node]
        do {
            nodes = try await resolveInEveryPair(lookup)
        } catch let error as TargetError {
            throw shellError(error)
        }
        nodeDirectory.record(key: lookup.key, nodes, now: services.monotonicClock.seconds())
        return nodes
    }

    func shellError(_ error: TargetError) -> ShellError {
        switch error {
        case .globNeedsEC2(let pattern):
            return ShellError(
                "the Name glob \(pattern) needs ec2:DescribeInstances, which this identity may not call. Use exact names or tag:KEY=VALUE, or add this statement:\n\(IAMActions.statement(for: "ec2:DescribeInstances"))"
            )
        default: return .usage(error.description)
        }
    }

    /// "matches nothing" with the names closest to `near` (the word itself by default), when
    /// they can be had.
    func noMatch(_ word: String, near: String? = nil) async -> ShellError {
        var hint = ""
        if let near = near ?? (word.contains(" ") ? nil : word) {
            let names = (try? fleet()).map { NodeResolver($0) }
            let all = await names?.allNames() ?? []
            let close = Suggest.near(near, in: all)
            hint = close.isEmpty ? "" : "; the closest names are \(close.prefix(3).joined(separator: ", "))"
        }
        return ShellError("no managed node matches '\(word)'\(hint)")
    }
}
