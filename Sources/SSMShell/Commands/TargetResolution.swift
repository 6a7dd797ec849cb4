import AWSCore
import SSMCore

/// Target words to nodes (docs/language.md, "Targets"): the grammar and how words compose are
/// SSMCore's TargetExpression, the lookups its NodeResolver, the memory its NodeDirectory.
extension Shell {
    /// Nodes seen so far, by id (labels, completion).
    var knownNodes: [String: Node] { nodeDirectory.known }

    /// Resolves target words to nodes, in order, without duplicates; matching nothing is an error.
    /// With `pair`, in that account and region only (`PROFILE@REGION:TARGET`).
    func resolveTargets(_ words: [String], in pair: ContextPair? = nil) async throws -> [Node] {
        try await resolve(try targetExpression(words), written: words, emptyIsError: true, in: pair)
    }

    /// Target words parsed, a word that cannot be a target being a usage error.
    func targetExpression(_ words: [String]) throws -> TargetExpression {
        do { return try TargetExpression.parse(words) } catch { throw shellError(error) }
    }

    /// An expression's nodes: its lookups (each from the directory when it was made lately),
    /// then what the service could not do. A target that matches no node at all is an error
    /// naming the closest names; a `!` word that takes out nothing is a warning.
    func resolve(_ expression: TargetExpression, written: [String], emptyIsError: Bool, in pair: ContextPair? = nil) async throws -> [Node] {
        var found: [String: [Node]] = [:]
        for lookup in expression.lookups { found[lookup.key] = try await cachedLookup(lookup, in: pair) }
        let result = expression.evaluate(found)
        // With nothing left the whole expression is the error below (one lookup less); else a
        // target that matched nothing would be dropped without a word.
        if !result.nodes.isEmpty || !emptyIsError || expression.serviceFilters.isEmpty {
            try await checkUnmatched(result.unmatched, filtered: !expression.serviceFilters.isEmpty, in: pair)
        }
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
        throw await noMatch(text, near: named?.word, in: pair)
    }

    /// A target that matched nothing is an error naming the closest names. Looked up with the
    /// service's filters (`online`, `platform:`), a name may match nothing for want of them:
    /// then it is looked up again without them, and only a name that matches no node at all
    /// (a misspelling, `use db-1 bd-3 online`) is the error; one the filters left out is not.
    func checkUnmatched(_ unmatched: [TargetTerm], filtered: Bool, in pair: ContextPair?) async throws {
        for term in unmatched {
            // `all` with `offline` is empty by design, never a misspelling.
            if filtered && term == .all { continue }
            if filtered, !(try await cachedLookup(TargetLookup(term: term, filters: []), in: pair)).isEmpty { continue }
            throw await noMatch(term.word, in: pair)
        }
    }

    /// One term's nodes, from the directory when it resolved them lately.
    func cachedTarget(_ term: TargetTerm) async throws -> [Node] { try await cachedLookup(TargetLookup(term: term, filters: [])) }

    /// One lookup's nodes, from the directory when it was made lately; with `pair`, in that
    /// pair only (cached apart from the context's).
    func cachedLookup(_ lookup: TargetLookup, in pair: ContextPair? = nil) async throws -> [Node] {
        let key = pair.map { "\($0) \(lookup.key)" } ?? lookup.key
        // The cache's age is an interval: the monotonic clock.
        if let hit = nodeDirectory.cached(key: key, now: services.monotonicClock.seconds()) { return hit }
        let nodes: [Node]
        do {
            if let pair { nodes = try await resolveInPair(lookup, pair) } else { nodes = try await resolveInEveryPair(lookup) }
        } catch let error as TargetError {
            throw shellError(error)
        }
        nodeDirectory.record(key: key, nodes, now: services.monotonicClock.seconds())
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
    /// they can be had: the names of every pair of the context (or of `pair`).
    func noMatch(_ word: String, near: String? = nil, in pair: ContextPair? = nil) async -> ShellError {
        var hint = ""
        let place = pair.map { " in \($0)" } ?? ""
        if let near = near ?? (word.contains(" ") ? nil : word) {
            var all: [String] = []
            for fleet in (pair.map { [$0] } ?? contextPairs).compactMap({ try? fleet(for: isMultiContext || $0 != contextPairs[0] ? $0 : nil) }) {
                all += await NodeResolver(fleet).allNames()
            }
            var seen = Set<String>()
            let close = Suggest.near(near, in: all.filter { seen.insert($0).inserted })
            hint = close.isEmpty ? "" : "; the closest names are \(close.prefix(3).joined(separator: ", "))"
        }
        return ShellError("no managed node matches '\(word)'\(place)\(hint)")
    }
}
