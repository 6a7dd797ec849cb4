/// `echo`: its words, then its here-document.
struct EchoCommand: ShellCommand {
    let name = "echo"
    let usage = "echo WORDS..."
    let summary = "print"
    let takesHereDocument = true

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        shell.console.out(input.arguments.joined(separator: " ") + "\n" + (input.hereDocument ?? ""))
        return 0
    }
}
