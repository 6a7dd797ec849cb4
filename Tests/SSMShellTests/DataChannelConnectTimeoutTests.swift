@testable import SSMShell
import Testing

/// The data channel's WebSocket connect follows --cli-connect-timeout when that is larger than
/// its own 10 s (a slow link where the user allowed longer), and 0 keeps meaning "no limit".
@Suite struct DataChannelConnectTimeoutTests {
    @Test(arguments: [(2.0, 10.0), (10, 10), (30, 30), (0, 0)])
    func followsTheUsersConnectTimeoutWhenLarger(given: Double, expected: Double) {
        #expect(Shell.webSocketConnectTimeout(given) == expected)
    }
}
