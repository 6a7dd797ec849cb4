public import AWSCore
import Glibc

public enum ProcessEnvironment {
    /// The process environment, read once at start-up and passed in from there.
    public static func current() -> Environment {
        var values: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                values[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            pointer += 1
        }
        return Environment(values)
    }
}

/// Real time: CLOCK_REALTIME for signing and expiry, Task.sleep for waiting.
public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    public func sleep(seconds: Double) async throws {
        let nanoseconds = TimeUnits.nanoseconds(seconds)
        guard nanoseconds > 0 else { return }
        try await Task.sleep(nanoseconds: nanoseconds)
    }
}

/// Writes `--debug` lines to standard error.
public struct StandardErrorLog: WireLog {
    public init() {}
    public func log(_ line: String) {
        let text = line + "\n"
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}
