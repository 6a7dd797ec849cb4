/// `history`: the lines typed at the prompt, numbered.
struct HistoryCommand: ShellCommand {
    let name = "history"
    let usage = "history"
    let summary = "the interactive history"

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        for (i, line) in shell.history.enumerated() { shell.console.out("\(String(i + 1).leftPadded(5))  \(line)\n") }
        return 0
    }
}
