import AWSCore
import Glibc
@testable import SystemIO
import Testing
import TestSupport

/// The pool of threads for blocking C calls: workers start only once the pool is fully built
/// (they used to read arrays the constructor was still growing), and a released transport
/// joins its threads (every `use profile` used to leak four).
@Suite(.serialized) struct DedicatedThreadPoolTests {
    /// Threads of this process now (Linux: one directory per task).
    static func threadCount() -> Int {
        guard let dir = opendir("/proc/self/task") else { return -1 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { count += 1 }
        }
        return count
    }

    @Test func releasedTransportsJoinTheirThreads() async throws {
        let server = try LoopbackServer(["echo"])
        let before = Self.threadCount()
        for _ in 0..<25 {
            let transport = CurlHTTPTransport(configuration: .init(threads: 4))
            let response = try await transport.send(
                HTTPRequest(method: "GET", url: try EndpointURL(parsing: "http://127.0.0.1:\(server.port)/")),
                timeouts: HTTPTimeouts(connect: 2, total: 10))
            #expect(response.status == 200)
        }
        // 25 transports of 4 threads leaked 100; other suites running alongside add a few.
        let after = Self.threadCount()
        #expect(after - before < 20, "\(after - before) threads more than before 25 transports were made and released")
    }

    @Test func shutdownJoinsWorkersAndRunsQueuedJobs() async {
        let pool = DedicatedThreadPool<Int>(threads: 3) { 0 }
        let total = await withTaskGroup(of: Int.self) { group in
            for i in 1...30 {
                group.addTask {
                    await pool.perform { state in
                        state += 1; return i
                    }
                }
            }
            return await group.reduce(0, +)
        }
        #expect(total == 465)
        pool.shutdown()
        pool.shutdown()  // twice is harmless
    }

    /// Many workers that take jobs the moment they start, while the pool is being built.
    @Test func startsUnderLoadWithoutRacing() async {
        for _ in 0..<40 {
            let pool = DedicatedThreadPool<Int>(threads: 16) { 0 }
            let sum = await withTaskGroup(of: Int.self) { group in
                for i in 0..<32 { group.addTask { await pool.perform { _ in i } } }
                return await group.reduce(0, +)
            }
            #expect(sum == 496)
            pool.shutdown()
        }
    }
}
