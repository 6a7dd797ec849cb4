import ShellLanguage
import SSMCore
@testable import SSMShell
import Testing

/// `if`, `for`, `def` and the jumps as the interpreter runs them, against the fake fleet
/// (docs/language.md, Control flow).
@Suite struct ControlFlowTests {
    func shell(_ fleet: FakeFleet = InterpreterTests.fleet()) -> (Shell, CapturingConsole) { InterpreterTests().shell(fleet) }

    @Test func ifTakesTheFirstBranchWhoseConditionSucceeds() async throws {
        let (shell, console) = shell()
        let source = "if status lost-1; echo lost; elif status web-1; echo web; else; echo none; end\nif status lost-1; echo a; else; echo b; end"
        #expect(await shell.run(source: source, file: "t") == 0)
        #expect(console.stdout.contains("web\n") && console.stdout.hasSuffix("b\n"), "\(console.stdout)")
        #expect(!console.stdout.contains("lost\n") && !console.stdout.contains("none"))
    }

    /// A failing condition is an answer: the script goes on, and ends with its last status.
    @Test func aFailedWaitAsAConditionTakesTheElseBranchAndGoesOn() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.outcome = { id in id.hasSuffix("2") ? ("Failed", 5, "", "boom\n") : ("Success", 0, "ok\n", "") }
        let (shell, console) = shell(fleet)
        let source = "use web-1 web-2\nrun x\nif wait; echo fine; else; echo failed $status; end\necho after\nif try wait; echo fine; end"
        #expect(await shell.run(source: source, file: "t") == 0)
        #expect(console.stdout.contains("failed 3\nafter\n"), "\(console.stdout)")
        #expect(!console.stdout.contains("fine"))
    }

    /// A misspelt condition is a mistake, not "false": the else branch does not run.
    @Test func aConditionRefusedBeforeItRanStopsTheScript() async throws {
        let (shell, console) = shell()
        #expect(await shell.run(source: "if staus web-1; echo a; else; echo b; end; echo after", file: "t.ssm") == 2)
        #expect(console.stderr.contains("t.ssm:1: unknown command 'staus'; did you mean 'status'?"), "\(console.stderr)")
        #expect(console.stdout.isEmpty)
        #expect(await shell.run(source: "if echo $nope; echo a; else; echo b; end", file: "t.ssm") == 2)
        #expect(console.stdout.isEmpty)
    }

    @Test func forBindsEachWordAfterExpansion() async throws {
        let (shell, console) = shell()
        shell.variables.arguments = ["a b", "c"]
        #expect(await shell.run(source: "set y 'x z'\nfor w in 1 $y \"$1!\" $@; echo \"[$w]\"; end\necho last $w", file: "t") == 0)
        #expect(console.stdout == "[1]\n[x z]\n[a b!]\n[a b]\n[c]\nlast c\n")
    }

    @Test func forOverTargetsRunsACommandPerNode() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 web-3\nfor node in $targets\nrun --on $node hostname\necho sent $node\nend", file: "t") == 0)
        #expect(fleet.sent.map { $0.instanceIds ?? [] } == [["i-00000000000000001"], ["i-00000000000000003"]])
        #expect(console.stdout.contains("sent i-00000000000000001\n") && console.stdout.contains("sent i-00000000000000003\n"))
        // Quoted, it is one word: the targets as $targets reads them.
        #expect(await shell.run(source: "for t in \"$targets\"; echo <$t>; end", file: "t") == 0)
        #expect(console.stdout.hasSuffix("<web-1 web-3>\n"), "\(console.stdout)")
    }

    /// A failing `wait` inside a loop stops the script as outside (issue 14): one node at a time,
    /// the next is never sent to; with keep-going the loop goes on and the script ends with 3.
    @Test func aFailingWaitInALoopStopsTheScript() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.outcome = { id in id.hasSuffix("1") ? ("Failed", 5, "", "boom\n") : ("Success", 0, "ok\n", "") }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 web-2\nfor n in $targets; run --on $n x; wait; end; echo after", file: "t") == 3)
        #expect(fleet.sent.count == 1)
        #expect(!console.stdout.hasSuffix("after\n"))
        #expect(console.stderr.contains("t:2: 1 of 1 invocation did not succeed (web-1); the script stops here."), "\(console.stderr)")
        let source = "set keep-going on\nuse web-1 web-2\nfor n in $targets; run --on $n x; wait; end; echo after"
        #expect(await shell.run(source: source, file: "t") == 3)
        #expect(fleet.sent.count == 3)
        #expect(console.stdout.hasSuffix("after\n"))
    }

    @Test func defTakesArgumentsForTheCallAndReturnSetsItsStatus() async throws {
        let (shell, console) = shell()
        shell.variables.arguments = ["outer"]
        let source = """
            def greet
              echo hi $1 $# $@
              return 4
              echo never
            end
            try greet a "b c"
            echo $status $1 $#
            def quiet; echo q; end
            quiet x; echo $status
            """
        #expect(await shell.run(source: source, file: "t") == 0)
        #expect(console.stdout == "hi a 2 a b c\n4 outer 1\nq\n0\n")
        #expect(shell.variables.arguments == ["outer"])
    }

    /// A procedure stops at its first failure, as a script; the caller sees that status.
    @Test func aFailureInsideAProcedureEndsItWithThatStatus() async throws {
        let (shell, console) = shell()
        #expect(await shell.run(source: "def f\necho in\nbogus\necho never\nend\ntry f\necho status $status\nf\necho not here", file: "p.ssm") == 2)
        #expect(console.stdout == "in\nstatus 2\nin\n")
        #expect(console.stderr.contains("p.ssm:3: unknown command 'bogus'"), "\(console.stderr)")
        // `return` alone passes on the last status.
        #expect(await shell.run(source: "def g; try bogus; return; end; try g; echo $status", file: "t") == 0)
        #expect(console.stdout.hasSuffix("2\n"))
        #expect(await shell.run(source: "def h; return 300; end; h", file: "t") == 2)
        #expect(console.stderr.contains("return takes a status from 0 to 255, not 300"))
    }

    @Test func recursionHasADepthLimitWithAClearError() async throws {
        let (shell, console) = shell()
        #expect(await shell.run(source: "def down\necho $1\ndown x$1\nend\ndown 0", file: "r.ssm") == 1)
        #expect(console.stderr.contains("r.ssm:3: down is 100 calls deep; does it call itself without a condition that stops it?"), "\(console.stderr)")
        #expect(console.stdout.split(separator: "\n").count == 100)
        #expect(shell.procedures.depth == 0 && shell.variables.arguments == [])
        // A procedure that ends its recursion is fine.
        #expect(await shell.run(source: "def count; if ! test $# -ge 3; return; end; echo n$#; count x $@; end; count", file: "t") == 0)
        #expect(console.stdout.hasSuffix("n0\nn1\nn2\n"))
    }

    @Test func breakAndContinueLeaveOneOrMoreLoops() async throws {
        let (shell, console) = shell()
        let source = """
            for a in 1 2 3
              for b in x y z
                if ! test $b != y; echo $a$b; continue; end
                if ! test $a != 2; continue 2; end
                break 2
              end
              echo never
            end
            echo done $a $b
            for c in 1 2 3; if ! test $c != 2; continue; end; break; end; echo c$c
            """
        #expect(await shell.run(source: source, file: "t") == 0)
        #expect(console.stdout == "1x\n2x\ndone 2 y\nc2\n")
        #expect(await shell.run(source: "set n 3; for a in 1; for b in 1; break $n; end; end", file: "t") == 2)
        #expect(console.stderr.contains("break takes a number of loops from 1 to 2, not 3"))
    }

    @Test func exitInsideAnythingEndsTheScript() async throws {
        let (shell, console) = shell()
        #expect(await shell.run(source: "def f; for x in 1 2; if echo; exit 7; end; end; end\nfor y in a b; f; echo never; end\necho never", file: "t") == 7)
        #expect(!console.stdout.contains("never"))
        #expect(shell.exit.exitRequested)
    }

    @Test func ctrlCStopsALoop() async throws {
        let (shell, console) = shell()
        shell.interrupted = { true }
        #expect(await shell.run(source: "for x in 1 2 3; echo $x; end; echo after", file: "t") == 130)
        #expect(console.stdout.isEmpty)
    }

    /// At the prompt a failure does not stop the line, but inside a procedure it ends the call.
    @Test func atThePromptProceduresStillStopAtAFailure() async throws {
        let (shell, console) = shell()
        shell.interactive = true
        #expect(await shell.run(source: "def f; bogus; echo never; end; f; echo went on", file: "prompt") == 0)
        #expect(console.stdout == "went on\n")
        #expect(shell.interactive)
        #expect(await shell.run(source: "f", file: "prompt") == 2, "a def stays for the next lines")
    }

    @Test func loopVariablesAreOrdinaryNames() async throws {
        let (shell, console) = shell()
        #expect(await shell.run(source: "for status in a; echo x; end; echo after", file: "t") == 2)
        #expect(console.stderr.contains("$status is set by the shell"))
        #expect(console.stdout.isEmpty)
    }

    @Test func policyReadsCommandsInsideBlocks() throws {
        let script = try Parser.parse(
            "def f; output; end\nfor n in a; if wait; connect $n; end; end\nif status web-1; f; end", file: "t",
            commandNames: Set(CommandRegistry.names))
        #expect(
            PolicyBuilder.actions(of: script) == [
                "ssm:DescribeInstanceInformation", "ssm:GetCommandInvocation", "ssm:GetConnectionStatus", "ssm:ListCommandInvocations",
                // wait on a command the script did not send: it may have gone by tag.
                "ssm:ListCommands", "ssm:ResumeSession", "ssm:StartSession", "ssm:TerminateSession",
            ])
    }

    /// Review (facts20 :57): a runaway recursion that try or keep-going would carry on through
    /// (2^100 calls) ends everything at the depth limit, and Ctrl-C stops a call.
    @Test func aRunawayRecursionEndsEverythingEvenUnderTryAndKeepGoing() async throws {
        let (shell, console) = shell()
        #expect(await shell.run(source: "def f; try f; try f; end; f; echo after", file: "r.ssm") == 1)
        #expect(console.stderr.ranges(of: "calls deep").count == 1, "one error, not 2^100: \(console.stderr.prefix(300))")
        #expect(!console.stdout.contains("after"))
        #expect(await shell.run(source: "set keep-going on; def g; g; g; end; g; echo after", file: "r.ssm") == 1)
        #expect(!console.stdout.contains("after"))
        // The next line starts afresh.
        #expect(await shell.run(source: "echo fresh", file: "r.ssm") == 0)
        let (interrupted, _) = self.shell()
        interrupted.interrupted = { true }
        #expect(await interrupted.run(source: "def h; echo in; end; h; echo after", file: "t") == 130)
    }

    /// Review (facts20 :58): a call that runs no command, and a for over no words, give 0, not
    /// the status left from before.
    @Test func aBodyThatRunsNothingGivesZero() async throws {
        let (shell, console) = shell()
        let source = "def deploy; for n in $@; echo $n; end; end\ntry bogus\ndeploy\necho deploy $status\ntry bogus\nfor x in; end\necho for $status"
        #expect(await shell.run(source: source, file: "t") == 0)
        #expect(console.stdout == "deploy 0\nfor 0\n")
    }

    /// Review (facts20 :61): `try` in front of a condition makes a refused one false; with
    /// keep-going a refused condition skips its if and the script goes on.
    @Test func aRefusedConditionUnderTryIsFalseAndUnderKeepGoingSkipsTheIf() async throws {
        let (shell, console) = shell()
        #expect(await shell.run(source: "if try bogus; echo a; else; echo b $status; end", file: "t") == 0)
        #expect(console.stdout == "b 2\n")
        #expect(await shell.run(source: "set keep-going on; if bogus; echo a; else; echo b; end; echo after", file: "t") == 0)
        #expect(console.stdout == "b 2\nafter\n")
    }

    /// A procedure's body follows the script's rules even when its call is a condition or under
    /// `try`: a failing `wait` inside says who failed and where, and ends the call with 3.
    @Test func aFailingWaitInsideAProcedureCalledUnderTrySaysWhoFailed() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.outcome = { id in id.hasSuffix("2") ? ("Failed", 5, "", "boom\n") : ("Success", 0, "ok\n", "") }
        let (shell, console) = shell(fleet)
        let source = "def d\nrun --on web-1,web-2 x\nwait\necho never\nend\ntry d\necho status $status\nif d; echo yes; else; echo no; end"
        #expect(await shell.run(source: source, file: "p.ssm") == 0)
        #expect(console.stderr.contains("p.ssm:3: 1 of 2 invocations did not succeed (web-2); the script stops here"), "\(console.stderr)")
        #expect(console.stdout.contains("status 3\n") && console.stdout.hasSuffix("no\n") && !console.stdout.contains("never"))
        #expect(shell.failureHandled == 0)
    }
}
