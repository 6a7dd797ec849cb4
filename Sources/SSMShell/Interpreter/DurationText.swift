/// Durations as the language writes them: `90`, `90s`, `5m`, `2h` (and `500ms`), read into seconds
/// and written back. Not `Swift.Duration`: seconds as a Double, the unit every command here counts in.
public enum DurationText {
    /// The longest duration the language takes: a year. Beyond it is a mistake (`inf`, `1e300`),
    /// and every duration then fits the whole seconds and nanoseconds it becomes.
    public static let maximum: Double = 8760 * 3600

    /// Nil unless the text is a finite duration from 0 to `maximum`.
    public static func parse(_ text: String) -> Double? {
        let t = text.lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = t
        var scale = 1.0
        for (suffix, unitScale) in units where t.hasSuffix(suffix) {
            number = String(t.dropLast(suffix.count))
            scale = unitScale
            break
        }
        guard let n = Double(number) else { return nil }
        let seconds = n * scale
        // NaN fails both comparisons; infinity fails the second.
        guard seconds >= 0, seconds <= maximum else { return nil }
        return seconds
    }

    /// Total over every Double, as times from replies and clock arithmetic may be anything:
    /// NaN and negatives show as 0ms, and more than 31,000 years (not a real wait) in words.
    public static func format(_ seconds: Double) -> String {
        guard seconds > 0 else { return "0ms" }
        guard seconds < 1e12 else { return "a very long time" }
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

    /// "5m ago", for a time of the past (a clock behind it reads "0ms ago").
    public static func ago(_ time: Double, now: Double) -> String {
        let seconds = max(0, now - time)
        return "\(format(seconds.rounded())) ago"
    }
}
