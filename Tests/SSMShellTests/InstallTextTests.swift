import AWSCore
@testable import SSMShell
import TestSupport
import Testing

/// The manual page and the completion scripts are made of help's lists, so they name every
/// option the parser takes and every command the registry holds, and nothing else.
@Suite struct InstallTextTests {
    @Test func helpListsExactlyTheOptionsTheParserTakes() {
        let listed = Set(HelpText.options.flatMap(\.names))
        #expect(listed == Set(GlobalOptions.valued + GlobalOptions.flags))
        let valued = Set(HelpText.options.filter { $0.valueName != nil }.flatMap(\.names))
        #expect(valued == Set(GlobalOptions.valued + ["-c"]))
        for option in HelpText.options { #expect(HelpText.usage.contains("  " + option.form), "\(option.form)") }
    }

    @Test func theManualPageHoldsEveryOptionCommandAndKeywordAsHelpWordsIt() {
        let page = ManualPage.text
        #expect(page.hasPrefix(".TH SSM\\-SHELL 1 "))
        for option in HelpText.options {
            for name in option.names { #expect(page.contains("\\fB" + ManualPage.escape(name) + "\\fR"), "\(name)") }
            #expect(page.contains(ManualPage.escape(option.lines.joined(separator: " "))), "\(option.form)")
        }
        for command in CommandRegistry.all {
            #expect(page.contains("\\fB" + ManualPage.escape(command.usage) + "\\fR\n" + ManualPage.escape(command.summary) + "\n"), "\(command.name)")
            for action in command.iamActions { #expect(page.contains(ManualPage.escape(action)), "\(command.name): \(action)") }
        }
        for topic in ControlFlowHelp.topics { #expect(page.contains(ManualPage.escape(topic.usage)), "\(topic.name)") }
        for form in HelpText.forms { #expect(page.contains(ManualPage.escape(form.purpose))) }
        for note in HelpText.notes { #expect(page.contains(".PP\n" + ManualPage.escape(note) + "\n")) }
        // No line of text is read as a request: every line is a macro, a known escape or text.
        for line in page.split(separator: "\n") where line.hasPrefix(".") {
            #expect([".TH", ".SH", ".TP", ".PP", ".br", ".nf", ".fi", ".nh", ".ad"].contains(String(line.prefix(3))), "\(line)")
        }
    }

    @Test func roffEscapesBackslashesHyphensAndLinesThatWouldBeRequests() {
        #expect(ManualPage.escape(#"a\b --x"#) == #"a\eb \-\-x"#)
        #expect(ManualPage.escape(".hidden\n'quoted\nplain") == "\\&.hidden\n\\&'quoted\nplain")
    }

    @Test func everyShellsScriptOffersEveryOptionFirstWordAndValue() {
        for shell in CompletionScript.Shell.allCases {
            let script = CompletionScript.text(for: shell)
            for option in HelpText.options.flatMap(\.names) {
                let spelled = shell == .fish ? (option.hasPrefix("--") ? "-l " + option.dropFirst(2) : "-s " + option.dropFirst()) : option
                #expect(script.contains(spelled), "\(shell): \(option)")
            }
            for (word, _) in CompletionScript.firstWords { #expect(script.contains(word), "\(shell): \(word)") }
            for region in Prompt.regions { #expect(script.contains(region), "\(shell): \(region)") }
            for format in OutputFormat.allCases { #expect(script.contains(format.rawValue), "\(shell): \(format)") }
            #expect(script.contains("--list-profiles"), "\(shell)")
            // -c offers the language's commands and keywords, in one list.
            #expect(script.contains(CompletionScript.commandWords.joined(separator: " ")), "\(shell)")
        }
    }

    @Test func completionTakesOnlyTheShellsItHasScriptsFor() throws {
        #expect(try GlobalOptions.parse(["--completion", "zsh"]).completionShell == "zsh")
        #expect(try GlobalOptions.parse(["--completion=fish"]).completionShell == "fish")
        #expect(try GlobalOptions.parse(["--man"]).showManual)
        #expect(try GlobalOptions.parse(["--list-profiles"]).listProfiles)
        #expect(throws: GlobalOptions.UsageError(description: "--completion takes bash, zsh or fish, not tcsh")) {
            try GlobalOptions.parse(["--completion", "tcsh"])
        }
    }

    /// What Tab offers after --profile: config's `[profile X]` and `[default]`, the credentials
    /// file's sections, from the files the environment names; no sso-session or services section.
    @Test func listProfilesReadsTheFilesTheShellReads() throws {
        let files = InMemoryFileSystem([
            "/c/config": Array("[default]\nregion = us-east-1\n[profile prod]\nregion = eu-west-1\n[sso-session corp]\nsso_region = us-east-1\n".utf8),
            "/c/credentials": Array("[staging]\naws_access_key_id = A\naws_secret_access_key = B\n".utf8),
        ])
        let environment = Environment(["HOME": "/home/u", "AWS_CONFIG_FILE": "/c/config", "AWS_SHARED_CREDENTIALS_FILE": "/c/credentials"])
        #expect(try CompletionScript.profiles(environment: environment, fileSystem: files) == ["default", "prod", "staging"])
        #expect(try CompletionScript.profiles(environment: Environment(["HOME": "/home/u"]), fileSystem: files) == [])
    }
}
