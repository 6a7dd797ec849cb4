import AWSCore
@testable import SSMShell
import Testing

/// The prompt's history (issue 11, item 14): bash's `ignorespace` (a line that starts with a space
/// is not kept), and no history file at all without a home or a state directory.
@Suite struct HistoryRuleTests {
    @Test(arguments: [
        (" aws-secret-command", false), ("  run echo $password", false), ("", false), ("   ", false),
        ("use web-1", true), ("run uptime ", true), ("\tinstances", true),
    ])
    func aLineThatStartsWithASpaceIsNotKept(line: String, kept: Bool) {
        #expect(Prompt.keepsInHistory(line) == kept, "\(line.debugDescription)")
    }

    @Test func withoutHomeOrStateDirectoryThereIsNoHistoryFile() {
        #expect(Prompt.historyPath(Environment()) == nil)
        #expect(Prompt.historyPath(Environment(["HOME": ""])) == nil)
        #expect(Prompt.historyPath(Environment(["HOME": "/home/u"])) == "/home/u/.local/state/ssm-shell/history")
        #expect(Prompt.historyPath(Environment(["HOME": "/home/u", "XDG_STATE_HOME": "/s"])) == "/s/ssm-shell/history")
        // Relative paths are not absolute state directories (XDG Base Directory spec): the
        // history, which may hold typed secrets, would land in the directory the shell began in.
        #expect(Prompt.historyPath(Environment(["HOME": "/home/u", "XDG_STATE_HOME": "state"])) == "/home/u/.local/state/ssm-shell/history")
        #expect(Prompt.historyPath(Environment(["HOME": "home"])) == nil)
        #expect(Prompt.historyPath(Environment(["XDG_STATE_HOME": "/s"])) == "/s/ssm-shell/history")
    }
}
