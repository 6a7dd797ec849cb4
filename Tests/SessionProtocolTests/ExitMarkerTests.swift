import SessionProtocol
import Testing

/// `connect --command` on a terminal: the marker that carries the exit status is taken out of the
/// output whatever the chunking.
@Suite struct ExitMarkerTests {
    @Test func markerIsTakenOutUnderEveryChunking() {
        let stream = Array("hello\r\n\u{1B}]7777;ssm-shell-exit=3\u{07}".utf8)
        for split in 0...stream.count {
            var marker = ExitMarker()
            let out = marker.filter(Array(stream[..<split])) + marker.filter(Array(stream[split...]))
            #expect(out == Array("hello\r\n".utf8), "split \(split)")
            #expect(marker.exitCode == 3)
        }
        var plain = ExitMarker()
        #expect(plain.filter(Array("\u{1B}[1mbold\u{1B}[0m".utf8)) == Array("\u{1B}[1mbold\u{1B}[0m".utf8))
        #expect(plain.exitCode == nil)
        #expect(ExitMarker.wrap("exit 3 # c") == "(\nexit 3 # c\n); printf '\\033]7777;ssm-shell-exit=%d\\007' $?")
    }
}
