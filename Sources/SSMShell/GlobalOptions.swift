/// The options that come before a script or command, as `aws` spells them where they overlap.
public struct GlobalOptions: Sendable, Equatable {
    public var profile: String?
    public var region: String?
    public var endpointURL: String?
    public var debug = false
    public var showHelp = false
    public var showVersion = false
    /// What is left after the options: a script file and its arguments, or a built-in command.
    public var rest: [String] = []

    public struct UsageError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ arguments: [String]) throws(UsageError) -> GlobalOptions {
        var options = GlobalOptions()
        var index = 0
        func value(for option: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count, !arguments[index].isEmpty else {
                throw UsageError(description: "\(option) needs a value")
            }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
                name = String(argument[..<eq])
                inlineValue = String(argument[argument.index(after: eq)...])
            }
            func take() throws(UsageError) -> String {
                if let inlineValue {
                    guard !inlineValue.isEmpty else { throw UsageError(description: "\(name) needs a value") }
                    return inlineValue
                }
                return try value(for: name)
            }
            switch name {
            case "--help", "-h": options.showHelp = true
            case "--version": options.showVersion = true
            case "--debug": options.debug = true
            case "--profile": options.profile = try take()
            case "--region": options.region = try take()
            case "--endpoint-url": options.endpointURL = try take()
            case "--":
                options.rest = Array(arguments[(index + 1)...])
                return options
            default:
                if argument.hasPrefix("-") && argument != "-" {
                    let known = ["--help", "--version", "--debug", "--profile", "--region", "--endpoint-url"]
                    let hint = known.min { editDistance($0, name) < editDistance($1, name) }.map { " Did you mean \($0)?" } ?? ""
                    throw UsageError(description: "unknown option \(name).\(hint)")
                }
                options.rest = Array(arguments[index...])
                return options
            }
            index += 1
        }
        return options
    }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in stride(from: 1, through: b.count, by: 1) {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}
