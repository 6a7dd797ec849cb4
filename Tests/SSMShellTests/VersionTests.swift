@testable import SSMShell
import SystemIO
import Testing

/// `--version`: the version, and the commit and build date scripts/release-build links in.
@Suite struct VersionTests {
    @Test func aStampedBuildNamesItsCommitAndBuildDate() {
        let line = Version.line(stamp: BuildStamp(commit: "0123456789ab", date: "2026-12-01T22:00:00Z"))
        #expect(line == "ssm-shell \(Version.current) (commit 0123456789ab, built 2026-12-01T22:00:00Z)\n")
    }

    /// The test build links no stamp: the weak symbols read as absent, not as a crash or garbage.
    @Test func aBuildWithoutTheStampSaysItIsADevelopmentBuild() {
        #expect(BuildStamp.linked == nil)
        #expect(Version.line().hasPrefix("ssm-shell \(Version.current) (development build"))
    }
}
