public import AWSCore
// `timespec` is claimed by whichever C module first brings in <time.h>, Glibc or (through
// curl.h) CCurl, depending on how the compiler batches this module's files; with
// MemberImportVisibility its members need that module imported, so both are.
import CCurl
import Glibc

/// `CLOCK_MONOTONIC`: for every interval, so that setting the system time (NTP, a suspended
/// laptop's clock catching up) neither fires a timeout early nor holds one back.
public struct SystemMonotonicClock: MonotonicClock {
    public init() {}

    public func seconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
