/// The stall deadline of one `put` or `get`: a copy whose count of bytes moved (sent into the
/// session, or received from it) has not changed for `limit` seconds is stopped with a sentence,
/// where it would otherwise wait forever for a node that stopped reading or answering.
/// Pure: the count and `now` in, whether it stalled out.
public struct TransferStall: Sendable {
    /// Long enough for the node to hash a large file before it answers (sha256sum of 10 GB).
    public static let defaultLimit = 120.0

    public let limit: Double
    private var count: Int
    private var since: Double

    public init(limit: Double = Self.defaultLimit, now: Double) {
        self.limit = limit
        count = 0
        since = now
    }

    /// Whether nothing moved for `limit` seconds, given the count now.
    public mutating func stalled(count: Int, now: Double) -> Bool {
        if count != self.count {
            self.count = count
            since = now
            return false
        }
        return now - since >= limit
    }

    /// The sentence for a copy stopped this way.
    public var problem: String {
        "nothing moved for \(Int(limit)) s: the node stopped reading or answering, so the copy was stopped (files not yet in place were not kept)"
    }
}
