public import AWSCore
public import SSMCore

/// What `set` changes besides variables (language page, `set`): the output format, colours,
/// and whether a script goes on after a failure.
public struct ShellSettings: Sendable, Equatable {
    public var outputFormat: OutputFormat
    public var color: Bool
    public var keepGoing = false
    /// `set cloudwatch`: the group `run` sends output to in CloudWatch Logs ("" for the
    /// document's default, `/aws/ssm/<DocumentName>`); nil when off.
    public var cloudWatch: String?
    /// `set output-bucket`: where `run` has the agent upload the complete output; nil when off.
    public var outputBucket: OutputBucket?

    /// A table on a terminal, text otherwise; colours on a terminal unless NO_COLOR is set
    /// (no-color.org) or --no-color is given.
    public init(options: GlobalOptions, stdoutIsTerminal: Bool, environment: Environment) {
        outputFormat = options.output ?? (stdoutIsTerminal ? .table : .text)
        color = stdoutIsTerminal && environment["NO_COLOR"] == nil && !options.noColor
    }

    /// The names `set` reads as settings, not variables.
    static let names: Set<String> = ["output", "color", "keep-going", "cloudwatch", "output-bucket"]

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
        case "cloudwatch":
            switch value {
            case "on", "true", "yes": cloudWatch = ""
            case "off", "false", "no": cloudWatch = nil
            case "": throw ShellError.usage("set cloudwatch takes on, off or a log group name")
            default: cloudWatch = try Self.logGroup(value)
            }
        case "output-bucket":
            switch value {
            case "off", "false", "no": outputBucket = nil
            default:
                do { outputBucket = try OutputBucket(value) } catch { throw ShellError.usage(error.description) }
            }
        default: throw ShellError.usage("'\(name)' is not a setting; the settings are \(Self.names.sorted().joined(separator: ", "))")
        }
    }

    /// As `set` lists them.
    var listing: String {
        let cloudWatchText = cloudWatch.map { $0.isEmpty ? "on" : $0 } ?? "off"
        return
            "output=\(outputFormat.rawValue)\ncolor=\(color ? "on" : "off")\nkeep-going=\(keepGoing ? "on" : "off")\ncloudwatch=\(cloudWatchText)\noutput-bucket=\(outputBucket?.description ?? "off")\n"
    }

    /// A log group name as CreateLogGroup takes it: 1 to 512 of `a-zA-Z0-9_-/.#` (CloudWatch
    /// Logs API reference, CreateLogGroup).
    static func logGroup(_ name: String) throws -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/.#")
        guard (1...512).contains(name.count), name.allSatisfy(allowed.contains) else {
            throw ShellError.usage("'\(name)' is not a CloudWatch Logs group name: 1 to 512 letters, digits and _ - / . #")
        }
        return name
    }
}
