/// How a run of statements ended (docs/language.md, Control flow): each block passes on what it
/// cannot handle itself, a loop takes `break` and `continue`, a procedure call `return`, the
/// script the rest.
enum BlockOutcome: Equatable {
    /// Every statement ran (or the failures were let through).
    case finished
    /// A command failed and the script stops with this status; also Ctrl-C (130).
    case stopped(Int32)
    /// `exit` ran (ExitState holds its status).
    case exited
    /// `break N` / `continue N`: N loops still to leave (continue: then the next turn of the last).
    case broke(Int)
    case continued(Int)
    /// `return [N]`.
    case returned(Int32)
}

/// What a run of statements keeps while it goes: a script's, or one procedure call's.
struct BlockRun {
    /// With keep-going, a command reported a remote failure and the script went on (it ends with 3).
    var remoteFailure = false
    /// A command skipped a pair of several (its credentials failed) and the script went on (it ends with 1).
    var pairSkipped = false
    /// How many loops are running around the current statement, for `break N` with N from a variable.
    var loops = 0

    /// The status a run ends with when its last command's was `last`: a remembered remote
    /// failure (3) or skipped pair (1) when the last command succeeded.
    func endStatus(_ last: Int32) -> Int32 {
        guard last == 0 else { return last }
        return remoteFailure ? ExitStatus.remoteFailure : pairSkipped ? ExitStatus.failure : 0
    }
}
