/// `history`: the lines typed at the prompt, numbered.
struct HistoryCommand: ShellCommand {
    let name = "history"
    let usage = "history"
    let summary = "the interactive history"

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        shell.console.out(shell.history.listing)
        return 0
    }
}
