import SystemIO

/// The release version, shown by `--version` and sent in the User-Agent.
public enum Version {
    public static let current = "0.1.0"

    /// `ssm-shell --version`: the version, and the commit and build date scripts/release-build
    /// stamps into a release; a build without the stamp says it is a development build.
    static func line(stamp: BuildStamp? = BuildStamp.linked) -> String {
        guard let stamp else { return "ssm-shell \(current) (development build: no commit or build date; scripts/release-build stamps them)\n" }
        return "ssm-shell \(current) (commit \(stamp.commit), built \(stamp.date))\n"
    }
}
