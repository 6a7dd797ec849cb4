import AWSCore
import SSMCore
import SystemIO

/// The one node of `connect` and `forward` (language page, "Many accounts and regions"):
/// `PROFILE@REGION:TARGET` resolves in that pair only; a name found in several pairs is asked
/// about at the prompt and refused, with the candidates, in a script.
extension Shell {
    /// `PROFILE@REGION:TARGET` split; nil when the word has no pair in front.
    static func pairQualified(_ word: String) -> (pair: ContextPair, target: String)? {
        guard let colon = word.firstIndex(of: ":"), let pair = ContextPair(parsing: word[..<colon]) else { return nil }
        let target = String(word[word.index(after: colon)...])
        return target.isEmpty ? nil : (pair, target)
    }

    /// The nodes a session's target word names: in its pair when it names one, else in every pair.
    func sessionNodes(_ word: String?) async throws -> [Node] {
        guard let word else { return targets }
        guard let (pair, target) = Self.pairQualified(word) else { return try await resolveTargets([word]) }
        return try await resolveTargets([target], in: pair)
    }

    /// The one node for a session when the nodes are one name in several pairs (nil: leave the
    /// nodes as they are): the prompt asks which; a script is told the candidates, written as
    /// it can give them.
    func oneSessionNode(_ nodes: [Node], command: String) async throws -> Node? {
        guard nodes.count > 1, Set(nodes.map(\.pair)).count > 1 else { return nil }
        let candidates = nodes.map { node in "\(node.pair.map { "\($0):" } ?? "")\(node.shortLabel == node.id ? node.id : node.shortLabel) (\(node.id))" }
        guard interactive, services.terminal.isTerminal(.input) else {
            throw ShellError.usage(
                "\(command) goes to one node, and this is found in several accounts and regions: \(candidates.joined(separator: ", ")); write the one you mean as PROFILE@REGION:TARGET"
            )
        }
        for (index, candidate) in candidates.enumerated() { console.err("  \(index + 1)) \(candidate)\n") }
        // Reading the terminal blocks: on a thread of its own, not the concurrency pool.
        let prompt = "\(command) to which (1-\(candidates.count))? "
        let asked = await onDedicatedThread { [terminal = services.terminal] in terminal.askOnControllingTerminal(prompt: prompt) }
        let answer: String
        switch asked {
        case .line(let line): answer = line
        // Ctrl-C at the question stops the command as at the MFA question (QuestionGate): 130.
        case .interrupted: throw ShellError("interrupted at the question; nothing was started", status: ExitStatus.interrupted)
        case .noTerminal: throw ShellError.usage("\(command): there is no terminal to ask which node; write the one you mean as PROFILE@REGION:TARGET")
        // Ctrl-D, or a line longer than any answer (ProcessTerminal.readLine): nothing is guessed.
        case .endOfInput: throw ShellError.usage("\(command): the terminal gave no more input at the question (Ctrl-D, or it closed); nothing was started")
        case .tooLong(let limit): throw ShellError.usage("\(command): the answer was longer than \(limit) bytes; nothing was started")
        }
        guard let choice = Int(answer.trimmingWhitespace()), (1...candidates.count).contains(choice) else {
            throw ShellError.usage("\(command): '\(answer)' is none of 1 to \(candidates.count); nothing was started")
        }
        return nodes[choice - 1]
    }
}
