/// When local input may go to the agent: the agent discards stream data that arrives during the
/// handshake (spec 5), so ssh's banner, early keys or a forwarded client's first bytes would be
/// lost. Input waits for HandshakeComplete however long it takes once the agent's HandshakeRequest
/// arrived (the agent ends a handshake that lasts over 15 s itself, spec 6.1). Agents that skip
/// the handshake start with output, which opens the gate too; one that neither handshakes nor
/// speaks within `silentAgentDelay` of the first connection gets the input anyway (spec 6.1, step 4).
/// The rule for connect and proxy; forward's port sessions always handshake (spec 7.2), so
/// `PortSession` opens it on HandshakeComplete alone.
public struct InputGate: Sendable, Equatable {
    public static let silentAgentDelay = 5.0

    public private(set) var isOpen = false
    private var handshakeStarted = false
    private var firstConnectedAt: Double?

    public init() {}

    /// A connection opened (the first one starts the silent-agent delay).
    public mutating func connected(now: Double) {
        if firstConnectedAt == nil { firstConnectedAt = now }
    }

    /// The agent's HandshakeRequest arrived: wait for HandshakeComplete.
    public mutating func handshakeBegan() { handshakeStarted = true }

    /// HandshakeComplete, or stream data from the agent: input may flow.
    public mutating func open() { isOpen = true }

    /// Opens the gate for an agent that stayed silent; true when this call opened it.
    public mutating func tick(now: Double) -> Bool {
        guard !isOpen, !handshakeStarted, let first = firstConnectedAt, now - first > Self.silentAgentDelay else { return false }
        isOpen = true
        return true
    }
}
