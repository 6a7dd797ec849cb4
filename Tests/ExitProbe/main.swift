import Crypto
import Glibc
import SSMShell

// A stand-in for ssm-shell ending while session threads still use OpenSSL: the same start-up
// and exit as main.swift, with threads hashing, signing and drawing random bytes meanwhile.
// ProcessExitTests runs it many times and expects a clean status every time.
Launcher.prepareProcess()
Launcher.runToExit {
    for kind in 0..<3 {
        Task.detached {
            let block = [UInt8](repeating: 7, count: 1024)
            while true {
                switch kind {
                case 0: _ = HMAC.sha256(key: [1, 2, 3], message: block)
                case 1: _ = SecureRandom.bytes(32)
                default: _ = Digest.sha256(block)
                }
            }
        }
    }
    // Blocks its own pool thread, as a program's work does: a sleeping task's continuation could
    // wait behind the three loops for a free pool thread.
    usleep(2_000)
    return 0
}
