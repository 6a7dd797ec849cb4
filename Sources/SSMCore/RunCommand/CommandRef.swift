/// A command as `$cmd`, `wait`, `output` and `cancel` name it: its id, and when the shell works
/// in several accounts and regions, the pair it was sent in, written `PROFILE@REGION:ID`, so a
/// command id always says where to ask about it (language page, "Many accounts and regions").
public struct CommandRef: Sendable, Hashable, CustomStringConvertible {
    public var pair: ContextPair?
    public var id: String

    public init(pair: ContextPair?, id: String) {
        self.pair = pair
        self.id = id
    }

    /// `ID` or `PROFILE@REGION:ID`. A command id has no `:` (a UUID), so the last one ends the pair.
    public init(_ text: some StringProtocol) {
        if let colon = text.lastIndex(of: ":"), let pair = ContextPair(parsing: text[..<colon]) {
            self.init(pair: pair, id: String(text[text.index(after: colon)...]))
        } else {
            self.init(pair: nil, id: String(text))
        }
    }

    public var description: String { pair.map { "\($0):\(id)" } ?? id }
}
