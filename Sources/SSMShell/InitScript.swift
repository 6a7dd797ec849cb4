import AWSCore
import SSMCore

/// init.ssm (docs/language.md, Invocation): the user's commands run before the first prompt,
/// for default profiles, regions, settings and `def`s, which stay. Not before a script or `-c`
/// unless `--init` (a script should not depend on one person's set-up); `--no-init` skips it.
/// Read through the shell's services and environment, as everything else.
enum InitScript {
    /// `$XDG_CONFIG_HOME/ssm-shell/init.ssm`, else `~/.config/ssm-shell/init.ssm` (XDG Base
    /// Directory spec: a relative XDG_CONFIG_HOME is ignored); nil with neither.
    static func path(_ environment: Environment) -> String? {
        func absolute(_ name: String) -> String? { environment.nonEmpty(name).flatMap { $0.hasPrefix("/") ? $0 : nil } }
        if let config = absolute("XDG_CONFIG_HOME") { return config + "/ssm-shell/init.ssm" }
        return absolute("HOME").map { $0 + "/.config/ssm-shell/init.ssm" }
    }

    /// Runs the file when there is one, as a script (its errors say `init.ssm:LINE:` and stop
    /// it); nil when there is none, else its status.
    static func run(in shell: Shell) async -> Int32? {
        guard let path = path(shell.environment) else { return nil }
        let bytes: [UInt8]?
        do {
            bytes = try shell.services.fileSystem.contents(of: path)
        } catch {
            shell.console.err("ssm-shell: cannot read \(path): \(error); it was not run (--no-init skips it)\n")
            return ExitStatus.failure
        }
        guard let bytes else { return nil }
        let wasInteractive = shell.interactive
        shell.interactive = false
        defer { shell.interactive = wasInteractive }
        let status = await shell.run(source: String(decoding: bytes, as: UTF8.self), file: path)
        return shell.exit.exitRequested ? shell.exit.exitStatus : status
    }
}
