import CSystem

/// The git commit and build date scripts/release-build links into a release binary (weak
/// symbols of Sources/CSystem/shim.h); nil in a build without them, such as a debug build.
public struct BuildStamp: Sendable, Equatable {
    public var commit: String
    public var date: String

    public init(commit: String, date: String) {
        self.commit = commit
        self.date = date
    }

    /// This binary's stamp, or nil when it has none.
    public static let linked: BuildStamp? = {
        guard let commit = ssm_shell_build_commit_text(), let date = ssm_shell_build_date_text() else { return nil }
        return BuildStamp(commit: String(cString: commit), date: String(cString: date))
    }()
}
