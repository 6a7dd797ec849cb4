import SystemIO
import AWSCore

/// The ssm-shell binary that `swift build` made, run as a user would run it.
public enum BuiltBinary {
    public static let path = Fixtures.root.replacing("/Tests/Fixtures", with: "/.build/debug/ssm-shell")

    public static func run(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try await PosixProcessRunner().run([path] + arguments, environment: environment)
        return (result.status, String(decoding: result.standardOutput, as: UTF8.self), String(decoding: result.standardError, as: UTF8.self))
    }
}
