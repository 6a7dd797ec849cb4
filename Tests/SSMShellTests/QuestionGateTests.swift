import Dispatch
@testable import SSMShell
import Synchronization
import SystemIO
import Testing

/// The MFA question: asked one at a time on threads of their own, and Ctrl-C at one stops the
/// command's other questions (issue 14).
@Suite struct QuestionGateTests {
    /// Counts the questions; `answer` gives each one's answer. Ctrl-C's flag is set when an answer
    /// is `.interrupted` and stays set, as Interrupts.pending does until the shell takes it.
    final class FakeQuestions: Sendable {
        let state = Mutex((asked: 0, asking: 0, mostAtOnce: 0, interrupted: false))
        let answer: @Sendable (Int) -> TerminalAnswer
        /// Signalled when a question starts; the first question waits a moment for a second to start beside it.
        let started = DispatchSemaphore(value: 0)

        init(answer: @escaping @Sendable (Int) -> TerminalAnswer) { self.answer = answer }

        func ask(_ prompt: String) -> TerminalAnswer {
            let number = state.withLock { state in
                state.asked += 1
                state.asking += 1
                state.mostAtOnce = max(state.mostAtOnce, state.asking)
                return state.asked
            }
            // A second question asked beside the first would start within this deadline.
            if number == 1 { _ = started.wait(timeout: .now() + .milliseconds(300)) } else { started.signal() }
            let answer = answer(number)
            state.withLock { state in
                state.asking -= 1
                if answer == .interrupted { state.interrupted = true }
            }
            return answer
        }

        var gate: QuestionGate {
            QuestionGate(source: { self.ask($0) }, interrupted: { self.state.withLock { $0.interrupted } })
        }
    }

    @Test func questionsAskedAtOnceAreAskedOneAfterTheOther() async throws {
        let questions = FakeQuestions { .line("code \($0)") }
        let gate = questions.gate
        async let first = gate.ask("Enter MFA code: ")
        async let second = gate.ask("Enter MFA code: ")
        #expect(try await Set([first, second]) == ["code 1", "code 2"])
        #expect(questions.state.withLock { $0.mostAtOnce } == 1)
    }

    @Test func aQuestionWaitsOnAThreadOfItsOwnNotOnTheConcurrencyPool() async throws {
        // More questions waiting at once than the pool has threads: had they waited on the pool,
        // the task that answers them could not run, and each would give up at its deadline. The
        // deadline is generous: under load the 24th thread may start seconds after the first
        // (2 s starved the first question at load 12); only a blocked pool needs all of it.
        let count = 24
        let (entered, entering) = AsyncStream.makeStream(of: Void.self)
        let release = DispatchSemaphore(value: 0)
        let gates = (0..<count).map { _ in
            QuestionGate(
                source: { _ in
                    entering.yield()
                    return release.wait(timeout: .now() + .seconds(60)) == .success ? .line("answered") : .line("starved")
                }, interrupted: { false })
        }
        let answerer = Task {
            var waiting = 0
            for await _ in entered {
                waiting += 1
                if waiting == count { break }
            }
            for _ in 0..<count { release.signal() }
        }
        let answers = await withTaskGroup(of: String.self) { group in
            for gate in gates { group.addTask { (try? await gate.ask("Enter MFA code: ")) ?? "failed" } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        await answerer.value
        #expect(answers == Array(repeating: "answered", count: count))
    }

    @Test func ctrlCAtAQuestionEndsItWith130AndAsksNoOther() async throws {
        let questions = FakeQuestions { _ in .interrupted }
        let gate = questions.gate
        let statuses = await withTaskGroup(of: Int32?.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    do {
                        _ = try await gate.ask("Enter MFA code: ")
                        return nil
                    } catch {
                        return (error as? ShellError)?.status
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == [130, 130, 130])
        #expect(questions.state.withLock { $0.asked } == 1)
    }

    /// Ctrl-D and an over-long line cancel the question with a sentence; nothing is answered.
    @Test func endOfInputAndAnOverlongLineCancelTheQuestion() async throws {
        let ended = await #expect(throws: ShellError.self) { try await FakeQuestions { _ in .endOfInput }.gate.ask("Enter MFA code: ") }
        #expect(
            ended?.status == 1 && ended?.message.contains("no more input at the MFA question (Ctrl-D, or it closed)") == true
                && ended?.message.contains("no code was sent") == true)
        let long = await #expect(throws: ShellError.self) { try await FakeQuestions { _ in .tooLong(limit: 128) }.gate.ask("Enter MFA code: ") }
        #expect(long?.status == 1 && long?.message.contains("longer than 128 bytes") == true)
    }

    @Test func noTerminalIsASentenceNamingMFASerial() async throws {
        let gate = FakeQuestions { _ in .noTerminal }.gate
        let error = await #expect(throws: TerminalPrompt.Unavailable.self) { try await gate.ask("Enter MFA code: ") }
        #expect(error.map { "\($0)" }?.contains("mfa_serial") == true)
    }
}
