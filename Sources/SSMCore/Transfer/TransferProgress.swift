/// One transfer's progress line on a terminal: `web-1  big.iso  [=====>    ]  12.0/64.0 MiB  11.2 MB/s  0:05 left`.
/// Pure: counts and elapsed seconds in, text out.
public enum TransferProgress {
    public static func line(label: String, name: String, done: Int, total: Int, seconds: Double, width: Int = 80) -> String {
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let left: String
        if done >= total {
            left = "done"
        } else if rate > 0 {
            left = clock(Double(total - done) / rate) + " left"
        } else {
            left = "--:-- left"
        }
        let numbers = "\(mebibytes(done))/\(mebibytes(total)) MiB  \(megabytes(rate)) MB/s  \(left)"
        let head = "\(label)  \(name)"
        let barWidth = max(10, min(30, width - head.count - numbers.count - 6))
        let filled = total > 0 ? min(barWidth, Int(Double(barWidth) * min(1, Double(max(0, done)) / Double(total)))) : barWidth
        let bar = String(repeating: "=", count: filled) + (filled < barWidth ? ">" + String(repeating: " ", count: barWidth - filled - 1) : "")
        let text = "\(head)  [\(bar)]  \(numbers)"
        return text.count > width ? String(text.prefix(width)) : text
    }

    public static func mebibytes(_ bytes: Int) -> String { oneDecimal(Double(bytes) / 1_048_576) }
    public static func megabytes(_ rate: Double) -> String { oneDecimal(rate / 1_000_000) }

    /// Clamped (to 10^15): a hostile size or a tiny elapsed time never traps the conversion.
    public static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value.isFinite ? min(max(value, 0), 1e15) * 10 : 0).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int((seconds.isFinite ? min(max(seconds, 0), 1e9) : 0).rounded(.up))
        let minutes = total / 60
        let rest = total % 60
        return "\(minutes):" + (rest < 10 ? "0" : "") + "\(rest)"
    }
}
