/// A command's failure: a sentence for the user and the exit status it means (language page,
/// section 1): 1 error, 2 usage (nothing was sent), 3 remote failure, 130 interrupted.
public struct ShellError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var status: Int32

    public init(_ message: String, status: Int32 = 1) {
        self.message = message
        self.status = status
    }

    public static func usage(_ message: String) -> ShellError { ShellError(message, status: 2) }
    public static func remote(_ message: String) -> ShellError { ShellError(message, status: 3) }

    public var description: String { message }
}

/// Durations as the language writes them: `90`, `90s`, `5m`, `2h` (and `500ms`).
public enum Duration {
    public static func parse(_ text: String) -> Double? {
        let t = text.lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            guard let n = Double(t.dropLast(suffix.count)), n >= 0 else { return nil }
            return n * scale
        }
        guard let n = Double(t), n >= 0 else { return nil }
        return n
    }

    public static func format(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int(seconds * 1000))ms" }
        if seconds < 60 { return seconds.rounded() == seconds ? "\(Int(seconds))s" : String(format1(seconds)) + "s" }
        let s = Int(seconds.rounded())
        if s < 3600 { return "\(s / 60)m\(s % 60 == 0 ? "" : "\(s % 60)s")" }
        return "\(s / 3600)h\(s % 3600 / 60 == 0 ? "" : "\(s % 3600 / 60)m")"
    }

    static func format1(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
