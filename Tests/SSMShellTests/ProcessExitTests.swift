import AWSCore
import Glibc
import SystemIO
import Testing

/// ssm-shell exits while session and transport threads may still be using OpenSSL. OpenSSL's own
/// atexit cleanup used to free its state under them: about 4 exits in 100 died by signal 11, 7 or
/// 6. The probe (Tests/ExitProbe) starts and exits as main.swift does, with three threads hashing,
/// signing and drawing random bytes; every one of its runs must end with status 0.
@Suite struct ProcessExitTests {
    @Test func exitingWhileThreadsUseOpenSSLIsClean() async throws {
        let directory = String(CommandLine.arguments[0].split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
        let probe = directory + "/exit-probe"
        try #require(access(probe, X_OK) == 0, "the exit probe is built next to the test binary: \(probe)")
        var statuses: [Int32: Int] = [:]
        for _ in 0..<200 {
            let result = try await PosixProcessRunner().run([probe], environment: ["SWIFT_BACKTRACE": "enable=no"])
            statuses[result.status, default: 0] += 1
        }
        #expect(statuses == [0: 200], "exit statuses of 200 runs (status: count)")
    }
}
