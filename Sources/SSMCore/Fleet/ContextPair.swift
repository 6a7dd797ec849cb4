/// One account and region the shell works in (language page, "Many accounts and regions"): a
/// profile as ~/.aws names it and a region. The shell's context is an ordered set of these;
/// with one pair the shell behaves as it always did.
public struct ContextPair: Sendable, Hashable, CustomStringConvertible {
    public var profile: String
    public var region: String

    public init(profile: String, region: String) {
        self.profile = profile
        self.region = region
    }

    /// `PROFILE@REGION`, the form `use context`, `connect` and pair-qualified command ids take.
    public var description: String { "\(profile)@\(region)" }

    /// `PROFILE@REGION`; nil when either side is empty or there is no `@`. The region is after
    /// the last `@` (a region name has none; a profile name might).
    public init?(parsing text: some StringProtocol) {
        guard let at = text.lastIndex(of: "@") else { return nil }
        let profile = String(text[..<at])
        let region = String(text[text.index(after: at)...])
        guard !profile.isEmpty, !region.isEmpty else { return nil }
        self.init(profile: profile, region: region)
    }
}
