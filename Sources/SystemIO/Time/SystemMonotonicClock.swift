public import AWSCore
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
