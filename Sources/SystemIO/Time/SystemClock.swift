public import AWSCore
// `timespec` is claimed by whichever C module first brings in <time.h>, Glibc or (through
// curl.h) CCurl, depending on how the compiler batches this module's files; with
// MemberImportVisibility its members need that module imported, so both are.
import CCurl
import Glibc

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
