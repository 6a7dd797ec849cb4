/// When `run` sends SendCommand `Targets` instead of batches of 50 ids (issue 14, "Scale"): the
/// target words are only tags, so the nodes they mean in a pair are what the service's own tag
/// filter selects there, and one SendCommand a pair reaches them all. Pure: words in, Targets out.
public enum TagTargets {
    /// SendCommand takes at most 50 values for a Targets key (API reference, Target.Values).
    public static let maxValues = 50

    /// The Targets of an expression that is only tag words of one form: `tag:K=V` words of one
    /// key (one `tag:K` entry, its values ORed, as the words add up) or `tag:K` words (one
    /// `tag-key` entry, its keys ORed). nil for anything else: other words or filters narrow or
    /// add what the tag selects; tags of several keys add up, where Targets' keys would narrow;
    /// a glob character in a value or a key is exact for DescribeInstanceInformation but might
    /// not be for the Targets' tag match.
    public static func targets(for expression: TargetExpression) -> [(key: String, values: [String])]? {
        guard !expression.terms.isEmpty, expression.filters.isEmpty, expression.removals.isEmpty else { return nil }
        var key: String?
        var values: [String] = []
        for term in expression.terms {
            let (entryKey, value): (String, String)
            switch term {
            case .tag(let tagKey, let tagValue) where !TargetTerm.isGlob(tagValue): (entryKey, value) = ("tag:\(tagKey)", tagValue)
            case .tagKey(let tagKey) where !TargetTerm.isGlob(tagKey): (entryKey, value) = ("tag-key", tagKey)
            default: return nil
            }
            guard key == nil || key == entryKey else { return nil }
            key = entryKey
            if !values.contains(value) { values.append(value) }
        }
        guard let key, values.count <= maxValues else { return nil }
        return [(key: key, values: values)]
    }

    /// Which of a pair's document groups goes by Targets: the largest (the first of equals). The
    /// service matches Targets by tag whatever the platform and runs a document only where its
    /// platforms allow (AWS-RunShellScript: Linux and macOS), so the other groups of a mixed pair
    /// (the Windows nodes of a Linux fleet) go by id, in batches of 50, as before.
    public static func targetedGroup(_ groups: [RunPlan.Group]) -> Int? {
        groups.indices.max { a, b in groups[a].nodes.count < groups[b].nodes.count || (groups[a].nodes.count == groups[b].nodes.count && a > b) }
    }
}
