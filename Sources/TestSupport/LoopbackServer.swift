import AWSCore
import CSystem
import Glibc
import SystemIO

/// Starts scripts/testing/loopback_server.py on 127.0.0.1 and stops it when the test is done.
public final class LoopbackServer {
    let pid: pid_t
    public let port: Int

    public static let script = Fixtures.root.replacing("/Tests/Fixtures", with: "/scripts/testing/loopback_server.py")

    public init(_ arguments: [String]) throws {
        // Close-on-exec, and the server gets only its standard descriptors: a long-lived python
        // that inherited other tests' pipes kept their read ends open (no EPIPE where one was due).
        guard let ends = CloseOnExec.pipe() else { throw SystemError(function: "pipe2", path: "", code: errno) }
        let out = [ends.read, ends.write]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        _ = withUnsafeMutablePointer(to: &actions) { posix_spawn_file_actions_addclosefrom_np(UnsafeMutableRawPointer($0), 3) }
        let argv = (["python3", Self.script] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = withCleanSpawnAttributes { posix_spawnp(&pid, "python3", &actions, $0, argv, environ) }
        close(out[1])
        guard status == 0 else { close(out[0]); throw SystemError(function: "posix_spawnp", path: "python3", code: status) }
        self.pid = pid
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(out[0], &byte, 1) == 1, byte != 10 { line.append(byte) }
        close(out[0])
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(pid, SIGKILL)
            throw SystemError(function: "loopback_server.py did not print a port", path: Self.script, code: EIO)
        }
        self.port = port
    }

    deinit {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}

/// A throwaway CA and a server certificate for localhost/127.0.0.1, made with openssl(1).
public struct TestCertificates {
    public let directory: String
    public var caCertificate: String { directory + "/ca.pem" }
    public var serverCertificate: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }

    public static func make() async throws -> TestCertificates {
        var template = Array("/tmp/ssm-shell-tls-XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template) else { throw SystemError(function: "mkdtemp", path: "/tmp", code: errno) }
        let directory = String(cString: dir)
        let fs = LocalFileSystem()
        try fs.write(Array("subjectAltName=DNS:localhost,IP:127.0.0.1\n".utf8), to: directory + "/ext.cnf", permissions: 0o600)
        let runner = PosixProcessRunner()
        let steps: [[String]] = [
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/ca.key", "-out", directory + "/ca.pem",
                "-days", "2", "-subj", "/CN=ssm-shell test CA",
            ],
            [
                "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/server.key", "-out", directory + "/server.csr",
                "-subj", "/CN=localhost",
            ],
            [
                "openssl", "x509", "-req", "-in", directory + "/server.csr", "-CA", directory + "/ca.pem", "-CAkey", directory + "/ca.key",
                "-CAcreateserial", "-out", directory + "/server.pem", "-days", "2", "-extfile", directory + "/ext.cnf",
            ],
        ]
        for step in steps {
            let result = try await runner.run(step, environment: ["PATH": "/usr/bin:/bin"])
            guard result.status == 0 else {
                throw SystemError(function: "openssl: " + String(decoding: result.standardError, as: UTF8.self), path: directory, code: EIO)
            }
        }
        return TestCertificates(directory: directory)
    }
}
