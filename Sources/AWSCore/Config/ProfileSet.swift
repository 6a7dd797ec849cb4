/// The profiles, sso-sessions and services sections of the config and credentials files,
/// merged as the SDKs merge them: duplicate sections merge, later keys win, and the credentials
/// file wins over the config file for the same key.
public struct ProfileSet: Sendable, Equatable {
    public var profiles: [String: Profile] = [:]
    public var ssoSessions: [String: Profile] = [:]
    public var services: [String: Profile] = [:]

    public init() {}

    /// Parses both files. Either may be absent (nil). Errors name the file and line.
    public static func parse(config: (name: String, text: String)?, credentials: (name: String, text: String)?)
        throws(ConfigFileParser.ParseError) -> ProfileSet
    {
        var set = ProfileSet()
        if let config {
            let sections = try ConfigFileParser(kind: .config, fileName: config.name).parse(config.text)
            // `[profile default]` beats `[default]` whatever their order: when both exist the
            // prefix-less one is ignored (parser suite, "Default profile with profile prefix...").
            let hasPrefixedDefault = sections.contains { $0.kind == .profile && $0.name == "default" }
            for section in sections {
                switch section.kind {
                case .profile: set.profiles.merge(section, file: config.name)
                case .defaultWithoutPrefix where !hasPrefixedDefault: set.profiles.merge(section, file: config.name)
                case .defaultWithoutPrefix: continue
                case .ssoSession: set.ssoSessions.merge(section, file: config.name)
                case .services: set.services.merge(section, file: config.name)
                }
            }
        }
        if let credentials {
            for section in try ConfigFileParser(kind: .credentials, fileName: credentials.name).parse(credentials.text) {
                set.profiles.merge(section, file: credentials.name)
            }
        }
        return set
    }
}

/// One named section's properties, with the file each value came from (for error messages).
public struct Profile: Sendable, Equatable {
    public var name: String
    public var properties: [String: ConfigValue] = [:]
    public var origins: [String: String] = [:]

    public init(name: String, properties: [String: String] = [:]) {
        self.name = name
        for (key, value) in properties { self.properties[key.lowercased()] = ConfigValue(text: value) }
    }

    /// The value of a key (keys are case-insensitive), or nil when absent.
    public subscript(key: String) -> String? { properties[key.lowercased()]?.text }

    /// The value, or nil when absent or empty (how the SDKs treat `key =`).
    public func nonEmpty(_ key: String) -> String? {
        guard let value = self[key], !value.isEmpty else { return nil }
        return value
    }

    /// A boolean setting: "true"/"false" in any case; anything else is nil.
    public func bool(_ key: String) -> Bool? {
        switch self[key]?.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    public func subProperties(_ key: String) -> [String: String]? { properties[key.lowercased()]?.subProperties }
}

extension Dictionary where Key == String, Value == Profile {
    mutating func merge(_ section: ConfigFileParser.Section, file: String) {
        var profile = self[section.name] ?? Profile(name: section.name)
        for (key, value) in section.properties {
            profile.properties[key] = value
            profile.origins[key] = file
        }
        self[section.name] = profile
    }
}
