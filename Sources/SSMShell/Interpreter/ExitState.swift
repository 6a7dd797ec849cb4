/// `$status` and `exit` (language page, section 1): the last command's status, and the status
/// the shell ends with once `exit` has run, however deep in `source` it ran.
struct ExitState: Equatable {
    /// `$status`, and the prompt's `[N]`.
    var lastStatus: Int32 = 0
    /// The last command was refused before it ran (a usage error: an unknown command or
    /// variable, a wrong option), so an `if` does not read it as a false condition.
    var lastRefused = false
    /// Set by `exit`; the script, the prompt and every `source` around it stop.
    private(set) var requestedStatus: Int32?

    var exitRequested: Bool { requestedStatus != nil }
    var exitStatus: Int32 { requestedStatus ?? 0 }

    mutating func requestExit(_ status: Int32) {
        requestedStatus = status
        lastStatus = status
    }
}

/// `exit` unwinds to the top with its status.
struct ExitRequest: Error {
    static let marker: Int32 = -999
    let status: Int32
}
