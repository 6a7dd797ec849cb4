/// UTC calendar arithmetic without Foundation's calendars (Howard Hinnant's days-from-civil
/// algorithm), for SigV4 timestamps and the ISO-8601 and epoch times AWS sends.
public struct CivilTime: Sendable, Equatable {
    public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    /// The four-digit years ISO-8601 and SigV4 write: 0001-01-01T00:00:00Z up to the last second
    /// of 9999. AWS sends nothing outside them; a reply that does is not a time.
    public static let representable: ClosedRange<Double> = -62_135_596_800...253_402_300_799.999

    /// Nil when the time is not finite or outside `representable`, so a reply's number never
    /// reaches integer arithmetic that would trap.
    public init?(secondsSince1970 seconds: Double) {
        guard Self.representable.contains(seconds) else { return nil }
        self.init(wholeSeconds: Int(seconds.rounded(.down)))
    }

    /// For the machine's own clock (signing): clamped into `representable`, NaN as 1970. A
    /// signature dated at the clamped end is refused by AWS with a clock-skew error.
    public init(clamping seconds: Double) {
        let bounded = seconds.isNaN ? 0 : min(max(seconds, Self.representable.lowerBound), Self.representable.upperBound)
        self.init(wholeSeconds: Int(bounded.rounded(.down)))
    }

    private init(wholeSeconds total: Int) {
        let days = total >= 0 ? total / 86400 : (total - 86399) / 86400
        let secondsOfDay = total - days * 86400
        (year, month, day) = Self.civil(fromDays: days)
        hour = secondsOfDay / 3600
        minute = secondsOfDay % 3600 / 60
        second = secondsOfDay % 60
    }

    public var secondsSince1970: Double {
        Double(Self.days(year: year, month: month, day: day) * 86400 + hour * 3600 + minute * 60 + second)
    }

    /// `20150830T123600Z` (compact) or `2015-08-30T12:36:00Z`.
    public func format(compact: Bool) -> String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        if compact {
            return "\(pad(year, 4))\(pad(month, 2))\(pad(day, 2))T\(pad(hour, 2))\(pad(minute, 2))\(pad(second, 2))Z"
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))Z"
    }

    /// Parses ISO-8601 date-times as AWS writes them: `2021-01-01T00:00:00Z`, with optional
    /// fractional seconds and a `+hh:mm` offset, and the compact `20210101T000000Z`.
    public static func parseISO8601(_ text: String) -> Double? {
        let chars = Array(text.trimmingWhitespace().utf8)
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= chars.count else { return nil }
            var value = 0
            for c in chars[index..<index + width] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            index += width
            return value
        }
        func skip(_ c: Character) -> Bool {
            if index < chars.count && chars[index] == c.asciiValue! { index += 1; return true }
            return false
        }
        guard let year = number(4) else { return nil }
        let extended = skip("-")
        guard let month = number(2) else { return nil }
        if extended && !skip("-") { return nil }
        guard let day = number(2) else { return nil }
        guard skip("T") || skip("t") || skip(" ") else { return nil }
        guard let hour = number(2) else { return nil }
        if extended && !skip(":") { return nil }
        guard let minute = number(2) else { return nil }
        if extended && !skip(":") { return nil }
        guard let second = number(2) else { return nil }
        var fraction = 0.0
        if skip(".") {
            var scale = 0.1
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if skip("Z") || skip("z") {
        } else if index < chars.count, chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-") {
            let sign = chars[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let oh = number(2) else { return nil }
            _ = skip(":")
            guard let om = number(2) else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        }
        guard index == chars.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let time = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return time.secondsSince1970 + fraction - Double(offset)
    }

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z: Int) -> (Int, Int, Int) {
        let z = z + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
