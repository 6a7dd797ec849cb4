/// One line of a `doctor` report: what was checked, what was found and, when something is
/// wrong, what to do about it in the guide's terms.
struct Finding: Equatable, Sendable {
    enum Level: String, Sendable {
        case ok = "ok"
        case warning = "warn"
        case problem = "FAIL"
        case skipped = "skip"
        case info = "info"
    }

    var level: Level
    var check: String
    var detail: String
    var fix: String?

    static func ok(_ check: String, _ detail: String) -> Finding { Finding(level: .ok, check: check, detail: detail) }
    static func info(_ check: String, _ detail: String) -> Finding { Finding(level: .info, check: check, detail: detail) }
    static func warning(_ check: String, _ detail: String, fix: String? = nil) -> Finding {
        Finding(level: .warning, check: check, detail: detail, fix: fix)
    }
    static func problem(_ check: String, _ detail: String, fix: String) -> Finding {
        Finding(level: .problem, check: check, detail: detail, fix: fix)
    }
    /// A check the identity may not make: says which permission it needs.
    static func skipped(_ check: String, needs action: String) -> Finding {
        Finding(
            level: .skipped, check: check, detail: "not checked: this identity may not call \(action)",
            fix: "allow \(action) to let doctor check this")
    }

    /// `  FAIL  check: detail` with the fix indented under it.
    var rendered: String {
        var text = "  \(level.rawValue.padded(5)) \(check): \(detail)\n"
        if let fix { text += "        fix: \(fix)\n" }
        return text
    }
}

extension [Finding] {
    var problems: Int { filter { $0.level == .problem }.count }

    /// The closing line and the status: 0 when nothing failed, 3 otherwise (as `wait` and `status`).
    var summary: (text: String, status: Int32) {
        let count = problems
        let warnings = filter { $0.level == .warning }.count
        let skipped = filter { $0.level == .skipped }.count
        var text = count == 0 ? "No problems found" : "\(count) problem\(count == 1 ? "" : "s") found"
        if warnings > 0 { text += ", \(warnings) warning\(warnings == 1 ? "" : "s")" }
        if skipped > 0 { text += ", \(skipped) check\(skipped == 1 ? "" : "s") skipped" }
        return (text + ".\n", count == 0 ? 0 : 3)
    }
}
