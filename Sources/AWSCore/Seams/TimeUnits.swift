/// Seconds (a Double, which may be infinite, NaN or huge when it comes from input or from clock
/// arithmetic) as the whole units C and `Task.sleep` take. Converting such a value with `Int(_:)`
/// traps; these clamp instead, each for the reason given.
public enum TimeUnits {
    /// The longest single sleep: a year. Longer waits are loops of shorter sleeps; `UInt64`
    /// nanoseconds would overflow after 584 years.
    public static let longestSleep: UInt64 = 31_536_000 * 1_000_000_000

    /// Milliseconds for curl's `*_TIMEOUT_MS` and `poll`: at least 1 (both read 0 as "no limit" or
    /// "return at once") and at most `Int32.max` (24.8 days; poll takes an `int`). A NaN limit
    /// limits nothing: the longest.
    public static func milliseconds(_ seconds: Double) -> Int {
        let ms = (seconds * 1000).rounded(.up)
        guard !ms.isNaN else { return Int(Int32.max) }
        guard ms >= 1 else { return 1 }
        return ms < Double(Int32.max) ? Int(ms) : Int(Int32.max)
    }

    /// Nanoseconds for `Task.sleep`: NaN and negative times (a deadline already passed) are 0.
    public static func nanoseconds(_ seconds: Double) -> UInt64 {
        let ns = (seconds * 1e9).rounded()
        guard ns > 0 else { return 0 }
        return ns < Double(longestSleep) ? UInt64(ns) : longestSleep
    }
}
