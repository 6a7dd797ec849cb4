/// The process environment as a value, passed in so the pure modules never read globals.
public struct Environment: Sendable, Equatable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    /// The value, or nil when unset. Empty values are returned as "" (see `nonEmpty`).
    public subscript(name: String) -> String? { values[name] }

    /// The value, or nil when unset or empty (how the AWS SDKs treat `AWS_ACCESS_KEY_ID=`).
    public func nonEmpty(_ name: String) -> String? {
        guard let value = values[name], !value.trimmingWhitespace().isEmpty else { return nil }
        return value
    }

    /// "true"/"false" in any case; anything else is nil.
    public func bool(_ name: String) -> Bool? {
        switch values[name]?.trimmingWhitespace().lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }
}

/// Files, passed in: the real one lives in SystemIO, tests use an in-memory one.
public protocol FileSystem: Sendable {
    /// The file's bytes, or nil when it does not exist. Other failures throw.
    func contents(of path: String) throws -> [UInt8]?
    /// Writes atomically, creating parent directories, with the given permission bits.
    func write(_ bytes: [UInt8], to path: String, permissions: UInt16) throws
}

/// Wall-clock time in seconds since 1970, passed in so expiry and signing can be tested.
public protocol WallClock: Sendable {
    func now() -> Double
    /// Suspends for the given seconds (retry backoff, polling).
    func sleep(seconds: Double) async throws
}

/// Runs a program without a shell (credential_process), passed in so tests can fake it.
public protocol ProcessRunner: Sendable {
    func run(_ arguments: [String], environment: [String: String]) async throws -> ProcessResult
}

public struct ProcessResult: Sendable, Equatable {
    public var status: Int32
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]
    public init(status: Int32, standardOutput: [UInt8], standardError: [UInt8]) {
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}
