/// "Did you mean": the closest candidate within a small edit distance.
public enum Suggest {
    public static func closest(_ word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance($0, word)) }.filter { $0.1 <= limit(word) }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// Every candidate within the same distance as `closest`, nearest first.
    static func near(_ word: String, in candidates: [String]) -> [String] {
        candidates.filter { editDistance($0, word) <= limit(word) }.sorted { editDistance($0, word) < editDistance($1, word) }
    }

    /// How far a typo may be from what was meant: 2 edits, or a third of a long word.
    private static func limit(_ word: String) -> Int { max(2, word.count / 3) }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
