public import AWSCore

/// What `set` changes besides variables (language page, `set`): the output format, colours,
/// and whether a script goes on after a failure.
public struct ShellSettings: Sendable, Equatable {
    public var outputFormat: OutputFormat
    public var color: Bool
    public var keepGoing = false

    /// A table on a terminal, text otherwise; colours on a terminal unless NO_COLOR is set
    /// (no-color.org) or --no-color is given.
    public init(options: GlobalOptions, stdoutIsTerminal: Bool, environment: Environment) {
        outputFormat = options.output ?? (stdoutIsTerminal ? .table : .text)
        color = stdoutIsTerminal && environment["NO_COLOR"] == nil && !options.noColor
    }

    /// The names `set` reads as settings, not variables.
    static let names: Set<String> = ["output", "color", "keep-going"]

    /// `set NAME VALUE` for one of `names`.
    mutating func set(_ name: String, to value: String) throws {
        func onOff() throws -> Bool {
            switch value {
            case "on", "true", "yes": return true;
            case "off", "false", "no": return false
            default: throw ShellError.usage("set \(name) takes on or off, not '\(value)'")
            }
        }
        switch name {
        case "output":
            guard let format = OutputFormat(rawValue: value) else { throw ShellError.usage("set output takes table, text or json, not '\(value)'") }
            outputFormat = format
        case "color": color = try onOff()
        case "keep-going": keepGoing = try onOff()
        default: throw ShellError.usage("'\(name)' is not a setting; the settings are \(Self.names.sorted().joined(separator: ", "))")
        }
    }

    /// As `set` lists them.
    var listing: String {
        "output=\(outputFormat.rawValue)\ncolor=\(color ? "on" : "off")\nkeep-going=\(keepGoing ? "on" : "off")\n"
    }
}
